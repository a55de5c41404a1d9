import Testing
import TraceModel
import TraceStore
import TraceWire
@testable import Collector

/// Hash-chain checks at ingest: a break is recorded on the session, reported in the reply and by /verify.
@Suite("Collector API: chain breaks at ingest")
struct CollectorAPIChainBreakTests {
    @Test func editedEventBreaksTheChainOfItsSuccessor() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        var session = syntheticSessions(1, seed: 21)[0]
        let id = session[0].session
        // Edited after sealing: seq 4's prev names the original seq 3.
        session[3].ts = Timestamp(microseconds: session[3].ts.microseconds + 1)
        let response = try fixture.post(NDJSONBatch.encode(session))
        #expect(response.status == 200)
        let reply = try #require(response.json)
        #expect(reply["accepted"]?.int64Value == Int64(session.count), "a break is recorded, not rejected")
        let breaks = try #require(reply["chain_breaks"]?.arrayValue)
        #expect(breaks.count == 1)
        #expect(breaks.first?["line"]?.int64Value == 5)
        #expect(breaks.first?["session"]?.stringValue == id.string)
        #expect(breaks.first?["seq"]?.int64Value == 4)

        let summary = try fixture.json("/v1/sessions/\(id)")
        #expect(summary["chain_breaks"]?.int64Value == 1)
        let report = try fixture.json("/v1/sessions/\(id)/verify")
        #expect(report["intact"]?.boolValue == false)
        let recorded = try #require(report["breaks_at_ingest"]?.arrayValue)
        #expect(recorded.count == 1)
        #expect(recorded.first?["seq"]?.int64Value == 4)
        #expect(recorded.first?["expected"]?.stringValue == session[3].digest.description)
        #expect(recorded.first?["actual"]?.stringValue == session[4].prev?.description)
        #expect(recorded.first?["detected_at"]?.stringValue != nil)
    }

    @Test func intactSessionReportsNoBreaks() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 22)[0]
        let reply = try #require(try fixture.post(session).json)
        #expect(reply["chain_breaks"]?.arrayValue?.isEmpty == true)
        let id = session[0].session
        #expect(try fixture.json("/v1/sessions/\(id)")["chain_breaks"]?.int64Value == 0)
        let report = try fixture.json("/v1/sessions/\(id)/verify")
        #expect(report["breaks_at_ingest"]?.arrayValue?.isEmpty == true)
        #expect(report["intact"]?.boolValue == true)
    }
}
