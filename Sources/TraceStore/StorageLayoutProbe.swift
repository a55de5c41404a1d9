import CZstd
import TraceModel

/// Compares payload layouts on the same events, for the benchmark: per-chunk zstd (the store's
/// layout: one frame per batch and session, chained digests elided), the same with a raw-content
/// dictionary (what the store does once it has one), and per-event zstd with a trained dictionary.
public enum StorageLayoutProbe {
    public struct Measurement: Sendable, Equatable {
        /// Compressed payload bytes, dictionary not included.
        public var compressedBytes: Int
        public var bytesPerEvent: Double
        /// Events turned from canonical bytes into stored payloads per second (one thread).
        public var compressEventsPerSecond: Double
        /// Events turned back into canonical bytes per second (one thread).
        public var decompressEventsPerSecond: Double
        /// Dictionary size (0 without one); stored once, not per event.
        public var dictionaryBytes: Int
        /// Dictionary building or training time, not included in the rates.
        public var dictionarySeconds: Double
    }

    public struct Report: Sendable, Equatable {
        public var events: Int
        /// Canonical bytes plus one newline per event: the NDJSON size.
        public var ndjsonBytes: Int
        public var perChunk: Measurement
        public var perChunkWithDictionary: Measurement
        public var perEventWithDictionary: Measurement
    }

    /// Measures the three layouts on `events`, cut into `batchSize` batches as `append` would get them.
    /// The per-event dictionary is trained (ZDICT) on the first `trainingSamples` events.
    public static func compare(
        _ events: [EncodedEvent], batchSize: Int = 1000, level: Int32 = 3, dictionaryBytes: Int = 64 << 10,
        trainingSamples: Int = 4000
    ) throws -> Report {
        let ndjsonBytes = events.reduce(0) { $0 + $1.bytes.count + 1 }
        let chunks = chunkLines(events, batchSize: max(1, batchSize))
        let perChunk = try measureChunks(chunks, events: events.count, level: level, dictionary: nil)

        let buildStart = ContinuousClock.now
        // Built the way the store builds its dictionaries, from the first chunks that fill it.
        var bodies: [[UInt8]] = []
        var total = 0
        for lines in chunks where total < dictionaryBytes {
            bodies.append(ChunkFormat.encode(lines))
            total += bodies[bodies.count - 1].count
        }
        let content = ChunkDictionary.content(fromBodies: bodies, size: dictionaryBytes)
        let buildSeconds = seconds(since: buildStart)
        guard let dictionary = ChunkDictionary(id: 1, content: content, level: level) else {
            throw StoreError(.invalidArgument, "zstd refused a \(content.count)-byte dictionary")
        }
        var withDictionary = try measureChunks(chunks, events: events.count, level: level, dictionary: dictionary)
        withDictionary.dictionaryBytes = content.count
        withDictionary.dictionarySeconds = buildSeconds

        let perEvent = try measurePerEvent(events, level: level, capacity: dictionaryBytes, samples: trainingSamples)
        return Report(events: events.count, ndjsonBytes: ndjsonBytes, perChunk: perChunk,
                      perChunkWithDictionary: withDictionary, perEventWithDictionary: perEvent)
    }

    /// The lines of each chunk the store would write: per batch, per session, in seq order.
    static func chunkLines(_ events: [EncodedEvent], batchSize: Int) -> [[[UInt8]]] {
        var chunks: [[[UInt8]]] = []
        var start = 0
        while start < events.count {
            let batch = events[start..<min(start + batchSize, events.count)]
            var order: [SessionID] = []
            var groups: [SessionID: [EncodedEvent]] = [:]
            for event in batch {
                if groups[event.session] == nil { order.append(event.session) }
                groups[event.session, default: []].append(event)
            }
            for id in order { chunks.append(groups[id]!.sorted { $0.seq < $1.seq }.map(\.bytes)) }
            start += batchSize
        }
        return chunks
    }

    static func measureChunks(_ chunks: [[[UInt8]]], events: Int, level: Int32, dictionary: ChunkDictionary?) throws -> Measurement {
        let codec = BlockCodec(level: level)
        var frames: [(data: [UInt8], size: Int, count: Int)] = []
        frames.reserveCapacity(chunks.count)
        let start = ContinuousClock.now
        for lines in chunks {
            let body = ChunkFormat.encode(lines)
            frames.append((codec.compress(body, dictionary: dictionary), body.count, lines.count))
        }
        let compressSeconds = seconds(since: start)
        let readStart = ContinuousClock.now
        var restored = 0
        for frame in frames {
            let decoded = frame.data.withUnsafeBytes {
                codec.decode($0, codec: (dictionary == nil ? PayloadCodec.zstd : .zstdDictionary).rawValue,
                             rawSize: Int64(frame.size), dictionary: dictionary)
            }
            guard case .success(let body) = decoded, let chunk = ChunkFormat.decode(body, expectedCount: frame.count) else {
                throw StoreError(.corrupt, "a probe chunk did not decode")
            }
            restored += chunk.count
        }
        let readSeconds = seconds(since: readStart)
        let bytes = frames.reduce(0) { $0 + $1.data.count }
        return Measurement(compressedBytes: bytes, bytesPerEvent: Double(bytes) / Double(max(events, 1)),
                           compressEventsPerSecond: Double(events) / compressSeconds,
                           decompressEventsPerSecond: Double(restored) / readSeconds, dictionaryBytes: 0, dictionarySeconds: 0)
    }

    static func measurePerEvent(_ events: [EncodedEvent], level: Int32, capacity: Int, samples: Int) throws -> Measurement {
        let trainStart = ContinuousClock.now
        let dictionary = try train(events.prefix(samples).map(\.bytes), capacity: capacity)
        let trainSeconds = seconds(since: trainStart)
        guard let c = ZSTD_createCCtx(), let d = ZSTD_createDCtx() else { throw StoreError(.invalidArgument, "zstd: out of memory") }
        defer { ZSTD_freeCCtx(c); ZSTD_freeDCtx(d) }
        // The leanest frames a per-event store could keep: no magic, no dictionary id, no checksum.
        ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(c, ZSTD_c_experimentalParam2, Int32(ZSTD_f_zstd1_magicless.rawValue))
        ZSTD_CCtx_setParameter(c, ZSTD_c_dictIDFlag, 0)
        ZSTD_CCtx_setParameter(c, ZSTD_c_experimentalParam4, 1)
        ZSTD_DCtx_setParameter(d, ZSTD_d_experimentalParam1, Int32(ZSTD_f_zstd1_magicless.rawValue))
        let digested = dictionary.withUnsafeBytes {
            (ZSTD_createCDict($0.baseAddress, $0.count, level), ZSTD_createDDict($0.baseAddress, $0.count))
        }
        guard let cdict = digested.0, let ddict = digested.1 else { throw StoreError(.invalidArgument, "zstd refused the trained dictionary") }
        defer { ZSTD_freeCDict(cdict); ZSTD_freeDDict(ddict) }
        ZSTD_CCtx_refCDict(c, cdict)
        ZSTD_DCtx_refDDict(d, ddict)

        var frames: [[UInt8]] = []
        frames.reserveCapacity(events.count)
        let start = ContinuousClock.now
        for event in events {
            frames.append(event.bytes.withUnsafeBytes { input in
                [UInt8](unsafeUninitializedCapacity: ZSTD_compressBound(input.count)) { out, count in
                    let n = ZSTD_compress2(c, out.baseAddress, out.count, input.baseAddress, input.count)
                    count = ZSTD_isError(n) == 0 ? n : 0
                }
            })
        }
        let compressSeconds = seconds(since: start)
        let readStart = ContinuousClock.now
        for (i, frame) in frames.enumerated() {
            let size = events[i].bytes.count
            let restored = frame.withUnsafeBytes { input in
                [UInt8](unsafeUninitializedCapacity: size) { out, count in
                    let n = ZSTD_decompressDCtx(d, out.baseAddress, out.count, input.baseAddress, input.count)
                    count = ZSTD_isError(n) == 0 ? n : 0
                }
            }
            guard restored.count == size else { throw StoreError(.corrupt, "a probe event did not decode") }
        }
        let readSeconds = seconds(since: readStart)
        let bytes = frames.reduce(0) { $0 + $1.count }
        return Measurement(compressedBytes: bytes, bytesPerEvent: Double(bytes) / Double(max(events.count, 1)),
                           compressEventsPerSecond: Double(events.count) / compressSeconds,
                           decompressEventsPerSecond: Double(events.count) / readSeconds,
                           dictionaryBytes: dictionary.count, dictionarySeconds: trainSeconds)
    }

    /// ZDICT_trainFromBuffer over `samples`.
    static func train(_ samples: [[UInt8]], capacity: Int) throws -> [UInt8] {
        guard samples.count >= 8 else { throw StoreError(.invalidArgument, "\(samples.count) samples are too few to train a dictionary") }
        let joined = samples.flatMap { $0 }
        let sizes = samples.map(\.count)
        var failure = 0
        let dictionary = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
            let n = joined.withUnsafeBytes { source in
                sizes.withUnsafeBufferPointer {
                    ZDICT_trainFromBuffer(out.baseAddress, out.count, source.baseAddress, $0.baseAddress, UInt32($0.count))
                }
            }
            if ZDICT_isError(n) != 0 { failure = n; count = 0 } else { count = n }
        }
        if failure != 0 {
            throw StoreError(.invalidArgument, "dictionary training failed: \(String(cString: ZDICT_getErrorName(failure)))")
        }
        return dictionary
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 1e-9)
    }
}
