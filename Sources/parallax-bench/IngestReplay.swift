import Dispatch
import Foundation
import Synchronization
import TraceModel
import TraceWire
#if canImport(Glibc)
import Glibc
#endif

/// One pre-encoded `POST /v1/events` request: head (with the sender's token) and zstd NDJSON body.
struct PreparedBatch: Sendable {
    let request: [UInt8]
    let events: Int
}

/// What one replay against the collector measured.
struct IngestRun: Sendable {
    /// Events in batches answered 200 (every one of them durably stored or already stored).
    var events = 0
    var accepted = 0
    var duplicates = 0
    var seconds = 0.0
    /// Seconds from when each batch was due (sent, or scheduled when paced) to its 200.
    var latencies: [Double] = []
    /// 429/503 answers that were retried after their Retry-After.
    var retries = 0
    var errors: [String] = []

    var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }

    /// The `p`-quantile (0…1) of the latencies, in milliseconds (nearest rank).
    func latencyMilliseconds(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        let rank = min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[rank] * 1000
    }
}

/// Replays pre-compressed batches from concurrent sender threads, each on its own keep-alive
/// connection, and times every acknowledgement.
enum IngestReplay {
    /// Deals whole sessions round-robin to `tokens.count` senders (no session is sent by two
    /// senders, so nothing is a duplicate) and cuts each sender's events into zstd batches.
    static func prepare(_ events: [Event], tokens: [String], batchEvents: Int) -> [[PreparedBatch]] {
        var perSender = Array(repeating: [Event](), count: tokens.count)
        var sessionIndex = -1
        var current: SessionID?
        for event in events {
            if event.session != current {
                current = event.session
                sessionIndex += 1
            }
            perSender[sessionIndex % tokens.count].append(event)
        }
        return perSender.enumerated().map { sender, mine in
            stride(from: 0, to: mine.count, by: batchEvents).map { start in
                let batch = Array(mine[start..<min(start + batchEvents, mine.count)])
                let body = NDJSONBatch.encodeCompressed(batch, level: 3)
                let head = "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(tokens[sender])\r\n"
                    + "Content-Type: application/x-ndjson\r\nContent-Encoding: zstd\r\nContent-Length: \(body.count)\r\n\r\n"
                return PreparedBatch(request: Array(head.utf8) + body, events: batch.count)
            }
        }
    }

    /// Sends every sender's batches in order, all senders at once. With `eventsPerSecond` the
    /// senders are paced open-loop (batch k of a sender is due at a fixed time, and its latency
    /// counts from then, so a late reply also delays what follows); without, they send back to back.
    static func run(_ batches: [[PreparedBatch]], port: UInt16, eventsPerSecond: Double? = nil) -> IngestRun {
        let shared = Shared(senders: batches.count)
        let ready = DispatchGroup()
        let done = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        // Each sender offers rate/senders events per second; senders are staggered within a period.
        let interval = eventsPerSecond.map { Double(batches.first?.first?.events ?? 1) * Double(batches.count) / $0 }
        // Senders connect one after another (each answered once before the next connects), as
        // recorders starting at different moments do.
        for (sender, mine) in batches.enumerated() {
            ready.enter()
            done.enter()
            Thread.detachNewThread {
                var run = IngestRun()
                let connection = Result { () throws(BenchError) in
                    let connection = try LoopbackConnection(port: port)
                    let health = try connection.exchange(Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
                    guard health.status == 200 else { throw BenchError("GET /healthz: HTTP \(health.status)") }
                    return connection
                }
                ready.leave()
                go.wait()
                let start = shared.start.withLock { $0 }
                do {
                    let connection = try connection.get()
                    for (k, batch) in mine.enumerated() {
                        var due = now()
                        if let interval {
                            due = start + interval * (Double(k) + Double(sender) / Double(batches.count))
                            let wait = due - now()
                            if wait > 0 { usleep(UInt32(wait * 1e6)) }
                        }
                        try send(batch, on: connection, into: &run)
                        run.latencies.append(now() - due)
                    }
                } catch {
                    run.errors.append("sender \(sender): \(error)")
                }
                shared.runs.withLock { $0[sender] = run }
                done.leave()
            }
            ready.wait()
        }
        let start = now()
        shared.start.withLock { $0 = start }
        for _ in batches { go.signal() }
        done.wait()
        var total = IngestRun()
        total.seconds = now() - start
        for run in shared.runs.withLock({ $0 }) {
            total.events += run.events
            total.accepted += run.accepted
            total.duplicates += run.duplicates
            total.latencies += run.latencies
            total.retries += run.retries
            total.errors += run.errors
        }
        return total
    }

    /// One batch until a 200; 429 and 503 are retried after their Retry-After, as a recorder would.
    private static func send(_ batch: PreparedBatch, on connection: LoopbackConnection, into run: inout IngestRun) throws(BenchError) {
        while true {
            let reply = try connection.exchange(batch.request)
            switch reply.status {
            case 200:
                let json = try? JSONParser.parse(reply.body)
                let accepted = Int(json?["accepted"]?.int64Value ?? 0)
                let duplicates = Int(json?["duplicates"]?.int64Value ?? 0)
                run.accepted += accepted
                run.duplicates += duplicates
                run.events += batch.events
                if accepted + duplicates != batch.events {
                    throw BenchError("a batch of \(batch.events) events came back with \(accepted) accepted, \(duplicates) duplicates")
                }
                return
            case 429, 503:
                run.retries += 1
                let line = reply.headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("retry-after:") }
                let after = line.flatMap { Int($0.dropFirst("retry-after:".count).trimmingCharacters(in: .whitespaces)) } ?? 1
                usleep(UInt32(max(1, after)) * 1_000_000)
            default:
                throw BenchError("HTTP \(reply.status): \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
            }
        }
    }

    private final class Shared: Sendable {
        let runs: Mutex<[IngestRun]>
        let start = Mutex(0.0)
        init(senders: Int) { runs = Mutex(Array(repeating: IngestRun(), count: senders)) }
    }
}
