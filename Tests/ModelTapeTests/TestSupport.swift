import Foundation
import ModelTape
import Recorder
import Synchronization
import Testing
import TraceModel

/// A session recording into a fresh spool in a temp directory (removed with the fixture).
final class RecordedSession {
    let root: String
    let spool: Spool
    let recorder: SessionRecorder
    let sink: RecorderModelEventSink

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("modeltape-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        spool = try Spool(path: root + "/spool", options: SpoolOptions(fsync: .never))
        let start = EventDraft(kind: .sessionStart, actor: .recorder, data: SessionStart(agentName: "tester", command: ["agent"]).data)
        recorder = try SessionRecorder.create(spool: spool, start: start)
        sink = RecorderModelEventSink(recorder: recorder, blobs: spool.blobs)
    }

    deinit {
        recorder.close()
        try? FileManager.default.removeItem(atPath: root)
    }

    func events() throws -> [Event] {
        try recorder.sync()
        return try spool.records(of: recorder.session, after: nil, limit: .max).map { try Event.decode($0.bytes) }
    }

    func events(_ kind: EventKind) throws -> [Event] { try events().filter { $0.kind == kind } }

    func blob(_ digest: Digest) -> [UInt8]? { try? spool.blobs.read(digest) }

    func tape() throws -> Tape { try Tape(events: try events(), blob: blob) }

    /// Every byte the session stored: segments and blobs.
    func allStoredBytes() throws -> [UInt8] {
        var out: [UInt8] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = root + "/" + path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                out += Array((try? Data(contentsOf: URL(fileURLWithPath: full))) ?? Data())
            }
        }
        return out
    }
}

/// A scripted model upstream on 127.0.0.1: answers each request with the reply `script` returns and
/// keeps every request it received.
final class ScriptedUpstream {
    private let log = RequestLog()
    private let server: StreamingHTTPServer

    init(_ script: @escaping @Sendable (ProxyRequest) -> ProxyReply) throws {
        server = StreamingHTTPServer(handler: ScriptHandler(script: script, log: log))
        try server.start()
    }

    deinit { server.stop() }

    var port: UInt16 { server.port }
    var openAIBase: String { "http://127.0.0.1:\(port)/v1" }
    var anthropicBase: String { "http://127.0.0.1:\(port)" }
    var requests: [ProxyRequest] { log.entries.withLock { $0 } }

    func stop() { server.stop() }
}

final class RequestLog: Sendable {
    let entries = Mutex<[ProxyRequest]>([])
}

private struct ScriptHandler: ProxyHandler {
    let script: @Sendable (ProxyRequest) -> ProxyReply
    let log: RequestLog

    func handle(_ request: ProxyRequest) -> ProxyReply {
        log.entries.withLock { $0.append(request) }
        return script(request)
    }
}

/// A port on 127.0.0.1 with nothing listening (bound, then closed).
func unusedPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    try #require(bound == 0)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
