import Testing
@testable import ParallaxCLI
import TraceModel
import TraceWire

@Suite("parallax: chain breaks recorded at ingest")
struct ChainBreakCLITests {
    @Test func anEditedEventShowsAsAChainBreakInSessionsAndVerify() throws {
        let dir = TempDir()
        var events = Sample.sessions(1, seed: 4)[0]
        events[6].data["stdout"] = "nothing happened"
        let db = dir.file("t.sqlite")
        #expect(cli("ingest", dir.write("edited.ndjson", Sample.ndjson(events)), "--db", db).code == 0)
        let sessions = cli("sessions", "--db", db)
        #expect(sessions.code == 0)
        #expect(sessions.out.contains("chain"))
        let verify = cli("verify", events[0].session.string, "--db", db)
        #expect(verify.code == 1)
        #expect(verify.out.contains("seq 7: prev does not match seq 6 (recorded at ingest"))
        let json = try JSONParser.parse(Array(cli("verify", events[0].session.string, "--db", db, "--json").out.utf8))
        #expect(json["breaks_at_ingest"]?.arrayValue?.first?["seq"] == 7)
        #expect(json["breaks_at_ingest"]?.arrayValue?.first?["actual"]?.stringValue == events[7].prev?.description)
    }

    @Test func anIntactSessionHasNoChainFlag() throws {
        let dir = TempDir()
        let events = Sample.sessions(1, seed: 5)[0]
        let db = dir.file("t.sqlite")
        #expect(cli("ingest", dir.write("s.ndjson", Sample.ndjson(events)), "--db", db).code == 0)
        #expect(!cli("sessions", "--db", db).out.contains("chain"))
        #expect(cli("verify", events[0].session.string, "--db", db).code == 0)
    }
}
