import ModelTape
import Testing
import TraceModel

@Suite struct CanonicalRequestTests {
    let chat = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0}"#

    func digest(_ text: String, api: ModelAPI = .chatCompletions) throws -> Digest {
        try CanonicalRequest(api: api, body: bytes(text)).digest
    }

    @Test func volatileFieldsDoNotChangeTheDigest() throws {
        let base = try digest(chat)
        let noisy = #"""
        { "temperature": 0, "user": "run-7", "metadata": {"trace": "abc"}, "stream_options": {"include_usage": true},
          "prompt_cache_key": "k-19", "safety_identifier": "u-1",
          "messages": [ {"content": "hi", "role": "user"} ], "model": "gpt-4o" }
        """#
        #expect(try digest(noisy) == base)
        #expect(try digest(#"{"model":"o3","input":"hi","user":"a"}"#, api: .responses) == digest(#"{"input":"hi","model":"o3"}"#, api: .responses))
        #expect(try digest(#"{"model":"claude","max_tokens":5,"messages":[],"metadata":{"user_id":"x"}}"#, api: .messages)
                == digest(#"{"max_tokens":5,"messages":[],"model":"claude"}"#, api: .messages))
    }

    @Test func whatDecidesTheAnswerChangesTheDigest() throws {
        let base = try digest(chat)
        #expect(try digest(chat.replacingOccurrences(of: "hi", with: "hello")) != base)
        #expect(try digest(chat.replacingOccurrences(of: "gpt-4o", with: "gpt-4.1")) != base)
        // The same body sent to another API is another request.
        #expect(try digest(chat, api: .responses) != base)
        // A number literal is kept as written: 0 and 0.0 differ, as they may to the provider.
        #expect(try digest(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.0}"#) != base)
    }

    @Test func streamFlag() throws {
        let plain = try CanonicalRequest(api: .chatCompletions, body: bytes(chat))
        #expect(plain.stream == false)
        #expect(plain.model == "gpt-4o")
        let explicitFalse = try CanonicalRequest(api: .chatCompletions, body: bytes(#"{"stream":false,"#) + bytes(chat).dropFirst())
        #expect(explicitFalse.digest == plain.digest)
        let streamed = try CanonicalRequest(api: .chatCompletions, body: bytes(#"{"stream":true,"#) + bytes(chat).dropFirst())
        #expect(streamed.stream)
        #expect(streamed.digest != plain.digest)
    }

    @Test func documentIsTheCanonicalBodyWithoutVolatileFields() throws {
        let request = try CanonicalRequest(api: .messages, body: bytes(#"{ "model" : "c", "metadata": {"user_id": "u"}, "max_tokens": 1 }"#))
        #expect(request.document.canonicalString == #"{"api":"messages","body":{"max_tokens":1,"model":"c"}}"#)
        #expect(request.digest == Digest.sha256(request.document.canonicalBytes()))
    }

    @Test(arguments: [
        ("", ModelRequestError.Code.invalidJSON, nil as String?),
        ("{\"model\":\"gpt", .invalidJSON, nil),
        ("{\"model\":\"a\"} trailing", .invalidJSON, nil),
        ("{\"model\":\"a\",\"model\":\"b\"}", .invalidJSON, nil),
        ("[1,2]", .notAnObject, nil),
        ("\"text\"", .notAnObject, nil),
        ("null", .notAnObject, nil),
        ("{\"model\":42}", .invalidField, "model"),
        ("{\"model\":\"a\",\"stream\":\"yes\"}", .invalidField, "stream"),
    ])
    func malformedBodies(text: String, code: ModelRequestError.Code, field: String?) {
        #expect {
            _ = try CanonicalRequest(api: .chatCompletions, body: bytes(text))
        } throws: { error in
            guard let error = error as? ModelRequestError else { return false }
            return error.code == code && error.field == field && error.description.contains("/v1/chat/completions")
        }
    }

    @Test func errorsNameTheByteOffset() throws {
        let error = try #require(throws: ModelRequestError.self) {
            _ = try CanonicalRequest(api: .messages, body: bytes(#"{"model": "c", "max_tokens": ?}"#))
        }
        #expect(error.offset == 29)
        #expect(error.description.contains("byte 29"))
    }

    @Test func hostileBodiesFailWithoutCrashing() throws {
        // Nesting far deeper than any request: refused at the depth limit, not by exhausting the stack.
        let deep = bytes(String(repeating: "[", count: 100_000))
        let error = try #require(throws: ModelRequestError.self) { _ = try CanonicalRequest(api: .chatCompletions, body: deep) }
        #expect(error.code == .invalidJSON)
        // Invalid UTF-8 inside a string, and a lone surrogate escape.
        #expect(throws: ModelRequestError.self) { _ = try CanonicalRequest(api: .chatCompletions, body: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) }
        #expect(throws: ModelRequestError.self) { _ = try CanonicalRequest(api: .chatCompletions, body: bytes(#"{"model":"\ud800"}"#)) }
        // Large but well-formed content is fine.
        let big = #"{"model":"m","messages":[{"role":"user","content":""# + String(repeating: "x", count: 4 << 20) + #""}]}"#
        #expect(try CanonicalRequest(api: .chatCompletions, body: bytes(big)).model == "m")
        // Depth within the limit (tool schemas nest) is accepted.
        let nested = #"{"model":"m","tools":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(try CanonicalRequest(api: .chatCompletions, body: bytes(nested)).model == "m")
    }

    @Test func apiByPath() {
        #expect(ModelAPI(path: "/v1/chat/completions") == .chatCompletions)
        #expect(ModelAPI(path: "/v1/responses/") == .responses)
        #expect(ModelAPI(path: "/v1/messages") == .messages)
        #expect(ModelAPI(path: "/v1/messages/count_tokens") == nil)
        #expect(ModelAPI(path: "/v1/models") == nil)
        #expect(ModelAPI.messages.provider == .anthropic)
    }
}
