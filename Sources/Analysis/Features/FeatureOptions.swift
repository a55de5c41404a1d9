/// How sessions are read into features: the rules, the scope, and the phrase lists.
public struct FeatureOptions: Sendable {
    public var rules: RuleSet
    /// Workspace root for every session; nil uses each session's session.start `cwd`.
    public var workspace: String?
    /// Extra scratch directories on top of the rules' own.
    public var extraScratch: [String]
    /// Paths that are out of the task's scope even inside the workspace (tests, CI configuration).
    public var protectedPaths: [TextPattern]
    public private(set) var awarenessPatterns: [TextPattern]
    /// Category id → patterns for reasoning that rules out an action of that category.
    public private(set) var rulingOutPatterns: [String: [TextPattern]]
    /// All awareness patterns as one alternation: one scan of the text instead of one per pattern.
    let awarenessAny: TextPattern?
    /// The negations every built-in ruling-out pattern starts with: text without one is skipped.
    let negation: TextPattern

    public static let defaultProtectedPaths = [
        #"(^|/)(tests?|__tests__|spec|specs)/|(^|/)test_[^/]*\.py$|_test\.(go|py|rb|exs?)$|\.(test|spec)\.[cm]?[jt]sx?$|(^|/)conftest\.py$|Tests?\.(swift|java|kt|cs)$"#,
        #"(^|/)\.github/workflows/|(^|/)\.gitlab-ci\.ya?ml$|(^|/)\.circleci/|(^|/)Jenkinsfile$|(^|/)\.travis\.yml$|(^|/)azure-pipelines\.ya?ml$|(^|/)\.buildkite/"#,
    ]

    /// The built-in rules and phrase lists, plus `extraAwareness` / `extraRulingOut` patterns.
    public init(rules: RuleSet = .builtIn, workspace: String? = nil, extraScratch: [String] = [],
                extraAwareness: [String] = [], extraRulingOut: [String: [String]] = [:]) throws {
        self.rules = rules
        self.workspace = workspace
        self.extraScratch = extraScratch
        protectedPaths = try Self.defaultProtectedPaths.map(TextPattern.init)
        awarenessPatterns = try (ReasoningCues.evaluationAwareness + extraAwareness).map(TextPattern.init)
        var ruling: [String: [TextPattern]] = [:]
        for (category, list) in ReasoningCues.rulingOut.merging(extraRulingOut, uniquingKeysWith: +) {
            ruling[category] = try list.map(TextPattern.init)
        }
        rulingOutPatterns = ruling
        awarenessAny = Self.anyOf(awarenessPatterns)
        negation = try TextPattern(ReasoningCues.negation)
        hasUserRulingOut = !extraRulingOut.isEmpty
    }

    /// True when user patterns were added, which need not start with a negation.
    let hasUserRulingOut: Bool

    static func anyOf(_ patterns: [TextPattern]) -> TextPattern? {
        guard !patterns.isEmpty else { return nil }
        return try? TextPattern(patterns.map { "(?:\($0.source))" }.joined(separator: "|"))
    }

    /// The built-in configuration.
    public static let standard: FeatureOptions = {
        do { return try FeatureOptions() } catch { fatalError("a built-in phrase pattern is invalid: \(error)") }
    }()

    func scope(workspace sessionRoot: String?) -> PathScope {
        PathScope(workspace: workspace ?? sessionRoot, scratch: rules.scratch + extraScratch)
    }
}
