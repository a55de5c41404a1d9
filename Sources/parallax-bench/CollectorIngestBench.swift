import Foundation
import TraceModel

/// `collector_ingest`: the collector as a subprocess (default settings: synchronous=FULL, tokens)
/// taking pre-compressed 1000-event batches from 4 concurrent loopback senders. A 200 means the
/// batch is durably committed, so every figure is acknowledged, durable events.
enum CollectorIngestBench {
    static let senders = 4
    static let batchEvents = 1000
    static let targetEventsPerSecond = 150_000.0
    static let targetHalfLoadP99Milliseconds = 50.0
    static let targetPeakRSSBytes = 200.0 * 1_048_576

    /// Runs full load with `events`, then half that rate with fresh sessions, and reports both beside
    /// the raw-SQLite baseline and store-append figures measured earlier in the same run.
    static func measure(events: [Event], work: String, rawBaseline: Double, storeAppend: Double) throws -> [String: Any] {
        guard let binary = CollectorUnderTest.binaryPath() else {
            throw BenchError("no parallax binary beside parallax-bench (build the package, or set PARALLAX_BIN)")
        }
        let database = work + "/collector.sqlite"
        let tokens = try (0..<senders).map {
            try CollectorUnderTest.createToken(binary: binary, database: database, project: "bench", role: "ingest", name: "sender-\($0)")
        }
        let fullBatches = IngestReplay.prepare(events, tokens: tokens, batchEvents: batchEvents)
        let collector = try CollectorUnderTest(binary: binary, database: database, log: work + "/collector.log")
        var stopped = false
        defer { if !stopped { _ = collector.stop() } }

        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.flatMap { Double($0) } ?? -1
        let cpuBefore = collector.threadCPUSeconds()
        let full = IngestReplay.run(fullBatches, port: collector.port)
        let cpu = collector.threadCPUSeconds().map { tid, seconds in seconds - (cpuBefore[tid] ?? 0) }
        guard full.errors.isEmpty else { throw BenchError("full load: \(full.errors.joined(separator: "; "))") }

        // Half load: fresh sessions (nothing a duplicate), about six seconds' worth at the paced rate.
        let halfRate = full.eventsPerSecond / 2
        var trace = SyntheticTrace(seed: 4_242)
        var fresh: [Event] = []
        let wanted = min(300_000, max(20_000, Int(halfRate * 6)))
        while fresh.count < wanted { fresh += trace.session() }
        let halfBatches = IngestReplay.prepare(fresh, tokens: tokens, batchEvents: batchEvents)
        let half = IngestReplay.run(halfBatches, port: collector.port, eventsPerSecond: halfRate)
        guard half.errors.isEmpty else { throw BenchError("half load: \(half.errors.joined(separator: "; "))") }

        let peakRSS = Double(collector.peakRSSBytes())
        let exitStatus = collector.stop()
        stopped = true

        let rate = full.eventsPerSecond
        let halfP99 = half.latencyMilliseconds(0.99)
        let meets: [String: Bool] = [
            "events_per_s": rate >= targetEventsPerSecond,
            "half_load_p99_ack_latency": halfP99 <= targetHalfLoadP99Milliseconds,
            "collector_peak_rss": peakRSS <= targetPeakRSSBytes,
        ]
        func latency(_ run: IngestRun) -> [String: Any] {
            ["p50": rounded(run.latencyMilliseconds(0.5), 1), "p99": rounded(run.latencyMilliseconds(0.99), 1),
             "max": rounded(run.latencyMilliseconds(1), 1)]
        }
        return [
            "senders": senders,
            "batch_events": batchEvents,
            "full_load": [
                "events": full.events, "batches": full.latencies.count, "seconds": rounded(full.seconds, 2),
                "events_per_s": Int(rate), "ack_latency_ms": latency(full), "retries_429_503": full.retries,
            ] as [String: Any],
            "half_load": [
                "offered_events_per_s": Int(halfRate), "events_per_s": Int(half.eventsPerSecond), "events": half.events,
                "batches": half.latencies.count, "ack_latency_ms": latency(half), "retries_429_503": half.retries,
            ] as [String: Any],
            // Where the collector's CPU went during the full-load run: cores used on average, and
            // threads that used over a tenth of a core (the commit thread and the busy HTTP workers).
            "full_load_collector_cores_used": rounded(cpu.reduce(0, +) / full.seconds, 2),
            "full_load_collector_busy_threads": cpu.filter { $0 > 0.1 * full.seconds }.count,
            "machine_loadavg_1m_before": load,
            "all_events_accepted": full.accepted == events.count && half.accepted == fresh.count,
            "collector_peak_rss_mb": rounded(peakRSS / 1_048_576, 1),
            "collector_exit_status_after_sigterm": exitStatus.map { Int($0) } ?? -1,
            "raw_sqlite_baseline_events_per_s": Int(rawBaseline),
            "store_append_events_per_s": Int(storeAppend),
            "ratio_to_raw": rounded(rate / rawBaseline),
            "ratio_to_store_append": rounded(rate / storeAppend),
            "target": "events_per_s >= 150000, half-load p99 ack latency <= 50 ms, collector peak RSS <= 200 MB",
            "meets": meets,
            "meets_target": meets.values.allSatisfy { $0 },
        ]
    }
}
