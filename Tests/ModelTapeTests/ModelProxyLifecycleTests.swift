import Dispatch
import Foundation
import ModelTape
import Synchronization
import Testing
import TraceModel

/// The proxy under the conditions of a real agent run: errors from the provider, several calls at
/// once, clients that leave mid-stream, and a session ending while a call is still streaming.
@Suite struct ModelProxyLifecycleTests {
    static func proxy(_ session: RecordedSession, _ upstream: ScriptedUpstream) throws -> RecordingProxy {
        let proxy = try RecordingProxy(configuration: ModelProxyConfiguration(openAIUpstream: upstream.openAIBase,
                                                                              anthropicUpstream: upstream.anthropicBase),
                                       sink: session.sink)
        try proxy.start()
        return proxy
    }

    @Test func providerErrorsPassThroughAndAreRecorded() throws {
        let session = try RecordedSession()
        let error = #"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#
        let upstream = try ScriptedUpstream { _ in
            ProxyReply(status: 429, headers: [("Content-Type", "application/json"), ("retry-after", "7")], body: .bytes(bytes(error)))
        }
        let proxy = try Self.proxy(session, upstream)
        defer { proxy.stop() }
        let (head, body) = try HTTPTestClient.exchange(port: proxy.baseURLs.port, "POST", "/v1/messages",
                                                       body: bytes(#"{"model":"c","max_tokens":1,"messages":[]}"#))
        #expect(head.status == 429)
        #expect(head.headers["retry-after"] == "7")
        #expect(body.text == error)
        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        let response = try #require(try session.events(.modelResponse).first)
        #expect(response.data["status"]?.int64Value == 429)
        #expect(response.data["error"] == nil)
        #expect(session.blob(try #require(response.blobs["response_body"])) == bytes(error))
    }

    @Test func concurrentStreamsStayApartAndAreEachRecorded() throws {
        let session = try RecordedSession()
        let upstream = try ScriptedUpstream { request in
            // Each stream echoes its request's prompt in every chunk.
            let prompt = (try? JSONParser.parse(request.body))?["messages"]?.arrayValue?.first?["content"]?.stringValue ?? "?"
            let stream = ChunkStream()
            for i in 0..<20 { stream.push(bytes("data: {\"prompt\":\"\(prompt)\",\"i\":\(i)}\n\n")) }
            stream.finish()
            return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream(stream))
        }
        let proxy = try Self.proxy(session, upstream)
        defer { proxy.stop() }
        let calls = 8
        let results = Mutex<[Int: [UInt8]]>([:])
        let done = DispatchGroup()
        for call in 0..<calls {
            done.enter()
            Thread {
                defer { done.leave() }
                let body = bytes(#"{"model":"m","stream":true,"messages":[{"role":"user","content":"p\#(call)"}]}"#)
                if let reply = try? HTTPTestClient.exchange(port: proxy.baseURLs.port, "POST", "/v1/chat/completions", body: body) {
                    results.withLock { $0[call] = reply.body }
                }
            }.start()
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        for call in 0..<calls {
            let expected = (0..<20).map { "data: {\"prompt\":\"p\(call)\",\"i\":\($0)}\n\n" }.joined()
            #expect(results.withLock { $0[call] }?.text == expected, "call \(call)")
        }
        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        let requests = try session.events(.modelRequest)
        let responses = try session.events(.modelResponse)
        #expect(requests.count == calls)
        #expect(Set(responses.compactMap(\.cause)) == Set(requests.map(\.seq)))
        for response in responses {
            let request = try #require(requests.first { $0.seq == response.cause })
            let sent = try #require(request.blobs["request_body"].flatMap(session.blob))
            let prompt = try #require(try JSONParser.parse(sent)["messages"]?.arrayValue?.first?["content"]?.stringValue)
            let answer = try #require(response.blobs["response_body"].flatMap(session.blob)).text
            // The recorded answer is its own request's, whole, with nothing of another mixed in.
            #expect(answer.components(separatedBy: "\"prompt\":\"\(prompt)\"").count == 21, "\(prompt)")
            #expect(answer.components(separatedBy: "\"prompt\":").count == 21, "\(prompt)")
        }
    }

    @Test func clientLeavingMidStreamStillRecordsTheWholeAnswer() throws {
        let session = try RecordedSession()
        let handoff = StreamHandoff()
        let upstream = try ScriptedUpstream { _ in
            let stream = ChunkStream()
            handoff.offer(stream)
            return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream(stream))
        }
        let proxy = try Self.proxy(session, upstream)
        defer { proxy.stop() }
        var client: HTTPTestClient? = try HTTPTestClient(port: proxy.baseURLs.port)
        try client?.send("POST", "/v1/chat/completions", body: bytes(#"{"model":"m","stream":true}"#))
        let stream = try handoff.take()
        stream.push(bytes("data: 1\n\n"))
        #expect(try client?.readPiece() == bytes("data: 1\n\n"))
        client = nil  // closes the socket
        stream.push(bytes("data: 2\n\n"))
        stream.finish()
        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        let response = try #require(try session.events(.modelResponse).first)
        #expect(session.blob(try #require(response.blobs["response_body"])) == bytes("data: 1\n\ndata: 2\n\n"))
        #expect(response.data["error"] == nil)
    }

    @Test func stoppingWhileACallStreamsRecordsItAsBrokenOff() throws {
        let session = try RecordedSession()
        let handoff = StreamHandoff()
        let upstream = try ScriptedUpstream { _ in
            let stream = ChunkStream()
            handoff.offer(stream)
            return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream(stream))
        }
        let proxy = try Self.proxy(session, upstream)
        let client = try HTTPTestClient(port: proxy.baseURLs.port)
        try client.send("POST", "/v1/messages", body: bytes(#"{"model":"c","stream":true}"#))
        let stream = try handoff.take()
        stream.push(bytes("event: message_start\ndata: {}\n\n"))
        #expect(try client.readPiece() == bytes("event: message_start\ndata: {}\n\n"))
        #expect(proxy.stop(timeoutSeconds: 20))
        #expect(throws: HTTPTestClient.Failure.self) { _ = try client.readBody() }
        let response = try #require(try session.events(.modelResponse).first)
        #expect(response.data["error"]?.stringValue?.isEmpty == false)
        #expect(response.data["chunks"]?.arrayValue?.count == 1)
        stream.finish()
    }

    @Test func silentUpstreamIsAnswered502AfterTheIdleTimeout() throws {
        let session = try RecordedSession()
        let release = DispatchSemaphore(value: 0)
        let upstream = try ScriptedUpstream { _ in
            // Holds the request without answering until the test is over.
            _ = release.wait(timeout: .now() + 60)
            return ProxyReply(status: 200, body: .bytes([]))
        }
        defer { release.signal() }
        let proxy = try RecordingProxy(configuration: ModelProxyConfiguration(openAIUpstream: upstream.openAIBase,
                                                                              anthropicUpstream: upstream.anthropicBase,
                                                                              idleTimeoutSeconds: 1),
                                       sink: session.sink)
        try proxy.start()
        defer { proxy.stop() }
        let (head, body) = try HTTPTestClient.exchange(port: proxy.baseURLs.port, "POST", "/v1/chat/completions",
                                                       body: bytes(#"{"model":"m"}"#))
        #expect(head.status == 502)
        #expect(try JSONParser.parse(body)["error"]?["type"]?.stringValue == "upstream_error")
        #expect(proxy.proxy.waitUntilIdle(timeoutSeconds: 20))
        #expect(try session.events(.modelResponse).first?.data["status"]?.int64Value == 502)
    }
}
