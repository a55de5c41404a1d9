import Foundation

/// Everything a shipper can set: where to send, how to authenticate, batch sizes, retries.
public struct ShipperConfiguration: Sendable, Equatable {
    /// Collector base URLs in order of preference; the shipper fails over from one to the next.
    public var collectors: [String]
    /// An `ingest` bearer token; nil sends none (a collector running with --insecure-no-auth).
    public var token: String?
    /// A batch holds at most this many events …
    public var maxBatchEvents = 1000
    /// … and at most this many bytes of NDJSON before compression (wire.md §9 suggests 4 MiB).
    public var maxBatchBytes = 4 << 20
    public var zstdLevel: Int32 = 3
    /// Waits between retries and after a failed pass.
    public var backoff = Backoff()
    /// Seconds one HTTP request may take.
    public var requestTimeout: Double = 30
    /// Tries of one request within one pass, across every collector, before the pass gives up.
    public var attempts = 4
    /// Seconds `follow` waits between looks at the spool when nothing is pending.
    public var pollInterval: Double = 0.2

    public init(collectors: [String], token: String? = nil) {
        self.collectors = collectors
        self.token = token
    }

    /// The token to use: the explicit one, else `PARALLAX_TOKEN`; empty counts as none.
    public static func token(explicit: String?, environment: [String: String]) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        if let value = environment["PARALLAX_TOKEN"], !value.isEmpty { return value }
        return nil
    }

    /// Checks the settings can work. A token never goes over plain HTTP to anything but a loopback
    /// address (wire.md §1).
    public func validate() throws(ShipperError) {
        guard !collectors.isEmpty else { throw ShipperError(.configuration, "no collector URL given") }
        for url in collectors {
            let endpoint: CollectorEndpoint
            do {
                endpoint = try CollectorEndpoint(url)
            } catch {
                throw ShipperError(.configuration, error.message)
            }
            if token != nil, endpoint.scheme == "http", !endpoint.isLoopback {
                throw ShipperError(.configuration, "refusing to send the token over plain http to \(endpoint.host): use https://", collector: url)
            }
        }
        guard (1...1_000_000).contains(maxBatchEvents) else {
            throw ShipperError(.configuration, "maxBatchEvents must be in 1...1000000, got \(maxBatchEvents)")
        }
        guard maxBatchBytes >= 1024 else { throw ShipperError(.configuration, "maxBatchBytes must be at least 1024, got \(maxBatchBytes)") }
        guard (-7...22).contains(zstdLevel) else { throw ShipperError(.configuration, "zstdLevel must be in -7...22, got \(zstdLevel)") }
        guard requestTimeout > 0 else { throw ShipperError(.configuration, "requestTimeout must be positive, got \(requestTimeout)") }
        guard attempts >= 1 else { throw ShipperError(.configuration, "attempts must be at least 1, got \(attempts)") }
        guard pollInterval > 0 else { throw ShipperError(.configuration, "pollInterval must be positive, got \(pollInterval)") }
    }
}

/// A collector base URL taken apart far enough to judge it.
struct CollectorEndpoint {
    struct Invalid: Error { var message: String }

    var scheme: String
    var host: String

    init(_ url: String) throws(Invalid) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty else {
            throw Invalid(message: "\"\(url)\" is not an http:// or https:// collector URL")
        }
        guard parsed.query == nil, parsed.fragment == nil, parsed.user == nil else {
            throw Invalid(message: "\"\(url)\" must be a plain base URL, without user, query or fragment")
        }
        self.scheme = scheme
        self.host = host.lowercased()
    }

    var isLoopback: Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }
}
