import Recorder
import Testing
import TraceModel

@Suite struct SnapshotManifestTests {
    static let d1 = Digest.sha256(Array("one".utf8))
    static let d2 = Digest.sha256(Array("two".utf8))

    static let sample = SnapshotManifest(entries: [
        .file("src/main.swift", mode: 0o644, size: 3, digest: d1),
        .dir("src"),
        .symlink("link", target: "../outside"),
        .file("a.txt", mode: 0o4755, size: 1 << 40, digest: d2, stored: false),
        .file("src.txt", size: 0, digest: Digest.sha256([UInt8]())),
        .dir("empty", mode: 0o700),
        .file("ünï/çødé \"q\"\n", size: 3, digest: d1),
    ])

    @Test func entriesAreSortedByPathBytes() {
        #expect(Self.sample.entries.map(\.path) == ["a.txt", "empty", "link", "src", "src.txt", "src/main.swift", "ünï/çødé \"q\"\n"])
        #expect(Self.sample["src/main.swift"]?.digest == Self.d1)
        #expect(Self.sample["src/missing"] == nil)
        #expect(Self.sample["0"] == nil)
        #expect(Self.sample["zzz"] == nil)
    }

    @Test func duplicatePathsKeepTheLastEntry() {
        let m = SnapshotManifest(entries: [.dir("x"), .file("x", size: 1, digest: Self.d1)])
        #expect(m.count == 1)
        #expect(m["x"]?.kind == .file)
    }

    @Test func roundTripKeepsEveryField() throws {
        let bytes = Self.sample.canonicalBytes()
        let parsed = try SnapshotManifest.parse(bytes)
        #expect(parsed == Self.sample)
        #expect(parsed.canonicalBytes() == bytes)
        #expect(parsed.digest == Digest.sha256(bytes))
    }

    @Test func encodingIsTheCanonicalJSON() throws {
        let m = SnapshotManifest(entries: [
            .file("b", mode: 0o600, size: 3, digest: Self.d1, stored: false), .dir("a"), .symlink("c", target: "b"),
        ])
        let expected = #"{"entries":[{"mode":493,"path":"a","type":"dir"},{"digest":"\#(Self.d1)","mode":384,"path":"b","size":3,"stored":false,"type":"file"},{"mode":511,"path":"c","target":"b","type":"symlink"}],"v":1}"#
        #expect(String(decoding: m.canonicalBytes(), as: UTF8.self) == expected)
        #expect(m.canonicalBytes() == (try JSONParser.parse(Array(expected.utf8))).canonicalBytes())
        #expect(SnapshotManifest(entries: []).canonicalBytes() == Array(#"{"entries":[],"v":1}"#.utf8))
        #expect(Self.sample.canonicalBytes() == Self.sample.jsonValue.canonicalBytes())
        let extremes = SnapshotManifest(entries: [
            .file("z", mode: 0, size: UInt64(Int64.max), digest: Self.d1), .file("y", mode: 0o7777, size: 10, digest: Self.d2),
            .file("x\u{1}\t\\", size: 9, digest: Self.d1), .symlink("w", target: "\"\u{7F}é"),
        ])
        #expect(extremes.canonicalBytes() == extremes.jsonValue.canonicalBytes())
    }

    @Test func equalTreesGiveEqualDigests() {
        let shuffled = SnapshotManifest(entries: Self.sample.entries.reversed())
        #expect(shuffled.digest == Self.sample.digest)
        var changed = Self.sample.entries
        changed[0].mode = 0o755
        #expect(SnapshotManifest(entries: changed).digest != Self.sample.digest)
    }

    @Test func storeKeepsTheManifestAsABlob() throws {
        let sink = MemoryBlobSink()
        let digest = try Self.sample.store(in: sink)
        #expect(digest == Self.sample.digest)
        let blob = try #require(sink.bytes(digest))
        #expect(try SnapshotManifest.parse(blob) == Self.sample)
        try Self.sample.store(in: sink)
        #expect(sink.count == 1)
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        let json: String
        let code: SnapshotManifestError.Code
        let field: String?
        var testDescription: String { json.count > 60 ? String(json.prefix(60)) + "…" : json }
        init(_ json: String, _ code: SnapshotManifestError.Code, _ field: String? = nil) {
            self.json = json; self.code = code; self.field = field
        }
    }

    static let digestText = Digest.sha256(Array("one".utf8)).description

    static let malformed: [Malformed] = [
        Malformed("", .notJSON),
        Malformed(#"{"entries":[{"mode":493,"path":"a","type":"di"#, .notJSON),
        Malformed(#"{"entries":[],"v":1} x"#, .notJSON),
        Malformed(#"{"v":1,"v":1,"entries":[]}"#, .notJSON),
        Malformed(String(repeating: "[", count: 10_000), .notJSON),
        Malformed("\u{FF}", .notJSON),
        Malformed("[]", .invalidField),
        Malformed(#"{"entries":[]}"#, .missingField, "v"),
        Malformed(#"{"entries":[],"v":2}"#, .unsupportedVersion, "v"),
        Malformed(#"{"entries":[],"v":"1"}"#, .unsupportedVersion, "v"),
        Malformed(#"{"v":1}"#, .missingField, "entries"),
        Malformed(#"{"entries":{},"v":1}"#, .invalidField, "entries"),
        Malformed(#"{"entries":[],"v":1,"root":"/x"}"#, .unknownField, "root"),
        Malformed(#"{"entries":[3],"v":1}"#, .invalidField, "entries[0]"),
        Malformed(#"{"entries":[{"mode":493,"path":"a"}],"v":1}"#, .missingField, "entries[0].type"),
        Malformed(#"{"entries":[{"mode":493,"path":"a","type":"fifo"}],"v":1}"#, .invalidField, "entries[0].type"),
        Malformed(#"{"entries":[{"mode":493,"path":"a","type":"dir","size":0}],"v":1}"#, .unknownField, "entries[0].size"),
        Malformed(#"{"entries":[{"mode":493,"type":"dir"}],"v":1}"#, .missingField, "entries[0].path"),
        Malformed(#"{"entries":[{"mode":493,"path":7,"type":"dir"}],"v":1}"#, .invalidField, "entries[0].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"","type":"dir"}],"v":1}"#, .invalidField, "entries[0].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"/etc","type":"dir"}],"v":1}"#, .invalidField, "entries[0].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"a/../b","type":"dir"}],"v":1}"#, .invalidField, "entries[0].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"a//b","type":"dir"}],"v":1}"#, .invalidField, "entries[0].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"a/","type":"dir"}],"v":1}"#, .invalidField, "entries[0].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"./a","type":"dir"}],"v":1}"#, .invalidField, "entries[0].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"a\u0000b","type":"dir"}],"v":1}"#, .invalidField, "entries[0].path"),
        Malformed(#"{"entries":[{"path":"a","type":"dir"}],"v":1}"#, .missingField, "entries[0].mode"),
        Malformed(#"{"entries":[{"mode":4096,"path":"a","type":"dir"}],"v":1}"#, .invalidField, "entries[0].mode"),
        Malformed(#"{"entries":[{"mode":-1,"path":"a","type":"dir"}],"v":1}"#, .invalidField, "entries[0].mode"),
        Malformed(#"{"entries":[{"mode":4.5,"path":"a","type":"dir"}],"v":1}"#, .invalidField, "entries[0].mode"),
        Malformed(#"{"entries":[{"mode":420,"path":"a","size":1,"type":"file"}],"v":1}"#, .missingField, "entries[0].digest"),
        Malformed(#"{"entries":[{"digest":"sha256:00","mode":420,"path":"a","size":1,"type":"file"}],"v":1}"#, .invalidField, "entries[0].digest"),
        Malformed(#"{"digest":"\#(digestText)","entries":[],"v":1}"#, .unknownField, "digest"),
        Malformed(#"{"entries":[{"digest":"\#(digestText)","mode":420,"path":"a","type":"file"}],"v":1}"#, .missingField, "entries[0].size"),
        Malformed(#"{"entries":[{"digest":"\#(digestText)","mode":420,"path":"a","size":-3,"type":"file"}],"v":1}"#, .invalidField, "entries[0].size"),
        Malformed(#"{"entries":[{"digest":"\#(digestText)","mode":420,"path":"a","size":1e3,"type":"file"}],"v":1}"#, .invalidField, "entries[0].size"),
        Malformed(#"{"entries":[{"digest":"\#(digestText)","mode":420,"path":"a","size":99999999999999999999,"type":"file"}],"v":1}"#, .invalidField, "entries[0].size"),
        Malformed(#"{"entries":[{"digest":"\#(digestText)","mode":420,"path":"a","size":1,"stored":"no","type":"file"}],"v":1}"#, .invalidField, "entries[0].stored"),
        Malformed(#"{"entries":[{"digest":"\#(digestText)","mode":420,"path":"a","size":1,"target":"x","type":"file"}],"v":1}"#, .unknownField, "entries[0].target"),
        Malformed(#"{"entries":[{"mode":511,"path":"l","type":"symlink"}],"v":1}"#, .missingField, "entries[0].target"),
        Malformed(#"{"entries":[{"mode":511,"path":"l","target":"","type":"symlink"}],"v":1}"#, .invalidField, "entries[0].target"),
        Malformed(#"{"entries":[{"mode":493,"path":"b","type":"dir"},{"mode":493,"path":"a","type":"dir"}],"v":1}"#, .unsorted, "entries[1].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"a","type":"dir"},{"mode":493,"path":"a","type":"dir"}],"v":1}"#, .unsorted, "entries[1].path"),
        Malformed(#"{"entries":[{"mode":493,"path":"a/b","type":"dir"},{"mode":493,"path":"a.c","type":"dir"}],"v":1}"#, .unsorted, "entries[1].path"),
    ]

    @Test(arguments: malformed) func malformedManifestsAreRefusedWithTheField(_ c: Malformed) {
        #expect {
            try SnapshotManifest.parse(Array(c.json.utf8))
        } throws: { error in
            guard let error = error as? SnapshotManifestError else { return false }
            return error.code == c.code && error.field == c.field && !error.description.isEmpty
        }
    }

    @Test func everyTruncationOfAValidManifestIsRefused() {
        let bytes = Self.sample.canonicalBytes()
        for length in 0..<bytes.count {
            #expect(throws: SnapshotManifestError.self) { try SnapshotManifest.parse(Array(bytes[0..<length])) }
        }
    }

    @Test func errorsSayWhere() {
        let error = SnapshotManifestError(.invalidField, field: "entries[2].mode", reason: "expected an integer")
        #expect(error.description == "invalid snapshot manifest at entries[2].mode: expected an integer")
        let json = SnapshotManifestError(.notJSON, offset: 17, reason: "unexpected end")
        #expect(json.description == "invalid snapshot manifest (byte 17): unexpected end")
    }
}
