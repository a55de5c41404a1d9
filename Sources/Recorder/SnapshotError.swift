/// Why a snapshot could not be taken at all.
public struct SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The root is not a readable directory.
        case root
        /// The blob sink refused content.
        case sink
        /// A file could not be written (fixtures).
        case io
    }

    public var code: Code
    public var path: String
    public var reason: String

    public init(_ code: Code, path: String, reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String { "snapshot of \(path): \(reason)" }
}
