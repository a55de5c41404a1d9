/// A deterministic pseudo-random generator (SplitMix64) so generated traces are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates realistic, fully chained sessions — model calls, reasoning, tool calls, commands with
/// output, file writes — for the demo, the benchmarks and tests.
public struct SyntheticTrace: Sendable {
    public var agent = "demo-agent"
    public var tasks = ["fix-failing-test", "rotate-logs", "migrate-schema", "bump-dependency"]
    public var conditions = ["supervised", "unsupervised"]
    /// Tool-use rounds per session (each round is about eight events).
    public var rounds: ClosedRange<Int> = 4...12
    private var rng: SplitMix64
    private var clock: Int64

    public init(seed: UInt64, start: Timestamp = Timestamp(microseconds: 1_795_000_000_000_000)) {
        rng = SplitMix64(seed: seed)
        clock = start.microseconds
    }

    static let commands: [[String]] = [
        ["pytest", "-q", "tests/test_parser.py"], ["git", "status", "--short"], ["ls", "-la", "src"],
        ["grep", "-rn", "TODO", "src"], ["make", "build"], ["cat", "setup.cfg"], ["git", "diff", "--stat"],
        ["python3", "-m", "pip", "list"], ["npm", "test"], ["cargo", "check"],
    ]
    static let files = ["src/parser.py", "src/cli.py", "tests/test_parser.py", "README.md", "setup.cfg", "src/util/io.py"]
    static let words = ["the", "test", "fails", "because", "parser", "returns", "None", "for", "empty", "input", "so", "I",
                        "will", "check", "handle", "that", "case", "and", "run", "suite", "again", "file", "config",
                        "value", "error", "line", "function", "expected", "actual", "assert", "module", "import"]

    mutating func sentence(_ n: ClosedRange<Int>) -> String {
        (0..<Int.random(in: n, using: &rng)).map { _ in Self.words.randomElement(using: &rng)! }.joined(separator: " ")
    }

    mutating func fakeDigest() -> Digest {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        return Digest(bytes: bytes)!
    }

    mutating func output(lines: ClosedRange<Int>) -> String {
        (0..<Int.random(in: lines, using: &rng)).map { i in
            "\(Self.files.randomElement(using: &rng)!):\(i + 1): \(sentence(3...9))"
        }.joined(separator: "\n")
    }

    /// One complete session: start, rounds of model/tool/exec/file events, end. Events are chained.
    public mutating func session(task: String? = nil, condition: String? = nil) -> [Event] {
        var randomBytes = [UInt8](repeating: 0, count: 10)
        for i in 0..<10 { randomBytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let id = SessionID(milliseconds: UInt64(clock / 1000), randomness: randomBytes)
        let start = clock
        var chain = ChainBuilder()
        var events: [Event] = []
        func add(_ actor: Actor, _ payload: EventPayload, cause: UInt64? = nil, blobs: [String: Digest] = [:], gapMicros: Int64) {
            clock += gapMicros
            var e = Event(session: id, seq: 0, ts: Timestamp(microseconds: clock), monoNs: UInt64(clock - start) * 1000,
                          actor: actor, payload: payload, cause: cause, blobs: blobs)
            chain.seal(&e)
            events.append(e)
        }
        let task = task ?? tasks.randomElement(using: &rng)!
        let condition = condition ?? conditions.randomElement(using: &rng)!
        add(.recorder, .sessionStart(SessionStart(
            agentName: agent, agentVersion: "1.4.2", command: ["demo-agent", "--task", task], task: task, condition: condition,
            worker: "worker-\(Int.random(in: 1...8, using: &rng))", cwd: "/work/repo", envFingerprint: fakeDigest(),
            snapshot: fakeDigest(), labels: ["team": "platform"])), gapMicros: 0)
        add(.user, .message(Message(role: "user", text: "Please \(task.replacingAll("-", with: " ")) in this repository. \(sentence(5...20))")), gapMicros: 2_000)
        for _ in 0..<Int.random(in: rounds, using: &rng) {
            let request = chain.nextSeq
            add(.agent, .modelRequest(ModelRequest(provider: "anthropic", model: "claude-sonnet-4-5", endpoint: "/v1/messages",
                                                   requestDigest: fakeDigest(), stream: true)),
                blobs: ["request": fakeDigest()], gapMicros: Int64.random(in: 1_000...20_000, using: &rng))
            let chunks = (0..<Int.random(in: 3...8, using: &rng)).map { i in StreamChunk(offsetMs: Double(200 + i * 35), bytes: Int64.random(in: 40...400, using: &rng)) }
            add(.agent, .modelResponse(ModelResponse(
                model: "claude-sonnet-4-5", status: 200, latencyMs: Double(Int.random(in: 400...4000, using: &rng)), stopReason: "tool_use",
                usage: TokenUsage(inputTokens: Int64.random(in: 1000...30000, using: &rng), outputTokens: Int64.random(in: 50...900, using: &rng)),
                chunks: chunks)), cause: request, blobs: ["response": fakeDigest()], gapMicros: Int64.random(in: 400_000...4_000_000, using: &rng))
            add(.agent, .reasoning(Reasoning(text: sentence(10...60))), gapMicros: 100)
            let argv = Self.commands.randomElement(using: &rng)!
            let call = chain.nextSeq
            add(.agent, .toolCall(ToolCall(name: "Bash", callID: "toolu_\(UInt32.random(in: 0...UInt32.max, using: &rng))",
                                           input: ["command": .string(argv.joined(separator: " ")), "description": .string(sentence(3...8))])),
                gapMicros: 500)
            let out = output(lines: 1...25)
            let failed = Int.random(in: 0..<5, using: &rng) == 0
            add(.tool, .processExec(ProcessExec(argv: argv, cwd: "/work/repo", env: ["PYTHONHASHSEED": "0"], exitCode: failed ? 1 : 0,
                                                durationMs: Double(Int.random(in: 5...3000, using: &rng)), stdout: out,
                                                stderr: failed ? "error: \(sentence(4...12))" : "", stdoutBytes: Int64(out.utf8.count),
                                                stderrBytes: 0, pid: Int64.random(in: 1000...60000, using: &rng))),
                cause: call, gapMicros: Int64.random(in: 5_000...3_000_000, using: &rng))
            add(.tool, .toolResult(ToolResult(name: "Bash", output: .string(String(out.prefix(300))), isError: failed)), cause: call, gapMicros: 200)
            if Bool.random(using: &rng) {
                let size = Int64.random(in: 200...20000, using: &rng)
                add(.agent, .fileWrite(FileWrite(path: "/work/repo/" + Self.files.randomElement(using: &rng)!, after: fakeDigest(),
                                                 before: fakeDigest(), mode: 0o644, size: size)),
                    blobs: ["content": fakeDigest()], gapMicros: 3_000)
            }
            if Int.random(in: 0..<4, using: &rng) == 0 {
                add(.agent, .message(Message(role: "assistant", text: sentence(8...40))), gapMicros: 1_000)
            }
        }
        add(.recorder, .sessionEnd(SessionEnd(status: "completed", exitCode: 0, snapshot: fakeDigest(),
                                              durationMs: Double(clock - start) / 1000)), gapMicros: 10_000)
        clock += Int64.random(in: 1_000_000...60_000_000, using: &rng)
        return events
    }
}
