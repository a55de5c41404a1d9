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
