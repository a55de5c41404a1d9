import Foundation
import TraceModel
import TraceStore
import TraceWire

/// Who is calling: from a bearer token, or the implicit admin of `--insecure-no-auth`.
struct Caller: Sendable {
    var tokenID: Int64
    var project: String
    var role: TokenRole

    func may(_ action: CollectorAction) -> Bool {
        switch (role, action) {
        case (.admin, _): true
        case (.ingest, .ingest), (.ingest, .ingestOrRead): true
        case (.read, .read), (.read, .ingestOrRead): true
        default: false
        }
    }
}

/// The collector's request handling: auth, limits, ingest through the group committer, blobs and
/// the query API. Runs on the HTTP server's threads; every method is thread-safe.
public final class CollectorService: HTTPHandler {
    let store: SQLiteStore
    let configuration: CollectorConfiguration
    let committer: GroupCommitter
    let limiter: RateLimiter
    public let metrics: Metrics
    /// Set by the owner once the server runs; read for /metrics and /readyz.
    let activeRequests: @Sendable () -> Int
    let isAccepting: @Sendable () -> Bool

    init(store: SQLiteStore, configuration: CollectorConfiguration, metrics: Metrics,
         activeRequests: @escaping @Sendable () -> Int, isAccepting: @escaping @Sendable () -> Bool) {
        self.store = store
        self.configuration = configuration
        self.metrics = metrics
        self.limiter = RateLimiter(rate: configuration.requestsPerSecond, burst: configuration.burst)
        self.activeRequests = activeRequests
        self.isAccepting = isAccepting
        let storeRef = store
        self.committer = GroupCommitter(
            maxQueuedEvents: configuration.maxQueuedEvents,
            commit: { requests in
                do {
                    return .success(try storeRef.appendGroup(requests.map { AppendBatch(events: $0.events, project: $0.project) }))
                } catch let error as SQLiteError {
                    return .failure(.store("\(error)", retryable: error.isBusy))
                } catch {
                    return .failure(.store("\(error)", retryable: false))
                }
            },
            observe: { seconds, _ in metrics.observeCommit(seconds: seconds) })
    }

    /// Stops taking batches and finishes the queued ones.
    func drain() { committer.stop() }

    // MARK: - HTTPHandler

    public func bodyLimit(for head: HTTPRequestHead) -> Int? {
        switch Route(path: head.path) {
        case .events: configuration.maxEventBodyBytes
        case .blob: configuration.maxBlobBytes
        default: 64 * 1024
        }
    }

    public func preflight(_ head: HTTPRequestHead) -> HTTPResponse? {
        let route = Route(path: head.path)
        if let early = check(route: route, method: head.method, headers: head.headers, contentLength: head.contentLength) {
            metrics.countRequest(route: route.label, status: early.status)
            if route == .events { metrics.countBatch(status: early.status, compressedBytes: 0, rawBytes: 0) }
            return early
        }
        return nil
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let route = Route(path: request.path)
        // The preflight checks ran on the head; authentication is repeated here because the
        // handler must not trust state carried between the two calls. Admission (rate limit,
        // draining, queue depth) is not: it was granted in preflight, and a request admitted
        // before a drain began must still be served.
        if let early = check(route: route, method: request.method, headers: request.headers, contentLength: request.body.count,
                             admission: false) {
            metrics.countRequest(route: route.label, status: early.status)
            return early
        }
        let caller = try? authenticate(request.headers)
        let response: HTTPResponse
        switch route {
        case .health: response = .text(200, "ok\n")
        case .ready: response = ready()
        case .metrics:
            // From stat(2): statistics() scans tables under the store's lock and would wait for a commit.
            let size = (try? store.approximateSizeBytes()) ?? 0
            response = HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")],
                                    body: Array(metrics.render(queueDepth: committer.depth, storeBytes: size, activeRequests: activeRequests()).utf8))
        case .events: response = ingest(request, caller: caller!)
        case .blob(let hex): response = blob(request, hex: hex, caller: caller!)
        case .sessions: response = sessions(request, caller: caller!)
        case .session(let id): response = session(id, caller: caller!)
        case .sessionEvents(let id): response = events(request, id: id, caller: caller!)
        case .sessionVerify(let id): response = verify(id, caller: caller!)
        case .unknown: response = Self.error(404, "no such endpoint: \(request.path)")
        }
        metrics.countRequest(route: route.label, status: response.status)
        return response
    }

    // MARK: - Checks shared by preflight and handle

    /// An answer that ends a request early.
    struct Refusal: Error { var response: HTTPResponse }

    func authenticate(_ headers: [String: String]) throws(Refusal) -> Caller {
        if configuration.insecureNoAuth { return Caller(tokenID: 0, project: "", role: .admin) }
        guard let value = headers["authorization"] else {
            throw Refusal(response: Self.error(401, "missing Authorization: Bearer <token>", headers: [("WWW-Authenticate", "Bearer")]))
        }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Refusal(response: Self.error(401, "the Authorization header must be: Bearer <token>", headers: [("WWW-Authenticate", "Bearer")]))
        }
        let identity: TokenIdentity?
        do {
            identity = try store.authenticate(String(parts[1]))
        } catch {
            throw Refusal(response: Self.error(503, "cannot check the token now", headers: [("Retry-After", "1")]))
        }
        guard let identity else {
            throw Refusal(response: Self.error(401, "unknown or revoked token", headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")]))
        }
        return Caller(tokenID: identity.id, project: identity.project, role: identity.role)
    }

    /// Routing, authentication, role and header checks; with `admission`, also the rate limit,
    /// draining and the ingest queue (once per request, in preflight).
    func check(route: Route, method: String, headers: [String: String], contentLength: Int?,
               admission: Bool = true) -> HTTPResponse? {
        if route == .unknown { return Self.error(404, "no such endpoint") }
        if !route.allowedMethods.contains(method) {
            return Self.error(405, "\(method) is not allowed here", headers: [("Allow", route.allowedMethods.joined(separator: ", "))])
        }
        guard let action = route.action(method: method) else { return nil }
        let caller: Caller
        do { caller = try authenticate(headers) } catch { return error.response }
        guard caller.may(action) else {
            return Self.error(403, "a \(caller.role.rawValue) token may not \(method) \(route.label)")
        }
        switch route {
        case .events:
            let encoding = (headers["content-encoding"] ?? "identity").lowercased()
            guard encoding == "zstd" || encoding == "identity" else {
                return Self.error(415, "Content-Encoding must be zstd or identity, got \(encoding)")
            }
            if let type = headers["content-type"]?.lowercased(), !Self.isNDJSON(contentType: type) {
                return Self.error(415, "Content-Type must be application/x-ndjson (charset utf-8 if any), got \(type)")
            }
            if let length = contentLength, length > configuration.maxEventBodyBytes {
                return Self.error(413, "request body of \(length) bytes is over the \(configuration.maxEventBodyBytes)-byte limit")
            }
            guard admission else { break }
            if let wait = limiter.take(caller.tokenID, now: Self.now()) {
                return Self.error(429, "rate limit exceeded for this token", headers: [("Retry-After", String(max(1, Int(wait.rounded(.up)))))])
            }
            if !isAccepting() { return Self.error(503, "the collector is shutting down", headers: [("Retry-After", "5")]) }
            if committer.depth >= configuration.maxQueuedEvents {
                return Self.error(503, "the store is behind; retry later", headers: [("Retry-After", "1")])
            }
        case .blob:
            let encoding = (headers["content-encoding"] ?? "identity").lowercased()
            if method == "PUT", encoding != "zstd", encoding != "identity" {
                return Self.error(415, "Content-Encoding must be zstd or identity, got \(encoding)")
            }
            if method == "PUT", let length = contentLength, length > configuration.maxBlobBytes {
                return Self.error(413, "blob of \(length) bytes is over the \(configuration.maxBlobBytes)-byte limit")
            }
        default:
            break
        }
        return nil
    }

    /// `application/x-ndjson` (or the jsonl/json spellings), with no charset or charset utf-8.
    static func isNDJSON(contentType: String) -> Bool {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let media = parts.first, ["application/x-ndjson", "application/jsonl", "application/json"].contains(media) else { return false }
        return parts.dropFirst().allSatisfy { parameter in
            guard parameter.hasPrefix("charset=") else { return true }
            return ["utf-8", "\"utf-8\""].contains(parameter.dropFirst("charset=".count))
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// An error reply as schemas/wire.md §4.4 describes it: `{"error": "<code>", "message": "<text>"}`.
    static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse.error(status, code: errorCode(status), message: message, headers: headers)
    }

    static func errorCode(_ status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 413: "body_too_large"
        case 415: "unsupported_media_type"
        case 429: "rate_limited"
        case 503: "unavailable"
        default: "internal_error"
        }
    }

    static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: value.canonicalBytes() + [0x0A])
    }

    func ready() -> HTTPResponse {
        guard isAccepting() else { return Self.error(503, "shutting down", headers: [("Retry-After", "5")]) }
        guard committer.depth < configuration.maxQueuedEvents else { return Self.error(503, "ingest queue full", headers: [("Retry-After", "1")]) }
        return .text(200, "ready\n")
    }
}
