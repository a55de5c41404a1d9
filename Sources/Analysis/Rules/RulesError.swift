/// A rules file that cannot be used: where (file, rule, field) and what is wrong.
public struct RulesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file (or `built-in`) the problem is in.
    public var source: String
    /// The rule's id (or `#index` when it has none); nil for file-level problems.
    public var rule: String?
    /// Field path inside the rule or file, e.g. `text` or `categories[2].severity`.
    public var field: String?
    public var reason: String

    public init(source: String, rule: String? = nil, field: String? = nil, reason: String) {
        self.source = source
        self.rule = rule
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var s = source
        if let rule { s += ": rule \(rule)" }
        if let field { s += ": field \(field)" }
        return s + ": " + reason
    }
}
