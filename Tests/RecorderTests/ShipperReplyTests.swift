import Shipper
import Testing
import TraceModel

@Suite struct ShipperReplyTests {
    static let sessionA = "01M88Y3WNB53GQ8EB053S2DCXY"
    static let sessionB = "01M8C2KR8CNGG3S623PPYRS21Y"

    @Test func theWireExampleParses() throws {
        let body = """
        {"accepted": 17, "duplicates": 2,
         "rejected": [{"line": 4, "reason": "data.argv: expected at least 1 item", "session": "\(Self.sessionA)", "seq": 6},
                      {"line": 9, "reason": "not JSON: unexpected end of input at byte 211"}],
         "conflicts": [{"line": 12, "session": "\(Self.sessionA)", "seq": 11}],
         "acked": {"\(Self.sessionA)": 18, "\(Self.sessionB)": -1},
         "chain_breaks": [{"line": 15, "session": "\(Self.sessionA)", "seq": 14}]}
        """
        let reply = try IngestReply(parsing: Array(body.utf8))
        let a = try #require(SessionID(Self.sessionA))
        #expect(reply.accepted == 17 && reply.duplicates == 2)
        #expect(reply.rejected == [.init(line: 4, reason: "data.argv: expected at least 1 item", session: a, seq: 6),
                                   .init(line: 9, reason: "not JSON: unexpected end of input at byte 211")])
        #expect(reply.conflicts == [.init(line: 12, session: a, seq: 11)])
        #expect(reply.chainBreaks == [.init(line: 15, session: a, seq: 14)])
        let b = try #require(SessionID(Self.sessionB))
        #expect(reply.acked[a] == 18 && reply.acked[b] == -1)
        try reply.check(lines: 22)
        #expect(throws: ShipperError.self) { try reply.check(lines: 23) }
    }

    @Test func conflictsAndChainBreaksMayBeAbsent() throws {
        let reply = try IngestReply(parsing: Array(#"{"accepted":0,"duplicates":0,"rejected":[],"acked":{}}"#.utf8))
        #expect(reply == IngestReply())
        try reply.check(lines: 0)
    }

    @Test(arguments: [
        ("", "not JSON"),
        ("not json", "not JSON"),
        (#"{"accepted":1,"duplicates":0,"rejected":[],"acked":{}"#, "not JSON"),
        ("[1,2]", "not an object"),
        (#"{"duplicates":0,"rejected":[],"acked":{}}"#, "accepted"),
        (#"{"accepted":-1,"duplicates":0,"rejected":[],"acked":{}}"#, "accepted"),
        (#"{"accepted":1.5,"duplicates":0,"rejected":[],"acked":{}}"#, "accepted"),
        (#"{"accepted":"1","duplicates":0,"rejected":[],"acked":{}}"#, "accepted"),
        (#"{"accepted":99999999999999999999,"duplicates":0,"rejected":[],"acked":{}}"#, "accepted"),
        (#"{"accepted":0,"duplicates":0,"acked":{}}"#, "rejected"),
        (#"{"accepted":0,"duplicates":0,"rejected":{},"acked":{}}"#, "rejected"),
        (#"{"accepted":0,"duplicates":0,"rejected":[{"line":0,"reason":"x"}],"acked":{}}"#, "rejected[0].line"),
        (#"{"accepted":0,"duplicates":0,"rejected":[{"line":1}],"acked":{}}"#, "rejected[0].reason"),
        (#"{"accepted":0,"duplicates":0,"rejected":[7],"acked":{}}"#, "rejected[0]"),
        (#"{"accepted":0,"duplicates":0,"rejected":[{"line":1,"reason":"x","session":"nope"}],"acked":{}}"#, "rejected[0].session"),
        (#"{"accepted":0,"duplicates":0,"rejected":[{"line":1,"reason":"x","seq":-4}],"acked":{}}"#, "rejected[0].seq"),
        (#"{"accepted":0,"duplicates":0,"rejected":[]}"#, "acked"),
        (#"{"accepted":0,"duplicates":0,"rejected":[],"acked":[]}"#, "acked"),
        (#"{"accepted":0,"duplicates":0,"rejected":[],"acked":{"not-a-ulid":3}}"#, "not a session id"),
        (#"{"accepted":0,"duplicates":0,"rejected":[],"acked":{"01M88Y3WNB53GQ8EB053S2DCXY":-2}}"#, "acked.01M88Y3WNB53GQ8EB053S2DCXY"),
        (#"{"accepted":0,"duplicates":0,"rejected":[],"acked":{"01M88Y3WNB53GQ8EB053S2DCXY":"5"}}"#, "acked.01M88Y3WNB53GQ8EB053S2DCXY"),
        (#"{"accepted":0,"duplicates":0,"rejected":[],"conflicts":[{"line":2,"seq":1}],"acked":{}}"#, "conflicts[0].session"),
        (#"{"accepted":0,"duplicates":0,"rejected":[],"chain_breaks":"x","acked":{}}"#, "chain_breaks"),
    ])
    func malformedRepliesAreErrorsThatSayWhere(body: String, mentions: String) {
        do {
            _ = try IngestReply(parsing: Array(body.utf8))
            Issue.record("accepted a malformed reply: \(body)")
        } catch {
            #expect(error.code == .malformedReply)
            #expect(error.message.contains(mentions), "\(error.message)")
        }
    }

    @Test func hostileNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: ShipperError.self) { try IngestReply(parsing: Array(deep.utf8)) }
        let truncated = Array(#"{"accepted":1,"duplicates":0,"rej"#.utf8)
        #expect(throws: ShipperError.self) { try IngestReply(parsing: truncated) }
    }

    @Test func countsMustMatchTheLinesSentAndNameEachLineOnce() throws {
        let twice = try IngestReply(parsing: Array(#"{"accepted":0,"duplicates":0,"rejected":[{"line":1,"reason":"a"},{"line":1,"reason":"b"}],"acked":{}}"#.utf8))
        #expect(throws: ShipperError.self) { try twice.check(lines: 2) }
        let beyond = try IngestReply(parsing: Array(#"{"accepted":1,"duplicates":0,"rejected":[{"line":5,"reason":"a"}],"acked":{}}"#.utf8))
        #expect(throws: ShipperError.self) { try beyond.check(lines: 2) }
        let fine = try IngestReply(parsing: Array(#"{"accepted":1,"duplicates":0,"rejected":[{"line":2,"reason":"a"}],"acked":{}}"#.utf8))
        try fine.check(lines: 2)
    }
}
