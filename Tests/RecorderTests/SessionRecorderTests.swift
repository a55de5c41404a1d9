import Foundation
import Recorder
import Testing
import TraceModel
import TraceWire

@Suite struct SessionRecorderTests {
    @Test func recordedEventsReadBackAsAVerifiedChain() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        for i in 0..<20 { try recorder.record(SpoolFixture.message("step \(i)")) }
        let call = try recorder.record(EventDraft(kind: .toolCall, actor: .agent,
                                                  data: ToolCall(name: "ls", input: .object([:])).data))
        try recorder.record(EventDraft(kind: .toolResult, actor: .tool, data: ToolResult(name: "ls").data, cause: call))
        #expect(try recorder.end(SpoolFixture.end) == 23)
        recorder.close()

        let events = try fixture.events(recorder.session)
        #expect(events.map(\.seq) == Array(0...23))
        #expect(events.first?.kind == .sessionStart)
        #expect(events.last?.kind == .sessionEnd)
        #expect(events[22].cause == 21)
        #expect(events.allSatisfy { $0.session == recorder.session })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.monoNs <= $1.monoNs })
        let report = ChainVerifier.verify(events)
        #expect(report.isIntact, "\(report.findings)")
        #expect(fixture.spool.isEnded(recorder.session))
        #expect(try fixture.spool.sessionIDs() == [recorder.session])
    }

    @Test func draftTimestampIsKept() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        let when = try #require(Timestamp(rfc3339: "2026-11-25T08:45:50.123456Z"))
        var draft = SpoolFixture.message("late")
        draft.ts = when
        try recorder.record(draft)
        recorder.close()
        #expect(try fixture.events(recorder.session).last?.ts == when)
    }

    @Test func segmentsRotateAndReadAcrossThem() throws {
        let fixture = try SpoolFixture(SpoolOptions(fsync: .never, segmentBytes: 2048))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        for i in 0..<200 { try recorder.record(SpoolFixture.message("rotating \(i)")) }
        recorder.close()
        let names = try fixture.segmentNames(recorder.session)
        #expect(names.count > 10)
        #expect(names.first == "seg-0000000001.log")
        for name in names.dropLast() {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: fixture.segmentPath(recorder.session, name))[.size] as? Int)
            #expect(size <= 2048)
        }
        let events = try fixture.events(recorder.session)
        #expect(events.count == 201)
        #expect(ChainVerifier.verify(events).isIntact)
        // Reading in small pages gives the same events.
        var paged: [UInt64] = []
        while true {
            let page = try fixture.spool.records(of: recorder.session, after: paged.last, limit: 7)
            if page.isEmpty { break }
            paged += page.map(\.seq)
        }
        #expect(paged == Array(0...200))
        // A later page starting anywhere (no cursor to continue from) finds its segment.
        let fresh = try fixture.reopen(SpoolOptions())
        #expect(try fresh.records(of: recorder.session, after: 150, limit: 3).map(\.seq) == [151, 152, 153])
    }

    @Test func reopenedSessionContinuesSeqAndChain() throws {
        let fixture = try SpoolFixture()
        let first = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        for i in 0..<3 { try first.record(SpoolFixture.message("before \(i)")) }
        first.close()
        let second = try SessionRecorder.open(spool: fixture.spool, session: first.session)
        #expect(second.recovery == SpoolRecovery(session: first.session, lastSeq: 3))
        #expect(second.nextSeq == 4)
        #expect(try second.record(SpoolFixture.message("after")) == 4)
        try second.end(SpoolFixture.end)
        second.close()
        let events = try fixture.events(first.session)
        #expect(events.map(\.seq) == Array(0...5))
        #expect(ChainVerifier.verify(events).isIntact)
        #expect(!events.contains { $0.kind == .recorderNotice })
    }

    /// Tails a crash can leave: a cut header, a cut payload, a whole record with a bad checksum, zeros.
    static func tail(_ name: String) -> [UInt8] {
        switch name {
        case "partial header": return [0x20, 0x00, 0x00]
        case "partial payload": return [0x40, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04] + Array("{\"actor\":".utf8)
        case "bad checksum":
            var framed = SpoolRecord.frame(Array("{\"seq\":99}".utf8))
            framed[5] ^= 0xFF
            return framed
        default: return [UInt8](repeating: 0, count: 4096)
        }
    }

    @Test(arguments: ["partial header", "partial payload", "bad checksum", "zero fill"])
    func tornTailIsCutAndNoted(_ name: String) throws {
        let garbage = Self.tail(name)
        let fixture = try SpoolFixture()
        let first = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        for i in 0..<5 { try first.record(SpoolFixture.message("kept \(i)")) }
        first.close()
        let segment = try #require(try fixture.segmentNames(first.session).last)
        let path = fixture.segmentPath(first.session, segment)
        let cleanSize = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        try fixture.append(garbage, to: path)
        // Readers stop before the damaged tail of the last segment.
        #expect(try fixture.events(first.session).count == 6)

        let second = try SessionRecorder.open(spool: fixture.spool, session: first.session)
        let recovery = try #require(second.recovery)
        #expect(recovery.tornTail?.segment == segment)
        #expect(recovery.tornTail?.offset == cleanSize)
        #expect(recovery.tornTail?.bytesCut == garbage.count)
        #expect(recovery.notices == [6])
        try second.record(SpoolFixture.message("after the crash"))
        second.close()

        let events = try fixture.events(first.session)
        #expect(events.map(\.seq) == Array(0...7))
        let notice = try #require(events[6].notice)
        #expect(notice.code == "torn_tail")
        #expect(notice.details?["bytes_cut"] == .number(JSONNumber(garbage.count)))
        #expect(notice.details?["segment"] == .string(segment))
        #expect(events[6].actor == .recorder)
        #expect(ChainVerifier.verify(events).isIntact)
    }

    @Test func secretsAreRedactedBeforeTheyReachTheDisk() throws {
        let fixture = try SpoolFixture(SpoolOptions(fsync: .always))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start,
                                                  redactor: Redactor(literals: ["hunter2-literal"]))
        let apiKey = "sk-ant-" + String(repeating: "A1b2", count: 8)
        try recorder.record(EventDraft(kind: .processExec, actor: .tool, data: [
            "argv": .array([.string("curl"), .string("-H"), .string("Authorization: Bearer \(apiKey)")]),
            "cwd": .string("/w"),
            "env": .object(["OPENAI_API_KEY": .string("plain-env-secret-value"), "HOME": .string("/home/a")]),
            "exit_code": .number(JSONNumber(0)),
            "stdout": .string("password is hunter2-literal"),
        ]))
        try recorder.sync()
        let raw = String(decoding: try fixture.rawSegments(recorder.session), as: UTF8.self)
        #expect(!raw.contains(apiKey))
        #expect(!raw.contains("plain-env-secret-value"))
        #expect(!raw.contains("hunter2-literal"))
        #expect(raw.contains("«redacted:"))
        #expect(raw.contains("/home/a"))
        recorder.close()
        #expect(ChainVerifier.verify(try fixture.events(recorder.session)).isIntact)
    }

    @Test(arguments: [FsyncPolicy.always, .interval(milliseconds: 5), .interval(milliseconds: 100), .never])
    func everyFsyncPolicyKeepsTheEvents(_ policy: FsyncPolicy) throws {
        let fixture = try SpoolFixture(SpoolOptions(fsync: policy, segmentBytes: 64 << 10))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        for i in 0..<500 { try recorder.record(SpoolFixture.message("policy \(policy) event \(i)")) }
        try recorder.sync()
        // After sync every event is in the file, before close.
        #expect(try fixture.events(recorder.session).count == 501)
        try recorder.end(SpoolFixture.end)
        recorder.close()
        let events = try fixture.events(recorder.session)
        #expect(events.count == 502)
        #expect(ChainVerifier.verify(events).isIntact)
    }

    /// A recorder killed right after `record` returned loses nothing: the bytes are already in the
    /// file (the page cache); only the fsync waits for the interval.
    @Test(arguments: [FsyncPolicy.interval(milliseconds: 60_000), .never])
    func recordedEventsAreInTheFileBeforeRecordReturns(_ policy: FsyncPolicy) throws {
        let fixture = try SpoolFixture(SpoolOptions(fsync: policy))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        defer { recorder.close() }
        try recorder.record(SpoolFixture.message("visible at once"))
        let seen = try fixture.spool.records(of: recorder.session, after: nil, limit: 10)
        #expect(seen.map(\.seq) == [0, 1])
    }

    @Test func concurrentRecordersGetDenseSeqs() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        let threads = (0..<4).map { t in
            onThread {
                for i in 0..<250 { _ = try? recorder.record(SpoolFixture.message("thread \(t) #\(i)")) }
            }
        }
        for done in threads { done.wait() }
        recorder.close()
        let events = try fixture.events(recorder.session)
        #expect(events.map(\.seq) == Array(0...1000))
        #expect(ChainVerifier.verify(events).isIntact)
    }

    @Test func invalidDraftsAreRefusedAndTakeNoSeq() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        func code(_ body: () throws -> Void) -> SessionRecorderError.Code? {
            do { try body() } catch let error as SessionRecorderError { return error.code } catch { return nil }
            return nil
        }
        #expect(code { try recorder.record(EventDraft(kind: "Bad Kind", actor: .agent)) } == .invalidDraft)
        #expect(code { try recorder.record(EventDraft(kind: .annotation, actor: .user, data: ["label": .string("x")], cause: 1)) } == .invalidDraft)
        #expect(code { try recorder.record(EventDraft(kind: .message, actor: .agent, data: ["role": .string("robot"), "text": .string("")])) } == .invalidDraft)
        #expect(code { try recorder.record(EventDraft(kind: "custom.kind", actor: .agent, blobs: ["bad name!": Digest.sha256([1])])) } == .invalidDraft)
        #expect(code { try recorder.record(SpoolFixture.start) } == .invalidDraft)
        #expect(code { try recorder.record(SpoolFixture.end) } == .invalidDraft)
        #expect(code { try recorder.end(SpoolFixture.message("not an end")) } == .invalidDraft)
        // Unknown kinds are kept as they are.
        #expect(try recorder.record(EventDraft(kind: "custom.kind", actor: .agent, data: ["any": .bool(true)])) == 1)
        try recorder.end(SpoolFixture.end)
        #expect(code { try recorder.record(SpoolFixture.message("too late")) } == .ended)
        recorder.close()
        #expect(code { try recorder.sync() } == nil)
        #expect(code { try recorder.record(SpoolFixture.message("closed")) } == .closed)
        #expect(try fixture.events(recorder.session).map(\.seq) == [0, 1, 2])
    }

    @Test func createRefusesAnExistingSessionAndANonStartDraft() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        #expect(throws: SpoolError.self) {
            try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start, session: recorder.session)
        }
        #expect(throws: SessionRecorderError.self) {
            try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.message("hi"))
        }
        recorder.close()
        #expect(try fixture.spool.sessionIDs() == [recorder.session])
        #expect(throws: SpoolError.self) { try SessionRecorder.open(spool: fixture.spool, session: .generate()) }
    }
}
