import Foundation
import Recorder
import Synchronization
import Testing
import TraceModel

/// A workspace whose changes the test scripts.
final class ScriptedWorkspace: WorkspaceTracker {
    private let pending = Mutex<[[EventDraft]]>([])
    func queue(_ changes: [EventDraft]) { pending.withLock { $0.append(changes) } }
    func changesSinceLastScan() throws -> [EventDraft] {
        pending.withLock { $0.isEmpty ? [] : $0.removeFirst() }
    }
}

@Suite struct SessionHostTests {
    static func write(_ path: String, _ content: String) -> EventDraft {
        EventDraft(kind: .fileWrite, actor: .agent, data: [
            "path": .string(path), "after": .string(Digest.sha256(Array(content.utf8)).description), "before": .null,
        ])
    }

    func withSession(_ body: (SessionRecorder, Spool) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("host-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try Spool(path: directory)
        let recorder = try SessionRecorder.create(
            spool: spool, start: EventDraft(kind: .sessionStart, actor: .recorder, data: ["agent": .object(["name": .string("t")])]))
        try body(recorder, spool)
        recorder.close()
    }

    func events(_ spool: Spool, _ recorder: SessionRecorder) throws -> [Event] {
        try recorder.sync()
        return try spool.records(of: recorder.session, after: nil, limit: 1000).map { try Event.decode($0.bytes) }
    }

    @Test func execEndRecordsTheCommandThenItsFileChangesAsItsEffects() throws {
        try withSession { recorder, spool in
            let workspace = ScriptedWorkspace()
            let host = SessionHost(recorder: recorder, workspace: workspace, baseEnvironment: ["PATH": "/bin", "GONE": "x"])
            workspace.queue([Self.write("before.txt", "edited by the agent")])
            guard case .ok(let id) = host.handle(.execBegin(argv: ["bash", "-c", "echo hi > a.txt"], cwd: "/w")) else {
                Issue.record("exec.begin refused")
                return
            }
            workspace.queue([Self.write("a.txt", "hi\n")])
            let data: [String: JSONValue] = [
                "argv": .array([.string("bash"), .string("-c"), .string("echo hi > a.txt")]), "cwd": .string("/w"),
                "exit_code": .number(JSONNumber(0)),
                "env": .object(["PATH": .string("/bin"), "NEW": .string("1")]),
            ]
            guard case .ok(let seq) = host.handle(.execEnd(begin: id, data: data, blobs: [:])) else {
                Issue.record("exec.end refused")
                return
            }
            let recorded = try events(spool, recorder)
            #expect(recorded.map(\.kind) == [.sessionStart, .fileWrite, .processExec, .fileWrite])
            #expect(recorded[1].cause == nil, "a change before the command is not its effect")
            #expect(recorded[2].seq == seq)
            #expect(recorded[2].data["env"] == .object(["NEW": .string("1"), "GONE": .null]))
            #expect(recorded[3].cause == seq)
            #expect(recorded[3].data["path"] == .string("a.txt"))
        }
    }

    @Test func changesAnEventAlreadyDescribedAreNotRecordedTwice() throws {
        try withSession { recorder, spool in
            let workspace = ScriptedWorkspace()
            let host = SessionHost(recorder: recorder, workspace: workspace, baseEnvironment: [:])
            #expect(host.handle(.event(Self.write("notes.md", "v1"))) == .ok(1))
            workspace.queue([Self.write("notes.md", "v1"), Self.write("other.md", "x")])
            #expect(try host.recordChanges(cause: nil) == 1)
            // The same path changing again later is a new change.
            workspace.queue([Self.write("notes.md", "v2")])
            #expect(try host.recordChanges(cause: nil) == 1)
            let paths = try events(spool, recorder).compactMap { $0.data["path"]?.stringValue }
            #expect(paths == ["notes.md", "other.md", "notes.md"])
        }
    }

    @Test func badRequestsAreRefusedWithAReasonAndCounted() throws {
        try withSession { recorder, _ in
            let host = SessionHost(recorder: recorder, workspace: nil, baseEnvironment: [:])
            guard case .failed(let reason) = host.handle(.execEnd(begin: 42, data: ["argv": .array([.string("x")]), "cwd": .string("/")], blobs: [:])) else {
                Issue.record("an exec.end without exec.begin was accepted")
                return
            }
            #expect(reason.contains("42"))
            let invalid = EventDraft(kind: .processExec, actor: .agent, data: ["argv": .array([])])
            guard case .failed = host.handle(.event(invalid)) else {
                Issue.record("an invalid process.exec was accepted")
                return
            }
            #expect(host.failureCount == 2)
            #expect(recorder.nextSeq == 1)
        }
    }
}
