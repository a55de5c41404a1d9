import Testing
@testable import TraceModel

@Suite("JSON parser and canonical encoding")
struct JSONParserTests {
    @Test func parsesAndKeepsNumberLiterals() throws {
        let value = try JSONParser.parse(Array(#"{"b": [1, 2.50, -0.0, 1e3], "a": {"z": null, "y": true}, "c": "x\"\n\u00e9"}"#.utf8))
        #expect(value.canonicalString == #"{"a":{"y":true,"z":null},"b":[1,2.50,-0.0,1e3],"c":"x\"\né"}"#)
    }

    @Test func canonicalSortsKeysByUTF8Bytes() throws {
        // "Z" (0x5A) < "a" (0x61) < "é" (0xC3 0xA9); Unicode-aware ordering would differ for some pairs.
        let value = try JSONParser.parse(Array(#"{"é":1,"a":2,"Z":3,"aa":4}"#.utf8))
        #expect(value.canonicalString == #"{"Z":3,"a":2,"aa":4,"é":1}"#)
    }

    @Test func canonicalEscapesControlsMinimally() {
        let value = JSONValue.string("tab\tbell\u{07}slash/\u{7F}")
        #expect(value.canonicalString == "\"tab\\tbell\\u0007slash/\u{7F}\"")
    }

    @Test func canonicalIsAFixedPoint() throws {
        let text = #"{ "k" : [ {"b":1, "a":"\u0041\ud83d\ude00"} ], "n": 12345678901234567890 }"#
        let once = try JSONParser.parse(Array(text.utf8)).canonicalBytes()
        let twice = try JSONParser.parse(once).canonicalBytes()
        #expect(once == twice)
        #expect(String(decoding: once, as: UTF8.self) == #"{"k":[{"a":"A😀","b":1}],"n":12345678901234567890}"#)
    }

    static let malformed: [(String, String)] = [
        ("", "unexpected end of input"),
        ("{", "unexpected end of input"),
        (#"{"a":1,}"#, "expected a string key"),
        (#"{"a" 1}"#, "expected ':'"),
        ("[1,2", "unexpected end of input"),
        ("[1 2]", "expected ',' or ']'"),
        ("01", "leading zeros"),
        ("1.", "digit after '.'"),
        ("1e", "exponent"),
        ("-", "expected a digit"),
        ("tru", "truncated literal"),
        ("nul1", "invalid literal"),
        (#""abc"#, "unterminated string"),
        ("\"a\u{01}b\"", "control character"),
        (#""\x""#, "invalid escape"),
        (#""\u12""#, #"truncated \u escape"#),
        (#""\ud800""#, "lone high surrogate"),
        (#""\udc00""#, "lone low surrogate"),
        (#"{"a":1,"a":2}"#, "duplicate object key"),
        ("{} {}", "trailing bytes"),
        ("'a'", "unexpected character"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedJSON(input: String, reason: String) {
        #expect {
            try JSONParser.parse(Array(input.utf8))
        } throws: { error in
            (error as? JSONParseError)?.reason.contains(reason) == true
        }
    }

    @Test func rejectsInvalidUTF8AndNamesTheOffset() {
        let bytes: [UInt8] = Array(#"{"a":"ok","b":"x"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect {
            try JSONParser.parse(bytes)
        } throws: { error in
            guard let e = error as? JSONParseError else { return false }
            return e.reason.contains("invalid UTF-8") && e.offset == 16
        }
    }

    @Test func rejectsHostileNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(deep.utf8)) }
        let ok = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(throws: Never.self) { try JSONParser.parse(Array(ok.utf8)) }
    }

    @Test func numberAccessors() throws {
        let v = try JSONParser.parse(Array("[9007199254740993, 1.5, -7]".utf8))
        let items = try #require(v.arrayValue)
        #expect(items[0].int64Value == 9_007_199_254_740_993)
        #expect(items[1].int64Value == nil)
        #expect(items[1].doubleValue == 1.5)
        #expect(items[2].int64Value == -7)
    }
}

@Suite("Digests, ids and timestamps")
struct IdentityTests {
    @Test func sha256KnownVectors() {
        #expect(Digest.sha256(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let d = Digest.sha256(Array("abc".utf8))
        #expect(Digest(d.description) == d)
        #expect(Digest("sha256:" + String(repeating: "A", count: 64)) == nil)
        #expect(Digest("sha1:" + String(repeating: "a", count: 64)) == nil)
        #expect(Digest(hex: d.hex) == d)
    }

    @Test func ulidEncodesTimeAndSorts() {
        var rng = SplitMix64(seed: 7)
        let a = SessionID.generate(now: Timestamp(microseconds: 1_700_000_000_000_000), using: &rng)
        let b = SessionID.generate(now: Timestamp(microseconds: 1_700_000_000_001_000), using: &rng)
        #expect(a.string.count == 26)
        #expect(a.milliseconds == 1_700_000_000_000)
        #expect(a < b)
        #expect(SessionID(a.string) == a)
        #expect(SessionID("01ARZ3NDEKTSV4RRFFQ69G5FAV") != nil)
        #expect(SessionID("01arz3ndektsv4rrffq69g5fav") == nil)  // canonical spelling is uppercase
        #expect(SessionID("81ARZ3NDEKTSV4RRFFQ69G5FAV") == nil)  // overflows 128 bits
        #expect(SessionID("01ARZ3NDEKTSV4RRFFQ69G5FAU") == nil)  // U is not in the alphabet
        #expect(SessionID(milliseconds: 0, randomness: [UInt8](repeating: 0, count: 10)).string == String(repeating: "0", count: 26))
        #expect(SessionID(milliseconds: (1 << 48) - 1, randomness: [UInt8](repeating: 255, count: 10)).string == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
    }

    @Test func timestampsRoundTripAndRejectOtherForms() {
        for text in ["2026-11-25T08:45:50.123456Z", "1970-01-01T00:00:00.000000Z", "2024-02-29T23:59:59.999999Z", "1969-12-31T23:59:59.500000Z"] {
            #expect(Timestamp(rfc3339: text)?.rfc3339 == text)
        }
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:01.000000Z")?.microseconds == 1_000_000)
        for bad in ["2026-11-25T08:45:50Z", "2026-11-25T08:45:50.123Z", "2026-11-25T08:45:50.123456+01:00",
                    "2023-02-29T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z", "2026-11-25 08:45:50.123456Z", "2026-11-25T24:00:00.000000Z"] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }
}
