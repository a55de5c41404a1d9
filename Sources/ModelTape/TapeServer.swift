import Dispatch
import Synchronization
import TraceModel
#if canImport(Glibc)
import Glibc
#endif

/// How fast a tape server replays a streamed body.
public enum TapePacing: Sendable, Hashable {
    /// Every chunk at once (each still its own write and HTTP chunk).
    case immediate
    /// The recorded gaps between chunks, divided by `speedup` and capped at `maxGapMs`.
    case recorded(speedup: Double, maxGapMs: Double)
}

/// Serves a tape over HTTP with the proxy's endpoints: a request that matches the tape (see
/// `TapeCursor`) is answered with the recorded status, headers and body, streams cut at their
/// recorded chunk boundaries; anything else is a divergence, answered with an HTTP error naming the
/// expected and received digests and kept for `divergences`. Nothing is ever forwarded anywhere.
public final class TapeServer: Sendable {
    public let tape: Tape
    private let handler: TapeHandler
    private let server: StreamingHTTPServer

    public init(tape: Tape, policy: TapePolicy = TapePolicy(), pacing: TapePacing = .immediate) {
        self.tape = tape
        handler = TapeHandler(tape: tape, policy: policy, pacing: pacing)
        server = StreamingHTTPServer(handler: handler)
    }

    /// Listens on 127.0.0.1 (`port` 0: any free port) and returns the base URLs to give the agent.
    @discardableResult
    public func start(port: UInt16 = 0) throws(ProxyServerError) -> ModelBaseURLs {
        try server.start(port: port)
        return ModelBaseURLs(port: server.port)
    }

    /// Serves the tape on a Unix-domain socket at `path` instead, for an agent in a sandbox without
    /// network: a relay inside the sandbox listens on its loopback and forwards to this socket.
    public func start(unixSocket path: String) throws(ProxyServerError) {
        try server.start(unixSocket: path)
    }

    public var baseURLs: ModelBaseURLs { ModelBaseURLs(port: server.port) }

    /// The bound TCP port (0 before `start`, and when serving a Unix socket).
    public var port: UInt16 { server.port }

    public func stop() { server.stop() }

    /// Divergences so far, in the order the requests arrived.
    public var divergences: [TapeDivergence] { handler.state.withLock { $0.divergences } }

    /// Calls answered from the tape so far.
    public var served: [TapeServedCall] { handler.state.withLock { $0.served } }

    /// Tape entries never served (by index), e.g. calls the replayed agent did not make.
    public var unserved: [Int] { handler.state.withLock { state in state.cursor.used.indices.filter { !state.cursor.used[$0] } } }
}

final class TapeHandler: ProxyHandler {
    struct State {
        var cursor: TapeCursor
        var divergences: [TapeDivergence] = []
        var served: [TapeServedCall] = []
        var received = 0
    }

    let tape: Tape
    let pacing: TapePacing
    let state: Mutex<State>

    init(tape: Tape, policy: TapePolicy, pacing: TapePacing) {
        self.tape = tape
        self.pacing = pacing
        state = Mutex(State(cursor: TapeCursor(digests: tape.entries.map(\.digest), policy: policy)))
    }

    func handle(_ request: ProxyRequest) -> ProxyReply {
        let endpoint = "\(request.method) \(request.path)"
        guard request.method == "POST", let api = ModelAPI(path: request.path) else {
            return diverge(.unsupportedEndpoint, endpoint: endpoint, got: nil, expected: nil, status: 404,
                           message: "\(endpoint) is not a model API the tape records")
        }
        let canonical: CanonicalRequest
        do {
            canonical = try CanonicalRequest(api: api, body: request.body)
        } catch {
            return diverge(.invalidRequest, endpoint: endpoint, got: nil, expected: nil, status: 400, message: error.description)
        }
        let (index, match) = state.withLock { state in
            state.received += 1
            return (state.received - 1, state.cursor.match(canonical.digest))
        }
        switch match {
        case .divergence(let reason, let expected):
            let entry = expected.map { tape.entries[$0] }
            let message = switch reason {
            case .tapeExhausted: "every recorded call has been served; this request is new"
            case .outOfOrder: "this request was recorded, but later than the reorder window allows"
            default: "no recorded call matches this request"
            }
            return diverge(reason, endpoint: endpoint, got: canonical.digest, expected: entry, status: 422, message: message,
                           requestIndex: index)
        case .entry(let position):
            let entry = tape.entries[position]
            state.withLock { $0.served.append(TapeServedCall(requestIndex: index, entry: position, digest: entry.digest)) }
            guard let response = entry.response else {
                return .error(502, type: "upstream_error", message: "the recording holds no response to this call (seq \(entry.requestSeq))",
                              retryable: false)
            }
            return reply(response)
        }
    }

    private func diverge(_ reason: TapeDivergence.Reason, endpoint: String, got: Digest?, expected: TapeEntry?, status: Int,
                         message: String, requestIndex: Int? = nil) -> ProxyReply {
        let divergence = state.withLock { state in
            let index = requestIndex ?? { state.received += 1; return state.received - 1 }()
            let divergence = TapeDivergence(requestIndex: index, reason: reason, endpoint: endpoint, got: got,
                                            expected: expected?.digest, expectedSeq: expected?.requestSeq, message: message)
            state.divergences.append(divergence)
            return divergence
        }
        guard case .object(var details) = divergence.json else { return .error(status, type: "parallax_divergence", message: message) }
        details["message"] = nil
        return .error(status, type: "parallax_divergence", message: "replay divergence: \(divergence.description)", details: details)
    }

    private func reply(_ response: TapeResponse) -> ProxyReply {
        let headers = response.headers.filter { !ProxyHeaders.notRelayed.contains($0.name.lowercased()) }
        guard response.chunks.count > 1 || response.isEventStream else {
            return ProxyReply(status: response.status, headers: headers, body: .bytes(response.body))
        }
        let stream = ChunkStream()
        switch pacing {
        case .immediate:
            for chunk in response.chunks { stream.push(chunk) }
            stream.finish()
        case .recorded(let speedup, let maxGapMs):
            let gaps = zip(response.offsetsMs, [0] + response.offsetsMs).map { min(maxGapMs, max(0, $0 - $1) / max(speedup, 1e-9)) }
            let chunks = response.chunks
            DispatchQueue.global().async {
                for (chunk, gap) in zip(chunks, gaps) {
                    if gap > 0 { usleep(useconds_t(min(gap, 60_000) * 1000)) }
                    stream.push(chunk)
                }
                stream.finish()
            }
        }
        return ProxyReply(status: response.status, headers: headers, body: .stream(stream))
    }
}
