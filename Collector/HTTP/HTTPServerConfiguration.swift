/// PEM files for HTTPS.
public struct TLSFiles: Sendable, Equatable {
    public var certificatePath: String
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}

/// How an `HTTPServer` listens and which limits it enforces.
public struct HTTPServerConfiguration: Sendable {
    /// IPv4 literal; "0.0.0.0" for all interfaces.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (read it back from `HTTPServer.port`).
    public var port: UInt16 = 0
    /// Server threads; each serves many connections, and a blocking handler holds its thread.
    public var threads: Int = 8
    public var connectionLimit: Int = 1024
    /// Seconds a connection may stay silent (either direction) before it is closed.
    public var idleTimeoutSeconds: Int = 30
    /// Deadline for receiving a whole request (headers and body), counted from when the connection
    /// became ready for it (accepted, or its previous response sent). Past it the client gets 408
    /// (on HTTPS: the connection is closed) and the connection is closed.
    public var requestTimeoutSeconds: Int = 60
    /// Per-connection memory for the request line and headers; bigger headers get 431 (414 for the URI).
    public var maxHeaderBytes: Int = 32 * 1024
    /// Body bytes beyond this get 413 (see also `HTTPHandler.bodyLimit(for:)`).
    public var maxBodyBytes: Int = 8 << 20
    /// PEM certificate and key for HTTPS; nil for plain HTTP.
    public var tls: TLSFiles? = nil
    /// Echo libmicrohttpd's error log to stderr (for debugging; off in production).
    public var logErrors: Bool = false

    public init(host: String = "127.0.0.1", port: UInt16 = 0, threads: Int = 8, connectionLimit: Int = 1024,
                idleTimeoutSeconds: Int = 30, requestTimeoutSeconds: Int = 60, maxHeaderBytes: Int = 32 * 1024,
                maxBodyBytes: Int = 8 << 20, tls: TLSFiles? = nil, logErrors: Bool = false) {
        self.host = host
        self.port = port
        self.threads = threads
        self.connectionLimit = connectionLimit
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.tls = tls
        self.logErrors = logErrors
    }

    /// "host:port" as configured.
    public var listenAddress: String { "\(host):\(port)" }
}
