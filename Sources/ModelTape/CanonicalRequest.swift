import TraceModel

/// A model request reduced to what decides the answer: the body without volatile fields, encoded
/// as canonical JSON and hashed. Two runs of an agent that ask the same thing get the same digest,
/// which is how the tape matches a replayed request to a recorded one.
///
/// The canonical document is `{"api": <api>, "body": <body without volatile fields>}`. Headers are
/// left out entirely (they carry credentials, request ids, SDK versions and retry counts).
public struct CanonicalRequest: Sendable, Hashable {
    public var api: ModelAPI
    /// The requested model; nil when the body names none.
    public var model: String?
    /// Whether a streamed response was asked for (`"stream": true`).
    public var stream: Bool
    /// The canonical document that was hashed.
    public var document: JSONValue
    /// SHA-256 of the document's canonical bytes.
    public var digest: Digest

    /// Deep enough for the JSON Schemas of tool definitions, shallow enough that hostile nesting fails fast.
    public static let maxDepth = 128

    /// Parses and canonicalizes a request body for `api`.
    public init(api: ModelAPI, body: [UInt8]) throws(ModelRequestError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body, maxDepth: Self.maxDepth)
        } catch {
            throw ModelRequestError(code: .invalidJSON, api: api, offset: error.offset, message: error.description)
        }
        guard case .object(var object) = value else {
            throw ModelRequestError(code: .notAnObject, api: api, message: "expected a JSON object, got \(value.typeName)")
        }
        var model: String?
        if let field = object["model"] {
            guard case .string(let name) = field else {
                throw ModelRequestError(code: .invalidField, api: api, field: "model",
                                        message: "model must be a string, got \(field.typeName)")
            }
            model = name
        }
        var stream = false
        if let field = object["stream"] {
            switch field {
            case .bool(let flag): stream = flag
            case .null: break
            default:
                throw ModelRequestError(code: .invalidField, api: api, field: "stream",
                                        message: "stream must be a boolean, got \(field.typeName)")
            }
        }
        for name in Self.volatileFields(api) { object[name] = nil }
        // `"stream": false` and no `stream` ask for the same thing.
        if !stream { object["stream"] = nil }
        self.api = api
        self.model = model
        self.stream = stream
        self.document = .object(["api": .string(api.rawValue), "body": .object(object)])
        self.digest = Digest.sha256(document.canonicalBytes())
    }

    /// Top-level body fields that differ between runs without changing the answer: who is asking
    /// (`user`, `metadata`, `safety_identifier`), cache routing (`prompt_cache_key`) and delivery
    /// options (`stream_options`). Ids that come from an earlier response (`previous_response_id`,
    /// tool-call ids) stay: on replay the tape hands out the recorded ones, so they repeat.
    public static func volatileFields(_ api: ModelAPI) -> [String] {
        switch api {
        case .chatCompletions, .responses:
            ["user", "metadata", "stream_options", "prompt_cache_key", "safety_identifier"]
        case .messages:
            ["metadata", "stream_options"]
        }
    }
}
