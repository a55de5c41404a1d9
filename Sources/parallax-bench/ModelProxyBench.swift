import Foundation
import ModelTape
import Recorder
import TraceModel

#if canImport(Glibc)
import Glibc
#endif

/// Proxy overhead per streamed call: the same streamed chat completion fetched straight from a
/// local scripted upstream and through the recording proxy (recording into a spool session),
/// alternating, in the same run.
enum ModelProxyBench {
    static let chunks = 50

    static func measure(work: String, runs: Int = 100) throws -> [String: Any] {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let upstream = StreamingHTTPServer(handler: StreamingUpstream())
        try upstream.start()
        defer { upstream.stop() }
        let spool = try Spool(path: work + "/spool")
        let recorder = try SessionRecorder.create(
            spool: spool, start: EventDraft(kind: .sessionStart, actor: .recorder, data: ["agent": .object(["name": .string("bench")])]))
        defer { recorder.close() }
        let proxy = try RecordingProxy(
            configuration: ModelProxyConfiguration(openAIUpstream: "http://127.0.0.1:\(upstream.port)/v1",
                                                   anthropicUpstream: "http://127.0.0.1:\(upstream.port)"),
            sink: RecorderModelEventSink(recorder: recorder, blobs: spool.blobs))
        let urls = try proxy.start()
        defer { proxy.stop() }
        let proxyPort = UInt16(urls.anthropic.split(separator: ":").last!)!
        let body = Array(#"{"model":"bench","stream":true,"messages":[{"role":"user","content":"go"}]}"#.utf8)

        var direct: [Double] = [], proxied: [Double] = []
        var expected = 0
        for run in 0..<(runs + 5) {
            let (d, dBytes) = try timedCall(port: upstream.port, body: body)
            let (p, pBytes) = try timedCall(port: proxyPort, body: body)
            guard dBytes == pBytes, dBytes > 0 else { throw BenchError("model proxy: direct call got \(dBytes) bytes, proxied \(pBytes)") }
            expected = dBytes
            if run >= 5 {  // the first calls warm up connections and the upstream client
                direct.append(d)
                proxied.append(p)
            }
        }
        guard proxy.proxy.waitUntilIdle(timeoutSeconds: 30) else { throw BenchError("model proxy: recordings did not finish") }
        let overhead = (median(proxied) - median(direct)) * 1000
        return [
            "streamed_call_proxied_median_ms": rounded(median(proxied) * 1000),
            "streamed_call_direct_median_ms": rounded(median(direct) * 1000),
            "overhead_median_ms": rounded(overhead),
            "chunks_per_call": chunks, "body_bytes": expected, "runs": runs,
            "recording_failures": proxy.proxy.recordingFailures,
        ]
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// One POST on a fresh connection, read to the end; returns seconds and body-and-framing bytes.
    static func timedCall(port: UInt16, body: [UInt8]) throws -> (Double, Int) {
        let start = now()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect to port \(port): errno \(errno)") }
        let request = Array("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw BenchError("send: errno \(errno)")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n >= 0 else { throw BenchError("recv: errno \(errno)") }
            if n == 0 { break }
            received += buffer[..<n]
        }
        guard let headEnd = received.firstRange(of: [13, 10, 13, 10]) else { throw BenchError("no HTTP head from port \(port)") }
        let events = received[headEnd.upperBound...].split(separator: 10, omittingEmptySubsequences: true).filter { $0.starts(with: Array("data:".utf8)) }
        return (now() - start, events.reduce(0) { $0 + $1.count })
    }
}

/// Streams a chat completion of `ModelProxyBench.chunks` events, one chunk each.
private struct StreamingUpstream: ProxyHandler {
    func handle(_ request: ProxyRequest) -> ProxyReply {
        let stream = ChunkStream()
        for i in 0..<ModelProxyBench.chunks {
            stream.push(Array(#"data: {"id":"c","object":"chat.completion.chunk","model":"bench","choices":[{"index":0,"delta":{"content":"token \#(i) "}}]}"#.utf8) + [10, 10])
        }
        stream.push(Array("data: [DONE]\n\n".utf8))
        stream.finish()
        return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream(stream))
    }
}
