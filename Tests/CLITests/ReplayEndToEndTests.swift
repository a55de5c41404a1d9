import Collector
import Foundation
import Testing
import TraceModel
import TraceStore

/// `parallax record --shell` of real commands, then `parallax replay` of that session in bubblewrap,
/// all as real processes against a real collector on 127.0.0.1.
@Suite("parallax replay end to end", .serialized)
struct ReplayEndToEndTests {
    /// Each line is one command the scripted agent runs through `$SHELL -c`.
    static let agent = """
    #!/bin/bash
    $SHELL -c 'date'
    $SHELL -c 'echo $RANDOM'
    $SHELL -c 'python3 -c "import random; random.seed(7); print(random.random())"'
    $SHELL -c 'python3 -c "import random; print(random.random())"'
    $SHELL -c 'echo hello > a.txt; mkdir -p d; echo x > d/b.txt; date +%s > stamp'
    $SHELL -c 'rm a.txt'
    $SHELL -c 'make'
    $SHELL -c 'cat /proc/uptime'
    $SHELL -c "curl -sS -m 5 $PARALLAX_TEST_URL/healthz"
    $SHELL -c 'ls; cat app'
    """

    @Test func recordedCommandsReplayWithFidelityOneWhereThePinsReachAndNameTheCauseWhereTheyDoNot() throws {
        let dir = TempDir()
        let collector = try RecordEndToEndTests.Collector(dir)
        defer { collector.stop() }
        let workspace = dir.file("ws")
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try Data(Self.agent.utf8).write(to: URL(fileURLWithPath: workspace + "/agent.sh"))
        chmod(workspace + "/agent.sh", 0o755)
        try Data("source text\n".utf8).write(to: URL(fileURLWithPath: workspace + "/main.txt"))
        try Data("app: main.txt\n\ttr a-z A-Z < main.txt > app\n".utf8).write(to: URL(fileURLWithPath: workspace + "/Makefile"))

        let record = try RecordEndToEndTests.run(
            ["record", "--shell", "--task", "replay-demo", "--spool", dir.file("spool"), "--collector", collector.url,
             "--token", collector.token, "--id-file", dir.file("id"), "--", "./agent.sh"],
            in: workspace, environment: ["PARALLAX_TEST_URL": collector.url])
        #expect(record.code == 0, "\(record.err)")
        let session = try String(contentsOfFile: dir.file("id"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        let replay = try RecordEndToEndTests.run(
            ["replay", session, "--collector", collector.url, "--token", collector.token, "--json"], in: dir.path)
        #expect(replay.code == 1, "some steps cannot match: \(replay.err)")
        let report = try JSONParser.parse(Array(replay.out.utf8))
        #expect(try SchemaCheck.problem(replay.out, schema: "replay.schema.json") == nil, "the report does not match schemas/replay.schema.json")
        let steps = try #require(report["steps"]?.arrayValue)
        let summaries = steps.map { $0["summary"]?.stringValue ?? "" }
        func step(_ prefix: String) throws -> JSONValue {
            try #require(steps.first { $0["summary"]?.stringValue?.hasPrefix(prefix) == true }, "no step \(prefix) in \(summaries)")
        }
        func verdict(_ prefix: String) throws -> String? { try step(prefix)["verdict"]?.stringValue }
        func cause(_ prefix: String) throws -> String? { try step(prefix)["cause"]?.stringValue }

        #expect(steps.count == 10, "\(summaries)")
        // What the pins fix: the clock, seeded randomness, files, a build.
        let fixable = ["date", "python3 -c \"import random; random.seed(7)", "echo hello", "rm a.txt", "make", "ls; cat app"]
        for prefix in fixable {
            let found = try step(prefix)
            #expect(found["verdict"]?.stringValue == "match", "\(prefix): \(found.canonicalString)")
        }
        // What they cannot: unseeded randomness, the host's uptime, the network.
        #expect(try verdict("echo $RANDOM") == "diverged")
        #expect(try cause("echo $RANDOM") == "randomness")
        #expect(try verdict("python3 -c \"import random; print") == "diverged")
        #expect(try cause("python3 -c \"import random; print") == "randomness")
        #expect(try verdict("cat /proc/uptime") == "diverged")
        #expect(try cause("cat /proc/uptime") == "environment")
        #expect(try verdict("curl") == "diverged")
        #expect(try cause("curl") == "network")
        #expect(report["matched"]?.int64Value == Int64(fixable.count))
        #expect(report["sandbox"]?.stringValue == "bubblewrap")
        #expect(replay.err.contains("[10/10]"), "progress on stderr")

        // The replay is a session of its own on the collector, pointing back at the original.
        let replayID = try #require(report["replay_session"]?.stringValue.flatMap(SessionID.init))
        let summary = try #require(try collector.store.session(replayID, project: "fleet"))
        #expect(summary.replayOf?.string == session)
        let verify = cli("verify", replayID.string, "--collector", collector.url, "--token", collector.token)
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
    }

    @Test func replayRefusesBadArgumentsAndUnknownSessions() throws {
        let dir = TempDir()
        let db = dir.file("empty.sqlite")
        _ = try SQLiteStore(path: db)
        let unknown = cli("replay", "01JD3Q7ZC4W1S5T8R2M6X9V0AB", "--db", db)
        #expect(unknown.code == 3, "\(unknown.err)")
        let badMode = cli("replay", "01JD3Q7ZC4W1S5T8R2M6X9V0AB", "--db", db, "--mode", "fast")
        #expect(badMode.code == 2)
        #expect(badMode.err.contains("--mode"))
        let badUntil = cli("replay", "01JD3Q7ZC4W1S5T8R2M6X9V0AB", "--db", db, "--until", "-1")
        #expect(badUntil.code == 2)
        let notEmpty = dir.file("full")
        try FileManager.default.createDirectory(atPath: notEmpty, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: notEmpty + "/x"))
        let keep = cli("replay", "01JD3Q7ZC4W1S5T8R2M6X9V0AB", "--db", db, "--keep", notEmpty)
        #expect(keep.code == 2)
        #expect(keep.err.contains("not empty"))
    }
}
