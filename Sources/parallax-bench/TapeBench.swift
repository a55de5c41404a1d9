import Foundation
import ModelTape
import Recorder

/// What a harness replay adds to each model call: the tape server answered directly over TCP,
/// beside the same server on a Unix socket reached through `parallax-agent relay` (the path an
/// agent in the sandbox takes), measured in the same run.
enum TapeBench {
    static func measure(work: String, calls: Int = 200) throws -> [String: Any] {
        let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        let answer = Array(#"{"id":"chatcmpl-b","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"}}]}"#.utf8)
        let bodies = (0..<calls).map { Array(#"{"model":"gpt-bench","messages":[{"role":"user","content":"step \#($0)"}]}"#.utf8) }
        let entries = try bodies.enumerated().map { index, body in
            TapeEntry(index: index, requestSeq: UInt64(2 * index + 1), digest: try CanonicalRequest(api: .chatCompletions, body: body).digest,
                      provider: "openai", model: "gpt-bench", endpoint: nil, stream: false,
                      response: TapeResponse(responseSeq: UInt64(2 * index + 2), status: 200, headers: [("Content-Type", "application/json")],
                                             chunks: [answer], offsetsMs: [1]))
        }
        let tape = Tape(entries: entries)

        let direct = TapeServer(tape: tape, policy: TapePolicy(reorderWindow: 0))
        try direct.start()
        let port = direct.port
        let directTimes = try bodies.map { try timedCall(port: port, body: $0) }
        let directServed = direct.served.count
        direct.stop()

        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let socketPath = work + "/tape.sock"
        let relayed = TapeServer(tape: tape, policy: TapePolicy(reorderWindow: 0))
        try relayed.start(unixSocket: socketPath)
        defer { relayed.stop() }
        let relayPort = try freePort()
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: binaries + "/parallax-agent")
        relay.arguments = ["relay", "--port", String(relayPort), "--socket", socketPath, "--", "/bin/sleep", "600"]
        try relay.run()
        defer {
            relay.terminate()
            relay.waitUntilExit()
        }
        try waitForListener(port: relayPort, relay: relay)
        let relayTimes = try bodies.map { try timedCall(port: relayPort, body: $0) }

        let directMedian = RecorderBench.median(directTimes) * 1000
        let relayMedian = RecorderBench.median(relayTimes) * 1000
        return [
            "calls": calls,
            "direct_median_ms": rounded(directMedian),
            "through_relay_median_ms": rounded(relayMedian),
            "relay_overhead_ms": rounded(relayMedian - directMedian),
            "served": ["direct": directServed, "through_relay": relayed.served.count],
        ]
    }

    /// One non-streamed call on a fresh connection, timed from connect to the end of the reply.
    static func timedCall(port: UInt16, body: [UInt8]) throws -> Double {
        let started = now()
        let descriptor = try connect(port: port)
        defer { close(descriptor) }
        let head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = Array(head.utf8) + body
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw BenchError("cannot send a request to 127.0.0.1:\(port)")
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            reply += buffer[0..<count]
        }
        guard reply.starts(with: Array("HTTP/1.1 200".utf8)) else {
            throw BenchError("the tape answered \(String(decoding: reply.prefix(200), as: UTF8.self))")
        }
        return now() - started
    }

    static func connect(port: UInt16) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw BenchError("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    /// A loopback port nothing listens on (bound to port 0, then closed).
    static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw BenchError("cannot find a free loopback port: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Waits (up to 10 s) until the relay accepts connections.
    static func waitForListener(port: UInt16, relay: Process) throws {
        let deadline = now() + 10
        while now() < deadline, relay.isRunning {
            if let descriptor = try? connect(port: port) {
                close(descriptor)
                return
            }
            usleep(2000)
        }
        throw BenchError("parallax-agent relay did not listen on 127.0.0.1:\(port)")
    }
}
