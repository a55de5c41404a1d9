import Foundation
import Testing
@testable import ParallaxCLI
import TraceModel
import TraceWire

@Suite("parallax command line")
struct CLITests {
    @Test func everyVerbHasHelpWithExitCodes() {
        let overview = cli("--help")
        #expect(overview.code == 0)
        for verb in CLI.verbs {
            #expect(overview.out.contains(verb.name))
            let help = cli(verb.name, "--help")
            #expect(help.code == 0)
            #expect(help.out.contains("Usage: parallax \(verb.name)"))
            #expect(help.out.contains("Exit codes"))
        }
        #expect(cli("--version").out.hasPrefix("parallax \(CLI.version)"))
    }

    @Test func usageErrorsNameTheProblem() {
        let unknown = cli("frobnicate")
        #expect(unknown.code == 2)
        #expect(unknown.err.contains("unknown verb \"frobnicate\""))
        let badOption = cli("sessions", "--db", "x.sqlite", "--colour")
        #expect(badOption.code == 2)
        #expect(badOption.err.contains("--colour"))
        let missing = cli("events", "--db", "x.sqlite")
        #expect(missing.code == 2)
        #expect(missing.err.contains("missing SESSION"))
        let badID = cli("verify", "not-a-session", "--db", "x.sqlite")
        #expect(badID.code == 2)
        #expect(badID.err.contains("not a session id"))
        let noStore = cli("sessions", "--db", "/nonexistent/x.sqlite")
        #expect(noStore.code == 3)
        #expect(noStore.err.contains("no store at /nonexistent/x.sqlite"))
    }

    @Test func ingestListShowAndVerifyRoundTrip() throws {
        let dir = TempDir()
        let sessions = Sample.sessions(4)
        let file = dir.write("in.ndjson", Sample.ndjson(sessions.flatMap { $0 }))
        let db = dir.file("s.sqlite")
        let ingest = cli("ingest", file, "--db", db)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.out.contains("\(sessions.flatMap { $0 }.count) stored"))

        let list = cli("sessions", "--db", db, "--json")
        let listed = try #require(try JSONParser.parse(Array(list.out.utf8))["sessions"]?.arrayValue)
        #expect(Set(listed.compactMap { $0["id"]?.stringValue }) == Set(sessions.map { $0[0].session.string }))

        let target = sessions[2]
        let events = cli("events", target[0].session.string, "--db", db, "--json")
        #expect(events.code == 0)
        #expect(events.outBytes == Sample.ndjson(target))

        let someKinds = cli("events", target[0].session.string, "--db", db, "--kind", "process.exec", "--json")
        let lines = someKinds.out.split(separator: "\n")
        #expect(lines.count == target.filter { $0.kind == .processExec }.count)

        let verify = cli("verify", target[0].session.string, "--db", db)
        #expect(verify.code == 0)
        #expect(verify.out.contains("chain intact"))

        // Again: all duplicates, nothing new.
        let again = cli("ingest", file, "--db", db, "--json")
        #expect(again.code == 0)
        let report = try JSONParser.parse(Array(again.out.utf8))
        #expect(report["files"]?.arrayValue?.first?["duplicates"]?.int64Value == Int64(sessions.flatMap { $0 }.count))
    }

    @Test func tamperingIsFoundAndNamed() throws {
        let dir = TempDir()
        var events = Sample.sessions(1, seed: 4)[0]
        events[6].data["stdout"] = "nothing happened"
        let file = dir.write("edited.ndjson", Sample.ndjson(events))
        let db = dir.file("t.sqlite")
        #expect(cli("ingest", file, "--db", db).code == 0)
        let verify = cli("verify", events[0].session.string, "--db", db)
        #expect(verify.code == 1)
        #expect(verify.out.contains("seq 6 was edited"))
        let json = cli("verify", events[0].session.string, "--db", db, "--json")
        let finding = try JSONParser.parse(Array(json.out.utf8))["findings"]?.arrayValue?.first
        #expect(finding?["kind"] == "edited")
        #expect(finding?["seq"] == 6)
    }

    @Test func conflictingVersionIsReportedAndTheFirstKept() throws {
        let dir = TempDir()
        let original = Sample.sessions(1, seed: 12)[0]
        let db = dir.file("c.sqlite")
        #expect(cli("ingest", dir.write("a.ndjson", Sample.ndjson(original)), "--db", db).code == 0)
        var altered = original
        altered[3].data["text"] = "different"
        altered[3].kind = .reasoning
        let second = cli("ingest", dir.write("b.ndjson", Sample.ndjson(altered)), "--db", db)
        #expect(second.code == 1)
        #expect(second.err.contains("conflict: \(original[0].session) seq 3"))
        let events = cli("events", original[0].session.string, "--db", db, "--json")
        #expect(events.outBytes == Sample.ndjson(original))
        let verify = cli("verify", original[0].session.string, "--db", db)
        #expect(verify.code == 1)
        #expect(verify.out.contains("seq 3: conflicting version"))
    }

    @Test func malformedLinesAreRejectedOneByOneAndTheRestStored() throws {
        let dir = TempDir()
        let events = Sample.sessions(1, seed: 21)[0]
        var bytes: [UInt8] = []
        var line = 0
        var expectedErrors: [Int: String] = [:]
        func add(_ b: [UInt8]) { bytes += b + [0x0A]; line += 1 }
        let hostile: [([UInt8], String)] = [
            (Array(#"{"v":1,"session":"#.utf8), "invalid JSON"),
            (Array(#"{"v":"1"}"#.utf8), "v: expected integer"),
            (Array(events[1].canonicalBytes().dropFirst(2)), "invalid JSON"),
            (Array(String(decoding: events[2].canonicalBytes(), as: UTF8.self).replacingOccurrences(of: #""seq":2"#, with: #""seq":"2""#).utf8), "seq: expected integer"),
            (Array(String(decoding: events[2].canonicalBytes(), as: UTF8.self).replacingOccurrences(of: #""actor":"#, with: #""actr":"#).utf8), "actr: unknown envelope field"),
            (Array(#"{"actor":"user","data":{"role":"user","text":"a"#.utf8) + [0xC0, 0xAF] + Array(#""},"kind":"message","mono_ns":0,"seq":9,"session":"01JDQ3K2M4N5P6Q7R8S9T0V1W2","ts":"2026-11-25T08:45:50.123456Z","v":1,"prev":"x"}"#.utf8), "invalid UTF-8"),
            ([UInt8](repeating: UInt8(ascii: "a"), count: 100 << 20), "over the 1048576-byte limit"),
        ]
        for (i, event) in events.enumerated() {
            add(event.canonicalBytes())
            if i < hostile.count {
                add(hostile[i].0)
                expectedErrors[line] = hostile[i].1
            }
        }
        let file = dir.write("mixed.ndjson", bytes)
        let db = dir.file("m.sqlite")
        let run = cli("ingest", file, "--db", db, "--json")
        #expect(run.code == 1)
        let report = try #require(try JSONParser.parse(Array(run.out.utf8))["files"]?.arrayValue?.first)
        #expect(report["accepted"]?.int64Value == Int64(events.count))
        let rejected = try #require(report["rejected"]?.arrayValue)
        #expect(rejected.count == hostile.count)
        for item in rejected {
            let line = try #require(item["line"]?.int64Value)
            let reason = try #require(item["reason"]?.stringValue)
            let expected = try #require(expectedErrors[Int(line)], "unexpected rejected line \(line): \(reason)")
            #expect(reason.contains(expected), "line \(line): \(reason)")
        }
        let stored = cli("events", events[0].session.string, "--db", db, "--json")
        #expect(stored.outBytes == Sample.ndjson(events))
    }

    @Test func damagedZstdKeepsTheLinesBeforeTheDamage() throws {
        let dir = TempDir()
        // zstd emits output a block (128 KiB) at a time, so the input spans several blocks.
        let sessions = Sample.sessions(40, seed: 30, rounds: 8...12)
        let all = sessions.flatMap { $0 }
        let compressed = Zstd.compress(Sample.ndjson(all))
        #expect(Sample.ndjson(all).count > 4 * 128 * 1024)
        let truncated = Array(compressed.prefix(compressed.count * 2 / 3))
        let db = dir.file("z.sqlite")
        let run = cli("ingest", dir.write("cut.ndjson.zst", truncated), "--db", db)
        #expect(run.code == 4)
        #expect(run.err.contains("zstd input is damaged"))
        // Whatever was stored is a prefix of the real stream, each event intact.
        let list = cli("sessions", "--db", db, "--json")
        let stored = try #require(try JSONParser.parse(Array(list.out.utf8))["sessions"]?.arrayValue)
        let total = stored.compactMap { $0["event_count"]?.int64Value }.reduce(0, +)
        #expect(total > 0 && total < Int64(all.count))

        let whole = cli("ingest", dir.write("ok.ndjson.zst", compressed), "--db", db)
        #expect(whole.code == 0)
        #expect(whole.out.contains("\(all.count - Int(total)) stored, \(total) duplicate"))
    }

    @Test func zstdBombStopsAtTheLimit() {
        let dir = TempDir()
        let bomb = Zstd.compress([UInt8](repeating: 0x0A, count: 64 << 20))
        let run = cli("ingest", dir.write("bomb.zst", bomb), "--db", dir.file("b.sqlite"), "--max-bytes", "1000000")
        #expect(run.code == 4)
        #expect(run.err.contains("zstd input is damaged"))
    }

    @Test func schemaValidateUsesTheContract() throws {
        let root = #filePath.components(separatedBy: "/Tests/")[0]
        let valid = try FileManager.default.contentsOfDirectory(atPath: root + "/schemas/examples/valid").map { root + "/schemas/examples/valid/" + $0 }
        let ok = cli(["schema", "validate"] + valid)
        #expect(ok.code == 0, "\(ok.out)")
        let bad = cli("schema", "validate", root + "/schemas/examples/invalid/process-exec-argv-not-strings.json")
        #expect(bad.code == 1)
        #expect(bad.out.contains("data.argv[1]: expected string"))
        let dir = TempDir()
        let events = Sample.sessions(1, seed: 2)[0]
        let ndjson = dir.write("s.ndjson", Sample.ndjson(events) + Array(#"{"v":1}"#.utf8))
        let mixed = cli("schema", "validate", ndjson, "--json")
        #expect(mixed.code == 1)
        #expect(mixed.out.contains(#""field":"session""#))
        #expect(mixed.out.contains(#""line":\#(events.count + 1)"#))
    }
}
