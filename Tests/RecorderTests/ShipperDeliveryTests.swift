import Foundation
import Recorder
import Shipper
import Testing
import TraceModel
import TraceWire

/// The shipper against a real collector: exactly once, byte-identical, watermark and cleanup.
@Suite struct ShipperDeliveryTests {
    @Test func eventsArriveOnceByteIdenticalAndTheFinishedSessionLeavesTheSpool() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 5, end: true)
        recorder.close()
        let session = recorder.session
        let written = try ShipperFixture.records(spool, session)
        #expect(written.map(\.seq) == Array(0...6))

        let shipper = try Shipper(spool: spool, configuration: collector.shipping(), clock: ShipperFixture.ManualClock(), seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.isEmpty, "\(report.errors)")
        let entry = try #require(report.session(session))
        #expect(entry.eventsSent == 7 && entry.accepted == 7 && entry.duplicates == 0)
        #expect(entry.ackedSeq == 6 && entry.drained)
        #expect(entry.collector == collector.url)
        #expect(try collector.storedEvents(session) == ShipperFixture.ndjson(written))
        // Ended and fully acknowledged: the spool let the session go.
        #expect(try spool.sessionIDs().isEmpty)

        let again = shipper.shipOnce()
        #expect(again.eventsSent == 0 && again.errors.isEmpty)
        #expect(try collector.storedEvents(session) == ShipperFixture.ndjson(written))
    }

    @Test func theWatermarkAdvancesBatchByBatchAndSealedSegmentsAreDeleted() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool(SpoolOptions(fsync: .never, segmentBytes: 600))
        let recorder = try ShipperFixture.recordSession(spool, messages: 40)
        defer { recorder.close() }
        let written = try ShipperFixture.records(spool, recorder.session)
        let directory = spool.sessionDirectory(recorder.session)
        let segmentsBefore = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("seg-") }
        #expect(segmentsBefore.count > 3)

        var configuration = collector.shipping()
        configuration.maxBatchEvents = 7
        let shipper = try Shipper(spool: spool, configuration: configuration, clock: ShipperFixture.ManualClock(), seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.session(recorder.session)?.eventsSent == 41)
        #expect(try spool.ackedSeq(of: recorder.session) == 40)
        let segmentsAfter = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("seg-") }
        #expect(segmentsAfter.count == 1, "only the segment being written stays: \(segmentsAfter)")
        #expect(try collector.storedEvents(recorder.session) == ShipperFixture.ndjson(written))

        // Events written later go out in the next pass, and only they.
        for i in 0..<3 { try recorder.record(EventDraft(kind: .message, actor: .user, data: ["role": "user", "text": .string("more \(i)")])) }
        try recorder.sync()
        let later = try spool.records(of: recorder.session, after: 40, limit: 10)
        #expect(later.map(\.seq) == [41, 42, 43])
        let next = shipper.shipOnce()
        #expect(next.session(recorder.session)?.eventsSent == 3)
        #expect(try spool.ackedSeq(of: recorder.session) == 43)
        #expect(try collector.storedEvents(recorder.session) == ShipperFixture.ndjson(written + later))
    }

    @Test func blobsTheEventsNameAreUploadedBeforeTheEventsAndThenLeaveTheSpool() throws {
        let collector = try RecorderCollector()
        let proxy = try ScriptedHTTPServer { request, _ in .forward(request, to: collector.url, token: collector.ingest.token) }
        defer { proxy.stop() }
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 1)
        let output = Array(String(repeating: "line of output\n", count: 1000).utf8)
        let digest = try spool.blobs.put(output)
        let missing = Digest.sha256(Array("never written anywhere".utf8))
        try recorder.record(EventDraft(kind: .processExec, actor: .tool,
                                       data: ["argv": ["make", "test"], "cwd": "/w", "exit_code": 0, "duration_ms": 5],
                                       blobs: ["stdout": digest]))
        try recorder.record(EventDraft(kind: .processExec, actor: .tool,
                                       data: ["argv": ["true"], "cwd": "/w", "exit_code": 0, "duration_ms": 1],
                                       blobs: ["stdout": missing]))
        try recorder.sync()
        recorder.close()

        var configuration = collector.shipping([proxy.url])
        configuration.token = collector.ingest.token
        let shipper = try Shipper(spool: spool, configuration: configuration, clock: ShipperFixture.ManualClock(), seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.blobsUploaded == 1 && report.blobBytesUploaded == output.count)
        #expect(try collector.hasBlob(digest))
        #expect(!spool.blobs.contains(digest), "an uploaded blob leaves the spool")
        #expect(report.blobProblems.map(\.digest) == [missing])
        #expect(report.blobProblems.first?.message.contains("neither") == true)
        #expect(report.session(recorder.session)?.accepted == 4, "a missing blob does not hold the events back")

        let lines = proxy.requests.map { "\($0.method) \($0.target)" }
        let put = try #require(lines.firstIndex(of: "PUT /v1/blobs/sha256/\(digest.hex)"), "\(lines)")
        let post = try #require(lines.firstIndex(of: "POST /v1/events"), "\(lines)")
        #expect(put < post, "the blob goes up before the events: \(lines)")
        #expect(proxy.requests.first { $0.method == "PUT" }?.headers["content-encoding"] == "zstd")
        #expect(proxy.requests.first { $0.method == "POST" }?.headers["content-encoding"] == "zstd")
    }

    @Test func aTornTailIsCutReportedAndEverythingCompleteArrivesOnce() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 4)
        let session = recorder.session
        recorder.close()
        // A writer killed mid-append leaves half a record behind.
        let directory = spool.sessionDirectory(session)
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("seg-") }.max())
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/" + segment))
        handle.seekToEndOfFile()
        handle.write(Data(SpoolRecord.frame(Array(#"{"v":1,"half":"#.utf8)).prefix(14)))
        try handle.close()

        let shipper = try Shipper(spool: spool, configuration: collector.shipping(), clock: ShipperFixture.ManualClock(), seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.isEmpty, "\(report.errors)")
        let entry = try #require(report.session(session))
        #expect(entry.recovery?.contains("torn tail") == true, "\(String(describing: entry.recovery))")
        let stored = try collector.storedEvents(session)
        let events = NDJSONBatch.decode(stored).events.map(\.event)
        #expect(events.map(\.seq) == Array(0...5))
        #expect(events.last?.kind == .recorderNotice && events.last?.data["code"] == "torn_tail")
        #expect(ChainVerifier.verify(events).isIntact)
        #expect(shipper.shipOnce().eventsSent == 0)
    }

    @Test func aWriterThatDiesBetweenPassesIsRecoveredOnTheNextPass() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 2)
        let session = recorder.session
        let shipper = try Shipper(spool: spool, configuration: collector.shipping(), clock: ShipperFixture.ManualClock(), seed: 1)
        // The writer is alive: nothing to recover, its events go out.
        let first = shipper.shipOnce()
        #expect(first.session(session)?.recovery == nil && first.session(session)?.eventsSent == 3)
        try recorder.record(EventDraft(kind: .message, actor: .agent, data: ["role": "assistant", "text": "last words"]))
        recorder.close()
        let directory = spool.sessionDirectory(session)
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("seg-") }.max())
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/" + segment))
        handle.seekToEndOfFile()
        handle.write(Data([0x40, 0, 0, 0, 1, 2]))
        try handle.close()

        let second = shipper.shipOnce()
        #expect(second.errors.isEmpty, "\(second.errors)")
        #expect(second.session(session)?.recovery?.contains("6 bytes") == true, "\(String(describing: second.session(session)?.recovery))")
        let events = NDJSONBatch.decode(try collector.storedEvents(session)).events.map(\.event)
        #expect(events.map(\.seq) == [0, 1, 2, 3, 4])
        #expect(events.last?.kind == .recorderNotice)
        let third = shipper.shipOnce()
        #expect(third.eventsSent == 0 && third.session(session)?.recovery == nil)
    }

    @Test func followShipsNewEventsUntilStopped() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 2)
        defer { recorder.close() }
        let shipper = try Shipper(spool: spool, configuration: collector.shipping(), seed: 1)
        let signal = ShipperSignal()
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            shipper.follow(signal: signal)
            finished.signal()
        }
        #expect(try ShipperFixture.eventually { try collector.storedEvents(recorder.session).count > 0 })
        for i in 0..<5 { try recorder.record(EventDraft(kind: .message, actor: .agent, data: ["role": "assistant", "text": .string("live \(i)")])) }
        try recorder.sync()
        signal.nudge()
        let written = try ShipperFixture.records(spool, recorder.session)
        #expect(written.last?.seq == 7)
        #expect(try ShipperFixture.eventually { try collector.storedEvents(recorder.session) == ShipperFixture.ndjson(try spool.records(of: recorder.session, after: nil, limit: 100)) })
        signal.stop()
        #expect(finished.wait(timeout: .now() + 30) == .success, "follow ends when stopped")
        #expect(try spool.ackedSeq(of: recorder.session) == 7)
    }
}
