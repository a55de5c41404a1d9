import Foundation
import Recorder
import Synchronization
import Testing
import TraceModel
import TraceWire

@Suite struct SpoolCapacityTests {
    /// Acknowledges everything readable so far, as a shipper would after the collector stored it.
    private func shipAll(_ spool: Spool, _ id: SessionID, shipped: inout [UInt64]) throws {
        let records = try spool.records(of: id, after: shipped.last, limit: .max)
        shipped += records.map(\.seq)
        if let last = shipped.last { try spool.setAcked(last, of: id) }
    }

    @Test func blockPolicyWaitsForSpaceAndDropsNothing() throws {
        let maxBytes = 8 << 10
        let fixture = try SpoolFixture(SpoolOptions(fsync: .never, segmentBytes: 1024, maxBytes: maxBytes, full: .block,
                                                    fullRecheckMilliseconds: 50))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        let id = recorder.session
        let total = 300
        let failure = Mutex<String?>(nil)
        let done = onThread {
            do {
                for i in 0..<total { try recorder.record(SpoolFixture.message("blocked writer \(i)")) }
                try recorder.end(SpoolFixture.end)
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        var shipped: [UInt64] = []
        var peak = 0
        // Ship until the writer is done; it can only finish because acknowledgements free space.
        while done.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            peak = max(peak, try fixture.spool.usedBytes())
            try shipAll(fixture.spool, id, shipped: &shipped)
        }
        recorder.close()
        #expect(failure.withLock { $0 } == nil)
        try shipAll(fixture.spool, id, shipped: &shipped)
        #expect(shipped == Array(0...UInt64(total + 1)))
        #expect(peak <= maxBytes)
        #expect(shipped.count * 60 > maxBytes, "the session outgrew the spool, so the writer had to wait")
        #expect(try fixture.spool.sessionIDs().isEmpty, "ended and fully acknowledged")
    }

    @Test func blockedWriterResumesWhenTheShipperAcknowledges() throws {
        let fixture = try SpoolFixture(SpoolOptions(fsync: .always, segmentBytes: 1024, maxBytes: 4096, full: .block,
                                                    fullRecheckMilliseconds: 10_000))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        let id = recorder.session
        // Fill the spool until the next record cannot fit.
        var filled: UInt64 = 0
        while try fixture.spool.usedBytes() + 400 < 4096 {
            filled = try recorder.record(SpoolFixture.message("filler \(filled)"))
        }
        let started = DispatchSemaphore(value: 0)
        let done = onThread {
            started.signal()
            for i in 0..<3 { _ = try? recorder.record(SpoolFixture.message(String(repeating: "w", count: 200) + "\(i)")) }
        }
        started.wait()
        // The writer cannot finish while nothing is acknowledged (a missing wait would finish at once).
        #expect(done.wait(timeout: .now() + .milliseconds(300)) == .timedOut)
        var shipped: [UInt64] = []
        // setAcked wakes the writer directly (the re-check period is 10 s, far beyond this wait).
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            try shipAll(fixture.spool, id, shipped: &shipped)
        }
        try shipAll(fixture.spool, id, shipped: &shipped)
        #expect(shipped == Array(0...(filled + 3)))
        recorder.close()
    }

    @Test func dropOldestDeletesUnshippedEventsAndSaysHowMany() throws {
        let fixture = try SpoolFixture(SpoolOptions(fsync: .never, segmentBytes: 1024, maxBytes: 6 << 10, full: .dropOldest))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        for i in 0..<400 { try recorder.record(SpoolFixture.message("overflowing \(i)")) }
        recorder.close()
        #expect(try fixture.spool.usedBytes() <= 6 << 10)
        let events = try fixture.events(recorder.session)
        let notices = events.filter { $0.notice?.code == "dropped" }
        #expect(!notices.isEmpty)
        // Oldest segments go first, so what is missing is one block 0..<oldestKept; the latest
        // notice ends right before it, and every visible notice's range lies inside it.
        let oldestKept = try #require(events.first?.seq)
        #expect(oldestKept > 0)
        let kept = Set(events.map(\.seq))
        let highest = try #require(events.last?.seq)
        #expect(Set(0...highest).subtracting(kept) == Set(0..<oldestKept))
        var latestLast: UInt64 = 0
        for event in notices {
            let notice = try #require(event.notice)
            let first = try #require(notice.details?["first_seq"]?.numberValue?.uint64Value)
            let last = try #require(notice.details?["last_seq"]?.numberValue?.uint64Value)
            #expect(first <= last && last < oldestKept && last < event.seq)
            #expect(notice.count == Int64(last - first + 1))
            latestLast = max(latestLast, last)
        }
        #expect(latestLast == oldestKept - 1)
        let report = ChainVerifier.verify(events)
        #expect(report.findings.allSatisfy { if case .missing = $0 { true } else { false } })
    }

    @Test(arguments: [SpoolFullPolicy.block, .dropOldest])
    func aRecordThatCanNeverFitIsAnError(_ policy: SpoolFullPolicy) throws {
        let fixture = try SpoolFixture(SpoolOptions(maxBytes: 2048, full: policy))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        do {
            try recorder.record(SpoolFixture.message(String(repeating: "x", count: 4096)))
            Issue.record("expected an error")
        } catch let error as SpoolError {
            #expect(error.code == .full)
            #expect(error.message.contains("never fit"))
        }
        // The recorder still works for records that fit.
        #expect(try recorder.record(SpoolFixture.message("small")) == 1)
        #expect(throws: SpoolError.self) { try fixture.spool.blobs.put([UInt8](repeating: 1, count: 4096)) }
        recorder.close()
    }
}
