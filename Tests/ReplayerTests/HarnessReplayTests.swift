import Glibc
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
        #expect(recording.upstreamRequests == 3)
        #expect(recording.agentOutput.contains("agent done: all good yes"))
        let session = try recording.session()
        #expect(session.events.count { $0.kind == .modelRequest } == 3)
        #expect(session.events.count { $0.kind == .processExec } == 3, "two commands and the agent itself")

        let (report, trace) = try Self.replay(session, recording)
        let described = report.steps.map { "\($0.kind) \($0.seq) \($0.verdict.rawValue) \($0.summary) \($0.differences)" }
        #expect(report.steps.map(\.kind) == ["model", "exec", "model", "exec", "model"], "\(described)")
        #expect(report.steps.allSatisfy { $0.verdict == .match }, "\(described) \(report.notes)")
        #expect(report.steps.last?.summary.hasPrefix("anthropic claude-test call 2") == true, "\(described)")
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
        #expect(trace.events.count { $0.kind == .modelRequest } == 3)
        // In the order the agent made them: a call, its command, the streamed call, the last command, the check.
        let order: [EventKind] = trace.events.map(\.kind).filter { $0 == .modelRequest || $0 == .processExec }
        let expected: [EventKind] = [.modelRequest, .processExec, .modelRequest, .processExec, .modelRequest]
        #expect(order == expected)
        #expect(trace.events.count { $0.kind == .modelResponse } == 3)
        #expect(trace.events.contains { $0.kind == .fileWrite && $0.data["path"]?.stringValue == "answer.txt" })
        #expect(trace.events.count { $0.kind == .annotation } == 5)
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
        #expect(report.steps.map(\.kind) == ["model", "exec", "model", "exec", "model", "exec"], "\(described)")
        #expect(report.steps.allSatisfy { $0.verdict == .match }, "\(described) \(report.notes)")
        #expect(report.steps.last?.summary == "/usr/bin/python3 agent.py")
    }

    @Test func theOfficialSDKsStreamingAndNotAreServedFromTheTape() throws {
        let recording = try HarnessRecording(agent: HarnessRecording.sdkAgent)
        #expect(recording.upstreamRequests == 4)
        #expect(recording.agentOutput.contains("agent done: all good yes very sure"), "\(recording.agentOutput)")
        let session = try recording.session()
        let (report, _) = try Self.replay(session, recording)
        let described = report.steps.map { "\($0.kind) \($0.seq) \($0.verdict.rawValue) \($0.summary) \($0.differences)" }
        #expect(report.steps.map(\.kind) == ["model", "exec", "model", "model", "model", "exec"], "\(described)")
        #expect(report.fidelity == 1, "\(described) \(report.notes)")

        // A changed prompt: the SDK gets the divergence error at the second request and stops.
        let changed = try recording.session(replacing: "followup.txt", with: "Describe this output briefly:\n")
        let (diverged, _) = try Self.replay(changed, recording)
        #expect(diverged.steps.map(\.verdict) == [.match, .match, .diverged, .missing, .missing, .missing])
        #expect(diverged.steps[2].differences.first?.replayed.hasSuffix("(request 1)") == true)
        #expect(diverged.notes.contains { $0.hasPrefix("the agent ended with exit 1") }, "\(diverged.notes)")
    }

    @Test func aChangedPromptDivergesAtItsRequestIndex() throws {
        let recording = try HarnessRecording()
        let session = try recording.session(replacing: "followup.txt", with: "Describe this output briefly:\n")
        let tape = try Tape(events: session.events, blob: { try? recording.spool.blobs.read($0) })

        let (report, _) = try Self.replay(session, recording)
        let described = report.steps.map { "\($0.kind) \($0.seq) \($0.verdict.rawValue) \($0.differences)" }
        #expect(report.steps.map(\.verdict) == [.match, .match, .diverged, .missing, .missing], "\(described)")
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
        #expect(report.fidelity == 0.4)
        #expect(report.notes.contains { $0.hasPrefix("the agent ended with exit 1") }, "the agent got an error instead of a live call: \(report.notes)")
    }
}

/// What a hostile agent can reach from a harness replay: only the workspace and a drop directory
/// the host reads without following links.
@Suite("harness replay isolation", .serialized)
struct HarnessIsolationTests {
    @Test func aHostileAgentCannotRedirectHostWritesThroughTheDirectoriesItCanWrite() throws {
        let recording = try HarnessRecording()
        let canary = TemporaryDirectory("canary")
        defer { canary.remove() }
        try #require(mkdir(canary.path + "/sha256", 0o755) == 0)
        Disk.write(canary.path + "/keep.txt", "canary\n")
        let hostile = """
        import os, shutil, subprocess
        notes = []
        try:
            open("/run/parallax/evil", "w").write("x")
            notes.append("wrote the runtime directory")
        except OSError:
            notes.append("runtime read-only")
        shutil.rmtree("/run/parallax-spool/blobs", ignore_errors=True)
        os.symlink("\(canary.path)", "/run/parallax-spool/blobs")
        subprocess.run([os.environ["SHELL"], "-c", "echo secret > new.txt; head -c 20000 /dev/zero | tr '\\\\0' a"], capture_output=True)
        print(notes)
        """
        let session = try recording.session(replacing: "agent.py", with: hostile)
        let (report, trace) = try HarnessReplayTests.replay(session, recording)

        #expect(Disk.names(canary.path) == ["keep.txt", "sha256"])
        #expect(Disk.names(canary.path + "/sha256").isEmpty, "no host write followed the agent's link")
        #expect(Disk.text(canary.path + "/keep.txt") == "canary\n")
        #expect(report.notes.contains { $0.hasPrefix("the agent ended with exit 0") }, "\(report.notes)")
        let exec = try #require(trace.events.first { $0.kind == .processExec })
        #expect(exec.data["stdout_bytes"]?.int64Value == 20000)
        #expect(exec.blobs["stdout"] == nil, "the shell could not keep its output where the agent put a link")
        #expect(trace.events.contains { $0.kind == .fileWrite && $0.data["path"]?.stringValue == "new.txt" })
        #expect(report.steps.filter { $0.kind == "model" }.allSatisfy { $0.verdict == .missing })
    }

    @Test func droppedBlobsAreReadWithoutFollowingLinksOrBlocking() throws {
        let directory = TemporaryDirectory("drop")
        defer { directory.remove() }
        let root = directory.path
        try #require(mkdir(root + "/blobs", 0o755) == 0 && mkdir(root + "/blobs/sha256", 0o755) == 0)
        Disk.write(root + "/blobs/sha256/plain", "bytes")
        Disk.write(root + "/outside", "outside")
        try #require(symlink(root + "/outside", root + "/blobs/sha256/link") == 0)
        try #require(mkfifo(root + "/blobs/sha256/fifo", 0o600) == 0)
        try #require(mkdir(root + "/elsewhere", 0o755) == 0 && mkdir(root + "/elsewhere/sha256", 0o755) == 0)
        Disk.write(root + "/elsewhere/sha256/plain", "elsewhere")
        try #require(symlink(root + "/elsewhere", root + "/linked") == 0)

        #expect(HarnessRuntime.readUntrusted(root, ["blobs", "sha256", "plain"], limit: 100).map { String(decoding: $0, as: UTF8.self) } == "bytes")
        #expect(HarnessRuntime.readUntrusted(root, ["blobs", "sha256", "plain"], limit: 4) == nil, "over the limit")
        #expect(HarnessRuntime.readUntrusted(root, ["blobs", "sha256", "link"], limit: 100) == nil)
        #expect(HarnessRuntime.readUntrusted(root, ["blobs", "sha256", "fifo"], limit: 100) == nil)
        #expect(HarnessRuntime.readUntrusted(root, ["linked", "sha256", "plain"], limit: 100) == nil)
        #expect(HarnessRuntime.readUntrusted(root, ["blobs", "sha256", "absent"], limit: 100) == nil)
        #expect(HarnessRuntime.readUntrusted(root + "/linked", ["sha256", "plain"], limit: 100) == nil)
    }
}
