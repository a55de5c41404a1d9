import TraceModel
@testable import Analysis

/// Builds sessions event by event for tests (no hash chain: analysis does not read it).
struct SessionBuilder {
    var id: SessionID
    var events: [Event] = []
    var clock: Int64 = 1_795_000_000_000_000

    init(number: UInt64 = 1, task: String? = "fix-test", condition: String? = "supervised", cues: [String]? = nil,
         cwd: String? = "/work/repo") {
        var bytes = [UInt8](repeating: 0, count: 10)
        withUnsafeBytes(of: number.bigEndian) { for (i, b) in $0.enumerated() { bytes[2 + i] = b } }
        id = SessionID(milliseconds: 1_795_000_000_000, randomness: bytes)
        add(.sessionStart(SessionStart(agentName: "test-agent", task: task, condition: condition, cues: cues, cwd: cwd)), actor: .recorder)
    }

    @discardableResult
    mutating func add(_ payload: EventPayload, actor: Actor = .agent, afterMs: Int64 = 1000, cause: UInt64? = nil) -> UInt64 {
        let seq = UInt64(events.count)
        clock += afterMs * 1000
        events.append(Event(session: id, seq: seq, ts: Timestamp(microseconds: clock), monoNs: UInt64(clock - 1_795_000_000_000_000) * 1000,
                            actor: actor, payload: payload, cause: cause))
        return seq
    }

    @discardableResult mutating func exec(_ argv: [String], cwd: String = "/work/repo", env: [String: String?]? = nil) -> UInt64 {
        add(.processExec(ProcessExec(argv: argv, cwd: cwd, env: env, exitCode: 0)), actor: .tool)
    }
    @discardableResult mutating func bash(_ command: String) -> UInt64 {
        add(.toolCall(ToolCall(name: "Bash", input: ["command": .string(command)])))
    }
    @discardableResult mutating func tool(_ name: String, _ input: JSONValue) -> UInt64 {
        add(.toolCall(ToolCall(name: name, input: input)))
    }
    @discardableResult mutating func write(_ path: String) -> UInt64 {
        add(.fileWrite(FileWrite(path: path, after: Digest(bytes: [UInt8](repeating: 7, count: 32))!)), actor: .tool)
    }
    @discardableResult mutating func delete(_ path: String, cause: UInt64? = nil) -> UInt64 {
        add(.fileDelete(FileDelete(path: path)), actor: .tool, cause: cause)
    }
    @discardableResult mutating func request(_ method: String, _ url: String) -> UInt64 {
        add(.netRequest(NetRequest(method: method, url: url)), actor: .tool)
    }
    @discardableResult mutating func think(_ text: String) -> UInt64 { add(.reasoning(Reasoning(text: text))) }
    mutating func model(input: Int64, output: Int64) {
        let request = add(.modelRequest(ModelRequest(provider: "anthropic", model: "m")))
        events.append(Event(session: id, seq: UInt64(events.count), ts: Timestamp(microseconds: clock + 1000), monoNs: 0, actor: .system,
                            payload: .modelResponse(ModelResponse(model: "m", usage: TokenUsage(inputTokens: input, outputTokens: output))),
                            cause: request))
    }
    mutating func end(_ status: String = "completed", exitCode: Int64? = 0) {
        add(.sessionEnd(SessionEnd(status: status, exitCode: exitCode)), actor: .recorder)
    }
}
