import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One client connection from accept to close, as far as the request deadline is concerned.
/// Server threads move it through its phases; the deadline sweeper reads them from its own thread.
final class HTTPConnection: Sendable {
    enum Phase: Sendable, Equatable {
        /// Accepted, or the previous response sent: the next request line and headers are coming.
        case awaitingRequest
        /// Headers complete, body arriving.
        case receiving
        /// Request complete; the handler runs. The deadline no longer applies.
        case handling
        /// A response is queued.
        case responding
        /// Past its deadline: answered with 408 (or just cut on HTTPS) and being closed.
        case timedOut
        /// The server closed the socket; nothing may touch it any more.
        case closed
    }

    enum DeadlineCheck: Equatable { case inTime, expiredNow, alreadyOver }

    private struct State {
        var phase: Phase
        var since: ContinuousClock.Instant
    }

    let socket: Int32
    let isTLS: Bool
    let remoteAddress: String?
    private let state: Mutex<State>

    init(socket: Int32, isTLS: Bool, remoteAddress: String?, now: ContinuousClock.Instant) {
        self.socket = socket
        self.isTLS = isTLS
        self.remoteAddress = remoteAddress
        self.state = Mutex(State(phase: .awaitingRequest, since: now))
    }

    var phase: Phase { state.withLock { $0.phase } }

    /// Headers are complete. False when the request already ran out of time.
    func beginReceiving() -> Bool {
        state.withLock { state in
            guard state.phase == .awaitingRequest || state.phase == .receiving else { return false }
            state.phase = .receiving
            return true
        }
    }

    /// On each piece of body: is the request past its deadline? Marks it timed out when it just became so.
    func checkDeadline(now: ContinuousClock.Instant, timeout: Duration) -> DeadlineCheck {
        state.withLock { state in
            switch state.phase {
            case .timedOut, .closed: return .alreadyOver
            case .receiving where now - state.since > timeout:
                state.phase = .timedOut
                return .expiredNow
            default: return .inTime
            }
        }
    }

    /// The body is complete and the handler is about to run. False when the request ran out of time.
    func beginHandling() -> Bool {
        state.withLock { state in
            guard state.phase == .receiving || state.phase == .awaitingRequest else { return false }
            state.phase = .handling
            return true
        }
    }

    func beginResponding() {
        state.withLock { state in
            if state.phase != .timedOut && state.phase != .closed { state.phase = .responding }
        }
    }

    /// The exchange is over; on a kept-alive connection the clock restarts for the next request.
    func requestCompleted(now: ContinuousClock.Instant) {
        state.withLock { state in
            guard state.phase != .timedOut && state.phase != .closed else { return }
            state.phase = .awaitingRequest
            state.since = now
        }
    }

    /// Called by the sweeper. When the request is still being received past its deadline, answers
    /// `reply` (plain HTTP only: the TLS session belongs to the server thread) and shuts the socket
    /// down; the server thread then sees the client gone and closes the connection.
    func expireIfOverdue(now: ContinuousClock.Instant, timeout: Duration, reply: [UInt8]) -> Bool {
        state.withLock { state in
            guard state.phase == .awaitingRequest || state.phase == .receiving, now - state.since > timeout else {
                return false
            }
            state.phase = .timedOut
            // Holding the lock keeps the descriptor open: markClosed runs before the server closes it.
            if !isTLS {
                _ = reply.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            }
            _ = shutdown(socket, Int32(SHUT_RDWR))
            return true
        }
    }

    func markClosed() {
        state.withLock { $0.phase = .closed }
    }
}
