import Dispatch
import Synchronization

/// Carries one upstream call to the client and to its recording: the head unblocks the server
/// thread waiting to answer, chunks go to the client's stream and to the recording as they arrive.
final class UpstreamRelay: Sendable {
    struct Outcome {
        var isTerminal = false
        var recordingFailed = false
    }

    let stream = ChunkStream()
    private let call: ModelCall?
    private let upstream: String
    private let started = ContinuousClock.now
    private let headReady = DispatchSemaphore(value: 0)
    private let state = Mutex(State())

    private struct State {
        var reply: ProxyReply?
        var done = false
    }

    init(call: ModelCall?, upstream: String) {
        self.call = call
        self.upstream = upstream
    }

    var isDone: Bool { state.withLock { $0.done } }

    /// Milliseconds since the call was sent, to the microsecond.
    func elapsedMs() -> Double {
        let elapsed = ContinuousClock.now - started
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        return Double(micros) / 1000
    }

    /// The reply for the client: the upstream's head with the streamed body, or a 502 when it gave none.
    /// Blocks until the upstream answered or failed (its idle timeout bounds the wait).
    func waitForReply() -> ProxyReply {
        headReady.wait()
        return state.withLock { $0.reply! }
    }

    func receive(_ event: UpstreamEvent) -> Outcome {
        var outcome = Outcome()
        switch event {
        case .head(let status, let headers):
            let relayed = ProxyHeaders.relayed(headers)
            call?.head(status: status, headers: relayed)
            state.withLock { $0.reply = ProxyReply(status: status, headers: relayed, body: .stream(stream)) }
            headReady.signal()
        case .chunk(let bytes):
            call?.chunk(bytes, offsetMs: elapsedMs())
            stream.push(bytes)
        case .finished:
            outcome.isTerminal = true
            if answered() {
                stream.finish()
                outcome.recordingFailed = !record { try call?.complete(latencyMs: elapsedMs(), error: nil) }
            } else {
                outcome.recordingFailed = !failBeforeHead("the upstream closed without an HTTP response")
            }
        case .failed(let reason):
            outcome.isTerminal = true
            if answered() {
                stream.fail(reason)
                outcome.recordingFailed = !record { try call?.complete(latencyMs: elapsedMs(), error: reason) }
            } else {
                outcome.recordingFailed = !failBeforeHead(reason)
            }
        }
        return outcome
    }

    /// Marks the call done and says whether the head went out before.
    private func answered() -> Bool {
        state.withLock { state in
            state.done = true
            return state.reply != nil
        }
    }

    /// Answers 502 and records that answer as the response. Returns false when recording failed.
    private func failBeforeHead(_ reason: String) -> Bool {
        let reply = ProxyReply.error(502, type: "upstream_error", message: "the upstream \(upstream) did not answer: \(reason)",
                                     retryable: true)
        let recorded = record { try call?.completeWithoutUpstream(reply, latencyMs: elapsedMs(), error: reason) }
        state.withLock { $0.reply = reply }
        headReady.signal()
        return recorded
    }

    private func record(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return true
        } catch {
            return false
        }
    }
}
