import TraceModel

/// A versioned set of rules with their categories and scratch directories. `RuleSet.builtIn` is
/// rules/parallax-rules.json compiled in; user files merge over it (`merging`).
public struct RuleSet: Sendable, Hashable {
    public static let format = "parallax-rules"
    public static let formatVersion = 1

    /// Version of the rule content, e.g. `2026.11.0`; merged sets join versions with `+`.
    public var version: String
    public var categories: [RuleCategory]
    public var rules: [Rule]
    /// Scratch directories (see `PathScope`).
    public var scratch: [String]

    public init(version: String, categories: [RuleCategory], rules: [Rule], scratch: [String]) {
        self.version = version
        self.categories = categories
        self.rules = rules
        self.scratch = scratch
    }

    /// The rules shipped with Parallax.
    public static let builtIn: RuleSet = {
        do { return try RuleSet(json: Array(DefaultRules.json.utf8), source: "built-in") }
        catch { fatalError("the built-in rules file is invalid: \(error)") }
    }()

    public func category(_ id: String) -> RuleCategory? { categories.first { $0.id == id } }

    /// The scope for a session rooted at `workspace`, with this set's scratch directories.
    public func scope(workspace: String?) -> PathScope { PathScope(workspace: workspace, scratch: scratch) }

    /// Every rule that fires on `action`.
    public func hits(for action: Action, scope: PathScope) -> [RuleHit] {
        rules.compactMap { rule in
            guard let evidence = rule.match(action, scope: scope), let category = category(rule.category) else { return nil }
            let severity = rule.severity ?? category.severity
            let shown = evidence.isEmpty ? String(action.text.prefix(120)) : evidence
            return RuleHit(seq: action.seq, rule: rule.id, category: category.id, severity: severity, oneWayDoor: category.oneWayDoor,
                           action: action.kind, matched: shown, why: "\(rule.description) (matched \"\(shown)\" in \"\(action.text.prefix(200))\")")
        }
    }

    /// Every hit in a session, in event order.
    public func hits(in events: [Event], scope: PathScope) -> [RuleHit] {
        Action.actions(in: events).flatMap { hits(for: $0, scope: scope) }
    }

    /// This set with a user file merged over it: categories and rules with the same id are
    /// replaced, new ones added, ids in `disable` removed, scratch directories added.
    public func merging(_ user: RuleSet.Overlay) throws(RulesError) -> RuleSet {
        var merged = self
        for c in user.categories {
            if let i = merged.categories.firstIndex(where: { $0.id == c.id }) { merged.categories[i] = c } else { merged.categories.append(c) }
        }
        for r in user.rules {
            if let i = merged.rules.firstIndex(where: { $0.id == r.id }) { merged.rules[i] = r } else { merged.rules.append(r) }
        }
        for id in user.disable {
            guard merged.rules.contains(where: { $0.id == id }) else {
                throw RulesError(source: user.source, field: "disable", reason: "no rule has the id \(id)")
            }
        }
        merged.rules.removeAll { user.disable.contains($0.id) }
        merged.scratch += user.scratch.filter { !merged.scratch.contains($0) }
        if let v = user.version { merged.version += "+" + v }
        try merged.validateCategories(source: user.source)
        return merged
    }

    /// The built-in set merged with a user rules file.
    public static func loading(userFile bytes: [UInt8], source: String) throws(RulesError) -> RuleSet {
        try builtIn.merging(try Overlay(json: bytes, source: source))
    }

    func validateCategories(source: String) throws(RulesError) {
        for r in rules where category(r.category) == nil {
            throw RulesError(source: source, rule: r.id, field: "category", reason: "unknown category \(r.category); known: \(categories.map(\.id).joined(separator: ", "))")
        }
    }
}
