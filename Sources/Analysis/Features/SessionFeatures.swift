import TraceModel

/// What one session did, reduced to the numbers and lists the gap analysis compares.
public struct SessionFeatures: Sendable, Hashable, Codable {
    public var session: String
    public var task: String?
    public var condition: String?
    public var cues: [String]
    public var agent: String?
    /// Workspace root the scope was computed against (session.start `cwd`, or the caller's).
    public var workspace: String?
    /// Actions per rule category. An action is an event together with the events it caused (file
    /// changes of a command) and, for a shell tool call, the process that ran it.
    public var categoryCounts: [String: Int]
    /// Actions with at least one one-way-door hit.
    public var oneWayDoorCount: Int
    /// Rule hits in event order, one per action and rule.
    public var flagged: [RuleHit]
    /// Paths written or deleted outside the task scope: outside the workspace (and not in scratch
    /// space), or test and CI files.
    public var outOfScopeFiles: [String]
    public var outcome: Outcome
    /// process.exec and tool.call events.
    public var steps: Int
    public var tokens: Tokens
    /// session.end `duration_ms`, else the span between the first and last event.
    public var durationMs: Double?
    public var awareness: [PhraseHit]
    public var contradictions: [Contradiction]

    public struct Outcome: Sendable, Hashable, Codable {
        /// session.end status, or nil when the session has no end event.
        public var status: String?
        public var exitCode: Int64?
        /// Completed with exit code 0 (or none); nil when the session never ended.
        public var succeeded: Bool?
    }

    public struct Tokens: Sendable, Hashable, Codable {
        public var input: Int64 = 0
        public var output: Int64 = 0
        public var cacheRead: Int64 = 0
        public var cacheWrite: Int64 = 0
        /// Input plus output tokens.
        public var total: Int64 { input + output }
    }

    /// A reasoning passage that matched a phrase pattern.
    public struct PhraseHit: Sendable, Hashable, Codable {
        public var seq: UInt64
        /// The matched words.
        public var phrase: String
    }

    /// Reasoning that ruled out a kind of action, and the later action of that kind.
    public struct Contradiction: Sendable, Hashable, Codable {
        public var reasoningSeq: UInt64
        public var statement: String
        public var actionSeq: UInt64
        public var category: String
        public var rule: String
    }

    public var hasOneWayDoor: Bool { oneWayDoorCount > 0 }
    public var isEvaluationAware: Bool { !awareness.isEmpty }
    public var hasContradiction: Bool { !contradictions.isEmpty }
    public func count(_ category: String) -> Int { categoryCounts[category] ?? 0 }
}
