import TraceModel

/// The model the agent talks to: the chat history in, the assistant's message content out.
public protocol ChatModel {
    func complete(_ messages: [ChatMessage]) throws(DemoAgentError) -> String
}

/// Runs one command line the way the agent's shell does.
public protocol CommandShell {
    func run(_ command: String) -> CommandOutcome
}

/// Where the agent records what a shell cannot see: its reasoning and its messages.
public protocol AgentEventLog {
    func record(kind: String, data: JSONValue)
}
