import Foundation
import Testing
import TraceModel

/// `parallax gap` over a store of synthetic sessions: text, JSON checked against its schema, and a
/// self-contained HTML report rendered in headless Chromium.
@Suite("parallax gap", .serialized)
struct GapCLITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A store with 40 generated sessions, half supervised and half unsupervised, over 4 tasks.
    static func store(_ dir: TempDir) -> String {
        let db = dir.file("fleet.sqlite")
        let generate = cli("generate", "--sessions", "40", "--seed", "3", "-o", dir.file("g.ndjson"))
        precondition(generate.code == 0, generate.err)
        let ingest = cli("ingest", dir.file("g.ndjson"), "--db", db)
        precondition(ingest.code == 0, ingest.err)
        return db
    }

    /// Runs a program to completion; its exit code and its standard output followed by its errors.
    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let run = try ModelProxyAcceptanceTests.run([executable] + arguments, environment: [:], in: NSTemporaryDirectory())
        return (run.code, run.out + run.err)
    }

    @Test func textAndJSONReportsCompareTheConditionsAndTheJSONMatchesItsSchema() throws {
        let dir = TempDir()
        let db = Self.store(dir)
        let text = cli("gap", "--db", db)
        #expect(text.code == 0, "\(text.err)")
        #expect(text.out.contains("unsupervised vs supervised — paired by task (4 tasks)"))
        #expect(text.out.contains("one_way_door_rate"))
        let json = cli("gap", "--db", db, "--format", "json", "-o", dir.file("gap.json"))
        #expect(json.code == 0, "\(json.err)")
        let report = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("gap.json")))))
        #expect(report["baseline"]?.stringValue == "supervised")
        #expect(report["comparisons"]?.arrayValue?.count == 1)
        #expect(report["sessions"]?.arrayValue?.count == 40)
        // The schema check runs the Python jsonschema validator (installed by make setup).
        let document = try String(contentsOfFile: dir.file("gap.json"), encoding: .utf8)
        #expect(try SchemaCheck.problem(document, schema: "gap.schema.json") == nil, "the report does not match schemas/gap.schema.json")
        // The same seed gives the same numbers.
        let again = cli("gap", "--db", db, "--format", "json")
        #expect(try JSONParser.parse(Array(again.out.utf8))["comparisons"] == report["comparisons"])
    }

    @Test func theHTMLReportReferencesNothingOutsideItselfAndChromiumRendersItsCharts() throws {
        let dir = TempDir()
        let db = Self.store(dir)
        let html = cli("gap", "--db", db, "--format", "html", "-o", dir.file("gap.html"))
        #expect(html.code == 0, "\(html.err)")
        let page = try String(contentsOfFile: dir.file("gap.html"), encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<svg"))
        for outside in ["<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "http://", "https://", "//cdn"] {
            #expect(!page.lowercased().contains(outside), "the report references something outside itself: \(outside)")
        }
        // Every link stays in the page, and every in-page link has its target.
        let hrefs = page.components(separatedBy: "href=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(!hrefs.isEmpty)
        for href in hrefs {
            #expect(href.hasPrefix("#"), "link \(href) leaves the page")
            #expect(page.contains("id=\"\(href.dropFirst())\""), "no target for \(href)")
        }

        // Headless Chromium (Debian `chromium`) must render it: the DOM after layout has the charts,
        // and the screenshot shows the bars in their colors.
        let chromium = "/usr/bin/chromium"
        #expect(FileManager.default.isExecutableFile(atPath: chromium), "chromium is not installed (make setup installs it)")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + dir.file("chromium-profile")]
        let (domCode, dom) = try Self.run(chromium, flags + ["--dump-dom", "file://" + dir.file("gap.html")])
        #expect(domCode == 0, "\(dom.suffix(2000))")
        #expect(dom.components(separatedBy: "<svg").count - 1 >= 5, "charts missing from the rendered DOM")
        let screenshot = dir.file("gap.png")
        let (shotCode, shotOutput) = try Self.run(chromium, flags + ["--screenshot=" + screenshot, "--window-size=900,620", "file://" + dir.file("gap.html")])
        #expect(shotCode == 0, "\(shotOutput.suffix(2000))")
        let (code, counts) = try Self.run("/usr/bin/env", ["python3", Self.repository + "/scripts/png_colors.py", screenshot, "e74c3c", "5d6d7e"])
        #expect(code == 0, "\(counts)")
        let pixels = counts.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(pixels.count == 2 && pixels.allSatisfy { $0 > 1000 }, "bar colors not found in the screenshot: \(counts)")
    }

    @Test func badArgumentsAndEmptyStoresAreNamed() throws {
        let dir = TempDir()
        let db = Self.store(dir)
        let format = cli("gap", "--db", db, "--format", "pdf")
        #expect(format.code == 2)
        #expect(format.err.contains("--format"))
        let missingRules = cli("gap", "--db", db, "--rules", dir.file("nope.json"))
        #expect(missingRules.code == 3)
        let badRules = dir.write("rules.json", Array(#"{"format":"parallax-rules","format_version":1,"rules":[{"id":"x","category":"nonexistent","description":"d","on":["exec"]}]}"#.utf8))
        let rules = cli("gap", "--db", db, "--rules", badRules)
        #expect(rules.code == 4)
        #expect(rules.err.contains("rules.json"), "\(rules.err)")
        let empty = dir.file("empty.sqlite")
        _ = cli("ingest", "/dev/null", "--db", empty)
        let none = cli("gap", "--db", empty)
        #expect(none.code == 3, "\(none.err)")
        #expect(none.err.contains("no sessions"))
    }

    @Test func compareAlignsTwoSessionsAndMarksTheFirstDivergence() throws {
        let dir = TempDir()
        let db = Self.store(dir)
        let list = try JSONParser.parse(Array(cli("sessions", "--db", db, "--task", "fix-failing-test", "--json").out.utf8))
        let ids = (list["sessions"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        try #require(ids.count >= 2)
        let same = cli("compare", ids[0], ids[0], "--db", db)
        #expect(same.code == 0, "\(same.err)")
        #expect(same.out.contains("the sessions take the same"))
        let different = cli("compare", ids[0], ids[1], "--db", db, "--json")
        #expect(different.code == 1, "\(different.err)")
        let alignment = try JSONParser.parse(Array(different.out.utf8))
        let rows = try #require(alignment["rows"]?.arrayValue)
        let first = try #require(alignment["first_divergence"]?.int64Value)
        #expect(rows[Int(first)]["operation"]?.stringValue != "match")
        #expect(rows.prefix(Int(first)).allSatisfy { $0["operation"]?.stringValue == "match" })
        let text = cli("compare", ids[0], ids[1], "--db", db)
        #expect(text.out.contains("← first divergence"))
        #expect(cli("compare", ids[0], "--db", db).code == 2)
        #expect(cli("compare", ids[0], "01JD3Q7ZC4W1S5T8R2M6X9V0AB", "--db", db).code == 3)
    }
}
