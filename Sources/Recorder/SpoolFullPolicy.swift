/// What the recorder does when the spool has reached `SpoolOptions.maxBytes`.
public enum SpoolFullPolicy: Sendable, Equatable, CustomStringConvertible {
    /// The recording call waits until the shipper frees space: nothing is lost, the agent slows down.
    case block
    /// The session's oldest unshipped segments are deleted to make room, and a `recorder.notice`
    /// (code `dropped`) says how many events went.
    case dropOldest

    /// Parses `block` or `drop-oldest` (the CLI spelling).
    public init?(_ text: String) {
        switch text {
        case "block": self = .block
        case "drop-oldest": self = .dropOldest
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .block: "block"
        case .dropOldest: "drop-oldest"
        }
    }
}
