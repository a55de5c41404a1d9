import Foundation

/// Validates a JSON document against one of the repository's schemas with the Python `jsonschema`
/// package (installed by make setup); returns the validator's complaint, or nil when valid.
enum SchemaCheck {
    static let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/schemas"

    static func problem(_ document: String, schema: String) throws -> String? {
        let file = NSTemporaryDirectory() + "parallax-schema-check-" + UUID().uuidString + ".json"
        try Data(document.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1])); document = json.load(open(sys.argv[2]))
            jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
            print("valid")
            """, schemas + "/" + schema, file]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 && output.contains("valid") ? nil : output
    }
}
