import Foundation
import Testing
import TraceModel
import TraceStore
import TraceWire
@testable import Collector

/// Exactly-once storage on `(session, seq)`: duplicates, conflicts and the acked watermark.
@Suite("Collector API: idempotency")
struct CollectorAPIIdempotencyTests {
    @Test func sameBatchPostedTwiceIsStoredOnce() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let sessions = syntheticSessions(2, seed: 11)
        let batch = sessions.flatMap { $0 }
        let first = try #require(try fixture.post(batch).json)
        #expect(first["accepted"]?.int64Value == Int64(batch.count))
        let second = try #require(try fixture.post(batch).json)
        #expect(second["accepted"]?.int64Value == 0)
        #expect(second["duplicates"]?.int64Value == Int64(batch.count))
        #expect(second["rejected"]?.arrayValue?.isEmpty == true)
        #expect(second["conflicts"]?.arrayValue?.isEmpty == true)
        for session in sessions {
            #expect(second.acked(session[0].session) == Int64(session.count - 1))
            #expect(try fixture.storedEvents(session[0].session) == canonicalNDJSON(session))
            let summary = try fixture.json("/v1/sessions/\(session[0].session)")
            #expect(summary["event_count"]?.int64Value == Int64(session.count))
        }
        // A line repeated within one batch counts once as accepted and once as duplicate.
        let fresh = syntheticSessions(1, seed: 12)[0]
        let repeated = try #require(try fixture.post([fresh[0], fresh[1], fresh[0]]).json)
        #expect(repeated["accepted"]?.int64Value == 2)
        #expect(repeated["duplicates"]?.int64Value == 1)
    }

    @Test func alteredEventWithAUsedSeqIsAConflictAndTheFirstVersionStays() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 13)[0]
        let id = session[0].session
        #expect(try fixture.post(session).status == 200)

        var altered = session[3]
        altered.ts = Timestamp(microseconds: altered.ts.microseconds + 1)
        let body = NDJSONBatch.encode([session[1], altered, session[4]])
        let response = try fixture.post(body)
        #expect(response.status == 200)
        let reply = try #require(response.json)
        #expect(reply["accepted"]?.int64Value == 0)
        #expect(reply["duplicates"]?.int64Value == 2)
        let conflicts = try #require(reply["conflicts"]?.arrayValue)
        #expect(conflicts.count == 1)
        #expect(conflicts.first?["line"]?.int64Value == 2)
        #expect(conflicts.first?["session"]?.stringValue == id.string)
        #expect(conflicts.first?["seq"]?.int64Value == 3)
        #expect(reply.acked(id) == Int64(session.count - 1))

        #expect(try fixture.storedEvents(id) == canonicalNDJSON(session))
        let summary = try fixture.json("/v1/sessions/\(id)")
        #expect(summary["conflicts"]?.int64Value == 1)
        let report = try fixture.json("/v1/sessions/\(id)/verify")
        #expect(report["intact"]?.boolValue == false)
        let recorded = try #require(report["conflicts"]?.arrayValue)
        #expect(recorded.count == 1)
        #expect(recorded.first?["seq"]?.int64Value == 3)
        #expect(recorded.first?["digest"]?.stringValue == altered.digest.description)
        #expect(recorded.first?["received_at"]?.stringValue != nil)

        // Posting the altered version again is still a conflict, never a silent replacement.
        let again = try #require(try fixture.post([altered]).json)
        #expect(again["conflicts"]?.arrayValue?.count == 1)
        #expect(try fixture.storedEvents(id) == canonicalNDJSON(session))
    }

    @Test func twoVersionsOfANewSeqInOneBatchKeepTheFirst() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = Array(syntheticSessions(1, seed: 14)[0].prefix(3))
        var other = session[2]
        other.monoNs += 1
        let reply = try #require(try fixture.post([session[0], session[1], session[2], other]).json)
        #expect(reply["accepted"]?.int64Value == 3)
        #expect(reply["conflicts"]?.arrayValue?.first?["line"]?.int64Value == 4)
        #expect(try fixture.storedEvents(session[0].session) == canonicalNDJSON(session))
    }

    @Test func ackedWatermarkStopsAtAGapUntilItIsFilled() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 15)[0]
        try #require(session.count >= 10)
        let id = session[0].session
        let events = Array(session.prefix(10))

        let first = try #require(try fixture.post(Array(events[0...4])).json)
        #expect(first.acked(id) == 4)
        let second = try #require(try fixture.post(Array(events[6...9])).json)
        #expect(second["accepted"]?.int64Value == 4)
        #expect(second.acked(id) == 4)
        let gappy = try fixture.json("/v1/sessions/\(id)")
        #expect(gappy["has_gaps"]?.boolValue == true)
        #expect(gappy["acked_seq"]?.int64Value == 4)
        #expect(gappy["last_seq"]?.int64Value == 9)
        let report = try fixture.json("/v1/sessions/\(id)/verify")
        #expect(report["intact"]?.boolValue == false)
        let missing = try #require(report["findings"]?.arrayValue).filter { $0["kind"]?.stringValue == "missing" }
        #expect(missing.map { $0["seq"]?.int64Value } == [5])

        let filled = try #require(try fixture.post([events[5]]).json)
        #expect(filled.acked(id) == 9)
        #expect(try fixture.json("/v1/sessions/\(id)")["has_gaps"]?.boolValue == false)
        #expect(try fixture.json("/v1/sessions/\(id)/verify")["intact"]?.boolValue == true)

        // A session whose seq 0 is not stored is acked at -1.
        let late = syntheticSessions(1, seed: 16)[0]
        let orphan = try #require(try fixture.post([late[2]]).json)
        #expect(orphan.acked(late[0].session) == -1)
    }
}
