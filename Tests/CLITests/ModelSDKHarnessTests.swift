import Foundation
import Testing
import TraceModel

/// The official OpenAI and Anthropic SDKs recorded through `parallax record --proxy`, then the
/// recorded agent re-run by `parallax replay --mode harness` in bubblewrap with no upstream at all.
@Suite("harness replay of the official SDKs", .serialized)
struct ModelSDKHarnessTests {
    @Test func theRecordedSDKAgentReplaysEveryCallFromTheTapeInTheSandbox() throws {
        let dir = TempDir()
        // The sandbox sees only the system's /usr, so the agent runs the system interpreter.
        let python = "/usr/bin/python3"
        let check = try ModelProxyAcceptanceTests.run([python, "-c", "import openai, anthropic"], environment: [:], in: dir.path)
        try #require(check.code == 0, "\(python) with the openai and anthropic packages is required (make setup): \(check.err)")
        let collector = try RecordEndToEndTests.Collector(dir)
        defer { collector.stop() }
        let workspace = dir.file("ws")
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try Data(ModelSDKScript.source.utf8).write(to: URL(fileURLWithPath: workspace + "/agent.py"))
        let upstream = try ScriptedModelUpstream()

        let record = try ModelProxyAcceptanceTests.run(
            [ProcessTests.binary, "record", "--proxy", "--shell", "--upstream-openai", upstream.openAIBase, "--upstream-anthropic", upstream.anthropicBase,
             "--spool", dir.file("spool"), "--collector", collector.url, "--token", collector.token, "--id-file", dir.file("id"),
             "--", python, "agent.py"],
            environment: ["OPENAI_API_KEY": ModelProxyAcceptanceTests.openAIKey, "ANTHROPIC_API_KEY": ModelProxyAcceptanceTests.anthropicKey],
            in: workspace)
        try #require(record.code == 0, "\(record.err)")
        try #require(try ModelProxyAcceptanceTests.calls(record.out).count == 4, "\(record.out)")
        upstream.stop()
        let session = try String(contentsOfFile: dir.file("id"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        let replay = try ModelProxyAcceptanceTests.run(
            [ProcessTests.binary, "replay", session, "--mode", "harness", "--collector", collector.url, "--token", collector.token, "--json"],
            environment: [:], in: dir.path)
        #expect(replay.code == 0, "\(replay.err)")
        let report = try JSONParser.parse(Array(replay.out.utf8))
        #expect(try SchemaCheck.problem(replay.out, schema: "replay.schema.json") == nil, "the report does not match schemas/replay.schema.json")
        let steps = report["steps"]?.arrayValue ?? []
        let models = steps.filter { $0["kind"]?.stringValue == "model" }
        #expect(models.count == 4, "\(report.canonicalString)")
        #expect(models.allSatisfy { $0["verdict"]?.stringValue == "match" }, "\(models.map(\.canonicalString))")
        #expect(report["fidelity"]?.doubleValue == 1, "\(report.canonicalString)")
    }
}
