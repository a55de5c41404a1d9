/// The model APIs the proxy and the tape server understand, by request path.
public enum ModelAPI: String, Sendable, Hashable, CaseIterable {
    /// OpenAI `POST /v1/chat/completions`.
    case chatCompletions = "chat.completions"
    /// OpenAI `POST /v1/responses`.
    case responses
    /// Anthropic `POST /v1/messages`.
    case messages

    /// The provider name recorded in `model.request`.
    public var provider: ModelProvider {
        switch self {
        case .chatCompletions, .responses: .openai
        case .messages: .anthropic
        }
    }

    /// The request path as clients send it.
    public var path: String {
        switch self {
        case .chatCompletions: "/v1/chat/completions"
        case .responses: "/v1/responses"
        case .messages: "/v1/messages"
        }
    }

    /// The API a `POST` to `path` (query string already removed) calls; nil for any other path.
    public init?(path: String) {
        guard let api = Self.allCases.first(where: { $0.path == path || $0.path + "/" == path }) else { return nil }
        self = api
    }
}

/// A model provider; each has its own upstream base URL.
public enum ModelProvider: String, Sendable, Hashable, CaseIterable {
    case openai, anthropic
}
