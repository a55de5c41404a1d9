import Foundation
import Testing
import TraceModel
@testable import Collector

@Suite("HTTP server: limits and hostile clients")
struct HTTPServerHostileTests {
    @Test func announcedOversizeBodyIsRefusedBeforeItIsSent() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        // Only the head is sent: the reply can only come if the server does not wait for the body.
        client.send(requestHead("POST", "/echo", ["Content-Length: \(100 << 20)"]))
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
        #expect(response.json?["error"] == "body_too_large")
        #expect(server.handler.handled == 0)
        #expect(client.isClosedByPeer())
    }

    @Test func oversizeBodyWithExpectContinueGets413InsteadOf100() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        client.send(requestHead("PUT", "/echo", ["Content-Length: \(100 << 20)", "Expect: 100-continue"]))
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
    }

    @Test func preflightAnswersWithoutReadingTheBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        client.send(requestHead("POST", "/reject", ["Content-Length: \(1 << 20)"]))
        let response = try #require(client.readResponse())
        #expect(response.status == 401)
        #expect(response.json?["error"] == "unauthorized")
        #expect(server.handler.preflights == 1)
        #expect(server.handler.handled == 0)
    }

    @Test func handlerCanRaiseTheBodyLimitPerRequest() throws {
        let handler = LimitHandler()
        let server = try HTTPServer(configuration: HTTPServerConfiguration(maxBodyBytes: 1000), handler: handler)
        try server.start()
        defer { server.shutdown(drainTimeout: 5) }
        let body = randomBytes(5000)
        let big = try RawClient(port: server.port).exchange(
            requestHead("PUT", "/blob", ["Content-Length: \(body.count)"]), body: body)
        #expect(big?.status == 200)
        let small = try RawClient(port: server.port).exchange(
            requestHead("POST", "/events", ["Content-Length: \(body.count)"]), body: body)
        #expect(small?.status == 413)
    }

    @Test func chunkedBodyPastTheLimitGets413() throws {
        let server = try TestServer { $0.maxBodyBytes = 64 << 10 }
        defer { server.stop() }
        let client = try server.client()
        client.send(requestHead("POST", "/echo", ["Transfer-Encoding: chunked"]))
        let chunk = Array("2000\r\n".utf8) + randomBytes(0x2000) + [13, 10]
        var sent = 0
        // Keep sending until the server stops us; it must not read (or buffer) 4 MiB to say no.
        while sent < 4 << 20, !client.isReadable(), client.send(chunk) { sent += 0x2000 }
        let response = try #require(client.readResponse())
        #expect(response.status == 413)
        #expect(response.json?["error"] == "body_too_large")
        #expect(server.handler.handled == 0)
        #expect(sent < 4 << 20)
        let next = try #require(try server.client().exchange(requestHead("GET", "/inspect")))
        #expect(next.status == 200)
    }

    @Test func oneMegabyteHeaderGets431AndOthersAreStillServed() throws {
        let server = try TestServer()
        defer { server.stop() }
        let hostile = try server.client()
        let bigHeader = "X-Big: " + String(repeating: "a", count: 1 << 20)
        let sendFinished = hostile.send(requestHead("GET", "/inspect", [bigHeader]))
        // While the hostile connection is still open, another client is served.
        let other = try #require(try server.client().exchange(requestHead("GET", "/inspect?other=1")))
        #expect(other.status == 200)
        let response = try #require(hostile.readResponse(), "sent whole header: \(sendFinished)")
        #expect(response.status == 431 || response.status == 413)
        #expect(server.handler.preflights == 1)
    }

    @Test func hugeRequestLineGets414() throws {
        let server = try TestServer()
        defer { server.stop() }
        let hostile = try server.client()
        hostile.send(requestHead("GET", "/" + String(repeating: "a", count: 100_000)))
        let response = try #require(hostile.readResponse())
        #expect(response.status == 414)
    }

    @Test func clientTricklingTheBodyIsCutOffAtTheRequestDeadline() throws {
        let server = try TestServer { $0.requestTimeoutSeconds = 2 }
        defer { server.stop() }
        let trickler = try server.client()
        let started = ContinuousClock.now
        trickler.send(requestHead("POST", "/echo", ["Content-Length: 1000"]))
        var sent = 0
        var othersServed = 0
        while sent < 100, !trickler.isReadable(milliseconds: 200), trickler.send("x") {
            sent += 1
            if sent % 5 == 0, try server.client().exchange(requestHead("GET", "/inspect"))?.status == 200 {
                othersServed += 1
            }
        }
        let response = try #require(trickler.readResponse())
        #expect(response.status == 408)
        #expect(response.json?["error"] == "request_timeout")
        #expect(ContinuousClock.now - started >= .seconds(2))
        #expect(sent < 100)
        #expect(othersServed >= 1)
        #expect(server.handler.handled == othersServed)
        #expect(waitUntil { server.server.activeRequests == 0 })
    }

    @Test func clientTricklingTheHeadersIsCutOffAtTheRequestDeadline() throws {
        let server = try TestServer { $0.requestTimeoutSeconds = 2 }
        defer { server.stop() }
        let trickler = try server.client()
        let started = ContinuousClock.now
        trickler.send("GET /inspect HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        var sent = 0
        while sent < 100, !trickler.isReadable(milliseconds: 200), trickler.send("y") { sent += 1 }
        let response = try #require(trickler.readResponse())
        #expect(response.status == 408)
        #expect(ContinuousClock.now - started >= .seconds(2))
        #expect(sent < 100)
        #expect(server.handler.preflights == 0)
        let next = try #require(try server.client().exchange(requestHead("GET", "/inspect")))
        #expect(next.status == 200)
    }

    @Test func clientHangingUpMidBodyLeavesTheServerServing() throws {
        let server = try TestServer()
        defer { server.stop() }
        do {
            let client = try server.client()
            client.send(requestHead("POST", "/echo", ["Content-Length: 100000"]) + String(repeating: "z", count: 5000))
        }  // closed here
        #expect(waitUntil { server.server.activeRequests == 0 })
        let next = try #require(try server.client().exchange(requestHead("GET", "/inspect")))
        #expect(next.status == 200)
        #expect(server.handler.handled == 1)
    }

    @Test func clientHangingUpWhileTheHandlerRunsLeavesTheServerServing() throws {
        let server = try TestServer()
        defer { server.stop() }
        do {
            let client = try server.client()
            client.send(requestHead("GET", "/slow"))
            #expect(server.handler.gate.arrived.wait(timeout: .now() + 10) == .success)
        }  // closed while the handler waits
        server.handler.gate.open()
        #expect(waitUntil { server.server.activeRequests == 0 })
        let next = try #require(try server.client().exchange(requestHead("GET", "/inspect")))
        #expect(next.status == 200)
    }

    @Test func targetThatIsNotUTF8Gets400() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        client.send(Array("GET /a".utf8) + [0xFF, 0xFE] + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let response = try #require(client.readResponse())
        #expect(response.status == 400)
        #expect(server.handler.handled == 0)
    }

    @Test func garbageRequestLineGets400() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        client.send("\u{1}\u{2}garbage\r\n\r\n")
        let response = client.readResponse()
        #expect(response == nil || response?.status == 400)
        let next = try #require(try server.client().exchange(requestHead("GET", "/inspect")))
        #expect(next.status == 200)
    }
}

/// Blob uploads may be larger than the configured default; everything else keeps it.
private struct LimitHandler: HTTPHandler {
    func bodyLimit(for head: HTTPRequestHead) -> Int? { head.path == "/blob" ? 10_000 : nil }
    func preflight(_ head: HTTPRequestHead) -> HTTPResponse? { nil }
    func handle(_ request: HTTPRequest) -> HTTPResponse { .text(200, "\(request.body.count)") }
}
