import Foundation
import Synchronization
import Testing
import TraceModel
@testable import Collector
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("HTTP server: requests and responses")
struct HTTPServerTests {
    @Test func postRoundTripsAFiveMegabyteBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let body = randomBytes(5 << 20)
        let client = try server.client()
        let response = try #require(client.exchange(
            requestHead("POST", "/echo", ["Content-Length: \(body.count)", "Content-Type: application/octet-stream"]),
            body: body))
        #expect(response.status == 200)
        #expect(response.body == body)
    }

    @Test func urlSessionGetAndPost() async throws {
        let server = try TestServer()
        defer { server.stop() }
        let session = URLSession(configuration: .ephemeral)
        let base = "http://127.0.0.1:\(server.port)"
        let (getData, getResponse) = try await session.data(from: URL(string: base + "/inspect?a=1")!)
        #expect((getResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect(try JSONParser.parse(Array(getData))["query"]?["a"] == ["1"])

        var post = URLRequest(url: URL(string: base + "/echo")!)
        post.httpMethod = "POST"
        let body = randomBytes(300_000)
        post.httpBody = Data(body)
        let (postData, postResponse) = try await session.data(for: post)
        #expect((postResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect(Array(postData) == body)
    }

    @Test func parsesQueryHeadersAndPath() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        let response = try #require(client.exchange(requestHead(
            "GET", "/inspect/a%2Fb?x=1&x=2&y=hello+world&z=%E2%9C%93&flag&&empty=",
            ["X-Multi: a", "X-Multi: b", "X-Case: Value", "Content-Type: text/plain"])))
        #expect(response.status == 200)
        let json = try #require(response.json)
        #expect(json["method"] == "GET")
        #expect(json["path"] == "/inspect/a%2Fb")
        #expect(json["query"] == ["x": ["1", "2"], "y": ["hello world"], "z": ["✓"], "flag": [""], "empty": [""]])
        #expect(json["headers"]?["x-multi"] == "a, b")
        #expect(json["headers"]?["content-type"] == "text/plain")
        #expect(json["xCase"] == "Value")
        #expect(json["remote"] == "127.0.0.1")
        #expect(json["bodyLength"] == 0)
    }

    @Test func absoluteFormTargetIsReducedToItsPath() throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try #require(try server.client().exchange(requestHead("GET", "http://example.com:80/inspect/x?q=1")))
        #expect(response.status == 200)
        #expect(response.json?["path"] == "/inspect/x")
        #expect(response.json?["query"] == ["q": ["1"]])
    }

    @Test(arguments: ["/inspect?x=%zz", "/inspect?x=%E2%9C", "/inspect?%", "/inspect?a=%4"])
    func malformedQueryGets400(target: String) throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try #require(try server.client().exchange(requestHead("GET", target)))
        #expect(response.status == 400)
        #expect(response.json?["error"] == "bad_request")
        #expect(server.handler.handled == 0)
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        for index in 0..<3 {
            let body = Array("request \(index)".utf8)
            let response = try #require(client.exchange(requestHead("POST", "/echo", ["Content-Length: \(body.count)"]), body: body))
            #expect(response.status == 200)
            #expect(response.body == body)
            #expect(response.headers["connection"]?.lowercased() != "close")
        }
    }

    @Test func chunkedBodyUnderTheLimitArrivesWhole() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        let parts = [randomBytes(1000), randomBytes(70_000), randomBytes(1)]
        var wire = Array(requestHead("POST", "/echo", ["Transfer-Encoding: chunked"]).utf8)
        for part in parts { wire += Array((String(part.count, radix: 16) + "\r\n").utf8) + part + [13, 10] }
        wire += Array("0\r\n\r\n".utf8)
        client.send(wire)
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.body == parts.flatMap { $0 })
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        client.send(requestHead("POST", "/echo", ["Content-Length: 11", "Expect: 100-continue"]))
        let interim = try #require(client.readResponse())
        #expect(interim.status == 100)
        client.send("hello world")
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "hello world")
    }

    @Test func headAnswersWithTheHandlersContentLengthAndNoBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        client.send(requestHead("HEAD", "/head"))
        // A HEAD reply has no body whatever its Content-Length says; read the head only.
        var head: [UInt8] = []
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
            var byte: UInt8 = 0
            guard recv(client.fd, &byte, 1, 0) == 1 else { break }
            head.append(byte)
        }
        let text = String(decoding: head, as: UTF8.self).lowercased()
        #expect(text.hasPrefix("http/1.1 200"))
        #expect(text.contains("content-length: 1234\r\n"))
        #expect(text.contains("x-blob: yes\r\n"))
        // The connection stays usable: the next response follows directly.
        let next = try #require(client.exchange(requestHead("GET", "/inspect")))
        #expect(next.status == 200)
    }

    @Test func fiftyConcurrentRequestsAreAllAnswered() throws {
        let server = try TestServer { $0.threads = 8 }
        defer { server.stop() }
        let results = Mutex([Int: Bool]())
        let port = server.port
        let finished = onThreads(50) { index in
            let body = Array("client \(index) ".utf8) + randomBytes(10_000)
            let response = (try? RawClient(port: port))?.exchange(
                requestHead("POST", "/echo", ["Content-Length: \(body.count)"]), body: body)
            results.withLock { $0[index] = response?.status == 200 && response?.body == body }
        }
        #expect(finished)
        let answered = results.withLock { $0 }
        #expect(answered.count == 50)
        #expect(answered.values.allSatisfy { $0 })
        #expect(waitUntil { server.server.activeRequests == 0 })
    }
}
