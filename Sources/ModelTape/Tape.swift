import TraceModel

/// The model calls of a recorded session, in order, ready to be served again by a `TapeServer`.
public struct Tape: Sendable {
    public var entries: [TapeEntry]

    public init(entries: [TapeEntry]) {
        self.entries = entries
    }

    /// Builds a tape from a session's events (any order; other kinds are ignored) and its blobs.
    /// Each `model.request` becomes an entry; its `model.response` (linked by `cause`) is what the
    /// entry answers. A request recorded without a digest gets one from its `request_body` blob.
    public init(events: [Event], blob: (Digest) -> [UInt8]?) throws(TapeError) {
        var entries: [TapeEntry] = []
        var bySeq: [UInt64: Int] = [:]
        for event in events.sorted(by: { $0.seq < $1.seq }) {
            switch event.kind {
            case .modelRequest:
                let entry = try Self.entry(event, index: entries.count, blob: blob)
                bySeq[event.seq] = entries.count
                entries.append(entry)
            case .modelResponse:
                guard let cause = event.cause, let index = bySeq[cause] else {
                    throw TapeError(code: .unmatchedResponse, seq: event.seq,
                                    message: "model.response answers \(event.cause.map { "seq \($0)" } ?? "nothing"), not a model.request of this session")
                }
                guard entries[index].response == nil else {
                    throw TapeError(code: .unmatchedResponse, seq: event.seq, message: "a second model.response to the request at seq \(cause)")
                }
                entries[index].response = try Self.response(event, blob: blob)
            default:
                continue
            }
        }
        self.entries = entries
    }

    private static func entry(_ event: Event, index: Int, blob: (Digest) -> [UInt8]?) throws(TapeError) -> TapeEntry {
        let request: ModelRequest
        do {
            guard case .modelRequest(let decoded) = try event.payload() else { throw EventDecodingError(field: "kind", reason: "not model.request") }
            request = decoded
        } catch {
            throw TapeError(code: .invalidEvent, seq: event.seq, message: "\(error)")
        }
        var digest = request.requestDigest
        var stream = request.stream ?? false
        if digest == nil {
            // Recorded by something other than the proxy: canonicalize the stored body.
            guard let api = request.endpoint.flatMap(Self.api(ofEndpoint:)) else {
                throw TapeError(code: .noDigest, seq: event.seq, message: "no request_digest, and the endpoint names no known model API")
            }
            let body = try Self.blob(ModelCall.requestBlob, of: event, blob: blob)
            do {
                let canonical = try CanonicalRequest(api: api, body: body)
                digest = canonical.digest
                stream = canonical.stream
            } catch {
                throw TapeError(code: .noDigest, seq: event.seq, message: "no request_digest, and the request body is unusable: \(error)")
            }
        }
        return TapeEntry(index: index, requestSeq: event.seq, digest: digest!, provider: request.provider, model: request.model,
                         endpoint: request.endpoint, stream: stream, response: nil)
    }

    private static func response(_ event: Event, blob: (Digest) -> [UInt8]?) throws(TapeError) -> TapeResponse {
        let response: ModelResponse
        do {
            guard case .modelResponse(let decoded) = try event.payload() else { throw EventDecodingError(field: "kind", reason: "not model.response") }
            response = decoded
        } catch {
            throw TapeError(code: .invalidEvent, seq: event.seq, message: "\(error)")
        }
        let body = event.blobs[ModelCall.responseBlob] == nil ? [] : try Self.blob(ModelCall.responseBlob, of: event, blob: blob)
        var chunks: [[UInt8]] = []
        var offsets: [Double] = []
        if let recorded = response.chunks, !recorded.isEmpty {
            let total = recorded.reduce(Int64(0)) { $0 + $1.bytes }
            guard total == Int64(body.count) else {
                throw TapeError(code: .inconsistentChunks, seq: event.seq,
                                message: "the chunks add up to \(total) bytes but the body has \(body.count)")
            }
            var start = 0
            for chunk in recorded {
                let end = start + Int(chunk.bytes)
                chunks.append(Array(body[start..<end]))
                offsets.append(chunk.offsetMs)
                start = end
            }
        } else {
            chunks = body.isEmpty ? [] : [body]
            offsets = body.isEmpty ? [] : [response.latencyMs ?? 0]
        }
        return TapeResponse(responseSeq: event.seq, status: Int(response.status ?? 200),
                            headers: ProxyHeaders.parseRecorded(event.data["headers"]), chunks: chunks, offsetsMs: offsets)
    }

    private static func blob(_ name: String, of event: Event, blob: (Digest) -> [UInt8]?) throws(TapeError) -> [UInt8] {
        guard let digest = event.blobs[name] else {
            throw TapeError(code: .missingBlob, seq: event.seq, message: "the event names no \(name) blob")
        }
        guard let bytes = blob(digest) else {
            throw TapeError(code: .missingBlob, seq: event.seq, message: "blob \(name) (\(digest)) is not available")
        }
        guard Digest.sha256(bytes) == digest else {
            throw TapeError(code: .missingBlob, seq: event.seq, message: "blob \(name) does not match its digest \(digest)")
        }
        return bytes
    }

    /// The API an endpoint URL or path calls, by its path's ending.
    static func api(ofEndpoint endpoint: String) -> ModelAPI? {
        var path = endpoint
        if let mark = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<mark]) }
        return ModelAPI.allCases.first { path.hasSuffix($0.path) || path.hasSuffix($0.path + "/") }
    }
}
