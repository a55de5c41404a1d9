import ModelTape
import Recorder
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TraceModel

@Suite struct TapeServerTests {
    static let plainAnswer = #"{"id":"msg_1","type":"message","model":"claude-x","content":[{"type":"text","text":"four"}],"stop_reason":"end_turn","usage":{"input_tokens":8,"output_tokens":1}}"#
    static let streamPieces = [
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-x\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"fo\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"ur\"}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    ]
    static func request(_ prompt: String, stream: Bool) -> [UInt8] {
        bytes(#"{"model":"claude-x","max_tokens":16,"stream":\#(stream),"messages":[{"role":"user","content":"\#(prompt)"}]}"#)
    }

    /// Records a plain and a streamed call through the proxy and returns the session.
    static func recordTwoCalls() throws -> (RecordedSession, upstreamRequests: Int) {
        let session = try RecordedSession()
        let upstream = try ScriptedUpstream { request in
            if request.body.text.contains("\"stream\":true") {
                let stream = ChunkStream()
                for piece in streamPieces { stream.push(bytes(piece)) }
                stream.finish()
                return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream"), ("request-id", "req_s")], body: .stream(stream))
            }
            return ProxyReply(status: 200, headers: [("Content-Type", "application/json"), ("request-id", "req_p")],
                              body: .bytes(bytes(plainAnswer)))
        }
        let proxy = try RecordingProxy(configuration: ModelProxyConfiguration(openAIUpstream: upstream.openAIBase,
                                                                              anthropicUpstream: upstream.anthropicBase),
                                       sink: session.sink)
        try proxy.start()
        defer { proxy.stop() }
        for stream in [false, true] {
            let (head, _) = try HTTPTestClient.exchange(port: proxy.baseURLs.port, "POST", "/v1/messages",
                                                        headers: [("x-api-key", "sk-ant-secret-000000000000000000")],
                                                        body: request("2+2?", stream: stream))
            try #require(head.status == 200)
        }
        try #require(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        upstream.stop()
        return (session, upstream.requests.count)
    }

    @Test func replaysRecordedCallsWithTheirChunkBoundaries() throws {
        let (session, upstreamRequests) = try Self.recordTwoCalls()
        #expect(upstreamRequests == 2)
        let tape = try session.tape()
        #expect(tape.entries.count == 2)
        let server = TapeServer(tape: tape, policy: TapePolicy(reorderWindow: 0))
        let urls = try server.start()
        defer { server.stop() }

        let plain = try HTTPTestClient.exchange(port: urls.port, "POST", "/v1/messages", body: Self.request("2+2?", stream: false))
        #expect(plain.head.status == 200)
        #expect(plain.body.text == Self.plainAnswer)
        #expect(plain.head.headers["request-id"] == "req_p")

        let client = try HTTPTestClient(port: urls.port)
        try client.send("POST", "/v1/messages", body: Self.request("2+2?", stream: true))
        #expect(try client.readHead().headers["content-type"] == "text/event-stream")
        var pieces: [String] = []
        while let piece = try client.readPiece() { pieces.append(piece.text) }
        let recorded = try #require(tape.entries[1].response?.chunks.map(\.text))
        #expect(pieces == recorded)
        #expect(pieces.joined() == Self.streamPieces.joined())
        #expect(server.divergences.isEmpty)
        #expect(server.served.map(\.entry) == [0, 1])
        #expect(server.unserved.isEmpty)
    }

    @Test func changedRequestIsADivergenceNamingBothDigests() throws {
        let (session, _) = try Self.recordTwoCalls()
        let tape = try session.tape()
        let server = TapeServer(tape: tape, policy: TapePolicy(reorderWindow: 0))
        let urls = try server.start()
        defer { server.stop() }

        let changed = Self.request("2+3?", stream: false)
        let (head, body) = try HTTPTestClient.exchange(port: urls.port, "POST", "/v1/messages", body: changed)
        #expect(head.status == 422)
        #expect(head.headers["x-should-retry"] == "false")
        let error = try #require(try JSONParser.parse(body)["error"])
        let got = try CanonicalRequest(api: .messages, body: changed).digest
        #expect(error["type"]?.stringValue == "parallax_divergence")
        #expect(error["got_digest"]?.stringValue == got.description)
        #expect(error["expected_digest"]?.stringValue == tape.entries[0].digest.description)
        #expect(error["request_index"]?.int64Value == 0)

        // The divergence consumed nothing: the recorded requests are still served, in order.
        #expect(try HTTPTestClient.exchange(port: urls.port, "POST", "/v1/messages", body: Self.request("2+2?", stream: false)).head.status == 200)
        // Out of order beyond the window, and a path the tape does not record.
        #expect(try HTTPTestClient.exchange(port: urls.port, "GET", "/v1/models").head.status == 404)
        #expect(try HTTPTestClient.exchange(port: urls.port, "POST", "/v1/messages", body: Self.request("2+2?", stream: true)).head.status == 200)
        #expect(try HTTPTestClient.exchange(port: urls.port, "POST", "/v1/messages", body: Self.request("2+2?", stream: true)).head.status == 422)

        let divergences = server.divergences
        #expect(divergences.map(\.requestIndex) == [0, 2, 4])
        #expect(divergences.map(\.reason) == [.notOnTape, .unsupportedEndpoint, .tapeExhausted])
        #expect(divergences[0].got == got)
        #expect(divergences[0].expected == tape.entries[0].digest)
        #expect(divergences[0].expectedSeq == tape.entries[0].requestSeq)
    }

    @Test func pacedReplayKeepsBoundaries() throws {
        let (session, _) = try Self.recordTwoCalls()
        let server = TapeServer(tape: try session.tape(), pacing: .recorded(speedup: 1000, maxGapMs: 5))
        let urls = try server.start()
        defer { server.stop() }
        _ = try HTTPTestClient.exchange(port: urls.port, "POST", "/v1/messages", body: Self.request("2+2?", stream: false))
        let client = try HTTPTestClient(port: urls.port)
        try client.send("POST", "/v1/messages", body: Self.request("2+2?", stream: true))
        var pieces: [String] = []
        while let piece = try client.readPiece() { pieces.append(piece.text) }
        #expect(pieces.joined() == Self.streamPieces.joined())
        #expect(server.divergences.isEmpty)
    }
}

/// The tape served on a Unix socket, as a harness replay's sandbox reaches it through its relay.
@Suite struct TapeServerUnixSocketTests {
    /// Sends one HTTP/1.1 request over the socket at `path` and returns the whole reply.
    static func exchange(_ path: String, _ request: String) throws -> String {
        let descriptor = try UnixSocket.connect(path: path)
        defer { close(descriptor) }
        let bytes = Array(request.utf8)
        #expect(bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count)
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            reply += buffer[0..<count]
        }
        return reply.text
    }

    static func post(_ body: [UInt8]) -> String {
        "POST /v1/messages HTTP/1.1\r\nHost: tape\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n" + body.text
    }

    @Test func servesTheTapeOnAUnixSocketAndRemovesItWhenStopped() throws {
        let (session, _) = try TapeServerTests.recordTwoCalls()
        let path = "/tmp/parallax-tape-\(UInt32.random(in: 0...UInt32.max)).sock"
        let server = TapeServer(tape: try session.tape(), policy: TapePolicy(reorderWindow: 0))
        try server.start(unixSocket: path)
        #expect(access(path, F_OK) == 0)

        let plain = try Self.exchange(path, Self.post(TapeServerTests.request("2+2?", stream: false)))
        #expect(plain.hasPrefix("HTTP/1.1 200"), "\(plain)")
        #expect(plain.hasSuffix(TapeServerTests.plainAnswer))
        let changed = try Self.exchange(path, Self.post(TapeServerTests.request("2+3?", stream: false)))
        #expect(changed.hasPrefix("HTTP/1.1 422"), "\(changed)")
        #expect(changed.contains("parallax_divergence"))
        #expect(server.served.map(\.requestIndex) == [0])
        #expect(server.divergences.map(\.requestIndex) == [1])

        server.stop()
        #expect(access(path, F_OK) != 0, "the socket file is removed")
        #expect(throws: RecorderSocketError.self) { _ = try UnixSocket.connect(path: path) }
    }

    @Test func aSocketPathTooLongIsRefusedWithThePath() {
        let server = TapeServer(tape: Tape(entries: []))
        let path = "/tmp/" + String(repeating: "x", count: 200)
        #expect { try server.start(unixSocket: path) } throws: { error in
            (error as? ProxyServerError)?.message.contains(path) == true
        }
    }
}
