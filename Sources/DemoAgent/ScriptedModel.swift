import ModelTape
import Synchronization
import TraceModel

/// An OpenAI-compatible `POST /v1/chat/completions` endpoint answering from `ScriptedPolicy`: the
/// upstream a recording proxy forwards the demo agent's calls to. `/chat/completions` (a base URL
/// without `/v1`) is accepted too. Streaming requests get the whole answer as server-sent events.
public struct ScriptedModel: ProxyHandler {
    public var policy: ScriptedPolicy
    /// The clock for `created`; injected so tests see fixed bodies.
    public var now: @Sendable () -> Int64
    private let counter = Counter()

    public init(policy: ScriptedPolicy = ScriptedPolicy(), now: @escaping @Sendable () -> Int64) {
        self.policy = policy
        self.now = now
    }

    public func handle(_ request: ProxyRequest) -> ProxyReply {
        guard request.path == "/v1/chat/completions" || request.path == "/chat/completions" else {
            return .error(404, type: "not_found_error", message: "the scripted model serves POST /v1/chat/completions, not \(request.path)")
        }
        guard request.method == "POST" else {
            return .error(405, type: "invalid_request_error", message: "\(request.method) \(request.path): use POST")
        }
        let chat: ChatRequest
        do { chat = try ChatRequest.parse(request.body) } catch {
            return .error(400, type: "invalid_request_error", message: error.message)
        }
        let content = policy.answer(chat).json.canonicalString
        let id = "chatcmpl-scripted-\(counter.next())"
        let created = JSONValue.number(JSONNumber(now()))
        let promptTokens = chat.messages.reduce(0) { $0 + Self.tokens($1.content) + 4 }
        let completionTokens = Self.tokens(content)
        let usage: JSONValue = ["prompt_tokens": .number(JSONNumber(promptTokens)), "completion_tokens": .number(JSONNumber(completionTokens)),
                                "total_tokens": .number(JSONNumber(promptTokens + completionTokens))]
        guard chat.stream else {
            let body: JSONValue = [
                "id": .string(id), "object": "chat.completion", "created": created, "model": .string(chat.model),
                "choices": [["index": 0, "message": ["role": "assistant", "content": .string(content)], "finish_reason": "stop"]],
                "usage": usage,
            ]
            return ProxyReply(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(body.canonicalBytes()))
        }
        func chunk(_ delta: JSONValue, finish: JSONValue, usage: JSONValue = .null) -> String {
            let value: JSONValue = ["id": .string(id), "object": "chat.completion.chunk", "created": created, "model": .string(chat.model),
                                    "choices": [["index": 0, "delta": delta, "finish_reason": finish]], "usage": usage]
            return "data: \(value.canonicalString)\n\n"
        }
        let events = chunk(["role": "assistant", "content": ""], finish: .null) + chunk(["content": .string(content)], finish: .null)
            + chunk([:], finish: "stop", usage: usage) + "data: [DONE]\n\n"
        return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")],
                          body: .bytes(Array(events.utf8)))
    }

    /// A rough token count: one per four bytes, at least one.
    static func tokens(_ text: String) -> Int { max(1, (text.utf8.count + 3) / 4) }

    /// Numbers completions within one server.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    }
}
