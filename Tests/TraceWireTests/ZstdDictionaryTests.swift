import Testing
@testable import TraceWire

@Suite("Zstd dictionaries")
struct ZstdDictionaryTests {
    /// Small event-like records that share most of their structure.
    static func samples(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var source = TestBytes(seed: seed)
        let kinds = ["tool.call", "tool.result", "model.request", "process.exec", "file.write"]
        return (0..<count).map { index in
            let kind = kinds[Int(source.next() % UInt64(kinds.count))]
            let text = """
                {"v":1,"session":"01M88Y3WNB53GQ8EB053S2DCXY","seq":\(index),"ts":"2026-11-25T08:45:\
                \(10 + index % 50).\(100_000 + index)Z","mono_ns":\(source.next() % 1_000_000_000),"kind":"\(kind)",\
                "actor":"agent","data":{"name":"Bash","call_id":"toolu_\(source.next() % 100_000)",\
                "input":{"command":"pytest -q tests/test_\(source.next() % 40).py"}},\
                "prev":"sha256:\(String(source.next(), radix: 16))\(String(source.next(), radix: 16))"}
                """
            return Array(text.utf8)
        }
    }

    @Test("a trained dictionary shrinks small records and round trips")
    func trainAndUse() throws {
        let training = Self.samples(2000, seed: 1)
        let trained = try Zstd.trainDictionary(samples: training, capacity: 16 << 10)
        #expect(!trained.isEmpty && trained.count <= 16 << 10)
        let dictionary = ZstdDictionary(trained)
        #expect(dictionary.id != 0)

        let fresh = Self.samples(50, seed: 2)
        var plainTotal = 0
        var dictTotal = 0
        let compressor = try ZstdCompressor(level: 3, dictionary: dictionary)
        let decompressor = try ZstdDecompressor(dictionary: dictionary)
        for record in fresh {
            let withDictionary = compressor.compressFrame(record)
            plainTotal += Zstd.compress(record).count
            dictTotal += withDictionary.count
            #expect(try decompressor.decompressAll(withDictionary) == record)
            #expect(try Zstd.decompress(withDictionary, dictionary: dictionary) == record)
        }
        #expect(dictTotal * 2 < plainTotal)
        #expect(try Zstd.decompress(Zstd.compress(fresh[0], dictionary: dictionary), dictionary: dictionary) == fresh[0])
    }

    @Test("decoding without the right dictionary is a dictionary mismatch")
    func missingDictionary() throws {
        let dictionary = ZstdDictionary(try Zstd.trainDictionary(samples: Self.samples(1000, seed: 3), capacity: 8 << 10))
        let frame = try Zstd.compress(Self.samples(1, seed: 4)[0], dictionary: dictionary)
        do {
            _ = try Zstd.decompress(frame, limits: .init())
            Issue.record("decoded without its dictionary")
        } catch {
            #expect(error.code == .dictionaryMismatch)
        }
        let other = ZstdDictionary(try Zstd.trainDictionary(samples: Self.samples(1000, seed: 5), capacity: 4 << 10))
        do {
            _ = try Zstd.decompress(frame, dictionary: other)
            Issue.record("decoded with the wrong dictionary")
        } catch {
            #expect(error.code == .dictionaryMismatch)
        }
    }

    @Test("training refuses too few samples or a tiny capacity")
    func trainingFailures() {
        let error = #expect(throws: ZstdError.self) {
            _ = try Zstd.trainDictionary(samples: [Array("a".utf8), Array("b".utf8)], capacity: 4096)
        }
        #expect(error?.code == .dictionaryInvalid)
        #expect(throws: ZstdError.self) { _ = try Zstd.trainDictionary(samples: Self.samples(100, seed: 6), capacity: 10) }
        let empties = [[UInt8]](repeating: [], count: 50)
        #expect(throws: ZstdError.self) { _ = try Zstd.trainDictionary(samples: empties, capacity: 4096) }
    }
}
