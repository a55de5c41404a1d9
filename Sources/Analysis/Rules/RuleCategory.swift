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
