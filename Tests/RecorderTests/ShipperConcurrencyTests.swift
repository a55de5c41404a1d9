import Foundation
import Recorder
import Shipper
import Synchronization
import Testing
import TraceModel
import TraceWire

/// Two shippers on one spool (a `parallax record` shipping while the `ship --follow` daemon runs).
@Suite struct ShipperConcurrencyTests {
    @Test func twoShippersOnOneSpoolDeliverEverythingOnceWithoutSpuriousErrors() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        var written: [SessionID: [SpooledEvent]] = [:]
        var digests: [Digest] = []
        for s in 0..<8 {
            let recorder = try ShipperFixture.recordSession(spool, messages: 0)
            for i in 0..<6 {
                let digest = try spool.blobs.put(Array("output \(s)-\(i)".utf8))
                digests.append(digest)
                try recorder.record(EventDraft(kind: .processExec, actor: .tool, data: ["argv": ["step", .string("\(i)")], "cwd": "/w"],
                                               blobs: ["stdout": digest]))
            }
            try recorder.end(EventDraft(kind: .sessionEnd, actor: .system, data: ["status": "completed"]))
            written[recorder.session] = try ShipperFixture.records(spool, recorder.session)
            recorder.close()
        }
        let reports = Mutex<[ShipReport]>([])
        let group = DispatchGroup()
        for seed in [UInt64(1), 2] {
            let shipper = try Shipper(spool: spool, configuration: collector.shipping(), clock: ShipperFixture.ManualClock(), seed: seed)
            group.enter()
            Thread.detachNewThread {
                let report = shipper.shipOnce()
                reports.withLock { $0.append(report) }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        for report in reports.withLock({ $0 }) {
            #expect(report.errors.isEmpty, "\(report.errors)")
            #expect(report.blobProblems.isEmpty, "\(report.blobProblems)")
        }
        for (session, records) in written {
            #expect(try collector.storedEvents(session) == ShipperFixture.ndjson(records))
        }
        for digest in digests { #expect(try collector.hasBlob(digest)) }
        #expect(try spool.sessionIDs().isEmpty && spool.blobs.digests().isEmpty)
    }
}
