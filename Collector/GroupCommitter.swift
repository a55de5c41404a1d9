import Dispatch
import Foundation
import TraceStore

/// One request's events waiting to be stored.
public struct CommitRequest: Sendable {
    public var events: [EncodedEvent]
    public var project: String
}

/// Why a batch was not committed.
public enum CommitError: Error, Sendable, Equatable {
    /// Too many events are already waiting; retry after the given seconds.
    case overloaded(retryAfter: Int)
    /// The collector is shutting down.
    case stopping
    /// The store failed; the message names what it was doing.
    case store(String, retryable: Bool)
}

/// Coalesces the batches of concurrent requests into one store transaction on a dedicated thread
/// (blocking SQLite work stays off the cooperative pool). `submit` returns only after the
/// transaction that holds its batch is durable, so a 200 always means "on disk".
public final class GroupCommitter: @unchecked Sendable {
    // @unchecked: `queue`, `queuedEvents` and `running` are only touched with `condition` locked;
    // each Pending's result is written before its semaphore is signalled and read after the wait.
    private final class Pending: @unchecked Sendable {
        let request: CommitRequest
        var result: Result<AppendResult, CommitError> = .failure(.stopping)
        let done = DispatchSemaphore(value: 0)
        init(_ request: CommitRequest) { self.request = request }
    }

    public typealias Commit = @Sendable ([CommitRequest]) -> Result<[AppendResult], CommitError>

    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var queuedEvents = 0
    private var running = true
    private let finished = DispatchSemaphore(value: 0)
    private let maxQueuedEvents: Int
    private let maxEventsPerCommit: Int
    private let commit: Commit
    private let observe: @Sendable (Double, Int) -> Void

    /// - Parameters:
    ///   - commit: stores several requests in one durable transaction, one result per request.
    ///   - observe: called after each commit with its duration (seconds) and event count.
    public init(maxQueuedEvents: Int, maxEventsPerCommit: Int = 50_000, commit: @escaping Commit,
                observe: @escaping @Sendable (Double, Int) -> Void = { _, _ in }) {
        self.maxQueuedEvents = maxQueuedEvents
        self.maxEventsPerCommit = maxEventsPerCommit
        self.commit = commit
        self.observe = observe
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "parallax-commit"
        thread.start()
    }

    /// Events waiting for a commit.
    public var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedEvents
    }

    /// Queues `request` and waits until it is durably stored (or refused).
    public func submit(_ request: CommitRequest) -> Result<AppendResult, CommitError> {
        let pending = Pending(request)
        condition.lock()
        if !running {
            condition.unlock()
            return .failure(.stopping)
        }
        if queuedEvents > 0, queuedEvents + request.events.count > maxQueuedEvents {
            condition.unlock()
            return .failure(.overloaded(retryAfter: 1))
        }
        queue.append(pending)
        queuedEvents += request.events.count
        condition.signal()
        condition.unlock()
        pending.done.wait()
        return pending.result
    }

    /// Finishes everything queued, then stops the commit thread.
    public func stop() {
        condition.lock()
        let wasRunning = running
        running = false
        condition.broadcast()
        condition.unlock()
        if wasRunning { finished.wait() }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && running { condition.wait() }
            if queue.isEmpty && !running {
                condition.unlock()
                finished.signal()
                return
            }
            // Take whole requests up to the per-commit cap (always at least one).
            var taken: [Pending] = []
            var events = 0
            while let next = queue.first, taken.isEmpty || events + next.request.events.count <= maxEventsPerCommit {
                taken.append(queue.removeFirst())
                events += next.request.events.count
            }
            condition.unlock()

            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = commit(taken.map(\.request))
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            observe(seconds, events)

            condition.lock()
            queuedEvents -= events
            condition.unlock()
            for (i, pending) in taken.enumerated() {
                switch outcome {
                case .success(let results): pending.result = .success(results[i])
                case .failure(let error): pending.result = .failure(error)
                }
                pending.done.signal()
            }
        }
    }
}
