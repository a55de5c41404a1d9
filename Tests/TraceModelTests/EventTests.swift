import Foundation
import Testing
@testable import TraceModel

@Suite("Event decoding")
struct EventTests {
    static let base = #"{"actor":"user","data":{"role":"user","text":"hi"},"kind":"message","mono_ns":0,"seq":0,"session":"01JDQ3K2M4N5P6Q7R8S9T0V1W2","ts":"2026-11-25T08:45:50.123456Z","v":1}"#

    @Test func decodesAndReencodesCanonically() throws {
        let event = try Event.decode(Self.base)
        #expect(event.seq == 0)
        #expect(event.kind == .message)
        #expect(String(decoding: event.canonicalBytes(), as: UTF8.self) == Self.base)
        #expect(event.canonicalBytes() == event.json.canonicalBytes())
        guard case .message(let m) = try event.payload() else { Issue.record("wrong payload"); return }
        #expect(m.role == "user" && m.text == "hi")
    }

    @Test func directCanonicalWriterMatchesGenericEncoder() throws {
        for event in Fixtures.session(seed: 3, rounds: 6...6) {
            #expect(event.canonicalBytes() == event.json.canonicalBytes())
            #expect(try Event.decode(event.canonicalBytes()) == event)
        }
    }

    @Test func unknownKindPassesThroughByteForByte() throws {
        let line = #"{"actor":"tool","data":{"nested":{"a":"\u00e9","z":[1.50,2e3]},"score":0.10},"kind":"custom.metric","mono_ns":5,"prev":"sha256:"# + String(repeating: "ab", count: 32) + #"","seq":3,"session":"01JDQ3K2M4N5P6Q7R8S9T0V1W2","ts":"2026-11-25T08:45:50.123456Z","v":1}"#
        let event = try Event.decode(line)
        #expect(event.kind.isKnown == false)
        guard case .unknown(let kind, _) = try event.payload() else { Issue.record("expected unknown"); return }
        #expect(kind.rawValue == "custom.metric")
        // Input was canonical except the \u00e9 escape, which canonical form writes raw.
        #expect(String(decoding: event.canonicalBytes(), as: UTF8.self) == line.replacingOccurrences(of: "\\u00e9", with: "é"))
    }

    static let beyondSchema: [(String, String, String)] = [
        (#""cause":0"#, "cause", "earlier event"),
        (#""seq":1.0"#, "seq", "expected integer"),
        (#""kind":"tool.call\n""#, "kind", "lowercase dotted"),
    ]

    @Test(arguments: beyondSchema)
    func rulesBeyondTheSchema(replacement: String, field: String, reason: String) throws {
        var line = Self.base
        if replacement.hasPrefix(#""seq""#) || replacement.hasPrefix(#""kind""#) {
            let key = String(replacement.prefix { $0 != ":" })
            let range = try #require(line.range(of: key + #":[^,]*"#, options: .regularExpression))
            line.replaceSubrange(range, with: replacement)
        } else {
            line = line.replacingOccurrences(of: #""seq":0"#, with: #""seq":0,"# + replacement)
        }
        #expect {
            try Event.decode(line)
        } throws: { error in
            guard let e = error as? EventDecodingError else { return false }
            return e.field == field && e.description.contains(reason)
        }
    }

    @Test func notJSONAndInvalidUTF8AreReportedWithoutAField() {
        var bytes = Array(Self.base.utf8)
        bytes[bytes.count - 5] = 0xFF
        #expect {
            try Event.decode(bytes)
        } throws: { error in
            let e = error as? EventDecodingError
            return e?.field == nil && e?.reason.contains("invalid UTF-8") == true
        }
        #expect(throws: EventDecodingError.self) { try Event.decode("[1,2]") }
    }

    @Test func payloadRoundTripForEveryKind() throws {
        let events = Fixtures.session(seed: 11, rounds: 8...8)
        let kinds = Set(events.map(\.kind))
        #expect(kinds.isSuperset(of: [.sessionStart, .sessionEnd, .modelRequest, .modelResponse, .reasoning, .toolCall, .toolResult, .processExec, .message]))
        for event in events {
            let payload = try event.payload()
            #expect(payload.kind == event.kind)
            #expect(payload.data == event.data)
        }
    }
}

@Suite("Schema examples (shared with the JSON Schema tests)")
struct SchemaExampleTests {
    static let examples = Fixtures.repoRoot + "/schemas/examples"

    static func files(_ folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(examples)/\(folder)")) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test func everyValidExampleDecodes() throws {
        let names = Self.files("valid")
        #expect(names.count >= 15)
        for name in names {
            let data = try #require(FileManager.default.contents(atPath: "\(Self.examples)/valid/\(name)"))
            #expect(throws: Never.self, "\(name)") { try Event.decode([UInt8](data)) }
        }
    }

    @Test func validExamplesFormVerifiedChains() throws {
        var sessions: [SessionID: [Event]] = [:]
        for name in Self.files("valid") {
            let data = try #require(FileManager.default.contents(atPath: "\(Self.examples)/valid/\(name)"))
            let event = try Event.decode([UInt8](data))
            sessions[event.session, default: []].append(event)
        }
        for (id, events) in sessions {
            let report = ChainVerifier.verify(events.sorted { $0.seq < $1.seq })
            #expect(report.isIntact, "\(id): \(report.findings)")
        }
    }

    @Test func everyInvalidExampleFailsNamingTheField() throws {
        let expectedData = try #require(FileManager.default.contents(atPath: "\(Self.examples)/expected-errors.json"))
        let expected = try #require(try JSONParser.parse([UInt8](expectedData)).objectValue)
        let names = Self.files("invalid")
        #expect(names.count >= 20)
        #expect(Set(names) == Set(expected.keys))
        for name in names {
            let data = try #require(FileManager.default.contents(atPath: "\(Self.examples)/invalid/\(name)"))
            let field = expected[name]?.stringValue
            do {
                _ = try Event.decode([UInt8](data))
                Issue.record("\(name) was accepted")
            } catch {
                #expect(error.field == field, "\(name): \(error)")
            }
        }
    }
}
