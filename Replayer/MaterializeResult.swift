/// What a materialization wrote, left out and refused.
public struct MaterializeResult: Sendable, Hashable {
    /// An entry not written, with the reason.
    public struct Skipped: Sendable, Hashable, CustomStringConvertible {
        public let path: String
        public let reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        public var description: String { "\(path): \(reason)" }
    }

    public var files = 0
    public var directories = 0
    public var symlinks = 0
    /// Bytes of file content written.
    public var bytes: UInt64 = 0
    /// Files whose content was not kept (`stored: false`) or whose blob the source does not have.
    public var missing: [Skipped] = []
    /// Entries refused as unsafe or inconsistent (bad path, escaping link, digest mismatch, ...),
    /// and entries below a refused one.
    public var refused: [Skipped] = []

    public init() {}

    /// Whether every entry was written.
    public var isComplete: Bool { missing.isEmpty && refused.isEmpty }
}
