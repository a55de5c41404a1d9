import TraceModel

extension ClaudeCodeHookState {
    static let formatVersion = 1

    /// The state as canonical JSON (the session-map file's content).
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue] = [
            "v": .number(JSONNumber(Self.formatVersion)),
            "claude_session_id": .string(claudeSessionID),
            "session": .string(session.string),
            "started": .bool(started),
            "ended": .bool(ended),
            "calls": .object(calls.mapValues { .number(JSONNumber($0)) }),
            "unnamed_calls": .object(unnamedCalls.mapValues { .array($0.map { .number(JSONNumber($0)) }) }),
        ]
        if let permissionMode { object["permission_mode"] = .string(permissionMode) }
        if let continues { object["continues"] = .string(continues.string) }
        var out = JSONValue.object(object).canonicalBytes()
        out.append(0x0A)
        return out
    }

    /// Reads what `encoded()` wrote; the error string says which field is wrong.
    public init(decoding bytes: [UInt8]) throws(ClaudeCodeStateDecodingError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: 8)
        } catch {
            throw ClaudeCodeStateDecodingError(field: nil, reason: error.description)
        }
        guard case .object(let o) = value else { throw ClaudeCodeStateDecodingError(field: nil, reason: "not an object") }
        func fail(_ field: String, _ reason: String) -> ClaudeCodeStateDecodingError {
            ClaudeCodeStateDecodingError(field: field, reason: reason)
        }
        guard o["v"]?.int64Value == Int64(Self.formatVersion) else { throw fail("v", "unsupported format version") }
        guard let claudeID = o["claude_session_id"]?.stringValue else { throw fail("claude_session_id", "expected string") }
        guard let sessionText = o["session"]?.stringValue, let session = SessionID(sessionText) else {
            throw fail("session", "expected a session id")
        }
        guard let started = o["started"]?.boolValue else { throw fail("started", "expected boolean") }
        guard let ended = o["ended"]?.boolValue else { throw fail("ended", "expected boolean") }
        var permissionMode: String?
        if let mode = o["permission_mode"] {
            guard let text = mode.stringValue else { throw fail("permission_mode", "expected string") }
            permissionMode = text
        }
        var continues: SessionID?
        if let previous = o["continues"] {
            guard let text = previous.stringValue, let id = SessionID(text) else { throw fail("continues", "expected a session id") }
            continues = id
        }
        guard let callObject = o["calls"]?.objectValue else { throw fail("calls", "expected object") }
        var calls: [String: UInt64] = [:]
        for (id, seq) in callObject {
            guard let seq = seq.numberValue?.uint64Value else { throw fail("calls.\(id)", "expected a seq") }
            calls[id] = seq
        }
        guard let unnamedObject = o["unnamed_calls"]?.objectValue else { throw fail("unnamed_calls", "expected object") }
        var unnamed: [String: [UInt64]] = [:]
        for (key, list) in unnamedObject {
            guard let items = list.arrayValue else { throw fail("unnamed_calls.\(key)", "expected array") }
            var seqs: [UInt64] = []
            for item in items {
                guard let seq = item.numberValue?.uint64Value else { throw fail("unnamed_calls.\(key)", "expected seqs") }
                seqs.append(seq)
            }
            unnamed[key] = seqs
        }
        self.init(claudeSessionID: claudeID, session: session, started: started, ended: ended, permissionMode: permissionMode,
                  calls: calls, unnamedCalls: unnamed, continues: continues)
    }
}

/// A session-map file that does not hold a hook state.
public struct ClaudeCodeStateDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String?
    public var reason: String
    public var description: String { field.map { "hook state field \"\($0)\": \(reason)" } ?? "hook state: \(reason)" }
}
