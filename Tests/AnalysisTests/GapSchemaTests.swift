import Foundation
import TraceModel
import Testing
@testable import Analysis

/// `GapReport` JSON against schemas/gap.schema.json, with the PyPI `jsonschema` package (the one
/// scripts/check_schema_examples.py uses). Fails, never skips, when python3 or jsonschema is missing.
@Suite struct GapSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let example = root.appendingPathComponent("schemas/examples/gap/report.json")

    /// Validation errors for `json` (empty when valid), or a failure to run the validator.
    static func validate(_ json: Data) throws -> String {
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft202012Validator(schema).iter_errors(json.load(sys.stdin))]
            print("\\n".join(errors))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, root.appendingPathComponent("schemas/gap.schema.json").path]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write on a plain thread so a large report cannot fill the pipe while we wait on output.
        let writer = Thread { input.fileHandleForWriting.write(json); try? input.fileHandleForWriting.close() }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "validator failed: \(String(decoding: err, as: UTF8.self))")
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func exampleReport() -> GapReport {
        var analysis = GapAnalysis(permutations: 999, bootstrapResamples: 999)
        analysis.tasks = ["fix-test", "rotate-logs"]
        return analysis.run(events: GapAnalysisTests.cohort(runs: 1, shortcut: 1))
    }

    @Test func reportsValidate() throws {
        for report in [Self.exampleReport(), GapAnalysisTests.fast.run(events: GapAnalysisTests.cohort(skipTask: "bump-dep"))] {
            #expect(try Self.validate(try report.jsonData()) == "")
        }
    }

    @Test func theSchemaRejectsABrokenReport() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: try Self.exampleReport().jsonData()) as? [String: Any])
        object["baseline"] = nil
        object["format_version"] = 2
        let errors = try Self.validate(try JSONSerialization.data(withJSONObject: object))
        #expect(errors.contains("'baseline' is a required property") && errors.contains("format_version"))
    }

    @Test func theExampleValidatesAndDecodes() throws {
        let data = try Data(contentsOf: Self.example)
        #expect(try Self.validate(data) == "")
        let report = try GapReport.decode(data)
        #expect(report.comparisons.first?.metric("one_way_door_rate") != nil)
    }

    /// The example is this exact report, so it stays current with the code.
    @Test func theExampleIsCurrent() throws {
        let current = try Self.exampleReport().jsonData() + Data("\n".utf8)
        let stored = try Data(contentsOf: Self.example)
        if current != stored, ProcessInfo.processInfo.environment["PARALLAX_UPDATE_GOLDEN"] == "1" {
            try current.write(to: Self.example)
        }
        #expect(current == stored, "rerun with PARALLAX_UPDATE_GOLDEN=1 to rewrite schemas/examples/gap/report.json")
    }
}
