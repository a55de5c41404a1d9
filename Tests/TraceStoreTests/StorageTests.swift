import Foundation
import Testing
import TraceModel
@testable import TraceStore

@Suite("Storage statistics and layout probe")
struct StorageTests {
    @Test("statistics count what was stored")
    func statistics() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var trace = SyntheticTrace(seed: 5)
        let events = trace.session() + trace.session() + trace.session()
        _ = try store.append(events)
        var altered = events[2]
        altered.actor = .system
        _ = try store.append([altered])
        _ = try store.putBlob(Array(repeating: 0x61, count: 10_000))
        try store.checkpoint()
        let stats = try store.statistics()
        #expect(stats.sessions == 3)
        #expect(stats.events == events.count)
        #expect(stats.conflicts == 1)
        #expect(stats.chunks >= 3)
        #expect(stats.chunkRawBytes > 0 && stats.chunkStoredBytes < stats.chunkRawBytes)
        #expect(stats.blobs == 1)
        #expect(stats.blobRawBytes == 10_000)
        #expect(stats.blobStoredBytes < 1000)
        #expect(stats.fileBytes > 0)
        #expect(try store.appliedMigrations() == Migration.all.map(\.name))
    }

    @Test("approximate size is the file and its WAL on disk, and grows with data")
    func approximateSize() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let empty = try store.approximateSizeBytes()
        #expect(empty > 0)
        var trace = SyntheticTrace(seed: 8)
        for _ in 0..<5 { _ = try store.append(trace.session()) }
        var rng = SplitMix64(seed: 8)
        _ = try store.putBlob((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let size = try store.approximateSizeBytes()
        #expect(size > empty + 200_000)
        let onDisk = [dir.file("store.sqlite"), dir.file("store.sqlite") + "-wal"].compactMap(SQLiteStore.fileSize).reduce(0, +)
        #expect(size == onDisk)
        try store.checkpoint()
        let stats = try store.statistics()
        #expect(try store.approximateSizeBytes() == stats.fileBytes)

        let missing = try SQLiteStore(path: dir.file("gone.sqlite"))
        try FileManager.default.removeItem(atPath: dir.file("gone.sqlite"))
        #expect(throws: StoreError.self) { try missing.approximateSizeBytes() }
    }

    @Test("the probe measures all three layouts on the same events")
    func probe() throws {
        var trace = SyntheticTrace(seed: 6)
        var events: [Event] = []
        while events.count < 3000 { events += trace.session() }
        let report = try StorageLayoutProbe.compare(events.map(EncodedEvent.init), batchSize: 500, dictionaryBytes: 16 << 10,
                                                    trainingSamples: 1000)
        #expect(report.events == events.count)
        #expect(report.ndjsonBytes == events.reduce(0) { $0 + $1.canonicalBytes().count + 1 })
        for m in [report.perChunk, report.perChunkWithDictionary, report.perEventWithDictionary] {
            #expect(m.compressedBytes > 0)
            #expect(m.compressedBytes < report.ndjsonBytes / 2)
            #expect(m.compressEventsPerSecond > 0)
            #expect(m.decompressEventsPerSecond > 0)
        }
        #expect(report.perChunk.dictionaryBytes == 0)
        #expect(report.perChunkWithDictionary.dictionaryBytes > 0 && report.perChunkWithDictionary.dictionaryBytes <= 16 << 10)
        #expect(report.perEventWithDictionary.dictionaryBytes > 0)
        // Chained digests are elided in chunks, never in single events.
        #expect(report.perChunk.bytesPerEvent < report.perEventWithDictionary.bytesPerEvent)
    }

    @Test("the probe refuses too few events to train on")
    func probeTooFew() throws {
        var builder = SessionBuilder()
        let events = builder.events(4).map(EncodedEvent.init)
        #expect(throws: StoreError.self) { try StorageLayoutProbe.compare(events) }
    }
}
