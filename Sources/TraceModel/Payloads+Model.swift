/// `model.request`: a call to a model API (the body lives in the `request` blob).
public struct ModelRequest: EventData {
    public static let kind = EventKind.modelRequest
    public var provider: String
    public var model: String
    public var endpoint: String?
    /// Digest of the canonical request with volatile fields removed (the tape's match key).
    public var requestDigest: Digest?
    public var stream: Bool?

    public init(provider: String, model: String, endpoint: String? = nil, requestDigest: Digest? = nil, stream: Bool? = nil) {
        self.provider = provider; self.model = model; self.endpoint = endpoint; self.requestDigest = requestDigest; self.stream = stream
    }

    public init(reading r: FieldReader) throws(EventDecodingError) {
        provider = try r.string("provider", required: true)!
        model = try r.string("model", required: true)!
        endpoint = try r.string("endpoint")
        requestDigest = try r.digest("request_digest")
        stream = try r.bool("stream")
    }

    public var data: [String: JSONValue] {
        var d = DataObject()
        d["provider"] = provider
        d["model"] = model
        d["endpoint"] = endpoint
        d["request_digest"] = requestDigest
        d["stream"] = stream
        return d.fields
    }
}

/// Token counts reported by the provider.
public struct TokenUsage: Sendable, Hashable {
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var cacheReadTokens: Int64?
    public var cacheWriteTokens: Int64?

    public init(inputTokens: Int64? = nil, outputTokens: Int64? = nil, cacheReadTokens: Int64? = nil, cacheWriteTokens: Int64? = nil) {
        self.inputTokens = inputTokens; self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens; self.cacheWriteTokens = cacheWriteTokens
    }
}

/// One streamed chunk: when it arrived after the request was sent, and how big it was.
public struct StreamChunk: Sendable, Hashable {
    public var offsetMs: Double
    public var bytes: Int64
    public init(offsetMs: Double, bytes: Int64) { self.offsetMs = offsetMs; self.bytes = bytes }
}

/// `model.response`: the answer to a `model.request` (its `cause`), with usage, latency and stream timing.
public struct ModelResponse: EventData {
    public static let kind = EventKind.modelResponse
    public var model: String
    public var status: Int64?
    public var latencyMs: Double?
    public var stopReason: String?
    public var usage: TokenUsage?
    public var chunks: [StreamChunk]?

    public init(model: String, status: Int64? = nil, latencyMs: Double? = nil, stopReason: String? = nil,
                usage: TokenUsage? = nil, chunks: [StreamChunk]? = nil) {
        self.model = model; self.status = status; self.latencyMs = latencyMs; self.stopReason = stopReason
        self.usage = usage; self.chunks = chunks
    }

    public init(reading r: FieldReader) throws(EventDecodingError) {
        model = try r.string("model", required: true)!
        status = try r.integer("status", min: 100, max: 599)
        latencyMs = try r.number("latency_ms", min: 0)
        stopReason = try r.string("stop_reason")
        if let u = try r.object("usage") {
            usage = TokenUsage(
                inputTokens: try u.integer("input_tokens", min: 0), outputTokens: try u.integer("output_tokens", min: 0),
                cacheReadTokens: try u.integer("cache_read_tokens", min: 0), cacheWriteTokens: try u.integer("cache_write_tokens", min: 0))
        }
        if let items = try r.array("chunks") {
            var out: [StreamChunk] = []
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item else {
                    throw EventDecodingError(field: "data.chunks[\(i)]", reason: "expected object, got \(item.typeName)")
                }
                let c = FieldReader(o, path: "data.chunks[\(i)]")
                out.append(StreamChunk(offsetMs: try c.number("offset_ms", required: true, min: 0)!, bytes: try c.integer("bytes", required: true, min: 0)!))
            }
            chunks = out
        }
    }

    public var data: [String: JSONValue] {
        var d = DataObject()
        d["model"] = model
        d["status"] = status
        d["latency_ms"] = latencyMs
        d["stop_reason"] = stopReason
        if let usage {
            var u = DataObject()
            u["input_tokens"] = usage.inputTokens
            u["output_tokens"] = usage.outputTokens
            u["cache_read_tokens"] = usage.cacheReadTokens
            u["cache_write_tokens"] = usage.cacheWriteTokens
            d["usage"] = JSONValue.object(u.fields)
        }
        if let chunks {
            d["chunks"] = JSONValue.array(chunks.map { c in
                var o = DataObject()
                o["offset_ms"] = c.offsetMs
                o["bytes"] = c.bytes
                return .object(o.fields)
            })
        }
        return d.fields
    }
}

/// `reasoning`: the agent's scratchpad, kept apart so analysis can hold it against actions.
public struct Reasoning: EventData {
    public static let kind = EventKind.reasoning
    public var text: String
    public var redacted: Bool?
    public init(text: String, redacted: Bool? = nil) { self.text = text; self.redacted = redacted }
    public init(reading r: FieldReader) throws(EventDecodingError) {
        text = try r.string("text", required: true)!
        redacted = try r.bool("redacted")
    }
    public var data: [String: JSONValue] {
        var d = DataObject()
        d["text"] = text
        d["redacted"] = redacted
        return d.fields
    }
}

/// `message`: user, assistant, system or developer text.
public struct Message: EventData {
    public static let kind = EventKind.message
    public static let roles = ["user", "assistant", "system", "developer"]
    public var role: String
    public var text: String
    public init(role: String, text: String) { self.role = role; self.text = text }
    public init(reading r: FieldReader) throws(EventDecodingError) {
        role = try r.oneOf("role", Self.roles, required: true)!
        text = try r.string("text", required: true)!
    }
    public var data: [String: JSONValue] { ["role": .string(role), "text": .string(text)] }
}
