import Dispatch
import Foundation
import Synchronization
import TraceModel
@testable import Collector
#if canImport(Glibc)
import Glibc
#endif

/// A response as read off a raw socket.
struct RawResponse {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONParser.parse(body) }
}

/// A blocking TCP client speaking just enough HTTP/1.1 to test the server, including hostile clients.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:port. Reads and writes give up after `timeout` seconds so a test cannot hang.
    init(port: UInt16, timeout: Double = 20) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if let error = RawClient.connect(fd, port: port) {
            Glibc.close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
        }
    }

    deinit { Glibc.close(fd) }

    /// errno of a connection attempt to 127.0.0.1:port, nil when it connects.
    static func connectError(port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        return connect(fd, port: port)
    }

    private static func connect(_ fd: Int32, port: UInt16) -> Int32? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0 ? nil : errno
    }

    /// Sends everything; false when the connection broke.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Whether bytes (or end of stream) are waiting, after at most `milliseconds`.
    func isReadable(milliseconds: Int32 = 0) -> Bool {
        if !buffer.isEmpty { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    /// Reads more bytes into the buffer; false at end of stream, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            buffer += chunk[..<n]
            return true
        }
    }

    /// The status and headers (names lowercased, repeats joined with ", ") of a response head
    /// without its final blank line; nil when the status line is malformed.
    static func parseHead(_ text: String) -> (status: Int, headers: [String: String])? {
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value  // a repeated header shows
        }
        return (status, headers)
    }

    /// Reads one response (an interim 100 Continue counts as one). Nil if the stream ends first.
    func readResponse() -> RawResponse? {
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = RawClient.find([13, 10, 13, 10], in: buffer)
            if headerEnd == nil && !fill() { return nil }
        }
        guard let (status, headers) = RawClient.parseHead(String(decoding: buffer[..<headerEnd!], as: UTF8.self)) else { return nil }
        buffer.removeFirst(headerEnd! + 4)
        let length = status < 200 ? 0 : Int(headers["content-length"] ?? "") ?? -1
        if length >= 0 {
            while buffer.count < length { if !fill() { return nil } }
            let body = Array(buffer[..<length])
            buffer.removeFirst(length)
            return RawResponse(status: status, headers: headers, body: body)
        }
        while fill() {}
        defer { buffer = [] }
        return RawResponse(status: status, headers: headers, body: buffer)
    }

    /// Sends a request and reads its response.
    func exchange(_ request: String, body: [UInt8] = []) -> RawResponse? {
        guard send(Array(request.utf8) + body) else { return nil }
        return readResponse()
    }

    /// Whether the server closed the connection (end of stream with nothing more to read).
    func isClosedByPeer() -> Bool { buffer.isEmpty && !fill() }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }
}

/// Runs `body` on `count` threads at once and waits for all of them.
func onThreads(_ count: Int, timeout: Double = 60, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread { body(index); group.leave() }.start()
    }
    return group.wait(timeout: .now() + timeout) == .success
}

/// Polls `condition` until it holds or `timeout` seconds pass.
func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}

/// A door a handler waits at until the test opens it.
final class Gate: Sendable {
    let arrived = DispatchSemaphore(value: 0)
    private let opened = DispatchSemaphore(value: 0)
    func pass() {
        arrived.signal()
        opened.wait()
    }
    func open(times: Int = 1) { for _ in 0..<times { opened.signal() } }
}

/// The handler the server tests run against:
/// - `/echo` returns the body; `/inspect` returns what the server parsed, as JSON;
/// - `/slow` waits at the gate; `/reject` is refused in preflight with 401;
/// - `/head` answers HEAD with an explicit Content-Length.
final class TestHandler: HTTPHandler {
    let gate = Gate()
    private let counts = Mutex((preflights: 0, handled: 0))
    var preflights: Int { counts.withLock { $0.preflights } }
    var handled: Int { counts.withLock { $0.handled } }

    func preflight(_ head: HTTPRequestHead) -> HTTPResponse? {
        counts.withLock { $0.preflights += 1 }
        if head.path == "/reject" { return .error(401, code: "unauthorized", message: "no token") }
        return nil
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        counts.withLock { $0.handled += 1 }
        switch request.path {
        case "/echo":
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: request.body)
        case "/slow":
            gate.pass()
            return .text(200, "slow done")
        case "/head":
            return HTTPResponse(status: 200, headers: [("Content-Length", "1234"), ("X-Blob", "yes")])
        default:
            return .json(200, inspect(request).canonicalBytes())
        }
    }

    private func inspect(_ request: HTTPRequest) -> JSONValue {
        var query: [String: JSONValue] = [:]
        for (name, values) in request.query { query[name] = .array(values.map { .string($0) }) }
        var headers: [String: JSONValue] = [:]
        for (name, value) in request.headers { headers[name] = .string(value) }
        return .object([
            "method": .string(request.method), "path": .string(request.path), "query": .object(query),
            "headers": .object(headers), "bodyLength": .number(JSONNumber(request.body.count)),
            "remote": request.remoteAddress.map { .string($0) } ?? .null,
            "xCase": request.header("X-CASE").map { .string($0) } ?? .null,
        ])
    }
}

/// A started server on 127.0.0.1 with a fresh `TestHandler`; shut down by `stop()`.
struct TestServer {
    let server: HTTPServer
    let handler: TestHandler
    var port: UInt16 { server.port }

    init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration(threads: 4)
        configure(&configuration)
        handler = TestHandler()
        server = try HTTPServer(configuration: configuration, handler: handler)
        try server.start()
    }

    func client() throws -> RawClient { try RawClient(port: port) }

    func stop() { server.shutdown(drainTimeout: 5) }
}

/// A request head with Host and the given extra header lines.
func requestHead(_ method: String, _ target: String, _ headers: [String] = []) -> String {
    ([method + " " + target + " HTTP/1.1", "Host: 127.0.0.1"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
}

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: count)
    bytes.withUnsafeMutableBytes { raw in
        for offset in stride(from: 0, to: count, by: 8) {
            var word = generator.next()
            withUnsafeBytes(of: &word) { source in
                for index in 0..<min(8, count - offset) { raw[offset + index] = source[index] }
            }
        }
    }
    return bytes
}
