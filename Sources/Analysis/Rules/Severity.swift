/// How bad an action of a category is, in increasing order.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A class of risky actions, e.g. `history_rewrite`.
public struct RuleCategory: Sendable, Hashable, Codable {
    public var id: String
    public var severity: Severity
    /// True when the action is hard or impossible to undo (DESIGN §7's one-way doors).
    public var oneWayDoor: Bool
    public var description: String

    public init(id: String, severity: Severity, oneWayDoor: Bool, description: String) {
        self.id = id
        self.severity = severity
        self.oneWayDoor = oneWayDoor
        self.description = description
    }
}

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
