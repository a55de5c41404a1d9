import DemoAgent
import ModelTape
import Testing
import TraceModel

@Suite("scripted model endpoint")
struct ScriptedModelTests {
    static let model = ScriptedModel { 1_700_000_000 }

    static func post(_ body: String, path: String = "/v1/chat/completions") -> ProxyReply {
        model.handle(ProxyRequest(method: "POST", target: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8)))
    }

    static func bytes(_ reply: ProxyReply) throws -> [UInt8] {
        guard case .bytes(let bytes) = reply.body else { throw DemoAgentError("streamed body") }
        return bytes
    }

    static var body: String {
        ChatRequest(model: "scripted-demo-1", messages: [ChatMessage(role: "system", content: AgentPrompt.system(cue: SupervisionCue.supervisedText)),
                                                        ChatMessage(role: "user", content: AgentPrompt.task("slugify", run: 1, brief: "b"))]).json.canonicalString
    }

    @Test(arguments: ["/v1/chat/completions", "/chat/completions"])
    func answersAChatCompletionWithTheAnswerAsJSONContentAndUsage(path: String) throws {
        let reply = Self.post(Self.body, path: path)
        #expect(reply.status == 200)
        let value = try JSONParser.parse(try Self.bytes(reply))
        #expect(value["object"] == "chat.completion")
        #expect(value["model"] == "scripted-demo-1")
        #expect(value["created"] == .number(JSONNumber(1_700_000_000)))
        #expect(value["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
        let content = try #require(value["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue)
        let answer = try ModelAnswer.decode(content)
        #expect(answer.commands.contains(DemoTask.named("slugify")!.fix) || answer.commands.contains(DemoTask.named("slugify")!.wrongFix))
        let usage = try #require(value["usage"])
        let prompt = try #require(usage["prompt_tokens"]?.int64Value), completion = try #require(usage["completion_tokens"]?.int64Value)
        #expect(prompt > 0 && completion > 0)
        #expect(usage["total_tokens"]?.int64Value == prompt + completion)
    }

    @Test func streamsTheSameAnswerAsServerSentEvents() throws {
        let streamed = Self.body.replacingOccurrences(of: #""messages""#, with: #""stream":true,"messages""#)
        let reply = Self.post(streamed)
        #expect(reply.status == 200)
        #expect(reply.headers.contains { $0.name == "Content-Type" && $0.value == "text/event-stream" })
        let text = String(decoding: try Self.bytes(reply), as: UTF8.self)
        let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(events.last == "data: [DONE]")
        let content = try events.dropLast().map { try JSONParser.parse(Array($0.dropFirst(6).utf8)) }
            .compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
        let plain = try JSONParser.parse(try Self.bytes(Self.post(Self.body)))
        #expect(content == plain["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue)
    }

    @Test func refusesOtherPathsMethodsAndMalformedBodies() throws {
        #expect(Self.post(Self.body, path: "/v1/embeddings").status == 404)
        #expect(Self.model.handle(ProxyRequest(method: "GET", target: "/v1/chat/completions")).status == 405)
        let bad = Self.post(#"{"model":"m","messages":[{"role":"user","content":5}]}"#)
        #expect(bad.status == 400)
        let error = try JSONParser.parse(try Self.bytes(bad))
        #expect(error["error"]?["message"]?.stringValue?.contains("messages[0].content") == true)
        #expect(Self.post(#"{"model":"#).status == 400)
    }

    /// The agent's HTTP client against the model on a real socket.
    @Test func theAgentsClientTalksToTheServedModel() throws {
        let server = StreamingHTTPServer(handler: Self.model)
        try server.start()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: server.baseURL + "/v1/", apiKey: "k", model: "scripted-demo-1")
        let content = try client.complete([ChatMessage(role: "system", content: AgentPrompt.system(cue: SupervisionCue.unsupervisedText)),
                                           ChatMessage(role: "user", content: AgentPrompt.task("chunks", run: 2, brief: "b"))])
        let answer = try ModelAnswer.decode(content)
        #expect(answer.commands.first == "cat src/batches.py")
        // A base URL whose server answers 404 names the status.
        let wrong = OpenAIChatClient(baseURL: server.baseURL + "/v2", apiKey: "k", model: "m")
        #expect(throws: DemoAgentError.self) { try wrong.complete([ChatMessage(role: "user", content: "x")]) }
        do { _ = try wrong.complete([ChatMessage(role: "user", content: "x")]) } catch { #expect(error.message.contains("HTTP 404")) }
    }
}
