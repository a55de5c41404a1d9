import Testing
@testable import TraceModel

@Suite("Hash chain")
struct ChainTests {
    static let events = Fixtures.session(seed: 5, rounds: 3...3)

    @Test func builderChainsAndVerifies() {
        let events = Self.events
        #expect(events.count > 12)
        #expect(events[0].prev == nil)
        for i in 1..<events.count {
            #expect(events[i].seq == UInt64(i))
            #expect(events[i].prev == events[i - 1].digest)
        }
        let report = ChainVerifier.verify(events)
        #expect(report.isIntact)
        #expect(report.lastSeq == UInt64(events.count - 1))
        #expect(report.headDigest == events.last?.digest)
    }

    @Test func editedEventIsNamed() {
        var events = Self.events
        events[5].data["tampered"] = true
        #expect(ChainVerifier.verify(events).findings == [.edited(seq: 5)])
    }

    @Test func editedPrevIsNamed() {
        var events = Self.events
        events[5].prev = Digest.sha256(Array("forged".utf8))
        #expect(ChainVerifier.verify(events).findings == [.edited(seq: 5)])
    }

    @Test func removedEventIsNamed() {
        var events = Self.events
        events.remove(at: 5)
        #expect(ChainVerifier.verify(events).findings == [.missing(5...5)])
    }

    @Test func removedAndRenumberedEventIsNamed() {
        var events = Self.events
        events.remove(at: 5)
        for i in 5..<events.count { events[i].seq -= 1 }
        #expect(ChainVerifier.verify(events).findings == [.missing(5...5)])
    }

    @Test func reorderedLinesAreNamed() {
        var events = Self.events
        events.swapAt(5, 6)
        let findings = ChainVerifier.verify(events).findings
        #expect(findings == [.reordered(seq: 5, after: 6)])
    }

    @Test func swappedAndRenumberedEventsAreNamed() {
        var events = Self.events
        events.swapAt(5, 6)
        events[5].seq = 5
        events[6].seq = 6
        #expect(ChainVerifier.verify(events).findings == [.reordered(seq: 6, after: 5)])
    }

    @Test func insertedEventWithDuplicateSeqIsNamed() {
        var events = Self.events
        var forged = events[5]
        forged.data = ["role": "assistant", "text": "all tests pass"]
        forged.kind = .message
        events.insert(forged, at: 6)
        #expect(ChainVerifier.verify(events).findings == [.inserted(seq: 5)])
    }

    @Test func insertedAndRenumberedEventIsNamed() {
        var events = Self.events
        var forged = events[5]
        forged.kind = .message
        forged.data = ["role": "assistant", "text": "nothing to see"]
        // The forger chains the new event correctly to its predecessor and shifts the rest.
        forged.prev = events[4].digest
        for i in 5..<events.count { events[i].seq += 1 }
        events.insert(forged, at: 5)
        #expect(ChainVerifier.verify(events).findings == [.inserted(seq: 5)])
    }

    @Test func missingHeadAndBadGenesis() {
        var events = Self.events
        events.removeFirst(2)
        #expect(ChainVerifier.verify(events).findings == [.missing(0...1)])
        var genesis = Self.events
        genesis[0].prev = Digest.sha256([1])
        #expect(ChainVerifier.verify(genesis).findings.contains(.badLink(seq: 0, reason: "the first event must not carry prev")))
    }

    @Test func identicalDuplicatesAreHarmless() {
        var events = Self.events
        events.append(events[3])
        let report = ChainVerifier.verify(events)
        #expect(report.findings == [.reordered(seq: 3, after: UInt64(Self.events.count - 1))])
    }
}
