import Foundation
import Recorder
import Synchronization
import Testing
import TraceModel

@Suite struct RecorderSocketTests {
    static func socketPath() -> String {
        "/tmp/px-sock-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
    }

    @Test func requestsRoundTripThroughTheSocket() throws {
        let received = Mutex<[RecorderRequest]>([])
        let path = Self.socketPath()
        let server = try RecorderSocketServer(path: path) { request in
            let count = received.withLock { list -> Int in
                list.append(request)
                return list.count
            }
            return .ok(UInt64(count))
        }
        defer { server.stop() }
        let client = try RecorderSocketClient(path: path)
        let draft = EventDraft(kind: "annotation", actor: .user, data: ["label": .string("ok")], cause: 2)
        #expect(try client.send(.event(draft)) == .ok(1))
        #expect(try client.send(.execBegin(argv: ["ls", "-l"], cwd: "/w")) == .ok(2))
        #expect(try client.send(.execEnd(begin: 2, data: ["argv": .array([.string("ls")])], blobs: [:])) == .ok(3))
        let seen = received.withLock { $0 }
        #expect(seen.first == .event(draft))
        #expect(seen.dropFirst().first == .execBegin(argv: ["ls", "-l"], cwd: "/w"))
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func badLinesAreAnsweredWithTheFieldAndTheConnectionStaysUsable() throws {
        let path = Self.socketPath()
        let server = try RecorderSocketServer(path: path) { _ in .ok(7) }
        defer { server.stop() }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(connected == 0)
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        let lines = [
            "not json",
            "[1,2]",
            #"{"kind":"Bad Kind","data":{}}"#,
            #"{"kind":"message","data":{"role":"user"}}"#,
            #"{"kind":"annotation","actor":"robot","data":{}}"#,
            #"{"op":"explode"}"#,
            #"{"kind":"annotation","data":{"label":"fine"}}"#,
        ]
        handle.write(Data(lines.joined(separator: "\n").utf8 + [0x0A]))
        var replies: [String] = []
        var pending = Data()
        while replies.count < lines.count {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                replies.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        #expect(replies.count == lines.count)
        #expect(replies[0].contains("invalid JSON"))
        #expect(replies[1].contains("expected a JSON object"))
        #expect(replies[2].contains("kind"))
        #expect(replies[3].contains("data.text"))
        #expect(replies[4].contains("actor"))
        #expect(replies[5].contains("op"))
        #expect(replies[6] == #"{"ok":true,"seq":7}"#)
    }

    @Test func connectingWithoutARecorderNamesThePath() {
        let path = Self.socketPath()
        #expect {
            _ = try RecorderSocketClient(path: path)
        } throws: { error in
            (error as? RecorderSocketError)?.description.contains(path) == true
        }
    }

    @Test func overlongPathsAreRefusedClearly() {
        let path = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: RecorderSocketError.self) { _ = try RecorderSocketServer(path: path) { _ in .ok(0) } }
    }
}

extension RecorderSocketTests {
    /// A line longer than the limit is refused with a reason and the connection closed; the server
    /// keeps serving new connections.
    @Test func anOverlongLineIsRefusedAndTheServerKeepsServing() throws {
        let path = Self.socketPath()
        let server = try RecorderSocketServer(path: path) { _ in .ok(1) }
        defer { server.stop() }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(connected == 0)
        // No newline within the limit: the server answers once it has read past it.
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        // send with MSG_NOSIGNAL: the server hangs up mid-stream, which must not raise SIGPIPE here.
        let writer = Thread {
            var total = 0
            while total <= RecorderRequest.maxLineBytes {
                let sent = chunk.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0 { break }
                total += sent
            }
        }
        writer.start()
        var reply = Data()
        while !reply.contains(0x0A) {
            let more = handle.availableData
            if more.isEmpty { break }
            reply.append(more)
        }
        #expect(String(decoding: reply, as: UTF8.self).contains("longer than"))
        // A fresh client is still answered.
        let client = try RecorderSocketClient(path: path)
        #expect(try client.send(.event(EventDraft(kind: "annotation", actor: .user, data: ["label": .string("x")]))) == .ok(1))
    }
}
