/// Why materializing failed as a whole (the root, or an I/O failure inside it).
public struct MaterializeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The destination exists and is not an empty directory, or cannot be created or opened.
        case root
        /// Reading, creating or writing inside the root failed.
        case io
    }

    public let code: Code
    /// The path concerned: the root, or an entry path relative to it.
    public let path: String
    public let reason: String

    public init(_ code: Code, path: String, reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
