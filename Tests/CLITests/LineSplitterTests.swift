import Testing
@testable import ParallaxCLI
import TraceModel

@Suite("Line splitting across chunks")
struct LineSplitterTests {
    /// Splits `input` with the given chunk sizes and returns (line number, text) of every line and the errors.
    func split(_ input: [UInt8], chunks sizes: [Int], maxLine: Int) -> (lines: [(Int, String)], errors: [(Int, Int)]) {
        var splitter = LineSplitter(maxLineBytes: maxLine)
        var lines: [(Int, String)] = []
        var errors: [(Int, Int)] = []
        func take(_ out: LineSplitter.Output) {
            // Lines that arrive whole inside one region are length-checked by the NDJSON decoder;
            // do the same here.
            for region in out.regions {
                var n = region.firstLine
                var offset = region.offset
                for line in region.bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                    defer { n += 1; offset += line.count + 1 }
                    if line.isEmpty { continue }
                    if line.count > maxLine { errors.append((n, offset)); continue }
                    lines.append((n, String(decoding: line, as: UTF8.self)))
                }
            }
            errors += out.errors.map { ($0.line, $0.offset) }
        }
        var offset = 0
        var i = 0
        while offset < input.count {
            let size = sizes[i % sizes.count]
            take(splitter.feed(Array(input[offset..<min(input.count, offset + size)])))
            offset += size
            i += 1
        }
        take(splitter.finish())
        return (lines, errors)
    }

    @Test(arguments: [[1], [2, 3], [7], [64], [1000]])
    func sameResultWhateverTheChunking(sizes: [Int]) {
        let text = "alpha\nbeta\n\n" + String(repeating: "x", count: 40) + "\ngamma\ndelta"
        let result = split(Array(text.utf8), chunks: sizes, maxLine: 20)
        #expect(result.lines.map(\.0) == [1, 2, 5, 6])
        #expect(result.lines.map(\.1) == ["alpha", "beta", "gamma", "delta"])
        #expect(result.errors.map(\.0) == [4])
        #expect(result.errors.map(\.1) == [12])  // byte offset where the long line starts
    }

    @Test func overlongFinalLineWithoutNewline() {
        let text = "ok\n" + String(repeating: "y", count: 50)
        let result = split(Array(text.utf8), chunks: [5], maxLine: 10)
        #expect(result.lines.map(\.1) == ["ok"])
        #expect(result.errors.map(\.0) == [2])
    }
}
