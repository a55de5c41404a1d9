import DemoAgent
import Testing
import TraceModel

@Suite("chat request and answer formats")
struct ChatFormatTests {
    @Test func parsesMessagesWithStringOrPartContent() throws {
        let body = #"{"model":"m","stream":false,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"b"}]},{"role":"assistant","content":null}]}"#
        let request = try ChatRequest.parse(Array(body.utf8))
        #expect(request.model == "m")
        #expect(request.messages == [ChatMessage(role: "system", content: "be brief"), ChatMessage(role: "user", content: "a\nb"),
                                     ChatMessage(role: "assistant", content: "")])
        #expect(try ChatRequest.parse(request.json.canonicalBytes()) == request, "what the agent sends parses back")
    }

    @Test(arguments: [
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}"#, "request body: invalid JSON at byte"),
        ("", "request body: invalid JSON at byte 0"),
        ("[1]", "expected a JSON object, got a JSON array"),
        (#"{"messages":[{"role":"user","content":"x"}]}"#, "model must be a string"),
        (#"{"model":"m","messages":[]}"#, "messages must be a non-empty array"),
        (#"{"model":"m","messages":{"role":"user"}}"#, "messages must be a non-empty array"),
        (#"{"model":"m","messages":[{"role":"user","content":"x"},{"content":"y"}]}"#, "messages[1].role must be a string"),
        (#"{"model":"m","messages":[{"role":"user","content":7}]}"#, "messages[0].content must be a string or an array of parts, got a JSON integer"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text must be a string"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}"#, "messages[0].content[0].type must be a string"),
        (#"{"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}"#, "stream must be a boolean"),
        (String(repeating: "[", count: 5000), "request body: invalid JSON"),
    ])
    func refusesMalformedRequestsNamingTheFieldOrOffset(body: String, expected: String) {
        #expect(throws: DemoAgentError.self) { try ChatRequest.parse(Array(body.utf8)) }
        do { _ = try ChatRequest.parse(Array(body.utf8)) } catch { #expect(error.message.contains(expected), "\(error.message)") }
    }

    @Test func answersRoundTripAndMalformedAnswersNameTheField() throws {
        let answer = ModelAnswer(reasoning: "why", commands: ["ls", "echo \"hi\""], message: "done")
        #expect(try ModelAnswer.decode(answer.json.canonicalString) == answer)
        #expect(try ModelAnswer.decode(#"{"reasoning":"r","commands":[]}"#) == ModelAnswer(reasoning: "r", commands: []))
        let cases = [
            ("Sure! Here is the fix.", "not JSON"),
            (#"{"reasoning":"r","commands":["ls"]"#, "not JSON"),
            ("[]", "a JSON array, expected an object"),
            (#"{"commands":[]}"#, "no string at reasoning"),
            (#"{"reasoning":"r","commands":"ls"}"#, "no array at commands"),
            (#"{"reasoning":"r","commands":["ls",3]}"#, "a JSON integer at commands[1]"),
        ]
        for (content, expected) in cases {
            do {
                _ = try ModelAnswer.decode(content)
                Issue.record("accepted \(content)")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
    }
}
