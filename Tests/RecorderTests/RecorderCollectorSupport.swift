import Collector
import Foundation
import Recorder
import Shipper
import Synchronization
import Testing
import TraceModel
import TraceStore
import TraceWire

/// A real collector on 127.0.0.1 over a temp-dir SQLite store with an ingest and a read token of
/// project "alpha". It can be stopped and started again on the same port (outage tests).
final class RecorderCollector: Sendable {
    let directory: String
    let store: SQLiteStore
    let ingest: IssuedToken
    let read: IssuedToken
    let configuration: CollectorConfiguration
    private let server: Mutex<CollectorServer?>
    let port: UInt16

    init(_ configure: (inout CollectorConfiguration) -> Void = { _ in }) throws {
        directory = NSTemporaryDirectory() + "shipcol-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory + "/collector.sqlite")
        ingest = try store.createToken(project: "alpha", role: .ingest, name: "alpha-ingest")
        read = try store.createToken(project: "alpha", role: .read, name: "alpha-read")
        var configuration = CollectorConfiguration()
        configuration.port = 0
        configuration.threads = 2
        configure(&configuration)
        let server = try CollectorServer(store: store, configuration: configuration)
        try server.start()
        port = server.port
        configuration.port = port
        self.configuration = configuration
        self.server = Mutex(server)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Stops serving; the port refuses connections until `restart`.
    func stop() {
        let running = server.withLock { server -> CollectorServer? in
            defer { server = nil }
            return server
        }
        running?.shutdown(drainTimeout: 5)
    }

    /// Serves again on the same port over the same store.
    func restart() throws {
        stop()
        let next = try CollectorServer(store: store, configuration: configuration)
        try next.start()
        server.withLock { $0 = next }
    }

    /// A shipper configuration for this collector with the ingest token.
    func shipping(_ urls: [String]? = nil) -> ShipperConfiguration {
        var configuration = ShipperConfiguration(collectors: urls ?? [url], token: ingest.token)
        configuration.requestTimeout = 10
        return configuration
    }

    /// `GET /v1/sessions/<id>/events` as the reader: the stored canonical bytes, LF after each.
    func storedEvents(_ session: SessionID) throws -> [UInt8] {
        let response = try CollectorClient(url: url, token: read.token).request("GET", "/v1/sessions/\(session)/events")
        if response.status == 404 { return [] }
        #expect(response.status == 200, "GET events: \(response.status) \(response.text)")
        return response.body
    }

    func hasBlob(_ digest: Digest) throws -> Bool { try store.hasBlob(digest, project: "alpha") }
}

/// Helpers the shipper tests share (namespaced so they do not collide with other suites' helpers).
enum ShipperFixture {
    /// A spool in a fresh temp directory.
    static func spool(_ options: SpoolOptions = .init(fsync: .never)) throws -> Spool {
        try Spool(path: NSTemporaryDirectory() + "shipspool-\(UUID().uuidString)", options: options)
    }

    /// The NDJSON the collector serves for `records`: their bytes and a LF each.
    static func ndjson(_ records: [SpooledEvent]) -> [UInt8] {
        records.flatMap { $0.bytes + [0x0A] }
    }

    /// Every record of a session still in the spool.
    static func records(_ spool: Spool, _ session: SessionID) throws -> [SpooledEvent] {
        try spool.records(of: session, after: nil, limit: 1_000_000)
    }

    /// Starts a session and records `count` messages after its `session.start`.
    static func recordSession(_ spool: Spool, messages count: Int, end: Bool = false) throws -> SessionRecorder {
        let recorder = try SessionRecorder.create(spool: spool, start: EventDraft(
            kind: .sessionStart, actor: .system, data: ["agent": .object(["name": .string("ship-test")])]))
        for i in 0..<count {
            try recorder.record(EventDraft(kind: .message, actor: .agent, data: ["role": .string("assistant"), "text": .string("step \(i)")]))
        }
        if end { try recorder.end(EventDraft(kind: .sessionEnd, actor: .system, data: ["status": .string("completed")])) }
        try recorder.sync()
        return recorder
    }

    /// Waits for `condition` with a deadline (a condition, not a fixed pause).
    static func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try condition()
    }

    /// A port on 127.0.0.1 with nothing listening (bound once, then released).
    static func deadPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Virtual time: `sleep` records the wait and moves the clock, so tests check waits without taking them.
    final class ManualClock: ShipperClock {
        private let state = Mutex<(now: Double, sleeps: [Double])>((1000, []))

        func now() -> Double { state.withLock { $0.now } }

        func sleep(_ seconds: Double, signal: ShipperSignal?) {
            state.withLock {
                $0.sleeps.append(seconds)
                $0.now += max(0, seconds)
            }
        }

        var sleeps: [Double] { state.withLock { $0.sleeps } }
    }
}

/// One request a `ScriptedHTTPServer` received.
struct ScriptedRequest: Sendable {
    var method: String
    var target: String
    /// Header names lowercased.
    var headers: [String: String]
    var body: [UInt8]
}

/// The reply a `ScriptedHTTPServer` sends.
struct ScriptedReply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []

    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> ScriptedReply {
        ScriptedReply(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    /// Sends `request` on to a real collector and hands back its answer.
    static func forward(_ request: ScriptedRequest, to url: String, token: String) -> ScriptedReply {
        var headers: [(String, String)] = []
        for name in ["content-type", "content-encoding"] { if let value = request.headers[name] { headers.append((name, value)) } }
        do {
            let response = try CollectorClient(url: url, token: token).request(request.method, request.target, headers: headers,
                                                                               body: request.body.isEmpty ? nil : request.body)
            return ScriptedReply(status: response.status, headers: response.headers["content-type"].map { [("Content-Type", $0)] } ?? [],
                                 body: response.body)
        } catch {
            return .json(502, #"{"error":"bad_gateway","message":"\#(error)"}"#)
        }
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (port 0) whose answers a test scripts: a plain accept loop on
/// its own thread, one request per connection (`Connection: close`).
final class ScriptedHTTPServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)
    private let log = RequestLog()

    private final class RequestLog: Sendable {
        let items = Mutex<[ScriptedRequest]>([])
    }

    /// `handler` gets each request and how many came before it.
    init(handler: @escaping @Sendable (ScriptedRequest, Int) -> ScriptedReply) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot listen on 127.0.0.1"])
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let log = self.log
        let done = self.done
        Thread.detachNewThread {
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    break
                }
                if let request = Self.readRequest(connection) {
                    let index = log.items.withLock { list -> Int in
                        list.append(request)
                        return list.count - 1
                    }
                    Self.write(handler(request, index), for: request, to: connection)
                }
                close(connection)
            }
            done.signal()
        }
    }

    deinit { stop() }

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [ScriptedRequest] { log.items.withLock { $0 } }

    /// Stops accepting and waits for the accept loop to end.
    func stop() {
        guard shutdown(listener, Int32(SHUT_RDWR)) == 0 else { return }
        done.wait()
        close(listener)
    }

    private static func readRequest(_ fd: Int32) -> ScriptedRequest? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var headEnd: Int?
        while headEnd == nil {
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            buffer += chunk[0..<n]
            if let range = buffer.firstRange(of: [13, 10, 13, 10]) { headEnd = range.upperBound }
            if buffer.count > 1 << 20 { return nil }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { return nil }
        let parts = lines.removeFirst().split(separator: " ")
        guard parts.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" { send(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(buffer[headEnd!...])
        while body.count < length {
            let n = recv(fd, &chunk, min(chunk.count, length - body.count), 0)
            guard n > 0 else { return nil }
            body += chunk[0..<n]
        }
        return ScriptedRequest(method: String(parts[0]), target: String(parts[1]), headers: headers, body: body)
    }

    private static func write(_ reply: ScriptedReply, for request: ScriptedRequest, to fd: Int32) {
        var head = "HTTP/1.1 \(reply.status) Scripted\r\nContent-Length: \(reply.body.count)\r\nConnection: close\r\n"
        for (name, value) in reply.headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        send(fd, Array(head.utf8) + (request.method == "HEAD" ? [] : reply.body))
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }
}
