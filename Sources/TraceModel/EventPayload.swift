/// The typed `data` of one v1 kind.
public protocol EventData: Sendable, Hashable {
    static var kind: EventKind { get }
    /// Reads and validates `data`; errors name the field as `data.<path>`.
    init(reading data: FieldReader) throws(EventDecodingError)
    /// The `data` object (absent optionals omitted).
    var data: [String: JSONValue] { get }
}

/// The typed view of an event's `data`; unknown kinds pass through untouched.
public enum EventPayload: Sendable, Hashable {
    case sessionStart(SessionStart)
    case sessionEnd(SessionEnd)
    case modelRequest(ModelRequest)
    case modelResponse(ModelResponse)
    case reasoning(Reasoning)
    case message(Message)
    case toolCall(ToolCall)
    case toolResult(ToolResult)
    case processExec(ProcessExec)
    case fileWrite(FileWrite)
    case fileDelete(FileDelete)
    case netRequest(NetRequest)
    case netResponse(NetResponse)
    case annotation(Annotation)
    case recorderNotice(RecorderNotice)
    case unknown(EventKind, [String: JSONValue])

    var content: any EventData {
        get throws(EventDecodingError) {
            switch self {
            case .sessionStart(let v): v
            case .sessionEnd(let v): v
            case .modelRequest(let v): v
            case .modelResponse(let v): v
            case .reasoning(let v): v
            case .message(let v): v
            case .toolCall(let v): v
            case .toolResult(let v): v
            case .processExec(let v): v
            case .fileWrite(let v): v
            case .fileDelete(let v): v
            case .netRequest(let v): v
            case .netResponse(let v): v
            case .annotation(let v): v
            case .recorderNotice(let v): v
            case .unknown(let kind, _): throw EventDecodingError(field: "kind", reason: "\(kind) is not a v1 kind")
            }
        }
    }

    public var kind: EventKind {
        if case .unknown(let kind, _) = self { return kind }
        return type(of: try! content).kind
    }

    public var data: [String: JSONValue] {
        if case .unknown(_, let data) = self { return data }
        return try! content.data
    }

    /// Decodes `data` for `kind`; unknown kinds become `.unknown` without validation.
    public init(kind: EventKind, data: [String: JSONValue]) throws(EventDecodingError) {
        let r = FieldReader(data, path: "data")
        switch kind {
        case .sessionStart: self = .sessionStart(try SessionStart(reading: r))
        case .sessionEnd: self = .sessionEnd(try SessionEnd(reading: r))
        case .modelRequest: self = .modelRequest(try ModelRequest(reading: r))
        case .modelResponse: self = .modelResponse(try ModelResponse(reading: r))
        case .reasoning: self = .reasoning(try Reasoning(reading: r))
        case .message: self = .message(try Message(reading: r))
        case .toolCall: self = .toolCall(try ToolCall(reading: r))
        case .toolResult: self = .toolResult(try ToolResult(reading: r))
        case .processExec: self = .processExec(try ProcessExec(reading: r))
        case .fileWrite: self = .fileWrite(try FileWrite(reading: r))
        case .fileDelete: self = .fileDelete(try FileDelete(reading: r))
        case .netRequest: self = .netRequest(try NetRequest(reading: r))
        case .netResponse: self = .netResponse(try NetResponse(reading: r))
        case .annotation: self = .annotation(try Annotation(reading: r))
        case .recorderNotice: self = .recorderNotice(try RecorderNotice(reading: r))
        default: self = .unknown(kind, data)
        }
    }
}

extension Event {
    /// The typed view of `data`. Events decoded by `Event.decode` have already passed this check.
    public func payload() throws(EventDecodingError) -> EventPayload {
        try EventPayload(kind: kind, data: data)
    }
}

/// Builds a `data` object, dropping absent optionals.
struct DataObject {
    var fields: [String: JSONValue] = [:]
    subscript(key: String) -> String? {
        get { nil }
        set { if let newValue { fields[key] = .string(newValue) } }
    }
    subscript(key: String) -> Int64? {
        get { nil }
        set { if let newValue { fields[key] = .number(JSONNumber(newValue)) } }
    }
    subscript(key: String) -> Double? {
        get { nil }
        set { if let newValue, let n = JSONNumber(newValue) { fields[key] = .number(n) } }
    }
    subscript(key: String) -> Bool? {
        get { nil }
        set { if let newValue { fields[key] = .bool(newValue) } }
    }
    subscript(key: String) -> Digest? {
        get { nil }
        set { if let newValue { fields[key] = .string(newValue.description) } }
    }
    subscript(key: String) -> [String]? {
        get { nil }
        set { if let newValue { fields[key] = .array(newValue.map(JSONValue.string)) } }
    }
    subscript(key: String) -> JSONValue? {
        get { nil }
        set { if let newValue { fields[key] = newValue } }
    }
    subscript(key: String) -> [String: String]? {
        get { nil }
        set { if let newValue { fields[key] = .object(newValue.mapValues(JSONValue.string)) } }
    }
}
