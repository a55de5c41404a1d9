import Foundation
import TraceModel
import Testing
@testable import Analysis

@Suite struct RulesFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func compiledInRulesEqualTheRepositoryFile() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("rules/parallax-rules.json"), encoding: .utf8)
        #expect(file == DefaultRules.json, "run scripts/embed_rules.py after editing rules/parallax-rules.json")
    }

    @Test func builtInSetHasEveryCategoryOfTheIssue() {
        let set = RuleSet.builtIn
        #expect(set.version == "2026.11.0")
        let ids = Set(set.categories.map(\.id))
        #expect(ids == ["destructive_file_ops", "history_rewrite", "destructive_sql", "infra_teardown", "outbound_write",
                        "credential_read", "privilege_change", "oversight_tampering"])
        for c in set.categories { #expect(set.rules.contains { $0.category == c.id }, "no rule for \(c.id)") }
        #expect(Set(set.rules.map(\.id)).count == set.rules.count)
    }

    static func userFile(_ body: String) -> [UInt8] {
        Array("{\"format\": \"parallax-rules\", \"format_version\": 1, \(body)}".utf8)
    }

    @Test func userRulesReplaceAddAndDisable() throws {
        let merged = try RuleSet.loading(userFile: Self.userFile("""
            "version": "team-3",
            "scratch": ["fixtures/tmp"],
            "categories": [{"id": "deploys", "severity": "high", "one_way_door": true, "description": "Deploys"}],
            "rules": [
              {"id": "git-push-force", "category": "history_rewrite", "severity": "low", "description": "Force push (tolerated here)", "on": ["command"], "program": ["git"], "subcommand": ["push"], "flag": ["--force"]},
              {"id": "deploy", "category": "deploys", "description": "Deploys to production", "on": ["command"], "program": ["make"], "subcommand": ["deploy"]}
            ],
            "disable": ["sudo"]
            """), source: "team.json")
        #expect(merged.version == "2026.11.0+team-3")
        #expect(merged.rules.count == RuleSet.builtIn.rules.count)  // one replaced, one added, one removed
        #expect(merged.scratch.contains("fixtures/tmp"))
        let scope = merged.scope(workspace: "/w")
        func fired(_ command: String) -> [RuleHit] {
            var s = SessionBuilder(cwd: "/w")
            s.bash(command)
            return merged.hits(in: s.events, scope: scope)
        }
        #expect(fired("git push --force").first?.severity == .low)
        #expect(fired("make deploy").map(\.rule) == ["deploy"])
        #expect(fired("sudo ls").isEmpty)
        #expect(fired("rm -rf fixtures/tmp/x").isEmpty)
        #expect(!fired("rm -rf fixtures/data").isEmpty)
    }

    static let badFiles: [(String, String, String?, String?)] = [
        // (file body, what the message must contain, rule, field)
        ("\"rules\": [{\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"text\": \"(unclosed\"}]", "invalid regular expression", "x", "text"),
        ("\"rules\": [{\"id\": \"x\", \"category\": \"nope\", \"description\": \"d\", \"on\": [\"command\"], \"program\": [\"a\"]}]", "unknown category nope", "x", "category"),
        ("\"rules\": [{\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"commands\"], \"program\": [\"a\"]}]", "unknown action kind commands", "x", "on"),
        ("\"rules\": [{\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"]}]", "at least one condition", "x", "on"),
        ("\"rules\": [{\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"program\": [\"a\"], \"severity\": \"huge\"}]", "must be one of", "x", "severity"),
        ("\"rules\": [{\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"program\": \"git\"}]", "must be an array", "x", "program"),
        ("\"rules\": [{\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"program\": [\"a\"], \"colour\": 1}]", "unknown field", "x", "colour"),
        ("\"rules\": [{\"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"program\": [\"a\"]}]", "is required", "#0", "id"),
        ("\"rules\": [{\"id\": \"Bad Id\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"program\": [\"a\"]}]", "a–z", "Bad Id", "id"),
        ("\"rules\": [{\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"program\": [\"a\"]}, {\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"program\": [\"b\"]}]", "earlier rule", "x", "id"),
        ("\"rules\": [{\"id\": \"x\", \"category\": \"history_rewrite\", \"description\": \"d\", \"on\": [\"command\"], \"program\": [\"\"]}]", "non-empty string", "x", "program[0]"),
        ("\"rules\": [7]", "must be an object", "#0", nil),
        ("\"categories\": [{\"id\": \"c\", \"severity\": \"high\", \"one_way_door\": \"yes\", \"description\": \"d\"}]", "true or false", nil, "categories[0].one_way_door"),
        ("\"disable\": [\"no-such-rule\"]", "no rule has the id no-such-rule", nil, "disable"),
        ("\"rules\": {}", "must be an array", nil, "rules"),
    ]

    @Test(arguments: badFiles.indices) func badUserFilesNameTheRuleAndField(_ i: Int) {
        let (body, message, rule, field) = Self.badFiles[i]
        do {
            _ = try RuleSet.loading(userFile: Self.userFile(body), source: "mine.json")
            Issue.record("accepted: \(body)")
        } catch {
            #expect(error.source == "mine.json")
            #expect(error.rule == rule && error.field == field, "\(error)")
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test(arguments: [
        ("", "invalid JSON at line 1, column 1 (byte 0)"), ("{\"format\": \"parallax-rules\",\n \"rules\": [1,]}", "line 2, column 14"), ("{\"format\": \"parallax-rules\"", "invalid JSON"), ("[1, 2]", "JSON object, not array"),
        ("{\"format\": \"other\", \"format_version\": 1}", "must be \"parallax-rules\""),
        ("{\"format\": \"parallax-rules\", \"format_version\": 2}", "format_version 1"),
        ("{\"format\": \"parallax-rules\", \"format_version\": 1, \"rules\": [" + String(repeating: "[", count: 500), "invalid JSON"),
    ])
    func malformedFilesAreRejectedWithWhere(_ text: String, _ message: String) {
        #expect(throws: RulesError.self) { try RuleSet.loading(userFile: Array(text.utf8), source: "x.json") }
        do { _ = try RuleSet.loading(userFile: Array(text.utf8), source: "x.json") } catch {
            #expect(error.description.hasPrefix("x.json: ") && error.description.contains(message), "\(error)")
        }
    }

    @Test func aCompleteFileNeedsAVersion() {
        #expect(throws: RulesError.self) { try RuleSet(json: Self.userFile("\"rules\": []"), source: "f") }
    }
}
