import Recorder
import Synchronization
import TraceModel

/// One model call being recorded: `model.request` when it starts, `model.response` (its `cause`)
/// when the body is complete or broke off. Fed by the upstream's delegate queue.
final class ModelCall: Sendable {
    let api: ModelAPI
    let canonical: CanonicalRequest
    let requestSeq: UInt64
    private let sink: any ModelEventSink
    private let secrets: [String]
    private let state = Mutex(State())

    private struct State {
        var status = 0
        var headers: [(name: String, value: String)] = []
        var isEventStream = false
        var chunks: [StreamChunk] = []
        var body: [UInt8] = []
        var recorded = false
    }

    private init(api: ModelAPI, canonical: CanonicalRequest, requestSeq: UInt64, sink: any ModelEventSink, secrets: [String]) {
        self.api = api
        self.canonical = canonical
        self.requestSeq = requestSeq
        self.sink = sink
        self.secrets = secrets
    }

    /// Blob names, as in schemas/examples.
    static let requestBlob = "request_body"
    static let responseBlob = "response_body"

    /// Records `model.request` (body as the `request_body` blob, credentials scrubbed; `endpoint` the
    /// upstream URL) and returns the call.
    static func begin(api: ModelAPI, canonical: CanonicalRequest, request: ProxyRequest, upstream: String,
                      sink: any ModelEventSink) throws -> ModelCall {
        let forwarded = ProxyHeaders.forwarded(request.headers)
        let secrets = ProxyHeaders.secrets(in: request.headers, target: request.target)
        let blob = try sink.storeBlob(ProxyHeaders.scrub(request.body, secrets: secrets))
        var data = ModelRequest(provider: api.provider.rawValue, model: canonical.model ?? "unknown", endpoint: ProxyHeaders.recordedURL(upstream),
                                requestDigest: canonical.digest, stream: canonical.stream).data
        data["headers"] = ProxyHeaders.recorded(forwarded)
        let seq = try sink.record(EventDraft(kind: .modelRequest, actor: .agent, data: data, blobs: [Self.requestBlob: blob]))
        return ModelCall(api: api, canonical: canonical, requestSeq: seq, sink: sink, secrets: secrets)
    }

    func head(status: Int, headers: [(name: String, value: String)]) {
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
        state.withLock { state in
            state.status = status
            state.headers = headers
            state.isEventStream = contentType.hasPrefix("text/event-stream")
        }
    }

    func chunk(_ bytes: [UInt8], offsetMs: Double) {
        state.withLock { state in
            state.chunks.append(StreamChunk(offsetMs: offsetMs, bytes: Int64(bytes.count)))
            state.body += bytes
        }
    }

    /// Records `model.response`. `error` says why the body broke off (or why there was no answer).
    func complete(latencyMs: Double, error: String?) throws {
        let snapshot = state.withLock { state -> State? in
            guard !state.recorded else { return nil }
            state.recorded = true
            return state
        }
        guard let snapshot else { return }
        let summary = ResponseSummary(api: api, isEventStream: snapshot.isEventStream, body: snapshot.body)
        var response = ModelResponse(model: summary.model ?? canonical.model ?? "unknown", status: Int64(snapshot.status),
                                     latencyMs: latencyMs, stopReason: summary.stopReason, usage: summary.usage)
        if snapshot.isEventStream { response.chunks = snapshot.chunks }
        var data = response.data
        data["headers"] = ProxyHeaders.recorded(snapshot.headers)
        if let error { data["error"] = .string(error) }
        var blobs: [String: Digest] = [:]
        if !snapshot.body.isEmpty { blobs[Self.responseBlob] = try sink.storeBlob(ProxyHeaders.scrub(snapshot.body, secrets: secrets)) }
        _ = try sink.record(EventDraft(kind: .modelResponse, actor: .agent, data: data, blobs: blobs, cause: requestSeq))
    }

    /// Records the proxy's own answer when the upstream gave none (the 502 the client got).
    func completeWithoutUpstream(_ reply: ProxyReply, latencyMs: Double, error: String) throws {
        head(status: reply.status, headers: reply.headers)
        if case .bytes(let body) = reply.body { chunk(body, offsetMs: latencyMs) }
        try complete(latencyMs: latencyMs, error: error)
    }
}
