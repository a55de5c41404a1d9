import Testing
@testable import TraceWire

@Suite("Zstd codec")
struct ZstdTests {
    @Test("one-shot round trip", arguments: [0, 1, 100, 70_000, 1 << 20])
    func roundTrip(size: Int) throws {
        var source = TestBytes(seed: UInt64(size) + 1)
        let original = source.text(size)
        let compressed = Zstd.compress(original)
        #expect(Zstd.looksCompressed(compressed))
        #expect(try Zstd.decompress(compressed, limits: .init()) == original)
    }

    @Test("streaming round trip with small chunks on both sides")
    func streamingRoundTrip() throws {
        var source = TestBytes(seed: 7)
        let original = source.text(300_000)
        let compressor = try ZstdCompressor(level: 5)
        var compressed: [UInt8] = []
        var offset = 0
        while offset < original.count {
            let end = min(offset + 4093, original.count)
            compressor.feed(original[offset..<end], into: &compressed)
            offset = end
        }
        compressor.finish(into: &compressed)
        #expect(compressed.count < original.count / 2)

        let decompressor = try ZstdDecompressor()
        var output: [UInt8] = []
        for start in stride(from: 0, to: compressed.count, by: 777) {
            try decompressor.feed(compressed[start..<min(start + 777, compressed.count)], into: &output)
        }
        try decompressor.finish()
        #expect(output == original)
        #expect(decompressor.frames == 1)
        #expect(decompressor.inputBytes == compressed.count)
    }

    @Test("concatenated frames, with a skippable frame between, decode as one stream")
    func concatenatedFrames() throws {
        var source = TestBytes(seed: 11)
        let parts = [source.text(5000), source.random(3000), [], source.text(20)]
        var stream: [UInt8] = []
        for (index, part) in parts.enumerated() {
            stream += Zstd.compress(part, level: Int32(index + 1))
            if index == 1 {
                // Skippable frame: magic 0x184D2A5?, u32 LE size, content.
                stream += [0x53, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9]
            }
        }
        let decompressor = try ZstdDecompressor()
        var output: [UInt8] = []
        try decompressor.feed(stream, into: &output)
        try decompressor.finish()
        #expect(output == parts.flatMap { $0 })
        #expect(decompressor.frames == 5)
    }

    @Test("a bomb fails at the output limit without decompressing everything")
    func bomb() throws {
        // 200 MB of zeros, compressed as a stream so the input never exists in memory.
        let compressor = try ZstdCompressor(level: 3)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var bomb: [UInt8] = []
        for _ in 0..<200 { compressor.feed(zeros, into: &bomb) }
        compressor.finish(into: &bomb)
        #expect(bomb.count < 64 << 10)

        let limits = ZstdLimits(maxDecompressedBytes: 8 << 20)
        let decompressor = try ZstdDecompressor(limits: limits)
        var output: [UInt8] = []
        let error = #expect(throws: ZstdError.self) { try decompressor.feed(bomb, into: &output) }
        #expect(error?.code == .outputLimitExceeded)
        #expect(output.count <= limits.maxDecompressedBytes)
        #expect(decompressor.outputBytes <= limits.maxDecompressedBytes)
        // The one-shot helper with the default 64 MiB limit refuses it too.
        do {
            _ = try Zstd.decompress(bomb, limits: .init())
            Issue.record("bomb decoded")
        } catch {
            #expect(error.code == .outputLimitExceeded)
            #expect(error.description.contains("67108864"))
        }
    }

    @Test("output exactly at the limit passes; one byte over fails")
    func limitBoundary() throws {
        var source = TestBytes(seed: 3)
        let original = source.text(100_000)
        let compressed = Zstd.compress(original)
        let exact = ZstdLimits(maxDecompressedBytes: original.count)
        #expect(try Zstd.decompress(compressed, limits: exact) == original)
        let under = ZstdLimits(maxDecompressedBytes: original.count - 1)
        #expect(codeOf { try Zstd.decompress(compressed, limits: under) } == .outputLimitExceeded)
    }

    @Test("input that stops mid-frame is reported as truncated", arguments: [1, 3, 4, 10, 2000, -1])
    func truncated(cut: Int) throws {
        var source = TestBytes(seed: 5)
        let compressed = Zstd.compress(source.text(50_000))
        let length = cut < 0 ? compressed.count - 1 : cut
        let prefix = Array(compressed[0..<length])
        do {
            _ = try Zstd.decompress(prefix, limits: .init())
            Issue.record("truncated input decoded")
        } catch {
            #expect(error.code == .truncated)
            #expect(error.offset == length)
            #expect(error.message.contains("starts at byte 0"))
        }
    }

    @Test("a second frame cut short is truncated, with the frame start named")
    func truncatedSecondFrame() throws {
        let first = Zstd.compress(Array("first frame".utf8))
        let second = Zstd.compress(Array(repeating: 0x41, count: 10_000))
        let stream = first + second.dropLast(2)
        do {
            _ = try Zstd.decompress(stream, limits: .init())
            Issue.record("truncated input decoded")
        } catch {
            #expect(error.code == .truncated)
            #expect(error.message.contains("starts at byte \(first.count)"))
        }
    }

    @Test("empty input holds no frame")
    func empty() {
        #expect(codeOf { try Zstd.decompress([], limits: .init()) } == .truncated)
    }

    @Test("garbage without the magic number is wrong_magic at its offset")
    func garbage() throws {
        var source = TestBytes(seed: 9)
        var garbage = source.random(4096)
        garbage[0] = 0x7B  // '{' — plain JSON handed to the decoder by mistake
        do {
            _ = try Zstd.decompress(garbage, limits: .init())
            Issue.record("garbage decoded")
        } catch {
            #expect(error.code == .wrongMagic)
            #expect(error.offset == 0)
        }
        let frame = Zstd.compress(Array("ok".utf8))
        do {
            _ = try Zstd.decompress(frame + Array("trailing junk".utf8), limits: .init())
            Issue.record("trailing garbage decoded")
        } catch {
            #expect(error.code == .wrongMagic)
            #expect(error.offset == frame.count)
        }
    }

    @Test("a damaged block inside a valid frame is corrupt")
    func corruptBody() throws {
        var source = TestBytes(seed: 13)
        let original = source.text(200_000)
        let compressor = try ZstdCompressor(options: .init(checksum: true))
        var compressed = compressor.compressFrame(original)
        for index in stride(from: compressed.count / 2, to: compressed.count / 2 + 64, by: 1) {
            compressed[index] ^= 0x5A
        }
        #expect(codeOf { try Zstd.decompress(compressed, limits: .init()) } == .corrupt)
    }

    @Test("a frame header that lies about the content size is corrupt", arguments: [UInt8(10), 200])
    func lyingContentSize(declared: UInt8) throws {
        let original = [UInt8](repeating: 0x61, count: 100) + Array("tail".utf8)
        var compressed = Zstd.compress(original)
        // Small single-segment frame: magic (4), descriptor (1), then a 1-byte content size.
        try #require(compressed[4] & 0xE0 == 0x20 && compressed[5] == UInt8(original.count))
        compressed[5] = declared
        #expect(codeOf { try Zstd.decompress(compressed, limits: .init()) } == .corrupt)
    }

    @Test("a frame that declares a window above the limit is rejected before decoding")
    func windowTooLarge() throws {
        var source = TestBytes(seed: 17)
        let original = source.text(1 << 20)
        let options = ZstdCompressionOptions(level: 3, windowLog: 27, longDistanceMatching: true)
        let compressor = try ZstdCompressor(options: options)
        var compressed: [UInt8] = []
        // Streaming without a pledged size keeps the 2^27 window in the frame header.
        compressor.feed(original, into: &compressed)
        compressor.finish(into: &compressed)

        let decompressor = try ZstdDecompressor(limits: .init())
        var output: [UInt8] = []
        let error = #expect(throws: ZstdError.self) { try decompressor.feed(compressed, into: &output) }
        #expect(error?.code == .windowTooLarge)
        #expect(error?.offset == 0)
        #expect(output.isEmpty)

        let generous = ZstdLimits(maxDecompressedBytes: 64 << 20, maxWindowLog: 27)
        #expect(try Zstd.decompress(compressed, limits: generous) == original)
    }

    @Test("after an error the decompressor refuses input until reset")
    func errorIsSticky() throws {
        let decompressor = try ZstdDecompressor()
        var output: [UInt8] = []
        #expect(throws: ZstdError.self) { try decompressor.feed(Array("nope".utf8), into: &output) }
        let good = Zstd.compress(Array("fine".utf8))
        #expect(throws: ZstdError.self) { try decompressor.feed(good, into: &output) }
        decompressor.reset()
        try decompressor.feed(good, into: &output)
        try decompressor.finish()
        #expect(output == Array("fine".utf8))
    }

    @Test("magicless frames round trip and are smaller")
    func magicless() throws {
        let original = Array(#"{"kind":"tool.call","data":{"name":"Bash"}}"#.utf8)
        let options = ZstdCompressionOptions(contentSize: true, format: .magicless)
        let compressed = try ZstdCompressor(options: options).compressFrame(original)
        #expect(compressed.count + 4 == Zstd.compress(original).count)
        let decompressor = try ZstdDecompressor(format: .magicless)
        #expect(try decompressor.decompressAll(compressed) == original)
    }

    @Test("invalid parameters are reported, not trapped")
    func invalidParameters() {
        let error = #expect(throws: ZstdError.self) {
            _ = try ZstdCompressor(options: .init(windowLog: 99))
        }
        #expect(error?.code == .invalidParameter)
        #expect(throws: ZstdError.self) { _ = try ZstdDecompressor(limits: .init(maxWindowLog: 2)) }
    }

    @Test("compressor reuse produces independent frames")
    func compressorReuse() throws {
        let compressor = try ZstdCompressor(level: 1)
        let first = compressor.compressFrame(Array("alpha".utf8))
        var streamed: [UInt8] = []
        compressor.feed(Array("beta".utf8), into: &streamed)
        compressor.finish(into: &streamed)
        let third = compressor.compressFrame(Array("gamma".utf8))
        #expect(try Zstd.decompress(first + streamed + third, limits: .init()) == Array("alphabetagamma".utf8))
    }

    private func codeOf(_ body: () throws -> [UInt8]) -> ZstdError.Code? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? ZstdError)?.code
        }
    }
}
