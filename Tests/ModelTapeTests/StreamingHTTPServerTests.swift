import Foundation
import ModelTape
import Testing
import TraceModel

private struct Echo: ProxyHandler {
    func handle(_ request: ProxyRequest) -> ProxyReply {
        ProxyReply(status: 200, headers: [("Content-Type", "text/plain"), ("X-Target", request.target)], body: .bytes(request.body))
    }
}

/// The proxy's HTTP server against oversized and malformed requests.
@Suite struct StreamingHTTPServerTests {
    @Test func bodiesOverTheLimitAre413() throws {
        let server = StreamingHTTPServer(handler: Echo(), maxBodyBytes: 1024)
        try server.start()
        defer { server.stop() }
        let small = try HTTPTestClient.exchange(port: server.port, "POST", "/v1/messages?x=1", body: [UInt8](repeating: 0x61, count: 1024))
        #expect(small.head.status == 200)
        #expect(small.body.count == 1024)
        #expect(small.head.headers["x-target"] == "/v1/messages?x=1")
        let large = try HTTPTestClient.exchange(port: server.port, "POST", "/v1/messages", body: [UInt8](repeating: 0x61, count: 4096))
        #expect(large.head.status == 413)
        #expect(try JSONParser.parse(large.body)["error"]?["type"]?.stringValue == "request_too_large")
    }

    @Test func malformedRequestsAreRefusedAndTheServerKeepsServing() throws {
        let server = StreamingHTTPServer(handler: Echo())
        try server.start()
        defer { server.stop() }
        for garbage in ["NONSENSE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "POST /v1/messages HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
                        "GET /" + String(repeating: "a", count: 200_000) + " HTTP/1.1\r\n\r\n"] {
            let client = try HTTPTestClient(port: server.port)
            try? client.sendRaw(Array(garbage.utf8))
            // Refused: an error status, or the connection closed without an answer (never a hang, never a 2xx).
            do {
                let head = try client.readHead()
                #expect((400...599).contains(head.status), "\(garbage.prefix(40))")
            } catch let failure as HTTPTestClient.Failure {
                #expect(failure.description.contains("closed"), "\(garbage.prefix(40)): \(failure)")
            }
        }
        #expect(try HTTPTestClient.exchange(port: server.port, "GET", "/ok").head.status == 200)
    }

    @Test func aStoppedServerDoesNotStartAgain() throws {
        let server = StreamingHTTPServer(handler: Echo())
        try server.start()
        #expect(throws: ProxyServerError.self) { try server.start() }
        server.stop()
        #expect(throws: ProxyServerError.self) { try server.start() }
    }
}
