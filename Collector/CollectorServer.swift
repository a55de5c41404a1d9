import Dispatch
import Foundation
import Synchronization
import TraceModel
import TraceStore

/// Why the collector cannot start.
public struct CollectorError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The collector process: store, group committer, HTTP server, retention and an orderly shutdown.
public final class CollectorServer: Sendable {
    public let configuration: CollectorConfiguration
    public let store: SQLiteStore
    let service: CollectorService
    let server: HTTPServer
    private let retentionTimer = TimerBox()
    private let stopped = Mutex(false)
    private let log: @Sendable (String) -> Void

    public init(store: SQLiteStore, configuration: CollectorConfiguration, log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        if configuration.insecureNoAuth, !configuration.isLoopback {
            throw CollectorError("--insecure-no-auth is only allowed on a loopback address (127.0.0.1, ::1), not \(configuration.host)")
        }
        if (configuration.tlsCertificate == nil) != (configuration.tlsKey == nil) {
            throw CollectorError("TLS needs both --tls-cert and --tls-key")
        }
        self.configuration = configuration
        self.store = store
        self.log = log
        let box = ServerBox()
        service = CollectorService(
            store: store, configuration: configuration, metrics: Metrics(),
            activeRequests: { box.server?.activeRequests ?? 0 },
            isAccepting: { box.server?.state == .running })
        var http = HTTPServerConfiguration()
        http.host = configuration.host
        http.port = configuration.port
        http.threads = configuration.threads
        http.connectionLimit = configuration.connectionLimit
        http.idleTimeoutSeconds = configuration.idleTimeoutSeconds
        http.requestTimeoutSeconds = configuration.requestTimeoutSeconds
        http.maxBodyBytes = max(configuration.maxEventBodyBytes, configuration.maxBlobBytes)
        if let cert = configuration.tlsCertificate, let key = configuration.tlsKey {
            http.tls = TLSFiles(certificatePath: cert, keyPath: key)
        }
        server = try HTTPServer(configuration: http, handler: service)
        box.server = server
    }

    public var metrics: Metrics { service.metrics }

    /// Starts serving; returns once the port is bound.
    public func start() throws {
        try server.start()
        if let days = configuration.retainDays { startRetention(days: days) }
    }

    /// The bound port (useful with port 0).
    public var port: UInt16 { server.port }

    /// Stops accepting, finishes in-flight requests and queued batches, checkpoints the WAL.
    public func shutdown(drainTimeout: Double = 30) {
        let first = stopped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        retentionTimer.replace(with: nil)
        server.shutdown(drainTimeout: drainTimeout)
        service.drain()
        do { try store.checkpoint() } catch { log("collector: WAL checkpoint failed: \(error)") }
    }

    /// Runs until SIGTERM or SIGINT, then shuts down in order.
    public func runUntilSignalled() {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let done = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "parallax.collector.signals")
        let sources = [SIGTERM, SIGINT].map { sig -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { done.signal() }
            source.resume()
            return source
        }
        done.wait()
        log("collector: signal received, draining")
        shutdown()
        sources.forEach { $0.cancel() }
        log("collector: stopped")
    }

    func startRetention(days: Int) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "parallax.collector.retention", qos: .utility))
        let store = self.store
        let metrics = service.metrics
        let log = self.log
        timer.setEventHandler {
            let cutoff = Timestamp(microseconds: Timestamp.now().microseconds - Int64(days) * 86_400_000_000)
            do {
                let result = try store.deleteSessions(startedBefore: cutoff)
                metrics.countRetention(result.sessions)
                if result.sessions > 0 { log("collector: retention deleted \(result.sessions) sessions, \(result.events) events, \(result.blobs) blobs") }
            } catch {
                log("collector: retention failed: \(error)")
            }
        }
        timer.schedule(deadline: .now(), repeating: .seconds(3600))
        timer.resume()
        retentionTimer.replace(with: timer)
    }
}

/// Holds the retention timer; DispatchSourceTimer is not Sendable, so access goes through a lock.
private final class TimerBox: @unchecked Sendable {
    // @unchecked: `timer` is only read or written with `lock` held.
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?

    /// Cancels the current timer, if any, and keeps `next`.
    func replace(with next: DispatchSourceTimer?) {
        lock.lock()
        defer { lock.unlock() }
        timer?.cancel()
        timer = next
    }
}

/// Lets the service's closures reach the server created after it.
private final class ServerBox: @unchecked Sendable {
    // @unchecked: written once during CollectorServer.init, before the server starts serving.
    var server: HTTPServer?
}
