import TraceModel

/// A complete request received by a `StreamingHTTPServer`.
public struct ProxyRequest: Sendable {
    /// "GET", "POST", ... as sent.
    public var method: String
    /// The request target as sent: raw path plus query string, e.g. "/v1/models?limit=5".
    public var target: String
    /// Headers in order, names as sent (repeats kept).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The path without the query string.
    public var path: String {
        guard let mark = target.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return target }
        return String(target[..<mark])
    }

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// The answer to a `ProxyRequest`: a status, headers and a body that is either complete or streamed.
public struct ProxyReply: Sendable {
    public enum Body: Sendable {
        /// Sent with `Content-Length`.
        case bytes([UInt8])
        /// Sent with chunked transfer encoding, each chunk written as soon as it is pushed.
        case stream(ChunkStream)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON error in the shape both providers' SDKs read: `{"type":"error","error":{"type","message",...}}`.
    /// Unless `retryable`, `x-should-retry: false` stops the official SDKs from retrying it.
    public static func error(_ status: Int, type: String, message: String, details: [String: JSONValue] = [:],
                             retryable: Bool = false) -> ProxyReply {
        var error: [String: JSONValue] = ["type": .string(type), "message": .string(message)]
        for (key, value) in details { error[key] = value }
        let body = JSONValue.object(["type": "error", "error": .object(error)]).canonicalBytes()
        return ProxyReply(status: status, headers: [("Content-Type", "application/json"), ("x-should-retry", retryable ? "true" : "false")],
                          body: .bytes(body))
    }
}

/// The application side of a `StreamingHTTPServer`; called on the connection's own thread, and may block.
public protocol ProxyHandler: Sendable {
    func handle(_ request: ProxyRequest) -> ProxyReply
}
