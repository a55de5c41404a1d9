import Testing
@testable import TraceWire

/// A stand-in parser: accepts `{…}` lines and returns their text.
private struct BraceError: Error, CustomStringConvertible {
    var description: String
}

private func braces(_ line: ArraySlice<UInt8>) throws -> String {
    guard line.first == UInt8(ascii: "{"), line.last == UInt8(ascii: "}") else {
        throw BraceError(description: "not an object")
    }
    return String(decoding: line, as: UTF8.self)
}

@Suite("NDJSON line splitting")
struct NDJSONLinesTests {
    private func decode(_ text: String, maxLineBytes: Int = NDJSONBatch.defaultMaxLineBytes) -> NDJSONLines<String> {
        NDJSONBatch.decodeLines(Array(text.utf8), maxLineBytes: maxLineBytes, parse: braces)
    }

    @Test("lines carry 1-based numbers and start offsets")
    func numbering() {
        let result = decode("{a}\n{bb}\nnope\n{c}\n")
        #expect(result.lines.map(\.value) == ["{a}", "{bb}", "{c}"])
        #expect(result.lines.map(\.line) == [1, 2, 4])
        #expect(result.lines.map(\.offset) == [0, 4, 14])
        #expect(result.errors == [LineError(line: 3, offset: 9, reason: "not an object")])
    }

    @Test("CRLF line endings are tolerated")
    func crlf() {
        let result = decode("{a}\r\n{b}\r\n\r\n{c}\r")
        #expect(result.lines.map(\.value) == ["{a}", "{b}", "{c}"])
        #expect(result.lines.map(\.line) == [1, 2, 4])
        #expect(result.errors.isEmpty)
    }

    @Test("empty and blank lines are skipped but still counted")
    func blankLines() {
        let result = decode("\n\n{a}\n   \n\t\n{b}\n\n")
        #expect(result.lines.map(\.line) == [3, 6])
        #expect(result.errors.isEmpty)
        #expect(decode("").lines.isEmpty)
        #expect(decode("\n\n\n").errors.isEmpty)
    }

    @Test("a final line without a newline still counts")
    func missingTrailingNewline() {
        let result = decode("{a}\n{b}")
        #expect(result.lines.map(\.value) == ["{a}", "{b}"])
        let broken = decode("{a}\n{b")
        #expect(broken.errors.map(\.line) == [2])
    }

    @Test("a line over the limit is rejected without being parsed; its neighbours survive")
    func overlongLine() {
        var bytes = Array("{first}\n".utf8)
        let longStart = bytes.count
        bytes.append(UInt8(ascii: "{"))
        bytes.append(contentsOf: [UInt8](repeating: UInt8(ascii: "x"), count: 100_000_000))
        bytes.append(contentsOf: Array("}\n{last}\n".utf8))
        var longest = 0
        let result = NDJSONBatch.decodeLines(bytes) { line in
            longest = max(longest, line.count)
            return try braces(line)
        }
        #expect(result.lines.map(\.value) == ["{first}", "{last}"])
        #expect(result.lines.map(\.line) == [1, 3])
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.line == 2)
        #expect(result.errors.first?.offset == longStart)
        #expect(result.errors.first?.reason == "line is 100000002 bytes, over the 1048576-byte limit")
        #expect(longest < 10)
    }

    @Test("the limit applies to the line without its terminator")
    func limitBoundary() {
        let result = decode("{123}\r\n{1234}\n", maxLineBytes: 5)
        #expect(result.lines.map(\.value) == ["{123}"])
        #expect(result.errors.map(\.line) == [2])
    }
}
