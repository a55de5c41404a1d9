import Foundation
import Recorder
import Synchronization
import Testing
import TraceModel
import TraceWire

@Suite struct SessionRecorderResumeTests {
    @Test func readersSeeOnlyCompleteRecordsWhileAWriterAppends() throws {
        let fixture = try SpoolFixture(SpoolOptions(fsync: .never, segmentBytes: 16 << 10))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        let total: UInt64 = 3000
        let done = onThread {
            for i in 0..<total { _ = try? recorder.record(SpoolFixture.message(String(repeating: "r", count: Int(i % 700)))) }
            try? recorder.sync()
        }
        var seen: [UInt64] = []
        var finished = false
        while !finished {
            finished = done.wait(timeout: .now()) == .success
            let page = try fixture.spool.records(of: recorder.session, after: seen.last, limit: 500)
            for record in page { _ = try Event.decode(record.bytes) }
            seen += page.map(\.seq)
            if finished {
                seen += try fixture.spool.records(of: recorder.session, after: seen.last, limit: .max).map(\.seq)
            }
        }
        recorder.close()
        #expect(seen == Array(0...total))
    }

    @Test func aMissingClockFileIsReplacedAndNoted() throws {
        let fixture = try SpoolFixture()
        let first = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        try first.record(SpoolFixture.message("before"))
        first.close()
        try FileManager.default.removeItem(atPath: fixture.spool.sessionDirectory(first.session) + "/clock")
        let second = try SessionRecorder.open(spool: fixture.spool, session: first.session)
        #expect(second.recovery?.notices == [2])
        try second.record(SpoolFixture.message("after"))
        second.close()
        let events = try fixture.events(first.session)
        #expect(events[2].notice?.code == "clock_jump")
        #expect(events[3].monoNs >= events[1].monoNs)
        #expect(ChainVerifier.verify(events).isIntact)
        #expect(FileManager.default.fileExists(atPath: fixture.spool.sessionDirectory(first.session) + "/clock"))
    }

    @Test func anEmptySegmentLeftByARotationIsContinued() throws {
        let fixture = try SpoolFixture()
        let first = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        try first.record(SpoolFixture.message("before"))
        first.close()
        // A crash right after a rotation created the next segment.
        _ = FileManager.default.createFile(atPath: fixture.segmentPath(first.session, "seg-0000000002.log"), contents: nil)
        let second = try SessionRecorder.open(spool: fixture.spool, session: first.session)
        #expect(second.recovery?.lastSeq == 1)
        #expect(try second.record(SpoolFixture.message("after")) == 2)
        second.close()
        let events = try fixture.events(first.session)
        #expect(events.map(\.seq) == [0, 1, 2])
        #expect(ChainVerifier.verify(events).isIntact)
        #expect(try fixture.segmentNames(first.session) == ["seg-0000000001.log", "seg-0000000002.log"])
    }

    @Test func aSecondWriterWaitsForTheLock() throws {
        let fixture = try SpoolFixture()
        let first = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        // A second writer waits for the lock; it gets it once the first closes, and continues after it.
        let second = Mutex<SessionRecorder?>(nil)
        let spool = fixture.spool
        let opened = onThread {
            let recorder = try? SessionRecorder.open(spool: spool, session: first.session)
            second.withLock { $0 = recorder }
        }
        #expect(opened.wait(timeout: .now() + .milliseconds(200)) == .timedOut)
        try first.record(SpoolFixture.message("first writer"))
        first.close()
        opened.wait()
        let recorder = try #require(second.withLock { $0 })
        #expect(try recorder.record(SpoolFixture.message("second writer")) == 2)
        recorder.close()
        #expect(ChainVerifier.verify(try fixture.events(first.session)).isIntact)
    }
}
