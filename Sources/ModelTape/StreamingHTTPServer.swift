import CMicroHTTPD
import CMicroHTTPDShim
import Recorder
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on libmicrohttpd for the model proxy and the tape server: one thread per
/// connection, so a handler may block on an upstream call and a streamed body is written chunk by
/// chunk as it is produced (libmicrohttpd's response-from-callback), never buffered whole.
/// Listens on 127.0.0.1 only.
public final class StreamingHTTPServer: Sendable {
    let context: StreamingServerContext
    private let daemon = Mutex<DaemonHandle?>(nil)
    private let boundPort = Atomic<UInt16>(0)
    private let unixPath = Mutex<String?>(nil)

    /// - Parameters:
    ///   - maxBodyBytes: request bodies beyond this are answered with 413 (model requests with images are large).
    ///   - idleTimeoutSeconds: a connection silent this long in both directions is closed.
    public init(handler: any ProxyHandler, maxBodyBytes: Int = 64 << 20, idleTimeoutSeconds: Int = 900) {
        context = StreamingServerContext(handler: handler, maxBodyBytes: maxBodyBytes, idleTimeoutSeconds: idleTimeoutSeconds)
    }

    deinit { stop() }

    /// The bound port, 0 before `start`.
    public var port: UInt16 { boundPort.load(ordering: .acquiring) }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Binds 127.0.0.1 on `port` (0: any free port) and starts serving.
    public func start(port: UInt16 = 0) throws(ProxyServerError) {
        try start(port: port, listening: nil)
    }

    /// Serves a Unix-domain socket created at `path` (owner-only), for clients that reach the
    /// server through a bind mount rather than the network (a sandbox's relay). `port` stays 0.
    public func start(unixSocket path: String) throws(ProxyServerError) {
        let descriptor: Int32
        do {
            descriptor = try UnixSocket.listen(path: path)
        } catch {
            throw ProxyServerError(message: "cannot listen on \(path): \(error.message)")
        }
        do {
            try start(port: 0, listening: descriptor)
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        unixPath.withLock { $0 = path }
    }

    private func start(port: UInt16, listening: Int32?) throws(ProxyServerError) {
        signal(SIGPIPE, SIG_IGN)
        try daemon.withLock { (handle: inout DaemonHandle?) throws(ProxyServerError) in
            guard handle == nil else { throw ProxyServerError(message: "the server is already running on port \(self.port)") }
            guard !context.stopping.load(ordering: .acquiring) else { throw ProxyServerError(message: "a stopped server does not start again") }
            var options = mhd_shim_options()
            options.bind_address.sin_family = sa_family_t(AF_INET)
            options.bind_address.sin_port = port.bigEndian
            options.bind_address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            if let listening {
                options.has_listen_socket = 1
                options.listen_socket = listening
            }
            options.thread_per_connection = 1
            options.connection_limit = 256
            options.connection_timeout = UInt32(context.idleTimeoutSeconds)
            options.memory_limit = 64 << 10
            let cls = Unmanaged.passUnretained(context).toOpaque()
            options.access_handler = streamingAccess
            options.access_handler_cls = cls
            options.request_completed = streamingRequestCompleted
            options.request_completed_cls = cls
            options.uri_log = streamingRequestStarted
            options.uri_log_cls = cls
            var message = [CChar](repeating: 0, count: 512)
            guard let started = mhd_shim_start(&options, &message, message.count) else {
                let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let place = listening == nil ? "127.0.0.1:\(port)" : "a Unix socket"
                throw ProxyServerError(message: "cannot listen on \(place)" + (reason.isEmpty ? "" : ": \(reason)"))
            }
            handle = DaemonHandle(pointer: started)
            boundPort.store(mhd_shim_bound_port(started), ordering: .releasing)
        }
    }

    /// Stops accepting, cuts every streamed body still being written, and stops the daemon. Idempotent;
    /// a stopped server does not start again.
    public func stop() {
        guard let handle = daemon.withLock({ (handle: inout DaemonHandle?) in
            defer { handle = nil }
            return handle
        }) else { return }
        mhd_shim_quiesce(handle.pointer)
        context.stopping.store(true, ordering: .releasing)
        for stream in context.liveStreams() { stream.fail("the server is stopping") }
        mhd_shim_stop(handle.pointer)
        if let path = unixPath.withLock({ path in defer { path = nil }; return path }) { unlink(path) }
    }
}

/// Why a `StreamingHTTPServer` could not start.
public struct ProxyServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { "model proxy server: \(message)" }
}

/// The running `mhd_shim_daemon *`; owned by the server's lock, and libmicrohttpd's daemon calls are thread-safe.
struct DaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// What the C callbacks reach through `cls`.
final class StreamingServerContext: Sendable {
    let handler: any ProxyHandler
    let maxBodyBytes: Int
    let idleTimeoutSeconds: Int
    let stopping = Atomic<Bool>(false)
    private let streams = Mutex<[ObjectIdentifier: ChunkStream]>([:])

    init(handler: any ProxyHandler, maxBodyBytes: Int, idleTimeoutSeconds: Int) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }

    func register(_ stream: ChunkStream) { streams.withLock { $0[ObjectIdentifier(stream)] = stream } }
    func unregister(_ stream: ChunkStream) { streams.withLock { $0[ObjectIdentifier(stream)] = nil } }
    func liveStreams() -> [ChunkStream] { streams.withLock { Array($0.values) } }
}
