import ModelTape
import Testing
import TraceModel

/// Tapes built from events written by hand: the shapes a damaged or foreign session can take.
@Suite struct TapeTests {
    let session = SessionID.generate()
    var blobs: [Digest: [UInt8]] = [:]

    mutating func keep(_ text: String) -> Digest {
        let digest = Digest.sha256(bytes(text))
        blobs[digest] = bytes(text)
        return digest
    }

    func event(_ seq: UInt64, _ kind: EventKind, cause: UInt64? = nil, data: [String: JSONValue], blobs: [String: Digest] = [:]) -> Event {
        Event(session: session, seq: seq, ts: Timestamp(microseconds: 1_700_000_000_000_000 + Int64(seq)), monoNs: seq,
              kind: kind, actor: .agent, cause: cause, data: data, blobs: blobs)
    }

    func request(_ seq: UInt64, digest: Digest?, body: Digest? = nil, endpoint: String = "http://x/v1/messages") -> Event {
        event(seq, .modelRequest, data: ModelRequest(provider: "anthropic", model: "c", endpoint: endpoint, requestDigest: digest).data,
              blobs: body.map { ["request_body": $0] } ?? [:])
    }

    func response(_ seq: UInt64, cause: UInt64, body: Digest?, chunks: [StreamChunk]? = nil, status: Int64 = 200) -> Event {
        var data = ModelResponse(model: "c", status: status, latencyMs: 5, chunks: chunks).data
        data["headers"] = ProxyHeaders.recorded([("Content-Type", chunks == nil ? "application/json" : "text/event-stream")])
        return event(seq, .modelResponse, cause: cause, data: data, blobs: body.map { ["response_body": $0] } ?? [:])
    }

    @Test mutating func pairsRequestsWithResponsesInOrder() throws {
        let a = Digest.sha256(bytes("a")), b = Digest.sha256(bytes("b"))
        let plain = keep(#"{"answer":1}"#)
        let streamed = keep("data: 1\n\ndata: 2\n\n")
        let events = [
            event(0, .sessionStart, data: SessionStart(agentName: "t").data),
            request(1, digest: a),
            request(2, digest: b),
            response(3, cause: 2, body: streamed, chunks: [StreamChunk(offsetMs: 1, bytes: 9), StreamChunk(offsetMs: 4.5, bytes: 9)]),
            response(4, cause: 1, body: plain),
            request(5, digest: a),  // the session ended before this one was answered
        ]
        let tape = try Tape(events: events.reversed(), blob: { [blobs] in blobs[$0] })
        #expect(tape.entries.map(\.digest) == [a, b, a])
        #expect(tape.entries.map(\.requestSeq) == [1, 2, 5])
        #expect(tape.entries[0].response?.chunks == [bytes(#"{"answer":1}"#)])
        #expect(tape.entries[1].response?.chunks == [bytes("data: 1\n\n"), bytes("data: 2\n\n")])
        #expect(tape.entries[1].response?.offsetsMs == [1, 4.5])
        #expect(tape.entries[1].response?.isEventStream == true)
        #expect(tape.entries[2].response == nil)
    }

    @Test mutating func requestWithoutDigestIsCanonicalizedFromItsBody() throws {
        let text = #"{"model":"c","max_tokens":3,"messages":[],"metadata":{"user_id":"u"}}"#
        let body = keep(text)
        let tape = try Tape(events: [request(1, digest: nil, body: body)], blob: { [blobs] in blobs[$0] })
        #expect(tape.entries.first?.digest == (try CanonicalRequest(api: .messages, body: bytes(text))).digest)
        #expect(throws: TapeError.self) {
            _ = try Tape(events: [request(1, digest: nil, body: body, endpoint: "http://x/v2/other")], blob: { [blobs] in blobs[$0] })
        }
    }

    @Test mutating func damagedSessionsAreRefusedNamingTheEvent() throws {
        let a = Digest.sha256(bytes("a"))
        let body = keep("data: 1\n\n")
        let missing = Digest.sha256(bytes("never stored"))
        let cases: [([Event], TapeError.Code, UInt64)] = [
            ([request(1, digest: a), response(2, cause: 1, body: missing)], .missingBlob, 2),
            ([request(1, digest: a), response(2, cause: 1, body: body, chunks: [StreamChunk(offsetMs: 1, bytes: 4)])], .inconsistentChunks, 2),
            ([request(1, digest: a), response(2, cause: 7, body: body)], .unmatchedResponse, 2),
            ([response(2, cause: 1, body: body)], .unmatchedResponse, 2),
            ([request(1, digest: a), response(2, cause: 1, body: nil), response(3, cause: 1, body: nil)], .unmatchedResponse, 3),
            ([event(1, .modelRequest, data: ["provider": "x"])], .invalidEvent, 1),
        ]
        for (events, code, seq) in cases {
            let error = try #require(throws: TapeError.self) { _ = try Tape(events: events, blob: { [blobs] in blobs[$0] }) }
            #expect(error.code == code)
            #expect(error.seq == seq)
            #expect(error.description.contains("event \(seq)"))
        }
        // A blob whose bytes do not match its digest is as good as missing.
        let forged = try #require(throws: TapeError.self) {
            _ = try Tape(events: [request(1, digest: a), response(2, cause: 1, body: body)], blob: { _ in bytes("other") })
        }
        #expect(forged.code == .missingBlob)
    }
}
