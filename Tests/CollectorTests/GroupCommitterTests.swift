import Dispatch
import Foundation
import Synchronization
import Testing
@testable import Collector
import TraceModel
import TraceStore

@Suite("Group commit, rate limits and metrics")
struct GroupCommitterTests {
    static func events(_ n: Int, seed: UInt64) -> [EncodedEvent] {
        var generator = SyntheticTrace(seed: seed)
        var out: [Event] = []
        while out.count < n { out += generator.session() }
        return out.prefix(n).map { EncodedEvent($0) }
    }

    final class Results: Sendable {
        let values = Mutex<[Int: Result<AppendResult, CommitError>]>([:])
        func withLock<T>(_ body: (inout [Int: Result<AppendResult, CommitError>]) -> T) -> T { values.withLock { body(&$0) } }
    }

    /// Runs blocking submits on their own threads (never on the cooperative pool, which they would starve).
    static func submitOnThread(_ committer: GroupCommitter, _ request: CommitRequest, into results: Results,
                               key: Int, group: DispatchGroup) {
        group.enter()
        Thread.detachNewThread {
            let result = committer.submit(request)
            results.withLock { $0[key] = result }
            group.leave()
        }
    }

    static func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(20)
        while !condition() {
            if Date() > deadline { return false }
            usleep(1000)  // polling a condition with a deadline, not sleeping as synchronization
        }
        return true
    }

    @Test func concurrentBatchesShareCommitsAndEachGetsItsOwnResult() throws {
        let commits = Mutex<[Int]>([])  // requests per commit
        let gate = DispatchSemaphore(value: 0)
        let firstCommitStarted = DispatchSemaphore(value: 0)
        let committer = GroupCommitter(maxQueuedEvents: 10_000, commit: { requests in
            let n = commits.withLock { $0.append(requests.count); return $0.count }
            if n == 1 {
                firstCommitStarted.signal()
                gate.wait()  // hold the first commit so the others queue up behind it
            }
            return .success(requests.map { AppendResult(accepted: $0.events.count) })
        })
        let results = Results()
        let group = DispatchGroup()
        Self.submitOnThread(committer, CommitRequest(events: Self.events(1, seed: 1), project: "p"), into: results, key: 1, group: group)
        firstCommitStarted.wait()
        let sizes = [3, 5, 7, 11, 13]
        for (i, size) in sizes.enumerated() {
            Self.submitOnThread(committer, CommitRequest(events: Self.events(size, seed: UInt64(10 + i)), project: "p"), into: results, key: size, group: group)
        }
        #expect(Self.waitUntil { committer.depth == sizes.reduce(0, +) + 1 })
        gate.signal()
        #expect(group.wait(timeout: .now() + 20) == .success)
        for (key, result) in results.withLock({ $0 }) { #expect(try result.get().accepted == key) }
        let seen = commits.withLock { $0 }
        #expect(seen == [1, sizes.count], "the five waiting batches should be stored in one transaction, got \(seen)")
        committer.stop()
    }

    @Test func overloadIsRefusedWithRetryAfterAndStopDrains() throws {
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let committer = GroupCommitter(maxQueuedEvents: 20, commit: { requests in
            started.signal()
            gate.wait()
            return .success(requests.map { AppendResult(accepted: $0.events.count) })
        })
        let results = Results()
        let group = DispatchGroup()
        Self.submitOnThread(committer, CommitRequest(events: Self.events(15, seed: 2), project: ""), into: results, key: 0, group: group)
        started.wait()
        #expect(committer.submit(CommitRequest(events: Self.events(10, seed: 3), project: "")) == .failure(.overloaded(retryAfter: 1)))
        gate.signal()
        #expect(group.wait(timeout: .now() + 20) == .success)
        #expect(try results.withLock { $0[0] }?.get().accepted == 15)
        committer.stop()
        #expect(committer.submit(CommitRequest(events: Self.events(1, seed: 4), project: "")) == .failure(.stopping))
    }

    @Test func storeFailureReachesEveryWaitingRequest() {
        let committer = GroupCommitter(maxQueuedEvents: 100, commit: { _ in .failure(.store("disk I/O error", retryable: false)) })
        #expect(committer.submit(CommitRequest(events: Self.events(2, seed: 5), project: "")) == .failure(.store("disk I/O error", retryable: false)))
        committer.stop()
    }

    @Test func rateLimiterAllowsABurstThenSaysHowLongToWait() {
        let limiter = RateLimiter(rate: 8, burst: 5)
        for _ in 0..<5 { #expect(limiter.take(1, now: 100) == nil) }
        let wait = limiter.take(1, now: 100)
        #expect(wait != nil && abs(wait! - 0.125) < 1e-9)
        #expect(limiter.take(2, now: 100) == nil)  // buckets are per token
        #expect(limiter.take(1, now: 100.25) == nil)  // a quarter second refills two
        #expect(limiter.take(1, now: 100.25) == nil)
        #expect(limiter.take(1, now: 100.25) != nil)
    }

    @Test func metricsRenderPrometheusText() {
        let metrics = Metrics()
        metrics.countEvents("accepted", 7)
        metrics.countEvents("rejected:invalid_json", 2)
        metrics.countBatch(status: 200, compressedBytes: 100, rawBytes: 900)
        metrics.observeCommit(seconds: 0.003)
        metrics.observeCommit(seconds: 0.2)
        let text = metrics.render(queueDepth: 12, storeBytes: 4096, activeRequests: 1)
        #expect(text.contains("parallax_events_total{outcome=\"accepted\"} 7\n"))
        #expect(text.contains("parallax_events_total{outcome=\"rejected\",reason=\"invalid_json\"} 2\n"))
        #expect(text.contains("parallax_ingest_bytes_total{form=\"raw\"} 900\n"))
        #expect(text.contains("parallax_ingest_queue_events 12\n"))
        #expect(text.contains("parallax_commit_seconds_bucket{le=\"0.005\"} 1\n"))
        #expect(text.contains("parallax_commit_seconds_bucket{le=\"+Inf\"} 2\n"))
        #expect(text.contains("parallax_commit_seconds_count 2\n"))
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count == 2, "\(line)")
        }
    }
}
