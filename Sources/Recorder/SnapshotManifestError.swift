/// Why bytes are not a valid snapshot manifest, and where.
public struct SnapshotManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// Not JSON at all; `offset` says where parsing stopped.
        case notJSON = "not_json"
        case unsupportedVersion = "unsupported_version"
        case missingField = "missing_field"
        case unknownField = "unknown_field"
        case invalidField = "invalid_field"
        /// Entries out of path order, or a path twice.
        case unsorted
    }

    public var code: Code
    /// Path of the offending field, e.g. `entries[3].mode`.
    public var field: String?
    /// Byte offset into the manifest (for `notJSON`).
    public var offset: Int?
    public var reason: String

    public init(_ code: Code, field: String? = nil, offset: Int? = nil, reason: String) {
        self.code = code
        self.field = field
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        var text = "invalid snapshot manifest"
        if let field { text += " at \(field)" }
        if let offset { text += " (byte \(offset))" }
        return text + ": " + reason
    }
}
