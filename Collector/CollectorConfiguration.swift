import TraceWire

/// Everything `parallax collector serve` can set.
public struct CollectorConfiguration: Sendable {
    /// `ADDR:PORT`; port 0 picks a free port (tests).
    public var host = "127.0.0.1"
    public var port: UInt16 = 7437
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Accept requests without a token (only on a loopback address): every request acts as an
    /// admin of the default project "".
    public var insecureNoAuth = false
    /// Delete sessions that started more than this many days ago (nil: keep everything).
    public var retainDays: Int?

    /// Limits of DESIGN §4: compressed request body, decompressed body, zstd window.
    public var maxEventBodyBytes = 8 << 20
    public var maxDecompressedBytes = 64 << 20
    public var maxWindowLog: Int32 = 23
    public var maxBlobBytes = 64 << 20
    public var maxLineBytes = NDJSONBatch.defaultMaxLineBytes

    /// Events waiting for a commit beyond which new batches get 503 + Retry-After.
    public var maxQueuedEvents = 200_000
    /// Per-token request rate (requests per second) and burst; beyond it, 429 + Retry-After.
    public var requestsPerSecond: Double = 500
    public var burst: Double = 1000

    public var threads = 8
    public var connectionLimit = 1024
    public var idleTimeoutSeconds = 30
    public var requestTimeoutSeconds = 60

    public init() {}

    public var isLoopback: Bool { host == "127.0.0.1" || host == "localhost" || host.hasPrefix("127.") || host == "::1" }

    public var zstdLimits: ZstdLimits { ZstdLimits(maxDecompressedBytes: maxDecompressedBytes, maxWindowLog: maxWindowLog) }
}
