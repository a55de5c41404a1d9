/// One rule firing on one action: which rule, why (the text it matched) and where.
public struct RuleHit: Sendable, Hashable, Codable {
    /// seq of the event the action came from.
    public var seq: UInt64
    public var rule: String
    public var category: String
    public var severity: Severity
    public var oneWayDoor: Bool
    /// What kind of action matched.
    public var action: Action.Kind
    /// The part of the action that made the rule fire, e.g. `--force` or `src`.
    public var matched: String
    /// A sentence for people: the rule's description and the matched text.
    public var why: String
}
