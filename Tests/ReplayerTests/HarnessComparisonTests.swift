@testable import ModelTape
@testable import Replayer
import Testing
import TraceModel

/// The harness report's alignment of recorded and replayed commands and model calls, on events
/// built directly (no processes).
@Suite struct HarnessComparisonTests {
    static let root = "/work/project"

    static func comparison(recorded: SessionFixture, replayed: SessionFixture, tape: Tape = Tape(entries: []),
                           served: [TapeServedCall] = [], divergences: [TapeDivergence] = []) throws -> [StepReport] {
        HarnessComparison(session: try recorded.session(), tape: tape, served: served, divergences: divergences,
                          replayed: replayed.events).steps()
    }

    @Test func commandsAreAlignedByArgvWithDifferentMissingAndExtraOnes() throws {
        var recorded = try SessionFixture(root: Self.root, entries: [])
        let a = recorded.exec("echo a", cwd: Self.root, stdout: "a\n")
        let b = recorded.exec("echo b", cwd: Self.root, stdout: "b\n")
        let c = recorded.exec("echo c", cwd: Self.root, stdout: "c\n")
        let gone = recorded.exec("echo gone", cwd: Self.root, stdout: "gone\n")
        let d = recorded.exec("echo d", cwd: Self.root, stdout: "d\n")
        var replayed = try SessionFixture(root: Self.root, entries: [])
        replayed.exec("echo a", cwd: Self.root, stdout: "a\n")
        let x = replayed.exec("echo x", cwd: Self.root, stdout: "x\n")
        replayed.exec("echo c", cwd: Self.root, stdout: "c\n")
        replayed.exec("echo d", cwd: Self.root, stdout: "d\n")
        let more = replayed.exec("echo more", cwd: Self.root, stdout: "more\n")

        let steps = try Self.comparison(recorded: recorded, replayed: replayed)
        #expect(steps.map(\.seq) == [a, b, c, gone, d, d])
        #expect(steps.map(\.verdict) == [.match, .diverged, .match, .missing, .match, .extra])
        #expect(steps[1].differences == [StepDifference(field: "argv", recorded: "echo b", replayed: "echo x")])
        #expect(steps[1].replaySeq == x)
        #expect(steps[1].cause == .unknown, "nothing diverged before it")
        #expect(steps[3].cause == .earlierDivergence)
        #expect(steps[3].evidence?.contains("exec seq \(b)") == true)
        #expect(steps[5].summary == "echo more")
        #expect(steps[5].replaySeq == more)
    }

    @Test func aSameCommandIsComparedOnExitStatusAndStdout() throws {
        var recorded = try SessionFixture(root: Self.root, entries: [])
        recorded.exec("date", cwd: Self.root, stdout: "Tue Nov 25 10:00:00 UTC 2026\n")
        recorded.exec("ls", cwd: Self.root, stdout: "a\n", stderr: "noise")
        var replayed = try SessionFixture(root: Self.root, entries: [])
        replayed.exec("date", cwd: Self.root, exit: 1, stdout: "Tue Nov 25 10:00:07 UTC 2026\n")
        replayed.exec("ls", cwd: Self.root, stdout: "a\n", stderr: "other noise")

        let steps = try Self.comparison(recorded: recorded, replayed: replayed)
        #expect(steps.map(\.verdict) == [.diverged, .match], "stderr is not compared")
        #expect(steps[0].differences.map(\.field) == ["exit", "stdout"])
        #expect(steps[0].differences[0].recorded == "exit 0")
        #expect(steps[0].differences[0].replayed == "exit 1")
        #expect(steps[0].differences[1].diff?.contains("+ Tue Nov 25 10:00:07 UTC 2026") == true)
        #expect(steps[0].cause == .time)
    }

    @Test func modelCallsAreServedDivergedMissingOrExtra() throws {
        var recorded = try SessionFixture(root: Self.root, entries: [])
        let seqs = (0..<3).map { recorded.add(.modelRequest, data: ["provider": .string("openai"), "model": .string("gpt-\($0)")]) }
        let digests = (0..<3).map { Digest.sha256(Array("request \($0)".utf8)) }
        let tape = Tape(entries: (0..<3).map {
            TapeEntry(index: $0, requestSeq: seqs[$0], digest: digests[$0], provider: "openai", model: "gpt-\($0)",
                      endpoint: "https://api.openai.com/v1/chat/completions", stream: $0 == 1, response: nil)
        })
        let got = Digest.sha256(Array("changed".utf8))
        let divergences = [
            TapeDivergence(requestIndex: 1, reason: .notOnTape, endpoint: "POST /v1/chat/completions", got: got, expected: digests[1],
                           expectedSeq: seqs[1], message: "no recorded call matches this request"),
            TapeDivergence(requestIndex: 2, reason: .notOnTape, endpoint: "POST /v1/chat/completions", got: got, expected: digests[1],
                           expectedSeq: seqs[1], message: "no recorded call matches this request"),
            TapeDivergence(requestIndex: 3, reason: .unsupportedEndpoint, endpoint: "GET /v1/models", got: nil, expected: nil,
                           expectedSeq: nil, message: "GET /v1/models is not a model API the tape records"),
        ]
        let served = [TapeServedCall(requestIndex: 0, entry: 0, digest: digests[0])]
        let replayed = try SessionFixture(root: Self.root, entries: [])

        let steps = try Self.comparison(recorded: recorded, replayed: replayed, tape: tape, served: served, divergences: divergences)
        #expect(steps.map(\.verdict) == [.match, .diverged, .extra, .missing])
        #expect(steps.map(\.seq) == [seqs[0], seqs[1], seqs[1], seqs[2]])
        #expect(steps[0].summary == "openai gpt-0 call 0 /v1/chat/completions")
        let difference = try #require(steps[1].differences.first)
        #expect(difference.recorded == "\(digests[1]) (seq \(seqs[1]))")
        #expect(difference.replayed == "\(got) (request 1)")
        #expect(difference.diff?.contains("1 more request(s) diverged here") == true)
        #expect(steps[1].cause == .unknown)
        #expect(steps[2].summary == "GET /v1/models (request 3)")
        #expect(steps[2].cause == .earlierDivergence)
        #expect(steps[3].reason == "the replayed agent never made this call")
    }

    @Test func unreadableAndAgentProcessEventsAreNotCommands() throws {
        var recorded = try SessionFixture(root: Self.root, entries: [])
        recorded.add(.processExec, data: ["argv": .number(JSONNumber(Int64(3))), "cwd": .string(Self.root)])
        recorded.add(.processExec, data: ["argv": .array([]), "cwd": .string(Self.root)])
        recorded.add(.processExec, data: ["argv": .array([.string("agent")]), "cwd": .string(Self.root), "agent_process": .bool(true)])
        let real = recorded.exec("true", cwd: Self.root)
        var replayed = try SessionFixture(root: Self.root, entries: [])
        replayed.add(.processExec, data: ["argv": .string("rm -rf /"), "cwd": .null])
        replayed.exec("true", cwd: Self.root)

        let steps = try Self.comparison(recorded: recorded, replayed: replayed)
        #expect(steps.map(\.seq) == [real])
        #expect(steps.map(\.verdict) == [.match])
    }

    @Test func alignmentOfVeryLongRunsFallsBackToCommonEnds() {
        let a = Array(repeating: ["x"], count: 2001) + [["y"], ["z"]]
        let b = Array(repeating: ["x"], count: 2001) + [["w"], ["z"]]
        let pairs = HarnessComparison.align(a, b)
        #expect(pairs.count == 2002)
        #expect(pairs.last! == (2002, 2002))
        #expect(HarnessComparison.align([["a"], ["b"], ["c"]], [["b"], ["c"], ["a"]]).map { [$0.0, $0.1] } == [[1, 0], [2, 1]])
        #expect(HarnessComparison.align([], [["a"]]).isEmpty)
    }
}
