import Synchronization

/// The collector's Prometheus metrics, rendered in the text exposition format.
public final class Metrics: Sendable {
    /// Upper bounds (seconds) of the commit latency histogram buckets.
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct State {
        var events: [String: Int] = [:]          // outcome → count (accepted, duplicate, conflict, rejected:<reason>)
        var batches: [String: Int] = [:]         // status code → count
        var requests: [String: Int] = [:]        // "route code" → count
        var bytesCompressed = 0
        var bytesRaw = 0
        var blobsStored = 0
        var commitCount = 0
        var commitSum = 0.0
        var commitBuckets = [Int](repeating: 0, count: Metrics.latencyBuckets.count)
        var retentionDeleted = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func countEvents(_ outcome: String, _ n: Int = 1) {
        guard n > 0 else { return }
        state.withLock { $0.events[outcome, default: 0] += n }
    }

    public func countBatch(status: Int, compressedBytes: Int, rawBytes: Int) {
        state.withLock {
            $0.batches[String(status), default: 0] += 1
            $0.bytesCompressed += compressedBytes
            $0.bytesRaw += rawBytes
        }
    }

    public func countRequest(route: String, status: Int) {
        state.withLock { $0.requests["\(route) \(status)", default: 0] += 1 }
    }

    public func countBlob() { state.withLock { $0.blobsStored += 1 } }
    public func countRetention(_ sessions: Int) { state.withLock { $0.retentionDeleted += sessions } }

    public func observeCommit(seconds: Double) {
        state.withLock {
            $0.commitCount += 1
            $0.commitSum += seconds
            for (i, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { $0.commitBuckets[i] += 1 }
        }
    }

    /// The text exposition; gauges are read by the caller and passed in.
    public func render(queueDepth: Int, storeBytes: Int, activeRequests: Int) -> String {
        let s = state.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
        func escape(_ v: String) -> String {
            v.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"").replacingAll("\n", "\\n")
        }
        family("parallax_events_total", "counter", "Events received by outcome (accepted, duplicate, conflict, foreign, rejected) and rejection reason.")
        for (key, value) in s.events.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            let reason = parts.count > 1 ? ",reason=\"\(escape(parts[1]))\"" : ""
            out += "parallax_events_total{outcome=\"\(escape(parts[0]))\"\(reason)} \(value)\n"
        }
        family("parallax_batches_total", "counter", "POST /v1/events requests by HTTP status.")
        for (code, value) in s.batches.sorted(by: { $0.key < $1.key }) { out += "parallax_batches_total{code=\"\(code)\"} \(value)\n" }
        family("parallax_requests_total", "counter", "HTTP requests by route and status.")
        for (key, value) in s.requests.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: " ").map(String.init)
            out += "parallax_requests_total{route=\"\(escape(parts[0]))\",code=\"\(parts.count > 1 ? parts[1] : "")\"} \(value)\n"
        }
        family("parallax_ingest_bytes_total", "counter", "Event request body bytes, as sent (compressed) and decompressed (raw).")
        out += "parallax_ingest_bytes_total{form=\"compressed\"} \(s.bytesCompressed)\n"
        out += "parallax_ingest_bytes_total{form=\"raw\"} \(s.bytesRaw)\n"
        family("parallax_blobs_stored_total", "counter", "Blobs newly stored.")
        out += "parallax_blobs_stored_total \(s.blobsStored)\n"
        family("parallax_retention_deleted_sessions_total", "counter", "Sessions deleted by retention.")
        out += "parallax_retention_deleted_sessions_total \(s.retentionDeleted)\n"
        family("parallax_ingest_queue_events", "gauge", "Events waiting for a commit.")
        out += "parallax_ingest_queue_events \(queueDepth)\n"
        family("parallax_active_requests", "gauge", "HTTP requests being served.")
        out += "parallax_active_requests \(activeRequests)\n"
        family("parallax_store_bytes", "gauge", "Size of the store on disk (database and write-ahead log).")
        out += "parallax_store_bytes \(storeBytes)\n"
        family("parallax_commit_seconds", "histogram", "Latency of a group commit (one durable store transaction).")
        for (i, bound) in Self.latencyBuckets.enumerated() {
            out += "parallax_commit_seconds_bucket{le=\"\(bound)\"} \(s.commitBuckets[i])\n"  // already cumulative
        }
        out += "parallax_commit_seconds_bucket{le=\"+Inf\"} \(s.commitCount)\n"
        out += "parallax_commit_seconds_sum \(s.commitSum)\n"
        out += "parallax_commit_seconds_count \(s.commitCount)\n"
        return out
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
