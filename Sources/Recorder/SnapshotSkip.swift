/// A path a snapshot could not record (or an ignore file it could not apply), and why.
public struct SnapshotSkip: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        case fifo, socket, device
        case unknownType = "unknown_type"
        /// Could not be opened, read or listed (permissions, I/O error).
        case unreadable
        /// Gone between listing and reading.
        case vanished
        /// Its name is not valid UTF-8, so no manifest path can name it.
        case nameNotUTF8 = "name_not_utf8"
        /// A link whose target is not valid UTF-8.
        case targetNotUTF8 = "target_not_utf8"
        /// A directory deeper than `maxDepth`: recorded, its contents not.
        case tooDeep = "too_deep"
        /// A `.parallaxignore` that could not be read or was too large; its patterns were not applied.
        case ignoreFileUnreadable = "ignore_file_unreadable"
    }

    /// Relative to the root (bytes that are not UTF-8 shown as U+FFFD).
    public var path: String
    public var reason: Reason
    public var message: String

    public init(path: String, reason: Reason, message: String) {
        self.path = path
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(path): \(reason.rawValue) (\(message))" }
}
