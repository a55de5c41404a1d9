import TraceModel

/// The parts of an OpenAI `POST /v1/chat/completions` body the scripted model reads.
public struct ChatRequest: Sendable, Hashable {
    public var model: String
    public var messages: [ChatMessage]
    public var stream: Bool

    public init(model: String, messages: [ChatMessage], stream: Bool = false) {
        self.model = model
        self.messages = messages
        self.stream = stream
    }

    /// Parses a request body; errors name the byte offset or the field (`messages[2].content`).
    public static func parse(_ body: [UInt8]) throws(DemoAgentError) -> ChatRequest {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw DemoAgentError("request body: \(error)") }
        guard case .object(let object) = value else {
            throw DemoAgentError("request body: expected a JSON object, got a JSON \(value.typeName)")
        }
        guard let model = object["model"]?.stringValue else { throw DemoAgentError("request body: model must be a string") }
        guard let list = object["messages"]?.arrayValue, !list.isEmpty else {
            throw DemoAgentError("request body: messages must be a non-empty array")
        }
        var messages: [ChatMessage] = []
        for (index, item) in list.enumerated() {
            guard let role = item["role"]?.stringValue else {
                throw DemoAgentError("request body: messages[\(index)].role must be a string")
            }
            messages.append(ChatMessage(role: role, content: try text(of: item["content"], at: "messages[\(index)].content")))
        }
        var stream = false
        if let flag = object["stream"], !flag.isNull {
            guard let value = flag.boolValue else { throw DemoAgentError("request body: stream must be a boolean") }
            stream = value
        }
        return ChatRequest(model: model, messages: messages, stream: stream)
    }

    /// A content string, or the text parts of a content array joined; null (tool-call turns) is empty.
    static func text(of content: JSONValue?, at path: String) throws(DemoAgentError) -> String {
        switch content {
        case .string(let text)?: return text
        case .null?, nil: return ""
        case .array(let parts)?:
            var texts: [String] = []
            for (index, part) in parts.enumerated() {
                guard let type = part["type"]?.stringValue else {
                    throw DemoAgentError("request body: \(path)[\(index)].type must be a string")
                }
                guard type == "text" else { continue }
                guard let text = part["text"]?.stringValue else {
                    throw DemoAgentError("request body: \(path)[\(index)].text must be a string")
                }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        case let other?:
            throw DemoAgentError("request body: \(path) must be a string or an array of parts, got a JSON \(other.typeName)")
        }
    }

    /// The request as JSON (what the agent sends).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) }),
            "temperature": .number(JSONNumber(0)),
        ]
        if stream { object["stream"] = .bool(true) }
        return .object(object)
    }
}
