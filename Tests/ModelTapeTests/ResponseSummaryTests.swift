import ModelTape
import Testing
import TraceModel

@Suite struct ResponseSummaryTests {
    @Test func chatCompletionBody() {
        let body = #"{"id":"c1","model":"gpt-4o-2024","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":8}}}"#
        let summary = ResponseSummary(api: .chatCompletions, isEventStream: false, body: bytes(body))
        #expect(summary == ResponseSummary(model: "gpt-4o-2024", usage: TokenUsage(inputTokens: 12, outputTokens: 3, cacheReadTokens: 8),
                                           stopReason: "stop"))
    }

    @Test func chatCompletionStreamWithUsageChunk() {
        let body = """
        data: {"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"h"},"finish_reason":null}]}

        data: {"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}

        data: {"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}

        data: [DONE]


        """
        let summary = ResponseSummary(api: .chatCompletions, isEventStream: true, body: bytes(body))
        #expect(summary == ResponseSummary(model: "gpt-4o", usage: TokenUsage(inputTokens: 5, outputTokens: 2), stopReason: "length"))
    }

    @Test func responsesBodyAndStream() {
        let body = #"{"id":"r","model":"o3","status":"completed","usage":{"input_tokens":9,"output_tokens":4,"input_tokens_details":{"cached_tokens":0}}}"#
        #expect(ResponseSummary(api: .responses, isEventStream: false, body: bytes(body))
                == ResponseSummary(model: "o3", usage: TokenUsage(inputTokens: 9, outputTokens: 4, cacheReadTokens: 0), stopReason: "completed"))
        let stream = """
        event: response.created
        data: {"type":"response.created","response":{"model":"o3","status":"in_progress"}}

        event: response.completed
        data: {"type":"response.completed","response":{"model":"o3","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":9,"output_tokens":16}}}


        """
        #expect(ResponseSummary(api: .responses, isEventStream: true, body: bytes(stream))
                == ResponseSummary(model: "o3", usage: TokenUsage(inputTokens: 9, outputTokens: 16), stopReason: "max_output_tokens"))
    }

    @Test func anthropicBodyAndStream() {
        let body = #"{"id":"m","type":"message","model":"claude-x","stop_reason":"end_turn","usage":{"input_tokens":20,"output_tokens":7,"cache_read_input_tokens":3,"cache_creation_input_tokens":1}}"#
        #expect(ResponseSummary(api: .messages, isEventStream: false, body: bytes(body))
                == ResponseSummary(model: "claude-x", usage: TokenUsage(inputTokens: 20, outputTokens: 7, cacheReadTokens: 3, cacheWriteTokens: 1),
                                   stopReason: "end_turn"))
        let stream = """
        event: message_start
        data: {"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":20,"output_tokens":1}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":15}}


        """
        #expect(ResponseSummary(api: .messages, isEventStream: true, body: bytes(stream))
                == ResponseSummary(model: "claude-x", usage: TokenUsage(inputTokens: 20, outputTokens: 15), stopReason: "tool_use"))
    }

    @Test func unusableBodiesYieldNothing() {
        for body in ["", "not json", "[1]", #"{"usage":{"input_tokens":-4,"output_tokens":"x"}}"#] {
            #expect(ResponseSummary(api: .messages, isEventStream: false, body: bytes(body)) == ResponseSummary())
        }
        #expect(ResponseSummary(api: .messages, isEventStream: true, body: bytes("data: {\n\ndata: [DONE]\n\n")) == ResponseSummary())
    }
}
