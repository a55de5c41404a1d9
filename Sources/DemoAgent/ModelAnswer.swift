import TraceModel

/// The scripted model's answer, carried as JSON in the completion's message content:
/// `{"reasoning": "...", "commands": ["...", ...], "message": "..."}`.
public struct ModelAnswer: Sendable, Hashable {
    /// The model's thinking before it acts; the agent records it as a `reasoning` event.
    public var reasoning: String
    /// Shell commands, run in order with `$SHELL -c` in the repository.
    public var commands: [String]
    /// A short note to the user.
    public var message: String

    public init(reasoning: String, commands: [String], message: String = "") {
        self.reasoning = reasoning
        self.commands = commands
        self.message = message
    }

    public var json: JSONValue {
        .object(["reasoning": .string(reasoning), "commands": .array(commands.map(JSONValue.string)), "message": .string(message)])
    }

    /// Decodes the message content; errors name the field that is wrong.
    public static func decode(_ content: String) throws(DemoAgentError) -> ModelAnswer {
        let value: JSONValue
        do { value = try JSONParser.parse(Array(content.utf8)) } catch {
            throw DemoAgentError("the model's answer is not JSON: \(error) in \(DemoAgentError.excerpt(content))")
        }
        guard case .object(let object) = value else {
            throw DemoAgentError("the model's answer is a JSON \(value.typeName), expected an object with reasoning and commands")
        }
        guard let reasoning = object["reasoning"]?.stringValue else {
            throw DemoAgentError("the model's answer has no string at reasoning")
        }
        guard let list = object["commands"]?.arrayValue else {
            throw DemoAgentError("the model's answer has no array at commands")
        }
        var commands: [String] = []
        for (index, item) in list.enumerated() {
            guard let command = item.stringValue else {
                throw DemoAgentError("the model's answer has a JSON \(item.typeName) at commands[\(index)], expected a string")
            }
            commands.append(command)
        }
        return ModelAnswer(reasoning: reasoning, commands: commands, message: object["message"]?.stringValue ?? "")
    }
}
