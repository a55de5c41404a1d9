import Dispatch
import Synchronization

/// What the C callbacks reach through their `cls` pointer: the handler, the limits, the lifecycle
/// and the live connections. Shared by every server thread, the sweeper and `HTTPServer`.
final class HTTPServerContext: Sendable {
    struct Lifecycle {
        var state: HTTPServerState = .starting
        var isStarting = false
        var activeRequests = 0
        var daemon: HTTPDaemonHandle?
        var port: UInt16
    }

    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let tlsPEM: TLSMaterial?
    let requestTimeout: Duration
    /// The whole 408 reply the sweeper writes to a plain-HTTP client that ran out of time.
    let timeoutReply: [UInt8]
    let lifecycle: Mutex<Lifecycle>
    let connections = Mutex<[ObjectIdentifier: HTTPConnection]>([:])
    /// Signalled when the last in-flight request completes while draining.
    let drained = DispatchSemaphore(value: 0)
    /// Signalled once at shutdown to end the deadline sweeper.
    let stopSweeping = DispatchSemaphore(value: 0)

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, tlsPEM: TLSMaterial?) {
        self.configuration = configuration
        self.handler = handler
        self.tlsPEM = tlsPEM
        self.requestTimeout = .seconds(configuration.requestTimeoutSeconds)
        self.timeoutReply = HTTPResponse.requestTimeout(configuration.requestTimeoutSeconds).serializedForClose()
        self.lifecycle = Mutex(Lifecycle(port: configuration.port))
    }

    /// A request's headers arrived. Counts it as in flight; false when the server is draining.
    func beginRequest() -> Bool {
        lifecycle.withLock { life in
            life.activeRequests += 1
            return life.state == .starting || life.state == .running
        }
    }

    func endRequest() {
        let signal = lifecycle.withLock { life in
            life.activeRequests -= 1
            return life.activeRequests == 0 && life.state == .draining
        }
        if signal { drained.signal() }
    }

    func register(_ connection: HTTPConnection) {
        connections.withLock { $0[ObjectIdentifier(connection)] = connection }
    }

    func unregister(_ connection: HTTPConnection) {
        connections.withLock { $0[ObjectIdentifier(connection)] = nil }
    }

    /// Times out every connection whose request is overdue; returns how many.
    @discardableResult
    func sweep(now: ContinuousClock.Instant = .now) -> Int {
        let live = connections.withLock { Array($0.values) }
        var expired = 0
        for connection in live where connection.expireIfOverdue(now: now, timeout: requestTimeout, reply: timeoutReply) {
            expired += 1
        }
        return expired
    }
}

/// PEM text read from the configured files.
struct TLSMaterial: Sendable {
    var certificate: String
    var key: String
}

/// The running libmicrohttpd daemon (an `mhd_shim_daemon *`). It is not a lock-guarded box, but the
/// lifecycle lock hands it to exactly one owner at a time (`start` stores it, one `shutdown` takes it),
/// and the daemon calls made through it are thread-safe in libmicrohttpd.
struct HTTPDaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
