import TraceModel

/// What a recorded model response says about itself: the answering model, token usage and why
/// generation stopped, read from a JSON body or from the events of a stream.
public struct ResponseSummary: Sendable, Hashable {
    public var model: String?
    public var usage: TokenUsage?
    public var stopReason: String?

    public init(model: String? = nil, usage: TokenUsage? = nil, stopReason: String? = nil) {
        self.model = model
        self.usage = usage
        self.stopReason = stopReason
    }

    /// Reads `body`; a body that is neither parseable JSON nor an event stream yields an empty summary.
    public init(api: ModelAPI, isEventStream: Bool, body: [UInt8]) {
        self.init()
        if isEventStream {
            for event in ServerSentEvents.parse(body) {
                guard let value = try? JSONParser.parse(Array(event.data.utf8), maxDepth: CanonicalRequest.maxDepth),
                      case .object(let object) = value else { continue }
                absorbStreamEvent(api: api, object)
            }
        } else if let value = try? JSONParser.parse(body, maxDepth: CanonicalRequest.maxDepth), case .object(let object) = value {
            absorbBody(api: api, object)
        }
    }

    private mutating func absorbBody(api: ModelAPI, _ object: [String: JSONValue]) {
        model = object["model"]?.stringValue ?? model
        switch api {
        case .chatCompletions:
            stopReason = object["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue ?? stopReason
            merge(Self.openAIUsage(object["usage"]))
        case .responses:
            stopReason = Self.responsesStopReason(object) ?? stopReason
            merge(Self.openAIUsage(object["usage"]))
        case .messages:
            stopReason = object["stop_reason"]?.stringValue ?? stopReason
            merge(Self.anthropicUsage(object["usage"]))
        }
    }

    private mutating func absorbStreamEvent(api: ModelAPI, _ object: [String: JSONValue]) {
        switch api {
        case .chatCompletions:
            // Each chunk names the model; the last one carries usage when `include_usage` was asked for.
            absorbBody(api: api, object)
        case .responses:
            if let response = object["response"]?.objectValue { absorbBody(api: api, response) }
        case .messages:
            switch object["type"]?.stringValue {
            case "message_start":
                if let message = object["message"]?.objectValue { absorbBody(api: api, message) }
            case "message_delta":
                stopReason = object["delta"]?["stop_reason"]?.stringValue ?? stopReason
                merge(Self.anthropicUsage(object["usage"]))
            default:
                break
            }
        }
    }

    /// Later figures replace earlier ones field by field (Anthropic streams report output tokens cumulatively).
    private mutating func merge(_ other: TokenUsage?) {
        guard let other else { return }
        var current = usage ?? TokenUsage()
        current.inputTokens = other.inputTokens ?? current.inputTokens
        current.outputTokens = other.outputTokens ?? current.outputTokens
        current.cacheReadTokens = other.cacheReadTokens ?? current.cacheReadTokens
        current.cacheWriteTokens = other.cacheWriteTokens ?? current.cacheWriteTokens
        usage = current
    }

    private static func count(_ value: JSONValue?) -> Int64? {
        guard let n = value?.int64Value, n >= 0 else { return nil }
        return n
    }

    /// Chat completions (`prompt_tokens`) and Responses (`input_tokens`) spell usage differently.
    static func openAIUsage(_ value: JSONValue?) -> TokenUsage? {
        guard case .object(let u)? = value else { return nil }
        let cached = count(u["prompt_tokens_details"]?["cached_tokens"]) ?? count(u["input_tokens_details"]?["cached_tokens"])
        let usage = TokenUsage(inputTokens: count(u["prompt_tokens"]) ?? count(u["input_tokens"]),
                               outputTokens: count(u["completion_tokens"]) ?? count(u["output_tokens"]),
                               cacheReadTokens: cached)
        return usage == TokenUsage() ? nil : usage
    }

    static func anthropicUsage(_ value: JSONValue?) -> TokenUsage? {
        guard case .object(let u)? = value else { return nil }
        let usage = TokenUsage(inputTokens: count(u["input_tokens"]), outputTokens: count(u["output_tokens"]),
                               cacheReadTokens: count(u["cache_read_input_tokens"]),
                               cacheWriteTokens: count(u["cache_creation_input_tokens"]))
        return usage == TokenUsage() ? nil : usage
    }

    /// A Responses API answer's `status`, or the reason it is incomplete.
    static func responsesStopReason(_ object: [String: JSONValue]) -> String? {
        if let reason = object["incomplete_details"]?["reason"]?.stringValue { return reason }
        guard let status = object["status"]?.stringValue, status != "in_progress" else { return nil }
        return status
    }
}
