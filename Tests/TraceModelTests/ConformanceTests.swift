import Foundation
import Testing
@testable import TraceModel

/// Real agent transcripts and traces from public projects (../shared/testdata, see its SOURCES.md):
/// the strict parser must accept every real JSON document and line, canonical encoding must be a
/// fixed point on them, and redaction must stay valid and idempotent on them.
@Suite("Conformance with real third-party JSON", .enabled(if: Fixtures.sharedTestdataAvailable))
struct ConformanceTests {
    static let root = Fixtures.sharedTestdata

    static func files() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var out: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if [".json", ".jsonl", ".traj", ".cast"].contains(where: path.hasSuffix) { out.append(root + "/" + path) }
        }
        return out.sorted()
    }

    /// Each file as a list of JSON documents: one for .json/.traj, one per non-empty line otherwise.
    static func documents(_ path: String) throws -> [[UInt8]] {
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        if path.hasSuffix(".json") || path.hasSuffix(".traj") { return [bytes] }
        return bytes.split(separator: 0x0A).filter { !$0.isEmpty }.map(Array.init)
    }

    @Test func everyRealDocumentParsesAndCanonicalizesStably() throws {
        let files = Self.files()
        #expect(files.count >= 8)
        var documents = 0
        for file in files {
            for document in try Self.documents(file) {
                documents += 1
                let value: JSONValue
                do {
                    value = try JSONParser.parse(document)
                } catch {
                    Issue.record("\(file): \(error)")
                    continue
                }
                let canonical = value.canonicalBytes()
                #expect(try JSONParser.parse(canonical).canonicalBytes() == canonical, "\(file)")
                #expect(try JSONParser.parse(canonical) == value, "\(file)")
            }
        }
        #expect(documents > 40)
    }

    @Test func knownShapes() throws {
        let hooks = try JSONParser.parse(try Self.documents(Self.root + "/claude-code/hooks-post_tool_use.json")[0])
        let payloads = try #require(hooks.arrayValue)
        #expect(payloads.count == 14)
        #expect(payloads.allSatisfy { $0["hook_event_name"] == "PostToolUse" })
        let otlp = try JSONParser.parse(try Self.documents(Self.root + "/otlp/traces.json")[0])
        #expect(otlp["resourceSpans"]?.arrayValue?.count == 7)
    }

    @Test func redactionKeepsRealDocumentsValidAndIsIdempotent() throws {
        let redactor = Redactor()
        for file in Self.files() {
            for document in try Self.documents(file) {
                let value = try JSONParser.parse(document)
                let once = redactor.redact(value)
                #expect(redactor.redact(once) == once, "\(file)")
                #expect(try JSONParser.parse(once.canonicalBytes()) == once)
            }
        }
    }
}
