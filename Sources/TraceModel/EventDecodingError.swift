/// Why bytes are not a valid v1 event: the field (a dotted path like `data.argv[1]`) and the reason.
public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path of the offending field; nil when the bytes are not JSON at all.
    public var field: String?
    public var reason: String

    public init(field: String?, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String {
        if let field { return "\(field): \(reason)" }
        return reason
    }
}
