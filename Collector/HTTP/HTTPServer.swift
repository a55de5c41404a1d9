import CMicroHTTPD
import CMicroHTTPDShim
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Where a server is in its life.
public enum HTTPServerState: String, Sendable {
    case starting, running, draining, stopped
}

/// An embedded HTTP/1.1 (and HTTPS) server on libmicrohttpd: a pool of epoll threads that call an
/// `HTTPHandler`, with header, body and whole-request limits enforced before the handler sees anything.
public final class HTTPServer: Sendable {
    private let context: HTTPServerContext
    private let bindAddress: UInt32  // network byte order

    /// Checks the configuration and reads the TLS files; does not bind (see `start`).
    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler) throws {
        try Self.validate(configuration)
        var address = in_addr()
        guard inet_pton(AF_INET, configuration.host, &address) == 1 else {
            throw HTTPServerError(code: .invalidAddress, message: "host '\(configuration.host)' is not an IPv4 address",
                                  address: configuration.listenAddress)
        }
        bindAddress = address.s_addr
        let material = try configuration.tls.map(Self.loadTLS)
        context = HTTPServerContext(configuration: configuration, handler: handler, tlsPEM: material)
    }

    deinit {
        shutdown(drainTimeout: 0)
    }

    /// The bound port once started (the configured one before).
    public var port: UInt16 { context.lifecycle.withLock { $0.port } }

    public var state: HTTPServerState { context.lifecycle.withLock { $0.state } }

    /// Requests whose headers arrived and that are not finished yet.
    public var activeRequests: Int { context.lifecycle.withLock { $0.activeRequests } }

    /// Connections currently open (accepted and not yet closed).
    var openConnections: Int { context.connections.withLock { $0.count } }

    /// Binds and starts serving. Throws `HTTPServerError` naming the address (and TLS files) on failure.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        let configuration = context.configuration
        try context.lifecycle.withLock { life in
            guard life.state == .starting, !life.isStarting, life.daemon == nil else {
                throw HTTPServerError(code: .notStartable, message: "server already started or shut down",
                                      address: configuration.listenAddress)
            }
            life.isStarting = true
        }
        let daemon: HTTPDaemonHandle
        do {
            daemon = try startDaemon()
        } catch {
            context.lifecycle.withLock { $0.isStarting = false }
            throw error
        }
        let port = mhd_shim_bound_port(daemon.pointer)
        let unwanted: HTTPDaemonHandle? = context.lifecycle.withLock { life in
            life.isStarting = false
            guard life.state == .starting else { return daemon }  // shut down while starting
            life.daemon = daemon
            life.port = port
            life.state = .running
            return nil
        }
        if let unwanted {
            mhd_shim_stop(unwanted.pointer)
            throw HTTPServerError(code: .notStartable, message: "server was shut down while starting",
                                  address: configuration.listenAddress)
        }
        startSweeper()
    }

    /// Stops accepting new connections (new ones are refused), waits up to `drainTimeout` seconds for
    /// in-flight requests to finish, then stops the daemon. Requests that arrive on open connections
    /// meanwhile get 503. A handler still running after the timeout holds the final stop until it returns.
    public func shutdown(drainTimeout: Double) {
        let daemon: HTTPDaemonHandle? = context.lifecycle.withLock { life in
            switch life.state {
            case .starting where life.daemon == nil:
                life.state = .stopped
                return nil
            case .starting, .running:
                life.state = .draining
                return life.daemon
            case .draining, .stopped:
                return nil
            }
        }
        guard let daemon else { return }
        mhd_shim_quiesce(daemon.pointer)
        let deadline = DispatchTime.now() + max(0, drainTimeout)
        while context.lifecycle.withLock({ $0.activeRequests }) > 0 {
            if context.drained.wait(timeout: deadline) == .timedOut { break }
        }
        context.stopSweeping.signal()
        mhd_shim_stop(daemon.pointer)
        context.lifecycle.withLock { life in
            life.daemon = nil
            life.state = .stopped
        }
    }

    private func startDaemon() throws -> HTTPDaemonHandle {
        let configuration = context.configuration
        var options = mhd_shim_options()
        options.bind_address.sin_family = sa_family_t(AF_INET)
        options.bind_address.sin_port = configuration.port.bigEndian
        options.bind_address.sin_addr.s_addr = bindAddress
        options.thread_pool_size = UInt32(configuration.threads)
        options.connection_limit = UInt32(configuration.connectionLimit)
        options.connection_timeout = UInt32(configuration.idleTimeoutSeconds)
        options.memory_limit = configuration.maxHeaderBytes
        options.log_to_stderr = configuration.logErrors ? 1 : 0
        let cls = Unmanaged.passUnretained(context).toOpaque()
        options.access_handler = httpAccess
        options.access_handler_cls = cls
        options.request_completed = httpRequestCompleted
        options.request_completed_cls = cls
        options.notify_connection = httpConnectionNotification
        options.notify_connection_cls = cls
        options.uri_log = httpRequestStarted
        options.uri_log_cls = cls

        var message = [CChar](repeating: 0, count: 512)
        let certificate = context.tlsPEM?.certificate
        let key = context.tlsPEM?.key
        let daemon: OpaquePointer? = withOptionalCString(certificate) { certificatePointer in
            withOptionalCString(key) { keyPointer in
                options.tls_cert_pem = certificatePointer
                options.tls_key_pem = keyPointer
                return mhd_shim_start(&options, &message, message.count)
            }
        }
        guard let daemon else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let what = configuration.tls == nil ? "HTTP" : "HTTPS"
            var text = "cannot serve \(what) on \(configuration.listenAddress)"
            if let tls = configuration.tls { text += " with certificate \(tls.certificatePath) and key \(tls.keyPath)" }
            if !reason.isEmpty { text += ": \(reason)" }
            throw HTTPServerError(code: .startFailed, message: text, address: configuration.listenAddress,
                                  path: configuration.tls?.certificatePath)
        }
        return HTTPDaemonHandle(pointer: daemon)
    }

    /// Times out overdue requests a few times per request timeout, on its own thread, until shutdown.
    private func startSweeper() {
        let interval = min(1.0, max(0.05, Double(context.configuration.requestTimeoutSeconds) / 10))
        DispatchQueue(label: "parallax.http.request-deadlines").async { [context] in
            while context.stopSweeping.wait(timeout: .now() + interval) == .timedOut {
                context.sweep()
            }
        }
    }
}

private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
