import Glibc
import Recorder
import Replayer
import Testing
import TraceModel

/// `actions` replays of sessions built as events, run in real bubblewrap sandboxes.
@Suite struct ActionReplayTests {
    static let root = "/srv/project"
    static let readme = Array("read me\n".utf8)

    func replay(_ fixture: SessionFixture, until: UInt64? = nil, resync: Bool = true) throws -> (ReplayReport, ReplaySessionBuilder, TemporaryDirectory) {
        let directory = TemporaryDirectory("actions")
        var options = ActionReplayOptions(until: until)
        options.resync = resync
        let replay = ActionReplay(session: try fixture.session(), blobs: fixture.blobs, sandbox: try BubblewrapSandbox(),
                                  workspace: directory.path + "/ws", options: options)
        let (report, trace) = try replay.run(sandboxName: "bubblewrap")
        return (report, trace, directory)
    }

    static func start() throws -> SessionFixture {
        try SessionFixture(root: root, entries: [.file("README", size: UInt64(readme.count), digest: Digest.sha256(readme))], contents: [readme])
    }

    @Test func matchingStepsGiveFidelityOneAndTheReplayIsASessionThatPointsBack() throws {
        var fixture = try Self.start()
        fixture.exec("cat README", cwd: Self.root, stdout: "read me\n")
        let make = fixture.exec("mkdir -p out && echo built > out/app && pwd", cwd: Self.root, stdout: "\(Self.root)\n")
        try fixture.write("out/app", "built\n", cause: make)
        let remove = fixture.exec("rm README", cwd: Self.root)
        fixture.delete("README", before: "read me\n", cause: remove)
        fixture.exec("hostname; umask; echo $TZ", cwd: Self.root, stdout: "recorded-host\n0022\nUTC\n")
        fixture.exec("exit 3", cwd: Self.root + "/out", exit: 3)
        fixture.end()
        let (report, trace, directory) = try replay(fixture)
        defer { directory.remove() }
        #expect(report.steps.map(\.verdict) == [.match, .match, .match, .match, .match], "\(report.steps.map(\.jsonValue.canonicalString))")
        #expect(report.fidelity == 1)
        #expect(report.firstDivergence == nil)
        #expect(Disk.text(directory.path + "/ws/out/app") == "built\n")
        #expect(!Disk.exists(directory.path + "/ws/README"))
        // The replay session: start with replay_of, one process.exec and one annotation per step, an end, an intact chain.
        let events = trace.events
        #expect(events.first?.data["replay_of"]?.stringValue == fixture.id.string)
        #expect(events.count { $0.kind == .processExec } == 5)
        #expect(events.count { $0.kind == .annotation && $0.data["label"]?.stringValue == "replay.match" } == 5)
        #expect(events.last?.kind == .sessionEnd)
        #expect(ChainVerifier.verify(events).isIntact)
    }

    @Test func aDivergedStepNamesTheFieldsWithADiffAndTheResyncKeepsLaterStepsClean() throws {
        var fixture = try Self.start()
        let first = fixture.exec("echo one; echo two; echo three > f.txt", cwd: Self.root, stdout: "one\nTWO\n")
        try fixture.write("f.txt", "four\n", cause: first)
        fixture.exec("cat f.txt", cwd: Self.root, stdout: "four\n")
        fixture.exec("exit 1", cwd: Self.root, exit: 0)
        fixture.end()
        let (report, _, directory) = try replay(fixture)
        defer { directory.remove() }
        #expect(report.steps.map(\.verdict) == [.diverged, .match, .diverged])
        let step = try #require(report.steps.first)
        #expect(step.differences.map(\.field) == ["stdout", "workspace"])
        #expect(step.differences[0].diff?.contains("- TWO") == true)
        #expect(step.differences[0].diff?.contains("+ two") == true)
        #expect(step.differences[1].diff?.contains("f.txt") == true)
        #expect(step.resynced)
        #expect(step.cause == .unknown)
        #expect(report.steps[2].differences.map(\.field) == ["exit"])
        #expect(report.steps[2].differences[0].recorded == "exit 0")
        #expect(report.steps[2].differences[0].replayed == "exit 1")
        #expect(report.firstDivergence?.seq == first)
        #expect(abs(report.fidelity - 1.0 / 3.0) < 1e-9)
    }

    @Test func withoutResyncALaterStepIsBlamedOnTheEarlierDivergence() throws {
        var fixture = try Self.start()
        let first = fixture.exec("echo three > f.txt", cwd: Self.root)
        try fixture.write("f.txt", "four\n", cause: first)
        fixture.exec("cat f.txt", cwd: Self.root, stdout: "four\n")
        fixture.end()
        let (report, _, directory) = try replay(fixture, resync: false)
        defer { directory.remove() }
        #expect(report.steps.map(\.verdict) == [.diverged, .diverged])
        #expect(report.steps[1].cause == .earlierDivergence)
    }

    @Test func directEditsAreAppliedAndAMissingBlobIsSkippedWithItsCause() throws {
        var fixture = try Self.start()
        try fixture.write("notes/todo.txt", "- ship it\n")
        try fixture.write("lost.txt", "not kept\n", keep: false)
        fixture.exec("cat notes/todo.txt", cwd: Self.root, stdout: "- ship it\n")
        fixture.exec("cat lost.txt", cwd: Self.root, stdout: "not kept\n")
        fixture.end()
        let (report, _, directory) = try replay(fixture)
        defer { directory.remove() }
        #expect(report.steps.map(\.verdict) == [.match, .skipped, .match, .diverged])
        #expect(report.steps[1].cause == .missingBlob)
        #expect(report.steps[3].cause == .missingBlob)
        #expect(Disk.text(directory.path + "/ws/notes/todo.txt") == "- ship it\n")
    }

    @Test func outputsThatDifferOnlyInNumbersAreBlamedOnTimeAndAMissingRepositoryOnTheEnvironment() throws {
        var fixture = try Self.start()
        fixture.exec("echo Ran 2 tests in 0.004s", cwd: Self.root, stdout: "Ran 2 tests in 0.001s\n")
        fixture.exec("git log --oneline", cwd: Self.root, stdout: "1a2b3c4 Initial commit\n")
        fixture.end()
        let (report, _, directory) = try replay(fixture)
        defer { directory.remove() }
        #expect(report.steps.map(\.verdict) == [.diverged, .diverged])
        #expect(report.steps[0].cause == .time, "\(report.steps[0].evidence ?? "")")
        #expect(report.steps[1].cause == .environment, "\(report.steps[1].evidence ?? "")")
        #expect(report.steps[1].evidence?.contains(".git") == true)
    }

    @Test func anUnreadableEnvironmentFingerprintLeavesAMinimalEnvironmentAndANote() throws {
        var fixture = try Self.start()
        fixture.exec("echo ok", cwd: Self.root, stdout: "ok\n")
        fixture.end()
        for garbage in [Array("not json {".utf8), Array("[1,2".utf8), [0xFF, 0xFE, 0x00]] {
            var events = fixture.events
            events[0].blobs["environment"] = try fixture.blobs.put(garbage)
            let directory = TemporaryDirectory("fingerprint")
            defer { directory.remove() }
            let replay = ActionReplay(session: try RecordedSession(events: events), blobs: fixture.blobs, sandbox: try BubblewrapSandbox(),
                                      workspace: directory.path + "/ws")
            let (report, _) = try replay.run(sandboxName: "bubblewrap")
            #expect(report.steps.map(\.verdict) == [.match])
            #expect(report.notes.contains { $0.contains("fingerprint") && $0.contains("not usable") }, "\(report.notes)")
        }
    }

    @Test func untilStopsAfterTheGivenSeqAndCommandsOutsideTheWorkspaceAreSkipped() throws {
        var fixture = try Self.start()
        fixture.exec("true", cwd: "/elsewhere")
        let second = fixture.exec("echo a", cwd: Self.root, stdout: "a\n")
        fixture.exec("echo b", cwd: Self.root, stdout: "b\n")
        fixture.end()
        let (report, _, directory) = try replay(fixture, until: second)
        defer { directory.remove() }
        #expect(report.steps.map(\.verdict) == [.skipped, .match])
        #expect(report.steps[0].reason?.contains("outside the recorded workspace") == true)
    }

    @Test func aSessionWithoutItsStartSnapshotIsRefusedNamingTheBlob() throws {
        var fixture = try Self.start()
        fixture.end()
        let empty = MemoryBlobStore()
        let directory = TemporaryDirectory("nosnap")
        defer { directory.remove() }
        let replay = ActionReplay(session: try fixture.session(), blobs: empty, sandbox: try BubblewrapSandbox(), workspace: directory.path + "/ws")
        #expect(throws: ReplayError.self) { try replay.run(sandboxName: "bubblewrap") }
        do {
            _ = try replay.run(sandboxName: "bubblewrap")
        } catch {
            #expect(error.code == .missingBlob)
            #expect(error.reason.contains("start snapshot"))
        }
    }

    @Test func eventsThatAreNotASessionAreRefused() throws {
        let fixture = try Self.start()
        #expect(throws: ReplayError.self) { try RecordedSession(events: []) }
        #expect(throws: ReplayError.self) { try RecordedSession(events: Array(fixture.events.dropFirst())) }
        var other = try Self.start()
        other.exec("true", cwd: Self.root)
        #expect(throws: ReplayError.self) { try RecordedSession(events: fixture.events + [other.events[1]]) }
    }
}

@Suite struct ReplayEnvironmentTests {
    @Test func redactionMarkersBecomePlainASCIISoClientsAcceptThem() {
        #expect(ReplayEnvironment.replayable("«redacted:0123456789ab»") == "redacted-0123456789ab")
        #expect(ReplayEnvironment.replayable("Bearer «redacted:0123456789ab» and «redacted:ba9876543210»") == "Bearer redacted-0123456789ab and redacted-ba9876543210")
        #expect(ReplayEnvironment.replayable("plain value") == "plain value")
        #expect(ReplayEnvironment.replayable("«redacted:unterminated") == "«redacted:unterminated")
        let fingerprint: JSONValue = .object(["env": .object(["OPENAI_API_KEY": .string("«redacted:0123456789ab»")])])
        #expect(ReplayEnvironment(fingerprint: fingerprint, seed: 1).variables["OPENAI_API_KEY"] == "redacted-0123456789ab")
    }
}
