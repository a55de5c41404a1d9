/// When the recorder forces spool bytes to stable storage.
public enum FsyncPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Every record is written and fsynced before `record` returns.
    case always
    /// Records are written and fsynced at most `milliseconds` after they were recorded (and on
    /// `sync`/`close`): a crash loses at most that window.
    case interval(milliseconds: Int)
    /// The operating system decides; records are still written out within 100 ms.
    case never

    public static let `default` = FsyncPolicy.interval(milliseconds: 100)

    /// Parses `always`, `never`, `interval` or `interval:<ms>` (the CLI spelling).
    public init?(_ text: String) {
        switch text {
        case "always": self = .always
        case "never": self = .never
        case "interval": self = .default
        default:
            guard text.hasPrefix("interval:"), let ms = Int(text.dropFirst(9)), ms >= 1 else { return nil }
            self = .interval(milliseconds: ms)
        }
    }

    public var description: String {
        switch self {
        case .always: "always"
        case .never: "never"
        case .interval(let ms): "interval:\(ms)"
        }
    }

    /// How long buffered records may wait before they are written (and, unless `never`, fsynced).
    var flushDelayNanoseconds: UInt64? {
        switch self {
        case .always: nil
        case .interval(let ms): UInt64(max(1, ms)) * 1_000_000
        case .never: 100_000_000
        }
    }
}
