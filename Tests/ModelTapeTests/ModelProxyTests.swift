import Dispatch
import Foundation
import ModelTape
import Synchronization
import Testing
import TraceModel

/// A stream the test feeds by hand, handed over by the upstream's handler thread.
final class StreamHandoff: Sendable {
    private let stream = Mutex<ChunkStream?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func offer(_ chunkStream: ChunkStream) {
        stream.withLock { $0 = chunkStream }
        ready.signal()
    }

    func take() throws -> ChunkStream {
        try #require(ready.wait(timeout: .now() + 20) == .success, "the upstream never received the request")
        return try #require(stream.withLock { $0 })
    }
}

@Suite struct ModelProxyTests {
    static let secret = "sk-test-0123456789abcdefghijklmnop"
    static let chatBody = #"{"model":"gpt-4o","messages":[{"role":"user","content":"say hi"}],"user":"run-1"}"#
    static let chatAnswer = #"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1}}"#

    static func proxy(_ session: RecordedSession, openAI: String, anthropic: String) throws -> RecordingProxy {
        let proxy = try RecordingProxy(configuration: ModelProxyConfiguration(openAIUpstream: openAI, anthropicUpstream: anthropic,
                                                                              idleTimeoutSeconds: 30),
                                       sink: session.sink)
        try proxy.start()
        return proxy
    }

    @Test func plainCallIsRelayedAndRecorded() throws {
        let session = try RecordedSession()
        let upstream = try ScriptedUpstream { _ in
            ProxyReply(status: 200, headers: [("Content-Type", "application/json"), ("x-request-id", "req_42")],
                       body: .bytes(bytes(Self.chatAnswer)))
        }
        let proxy = try Self.proxy(session, openAI: upstream.openAIBase, anthropic: upstream.anthropicBase)
        defer { proxy.stop() }

        let (head, body) = try HTTPTestClient.exchange(
            port: proxy.baseURLs.port, "POST", "/v1/chat/completions",
            headers: [("Authorization", "Bearer \(Self.secret)"), ("Content-Type", "application/json")], body: bytes(Self.chatBody))
        #expect(head.status == 200)
        #expect(body.text == Self.chatAnswer)
        #expect(head.headers["x-request-id"] == "req_42")

        let forwarded = try #require(upstream.requests.first)
        #expect(forwarded.method == "POST")
        #expect(forwarded.target == "/v1/chat/completions")
        #expect(forwarded.header("authorization") == "Bearer \(Self.secret)")
        #expect(forwarded.body == bytes(Self.chatBody))

        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        let request = try #require(try session.events(.modelRequest).first)
        let response = try #require(try session.events(.modelResponse).first)
        guard case .modelRequest(let call) = try request.payload(), case .modelResponse(let answer) = try response.payload() else {
            Issue.record("model events do not decode")
            return
        }
        #expect(call.provider == "openai")
        #expect(call.model == "gpt-4o")
        #expect(call.endpoint == upstream.openAIBase + "/chat/completions")
        #expect(call.stream == false)
        #expect(call.requestDigest == (try CanonicalRequest(api: .chatCompletions, body: bytes(Self.chatBody))).digest)
        #expect(response.cause == request.seq)
        #expect(answer.model == "gpt-4o-2024-08-06")
        #expect(answer.status == 200)
        #expect(answer.stopReason == "stop")
        #expect(answer.usage == TokenUsage(inputTokens: 9, outputTokens: 1))
        #expect(answer.chunks == nil)
        #expect((answer.latencyMs ?? -1) >= 0)
        #expect(session.blob(try #require(request.blobs["request_body"])) == bytes(Self.chatBody))
        #expect(session.blob(try #require(response.blobs["response_body"])) == bytes(Self.chatAnswer))
        // The credential is recorded only as a redaction marker.
        let headers = ProxyHeaders.parseRecorded(request.data["headers"])
        #expect(headers.first { $0.name.lowercased() == "authorization" }?.value.hasPrefix("«redacted:") == true)
        let stored = try session.allStoredBytes()
        #expect(!stored.text.contains(Self.secret))
        #expect(!stored.text.contains("0123456789abcdefghijklmnop"))
    }

    @Test func streamPassesThroughChunkByChunk() throws {
        let session = try RecordedSession()
        let handoff = StreamHandoff()
        let upstream = try ScriptedUpstream { _ in
            let stream = ChunkStream()
            handoff.offer(stream)
            return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream"), ("request-id", "req_a")], body: .stream(stream))
        }
        let proxy = try Self.proxy(session, openAI: upstream.openAIBase, anthropic: upstream.anthropicBase)
        defer { proxy.stop() }
        let body = #"{"model":"claude-x","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#
        let client = try HTTPTestClient(port: proxy.baseURLs.port)
        try client.send("POST", "/v1/messages", headers: [("x-api-key", Self.secret), ("anthropic-version", "2023-06-01")],
                        body: bytes(body))
        let upstreamStream = try handoff.take()
        let pieces = [
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-x-1\",\"usage\":{\"input_tokens\":11,\"output_tokens\":1}}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":6}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        ].map(bytes)
        upstreamStream.push(pieces[0])
        let head = try client.readHead()
        #expect(head.status == 200)
        #expect(head.headers["content-type"] == "text/event-stream")
        // Each piece reaches the client before the upstream sends the next: nothing is held back.
        for (index, piece) in pieces.enumerated() {
            if index > 0 { upstreamStream.push(piece) }
            var received: [UInt8] = []
            while received.count < piece.count, let more = try client.readPiece() { received += more }
            #expect(received == piece, "piece \(index)")
        }
        upstreamStream.finish()
        #expect(try client.readPiece() == nil)

        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        let request = try #require(try session.events(.modelRequest).first)
        let response = try #require(try session.events(.modelResponse).first)
        guard case .modelRequest(let call) = try request.payload(), case .modelResponse(let answer) = try response.payload() else {
            Issue.record("model events do not decode")
            return
        }
        #expect(call.provider == "anthropic")
        #expect(call.stream == true)
        #expect(call.endpoint == upstream.anthropicBase + "/v1/messages")
        #expect(answer.model == "claude-x-1")
        #expect(answer.usage == TokenUsage(inputTokens: 11, outputTokens: 6))
        #expect(answer.stopReason == "end_turn")
        let chunks = try #require(answer.chunks)
        #expect(chunks.map(\.bytes) == pieces.map { Int64($0.count) })
        #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.offsetMs <= $1.offsetMs })
        #expect(session.blob(try #require(response.blobs["response_body"])) == pieces.flatMap { $0 })
        #expect(!(try session.allStoredBytes()).text.contains(Self.secret))
    }

    @Test func unreachableUpstreamAnswers502WithJSON() throws {
        let session = try RecordedSession()
        let dead = "http://127.0.0.1:\(try unusedPort())"
        let proxy = try Self.proxy(session, openAI: dead + "/v1", anthropic: dead)
        defer { proxy.stop() }
        let (head, body) = try HTTPTestClient.exchange(port: proxy.baseURLs.port, "POST", "/v1/chat/completions",
                                                       body: bytes(Self.chatBody))
        #expect(head.status == 502)
        #expect(head.headers["content-type"] == "application/json")
        let json = try JSONParser.parse(body)
        #expect(json["error"]?["type"]?.stringValue == "upstream_error")
        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        let response = try #require(try session.events(.modelResponse).first)
        #expect(response.data["status"]?.int64Value == 502)
        #expect(response.data["error"]?.stringValue?.isEmpty == false)
    }

    @Test func upstreamBreakingOffCutsTheClientAndIsRecorded() throws {
        let session = try RecordedSession()
        let handoff = StreamHandoff()
        let upstream = try ScriptedUpstream { _ in
            let stream = ChunkStream()
            handoff.offer(stream)
            return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream(stream))
        }
        let proxy = try Self.proxy(session, openAI: upstream.openAIBase, anthropic: upstream.anthropicBase)
        defer { proxy.stop() }
        let client = try HTTPTestClient(port: proxy.baseURLs.port)
        try client.send("POST", "/v1/chat/completions", body: bytes(#"{"model":"m","stream":true}"#))
        let stream = try handoff.take()
        stream.push(bytes("data: {\"choices\":[]}\n\n"))
        #expect(try client.readHead().status == 200)
        #expect(try client.readPiece() == bytes("data: {\"choices\":[]}\n\n"))
        stream.fail("upstream died")
        #expect(throws: HTTPTestClient.Failure.self) { _ = try client.readBody() }
        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        let response = try #require(try session.events(.modelResponse).first)
        #expect(response.data["error"] != nil)
        #expect(response.data["chunks"]?.arrayValue?.count == 1)
    }

    @Test func otherPathsPassThroughUnrecorded() throws {
        let session = try RecordedSession()
        let openAI = try ScriptedUpstream { _ in ProxyReply(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(bytes(#"{"data":["openai"]}"#))) }
        let anthropic = try ScriptedUpstream { _ in ProxyReply(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(bytes(#"{"data":["anthropic"]}"#))) }
        let proxy = try Self.proxy(session, openAI: openAI.openAIBase, anthropic: anthropic.anthropicBase)
        defer { proxy.stop() }
        let first = try HTTPTestClient.exchange(port: proxy.baseURLs.port, "GET", "/v1/models?limit=2")
        #expect(first.body.text == #"{"data":["openai"]}"#)
        #expect(openAI.requests.first?.target == "/v1/models?limit=2")
        let second = try HTTPTestClient.exchange(port: proxy.baseURLs.port, "GET", "/v1/models", headers: [("anthropic-version", "2023-06-01")])
        #expect(second.body.text == #"{"data":["anthropic"]}"#)
        #expect(anthropic.requests.first?.target == "/v1/models")
        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        #expect(try session.events().filter { $0.kind == .modelRequest || $0.kind == .modelResponse }.isEmpty)
    }

    @Test func unparseableModelRequestIsRefusedLocally() throws {
        let session = try RecordedSession()
        let upstream = try ScriptedUpstream { _ in ProxyReply(status: 200, body: .bytes([])) }
        let proxy = try Self.proxy(session, openAI: upstream.openAIBase, anthropic: upstream.anthropicBase)
        defer { proxy.stop() }
        for body in ["not json", "{\"model\":", "[]", String(repeating: "[", count: 50_000)] {
            let (head, reply) = try HTTPTestClient.exchange(port: proxy.baseURLs.port, "POST", "/v1/messages", body: bytes(body))
            #expect(head.status == 400)
            #expect(try JSONParser.parse(reply)["error"]?["type"]?.stringValue == "invalid_request_error")
        }
        #expect(upstream.requests.isEmpty)
        #expect(try session.events(.modelRequest).isEmpty)
    }

    @Test func upstreamURLs() {
        let configuration = ModelProxyConfiguration(openAIUpstream: "https://api.openai.com/v1/", anthropicUpstream: "https://api.anthropic.com")
        #expect(configuration.upstreamURL(.openai, target: "/v1/chat/completions?x=1")?.absoluteString == "https://api.openai.com/v1/chat/completions?x=1")
        #expect(configuration.upstreamURL(.anthropic, target: "/v1/messages")?.absoluteString == "https://api.anthropic.com/v1/messages")
        #expect(throws: ProxyServerError.self) { try ModelProxyConfiguration(openAIUpstream: "ftp://x").validate() }
        #expect(throws: ProxyServerError.self) { try ModelProxyConfiguration(anthropicUpstream: "not a url").validate() }
    }
}

extension ModelBaseURLs {
    var port: UInt16 { UInt16(anthropic.split(separator: ":").last!)! }
}

@Suite struct ProxyHeadersTests {
    @Test func credentialsAreRecordedAsMarkers() {
        let recorded = ProxyHeaders.parseRecorded(ProxyHeaders.recorded([
            ("Authorization", "Bearer sk-abc"), ("x-api-key", "k1"), ("api-key", "k2"), ("X-Ratelimit-Remaining-Tokens", "99"),
            ("Content-Type", "application/json"), ("OpenAI-Organization", "org-1"),
        ]))
        #expect(recorded.map(\.name) == ["Authorization", "x-api-key", "api-key", "X-Ratelimit-Remaining-Tokens", "Content-Type", "OpenAI-Organization"])
        #expect(recorded[0].value == Redactor.marker(for: "Bearer sk-abc"))
        #expect(recorded[1].value == Redactor.marker(for: "k1"))
        #expect(recorded[2].value == Redactor.marker(for: "k2"))
        #expect(recorded[3].value == "99")
        #expect(recorded[4].value == "application/json")
    }

    @Test func queryKeysAreRedactedInRecordedURLs() {
        let url = "https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21&api-key=secretsecret"
        let recorded = ProxyHeaders.recordedURL(url)
        #expect(recorded.hasPrefix("https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21&api-key=«redacted:"))
        #expect(!recorded.contains("secretsecret"))
        #expect(ProxyHeaders.recordedURL("https://api.anthropic.com/v1/messages") == "https://api.anthropic.com/v1/messages")
    }

    @Test func malformedRecordedHeadersAreSkipped() {
        let value: JSONValue = [["a", "1"], ["only-name"], [1, "x"], "text", ["", "empty name"], ["b", "2"]]
        #expect(ProxyHeaders.parseRecorded(value).map(\.name) == ["a", "b"])
        #expect(ProxyHeaders.parseRecorded(nil).isEmpty)
        #expect(ProxyHeaders.parseRecorded(.object([:])).isEmpty)
    }
}
