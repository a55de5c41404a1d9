import Testing
@testable import TraceModel

@Suite("Secret redaction")
struct RedactorTests {
    let redactor = Redactor(literals: ["hunter2-collector-token"])

    @Test func secretNamedFieldsAreReplacedStably() throws {
        let exec = ProcessExec(argv: ["deploy"], cwd: "/w", env: ["AWS_SECRET_ACCESS_KEY": "abc123verysecret", "GITHUB_TOKEN": "zzz", "PATH": "/usr/bin", "UNSET_ME": nil])
        var event = Event(session: SessionID.generate(), seq: 0, ts: .now(), monoNs: 0, actor: .tool, payload: .processExec(exec))
        #expect(redactor.redact(&event))
        let env = try #require(event.data["env"]?.objectValue)
        #expect(env["AWS_SECRET_ACCESS_KEY"] == .string(Redactor.marker(for: "abc123verysecret")))
        #expect(env["GITHUB_TOKEN"]?.stringValue?.hasPrefix("«redacted:") == true)
        #expect(env["PATH"] == "/usr/bin")
        #expect(env["UNSET_ME"] == .null)
        #expect(Redactor.marker(for: "same") == Redactor.marker(for: "same"))
        #expect(Redactor.marker(for: "same") != Redactor.marker(for: "other"))
        // Redaction is idempotent.
        var again = event
        #expect(!redactor.redact(&again))
    }

    @Test func headersAndNestedKeys() {
        let value: JSONValue = ["headers": ["Authorization": "Bearer abc.def.ghi", "x-api-key": "k-123456", "Accept": "application/json"],
                                "usage": ["input_tokens": 1200], "author": "dana"]
        let out = redactor.redact(value)
        #expect(out["headers"]?["Authorization"]?.stringValue?.hasPrefix("«redacted:") == true)
        #expect(out["headers"]?["x-api-key"]?.stringValue?.hasPrefix("«redacted:") == true)
        #expect(out["headers"]?["Accept"] == "application/json")
        #expect(out["usage"]?["input_tokens"] == 1200)
        #expect(out["author"] == "dana")
    }

    @Test(arguments: [
        "export OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123",
        "key sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA and more",
        "token ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "aws AKIAIOSFODNN7EXAMPLE here",
        "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'",
        "slack xoxb-123456789012-abcdefABCDEF",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nafter",
        "the collector token is hunter2-collector-token.",
    ])
    func tokensInTextAreRedacted(text: String) {
        let out = redactor.redact(text: text)
        #expect(out != text)
        #expect(out.contains("«redacted:"))
        for secret in ["sk-proj-AbCd", "sk-ant-api03", "ghp_0123", "AKIAIOSFODNN7", "eyJhbGci", "xoxb-1234", "MIIEow", "hunter2"] {
            #expect(!out.contains(secret), "\(out)")
        }
    }

    @Test(arguments: ["rm -rf ./build", "task-sk-1", "the skeleton is ok", "AKIA is a prefix", "Bearer", "git push origin main"])
    func ordinaryTextIsLeftAlone(text: String) {
        #expect(redactor.redact(text: text) == text)
    }
}
