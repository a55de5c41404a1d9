import TraceModel

/// What the hook integration remembers about one Claude session between hook invocations (each one
/// is a separate short-lived process): its Parallax session, and the tool calls not yet answered.
public struct ClaudeCodeHookState: Sendable, Hashable {
    /// Unanswered calls kept at most; the oldest are forgotten first (their results then come with a
    /// tool.call of their own instead of a `cause` link).
    public static let maxPendingCalls = 4096

    /// Claude's `session_id`, as received.
    public var claudeSessionID: String
    public var session: SessionID
    /// Seq 0 (`session.start`) of `session` has been written.
    public var started: Bool
    /// `session.end` of `session` has been written.
    public var ended: Bool
    /// The permission mode last seen, so a change can be recorded.
    public var permissionMode: String?
    /// `tool_use_id` → seq of its `tool.call`, until a result answers it.
    public var calls: [String: UInt64]
    /// Calls from payloads without `tool_use_id`, keyed by `callKey(name:input:)`: seqs, oldest first.
    public var unnamedCalls: [String: [UInt64]]
    /// The Parallax session the Claude session was recorded in before this one ended.
    public var continues: SessionID?

    public init(claudeSessionID: String, session: SessionID, started: Bool = false, ended: Bool = false,
                permissionMode: String? = nil, calls: [String: UInt64] = [:], unnamedCalls: [String: [UInt64]] = [:],
                continues: SessionID? = nil) {
        self.claudeSessionID = claudeSessionID
        self.session = session
        self.started = started
        self.ended = ended
        self.permissionMode = permissionMode
        self.calls = calls
        self.unnamedCalls = unnamedCalls
        self.continues = continues
    }

    /// A fresh state for a new Parallax session that continues this one's Claude session.
    public func continued(as next: SessionID) -> ClaudeCodeHookState {
        ClaudeCodeHookState(claudeSessionID: claudeSessionID, session: next, permissionMode: permissionMode, continues: session)
    }

    /// How a call without an id is matched to its result: the tool name and the digest of its input.
    public static func callKey(name: String, input: JSONValue?) -> String {
        name + " " + Digest.sha256((input ?? .null).canonicalBytes()).hex
    }

    public var pendingCallCount: Int { calls.count + unnamedCalls.values.reduce(0) { $0 + $1.count } }

    /// Notes that the call `id` (or, without one, the call keyed by `key`) got `seq`.
    public mutating func rememberCall(id: String?, key: String, seq: UInt64) {
        if let id {
            calls[id] = seq
        } else {
            unnamedCalls[key, default: []].append(seq)
        }
        forgetOldestCalls()
    }

    /// The seq of the call a result answers, forgotten once returned; nil when the call was not seen.
    public mutating func takeCall(id: String?, key: String) -> UInt64? {
        if let id { return calls.removeValue(forKey: id) }
        guard var seqs = unnamedCalls[key], !seqs.isEmpty else { return nil }
        let seq = seqs.removeFirst()
        unnamedCalls[key] = seqs.isEmpty ? nil : seqs
        return seq
    }

    private mutating func forgetOldestCalls() {
        var excess = pendingCallCount - Self.maxPendingCalls
        guard excess > 0 else { return }
        var all: [(seq: UInt64, id: String?, key: String?)] = calls.map { ($0.value, $0.key, nil) }
        for (key, seqs) in unnamedCalls { all += seqs.map { ($0, nil, key) } }
        all.sort { $0.seq < $1.seq }
        for entry in all {
            guard excess > 0 else { break }
            if let id = entry.id {
                calls[id] = nil
            } else if let key = entry.key, var seqs = unnamedCalls[key] {
                seqs.removeAll { $0 == entry.seq }
                unnamedCalls[key] = seqs.isEmpty ? nil : seqs
            }
            excess -= 1
        }
    }
}
