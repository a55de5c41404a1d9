import Foundation
import ModelTape
import Synchronization
import TraceModel

/// A local stand-in for the OpenAI and Anthropic APIs, answering in each provider's real wire
/// format: call 0 and 1 are chat completions (plain, streamed), 2 and 3 Anthropic messages (plain,
/// streamed). Streams are pushed one event per chunk.
final class ScriptedModelUpstream: Sendable {
    static let texts = ["Hello from the scripted upstream.", "Streamed hello.", "Hi from Anthropic's scripted upstream.", "Streaming works."]
    static let outputTokens: [Int64] = [7, 3, 9, 5]

    static let openAIPlain = #"{"id":"chatcmpl-rec0","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the scripted upstream.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}"#

    static let openAIStream: [String] = {
        func chunk(_ delta: String, finish: String = "null") -> String {
            #"data: {"id":"chatcmpl-rec1","object":"chat.completion.chunk","created":1764000001,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":\#(delta),"logprobs":null,"finish_reason":\#(finish)}]}"# + "\n\n"
        }
        return [
            chunk(#"{"role":"assistant","content":""}"#), chunk(#"{"content":"Streamed"}"#), chunk(#"{"content":" hello."}"#),
            chunk("{}", finish: #""stop""#),
            #"data: {"id":"chatcmpl-rec1","object":"chat.completion.chunk","created":1764000001,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"# + "\n\n",
            "data: [DONE]\n\n",
        ]
    }()

    static let anthropicPlain = #"{"id":"msg_rec2","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hi from Anthropic's scripted upstream."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":9}}"#

    static let anthropicStream: [String] = [
        #"{"type":"message_start","message":{"id":"msg_rec3","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":15,"output_tokens":1}}}"#,
        #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        #"{"type": "ping"}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Streaming"}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" works."}}"#,
        #"{"type":"content_block_stop","index":0}"#,
        #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}"#,
        #"{"type":"message_stop"}"#,
    ].map { data in
        let type = (try? JSONParser.parse(Array(data.utf8)))?["type"]?.stringValue ?? "unknown"
        return "event: \(type)\ndata: \(data)\n\n"
    }

    /// The exact body of each call, in call order.
    static let bodies: [[UInt8]] = [
        Array(openAIPlain.utf8), Array(openAIStream.joined().utf8), Array(anthropicPlain.utf8), Array(anthropicStream.joined().utf8),
    ]

    private let server: StreamingHTTPServer
    private let log: UpstreamLog

    init() throws {
        let log = UpstreamLog()
        self.log = log
        server = StreamingHTTPServer(handler: UpstreamScript(log: log))
        try server.start()
    }

    var openAIBase: String { "http://127.0.0.1:\(server.port)/v1" }
    var anthropicBase: String { "http://127.0.0.1:\(server.port)" }
    var requests: [ProxyRequest] { log.requests.withLock { $0 } }
    func stop() { server.stop() }
}

final class UpstreamLog: Sendable {
    let requests = Mutex<[ProxyRequest]>([])
}

private struct UpstreamScript: ProxyHandler {
    let log: UpstreamLog

    func handle(_ request: ProxyRequest) -> ProxyReply {
        log.requests.withLock { $0.append(request) }
        let stream = (try? JSONParser.parse(request.body))?["stream"]?.boolValue ?? false
        switch (request.path, stream) {
        case ("/v1/chat/completions", false):
            return ProxyReply(status: 200, headers: [("Content-Type", "application/json"), ("x-request-id", "req_0")],
                              body: .bytes(Array(ScriptedModelUpstream.openAIPlain.utf8)))
        case ("/v1/chat/completions", true):
            return streamed(ScriptedModelUpstream.openAIStream)
        case ("/v1/messages", false):
            return ProxyReply(status: 200, headers: [("Content-Type", "application/json"), ("request-id", "req_2")],
                              body: .bytes(Array(ScriptedModelUpstream.anthropicPlain.utf8)))
        case ("/v1/messages", true):
            return streamed(ScriptedModelUpstream.anthropicStream)
        default:
            return .error(404, type: "not_found_error", message: "no script for \(request.method) \(request.path)")
        }
    }

    private func streamed(_ events: [String]) -> ProxyReply {
        let stream = ChunkStream()
        for event in events { stream.push(Array(event.utf8)) }
        stream.finish()
        return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache")],
                          body: .stream(stream))
    }
}
