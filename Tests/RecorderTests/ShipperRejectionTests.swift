import Foundation
import Recorder
import Shipper
import Synchronization
import Testing
import TraceModel
import TraceWire

/// Events the collector refuses stay in the spool, are reported, and are not sent again and again.
@Suite struct ShipperRejectionTests {
    /// A session whose seq 3 the collector rejects (its `cause` is not an earlier event), between
    /// valid, chained events 0–2 and 4–5. Returns the session.
    static func sessionWithARejectedEvent(_ spool: Spool) throws -> SessionID {
        let recorder = try ShipperFixture.recordSession(spool, messages: 2)
        let session = recorder.session
        recorder.close()
        let previous = try #require(try ShipperFixture.records(spool, session).last)
        let last = try Event.decode(previous.bytes)
        let bad = Event(session: session, seq: 3, ts: .now(), monoNs: last.monoNs + 1, kind: .message, actor: .agent, cause: 9,
                        data: ["role": "assistant", "text": "answers an event from the future"], prev: Digest.sha256(previous.bytes))
        let badBytes = bad.canonicalBytes()
        let good = Event(session: session, seq: 4, ts: .now(), monoNs: last.monoNs + 2, kind: .message, actor: .agent,
                         data: ["role": "assistant", "text": "after the bad one"], prev: Digest.sha256(badBytes))
        let directory = spool.sessionDirectory(session)
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("seg-") }.max())
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/" + segment))
        handle.seekToEndOfFile()
        handle.write(Data(SpoolRecord.frame(badBytes) + SpoolRecord.frame(good.canonicalBytes())))
        try handle.close()
        let resumed = try SessionRecorder.open(spool: spool, session: session)
        #expect(try resumed.record(EventDraft(kind: .message, actor: .agent, data: ["role": "assistant", "text": "resumed"])) == 5)
        resumed.close()
        return session
    }

    @Test func aRejectedEventIsReportedKeptAndNotResent() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let session = try Self.sessionWithARejectedEvent(spool)
        let shipper = try Shipper(spool: spool, configuration: collector.shipping(), clock: ShipperFixture.ManualClock(), seed: 1)

        let first = shipper.shipOnce()
        #expect(first.errors.isEmpty, "\(first.errors)")
        let entry = try #require(first.session(session))
        #expect(entry.eventsSent == 6 && entry.accepted == 5)
        #expect(entry.rejected.map(\.seq) == [3])
        #expect(entry.rejected.first?.reason.contains("cause") == true, "\(entry.rejected)")
        #expect(entry.ackedSeq == 2, "the watermark stops before the rejected event")
        #expect(!entry.drained && first.hasRejections)
        #expect(first.lines.contains { $0.contains("seq 3 rejected") })
        let stored = NDJSONBatch.decode(try collector.storedEvents(session)).events.map(\.event.seq)
        #expect(stored == [0, 1, 2, 4, 5])
        #expect(try ShipperFixture.records(spool, session).map(\.seq).contains(3), "the rejected event stays in the spool")

        let second = shipper.shipOnce()
        #expect(second.eventsSent == 0, "nothing is sent again")
        #expect(second.session(session)?.rejected.map(\.seq) == [3], "and the rejection is still reported")
        #expect(second.errors.isEmpty)
    }

    @Test func followingASessionWithARejectedEventDoesNotLoop() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let session = try Self.sessionWithARejectedEvent(spool)
        var configuration = collector.shipping()
        configuration.pollInterval = 0.001
        let shipper = try Shipper(spool: spool, configuration: configuration, seed: 1)
        let signal = ShipperSignal()
        let passes = Mutex<[ShipReport]>([])
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            shipper.follow(signal: signal) { report in
                let count = passes.withLock { list -> Int in
                    list.append(report)
                    return list.count
                }
                if count >= 8 { signal.stop() }
            }
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 60) == .success, "follow kept going")
        let reports = passes.withLock { $0 }
        #expect(reports.reduce(0) { $0 + $1.eventsSent } == 6, "each event went out once: \(reports.map(\.eventsSent))")
        #expect(reports.allSatisfy { $0.session(session)?.rejected.map(\.seq) == [3] })
        #expect(try spool.ackedSeq(of: session) == 2)
    }

    @Test func aFreshShipperResendsFromTheWatermarkAndStopsAgain() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let session = try Self.sessionWithARejectedEvent(spool)
        _ = try Shipper(spool: spool, configuration: collector.shipping(), clock: ShipperFixture.ManualClock(), seed: 1).shipOnce()
        let restarted = try Shipper(spool: spool, configuration: collector.shipping(), clock: ShipperFixture.ManualClock(), seed: 2)
        let report = restarted.shipOnce()
        let entry = try #require(report.session(session))
        #expect(entry.eventsSent == 3 && entry.duplicates == 2 && entry.rejected.map(\.seq) == [3])
        #expect(restarted.shipOnce().eventsSent == 0)
    }
}
