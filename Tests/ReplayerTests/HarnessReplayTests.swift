import ModelTape
import Recorder
@testable import Replayer
import Testing
import TraceModel

/// `harness` replays of a session recorded by the test itself, in a real bubblewrap sandbox with
/// no model upstream running: the tape answers every call, the recording shell reports every command.
@Suite("harness replay", .serialized)
struct HarnessReplayTests {
    static func replay(_ session: RecordedSession, _ recording: HarnessRecording) throws -> (ReplayReport, ReplaySessionBuilder) {
        let workspace = TemporaryDirectory("harness-replay")
        defer { workspace.remove() }
        let sandbox = try BubblewrapSandbox()
        var options = HarnessReplayOptions(binaries: HarnessRecording.binaries)
        options.timeout = .seconds(120)
        return try HarnessReplay(session: session, blobs: recording.spool.blobs, sandbox: sandbox,
                                 workspace: workspace.path + "/ws", options: options).run(sandboxName: "bubblewrap")
    }

    @Test func everyCallIsServedFromTheTapeAndEveryCommandMatches() throws {
        let recording = try HarnessRecording()
        #expect(recording.upstreamRequests == 2)
        #expect(recording.agentOutput.contains("agent done: all good"))
        let session = try recording.session()
        #expect(session.events.count { $0.kind == .modelRequest } == 2)
        #expect(session.events.count { $0.kind == .processExec } == 3, "two commands and the agent itself")

        let (report, trace) = try Self.replay(session, recording)
        let described = report.steps.map { "\($0.kind) \($0.seq) \($0.verdict.rawValue) \($0.summary) \($0.differences)" }
        #expect(report.steps.map(\.kind) == ["model", "exec", "model", "exec"], "\(described)")
        #expect(report.steps.allSatisfy { $0.verdict == .match }, "\(described) \(report.notes)")
        #expect(report.fidelity == 1)
        #expect(report.firstDivergence == nil)
        #expect(report.notes.contains { $0.hasPrefix("the agent ended with exit 0 (recorded: exit 0)") }, "\(report.notes)")
        #expect(report.steps[1].summary == HarnessRecording.command)

        // The replay is a session of its own: replay_of, the replayed commands and the served calls.
        #expect(trace.events.first?.data["replay_of"]?.stringValue == session.id.string)
        #expect(trace.events.first?.data["labels"]?["replay_mode"]?.stringValue == "harness")
        let execs = trace.events.filter { $0.kind == .processExec }
        #expect(execs.map { $0.data["argv"]?.arrayValue?.last?.stringValue } == [HarnessRecording.command, "echo all good > answer.txt"])
        #expect(execs.first?.data["stdout"]?.stringValue == "beta\nalpha\n")
        #expect(trace.events.count { $0.kind == .modelRequest } == 2)
        // In the order the agent made them: a call, its command, the streamed call, the last command.
        let order: [EventKind] = trace.events.map(\.kind).filter { $0 == .modelRequest || $0 == .processExec }
        let expected: [EventKind] = [.modelRequest, .processExec, .modelRequest, .processExec]
        #expect(order == expected)
        #expect(trace.events.count { $0.kind == .modelResponse } == 2)
        #expect(trace.events.contains { $0.kind == .fileWrite && $0.data["path"]?.stringValue == "answer.txt" })
        #expect(trace.events.count { $0.kind == .annotation } == 4)
        for step in report.steps { #expect(step.replaySeq.map { trace.events[Int($0)].kind } == (step.kind == "model" ? .modelRequest : .processExec)) }
        #expect(ChainVerifier.verify(trace.events).isIntact)
    }

    @Test func anAgentRecordedAsAShellCommandIsReplayedThroughTheRecordingShellToo() throws {
        let recording = try HarnessRecording(throughShell: true)
        let session = try recording.session()
        #expect(session.agentShell == "/usr/bin/bash")
        #expect(session.events.count { $0.kind == .processExec } == 3, "the agent's bash -c and its two commands")

        let (report, _) = try Self.replay(session, recording)
        let described = report.steps.map { "\($0.kind) \($0.seq) \($0.verdict.rawValue) \($0.summary) \($0.differences)" }
        #expect(report.steps.map(\.kind) == ["model", "exec", "model", "exec", "exec"], "\(described)")
        #expect(report.steps.allSatisfy { $0.verdict == .match }, "\(described) \(report.notes)")
        #expect(report.steps.last?.summary == "/usr/bin/python3 agent.py")
    }

    @Test func aChangedPromptDivergesAtItsRequestIndex() throws {
        let recording = try HarnessRecording()
        let session = try recording.session(replacing: "followup.txt", with: "Describe this output briefly:\n")
        let tape = try Tape(events: session.events, blob: { try? recording.spool.blobs.read($0) })

        let (report, _) = try Self.replay(session, recording)
        let described = report.steps.map { "\($0.kind) \($0.seq) \($0.verdict.rawValue) \($0.differences)" }
        #expect(report.steps.map(\.verdict) == [.match, .match, .diverged, .missing], "\(described)")
        let model = report.steps[2]
        #expect(model.kind == "model")
        #expect(model.seq == tape.entries[1].requestSeq)
        let difference = try #require(model.differences.first)
        #expect(difference.field == "request")
        #expect(difference.recorded.hasPrefix(tape.entries[1].digest.description))
        #expect(difference.replayed.hasSuffix("(request 1)"), "the second request the agent made: \(difference.replayed)")
        #expect(!difference.replayed.hasPrefix(tape.entries[1].digest.description))
        #expect(model.cause == .unknown)
        #expect(report.steps[3].kind == "exec")
        #expect(report.steps[3].cause == .earlierDivergence)
        #expect(report.firstDivergence?.seq == tape.entries[1].requestSeq)
        #expect(report.fidelity == 0.5)
        #expect(report.notes.contains { $0.hasPrefix("the agent ended with exit 1") }, "the agent got an error instead of a live call: \(report.notes)")
    }
}
