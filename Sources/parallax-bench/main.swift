// parallax-bench: the speed and size figures of the foundation, the collector and the recorder, printed as one JSON object.
// Every figure is measured in this run beside its baseline, because these machines are noisy:
// compare ratios, not absolute numbers, across runs.
import Foundation
import TraceModel
import TraceStore
import TraceWire

#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Median of `runs` timings of `body` (seconds).
func measure(runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = now()
        try body()
        times.append(now() - start)
    }
    return times.sorted()[times.count / 2]
}

func peakRSSBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
}

func tempDir() -> String {
    let path = NSTemporaryDirectory() + "parallax-bench-\(getpid())-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func rounded(_ x: Double, _ digits: Int = 3) -> Double {
    let p = pow(10.0, Double(digits))
    return (x * p).rounded() / p
}

let arguments = CommandLine.arguments
let targetEvents = arguments.firstIndex(of: "--events").flatMap { Int(arguments[$0 + 1]) } ?? 200_000
/// `--storage-only`: skip the collector subprocess (section 5); `--keep-store PATH`: keep a copy of
/// the first store the append runs wrote, for inspecting its layout (e.g. with sqlite3's dbstat).
let storageOnly = arguments.contains("--storage-only")
let keptStorePath = arguments.firstIndex(of: "--keep-store").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
let batchSize = 1000
let work = tempDir()
defer { try? FileManager.default.removeItem(atPath: work) }
/// Runs one section on its own (`--recorder-only`, `--replayer-only`, `--proxy-only`), prints
/// `{key: figures}` and exits: 0 when it ran, 1 with the error in place of the figures.
func runSectionAlone(_ key: String, _ measureSection: () throws -> [String: Any]) -> Never {
    var code: Int32 = 0
    let figures: [String: Any]
    do {
        figures = try measureSection()
    } catch {
        figures = ["error": "\(error)"]
        code = 1
    }
    let data = (try? JSONSerialization.data(withJSONObject: [key: figures], options: [.prettyPrinted, .sortedKeys])) ?? Data()
    print(String(decoding: data, as: UTF8.self))
    try? FileManager.default.removeItem(atPath: work)
    exit(code)
}
// The worker-side figures (emit, recording shell, record RSS, snapshots).
if arguments.contains("--recorder-only") { runSectionAlone("recorder") { try RecorderBench.measure(work: work + "/recorder") } }
// The replay figures (sandbox overhead per step, a 200-step replay, a harness model call).
if arguments.contains("--replayer-only") { runSectionAlone("replayer") { try ReplayBench.measure(work: work + "/replayer") } }
// The model proxy's overhead per streamed call.
if arguments.contains("--proxy-only") { runSectionAlone("model_proxy") { try ModelProxyBench.measure(work: work + "/model-proxy") } }

// The standard synthetic mix: model calls, reasoning, tool calls, process.exec with output, file writes.
var generator = SyntheticTrace(seed: 42)
var events: [Event] = []
events.reserveCapacity(targetEvents + 200)
while events.count < targetEvents { events += generator.session() }
let batches = stride(from: 0, to: events.count, by: batchSize).map { Array(events[$0..<min($0 + batchSize, events.count)]) }
let lines = events.map { $0.canonicalBytes() }
let ndjsonBytes = lines.reduce(0) { $0 + $1.count + 1 }
var kindMix: [String: Int] = [:]
for e in events { kindMix[e.kind.rawValue, default: 0] += 1 }

// 1. NDJSON encode + zstd compress, as a recorder's shipper does per batch; and the reverse.
var compressedBatches: [[UInt8]] = []
let encodeTime = measure {
    compressedBatches = batches.map { NDJSONBatch.encodeCompressed($0, level: 3) }
}
let wireBytes = compressedBatches.reduce(0) { $0 + $1.count }
var decodedCount = 0
let decodeTime = measure {
    decodedCount = 0
    for batch in compressedBatches {
        let result = Result { () throws(ZstdError) in try NDJSONBatch.decodeCompressed(batch, limits: .wire) }
        decodedCount += (try? result.get().events.count) ?? 0
    }
}

// 2. Raw SQLite baseline: plain prepared INSERTs of the same rows (session, seq, kind, ts, canonical
//    bytes), 1000-row transactions, WAL and synchronous=FULL like the store.
func rawBaseline() throws -> (seconds: Double, bytes: Int) {
    let path = work + "/raw-\(UUID().uuidString.prefix(6)).sqlite"
    let db = try Database(path: path)
    try db.execute("CREATE TABLE events(session TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, ts INTEGER NOT NULL, data BLOB NOT NULL)")
    let insert = try db.prepare("INSERT INTO events(session, seq, kind, ts, data) VALUES (?, ?, ?, ?, ?)")
    let start = now()
    var index = 0
    for batch in batches {
        try db.transaction {
            for event in batch {
                try insert.bind(1, event.session.string)
                try insert.bind(2, Int64(event.seq))
                try insert.bind(3, event.kind.rawValue)
                try insert.bind(4, event.ts.microseconds)
                try insert.bind(5, lines[index])
                _ = try insert.step()
                insert.reset()
                index += 1
            }
        }
    }
    let seconds = now() - start
    _ = try db.pragma("wal_checkpoint(TRUNCATE)")
    return (seconds, fileSize(path) + fileSize(path + "-wal"))
}

// 3. The store: append 1000-event batches. `encoded` gets the same input as the baseline (events
//    with their canonical bytes, as the collector has them after hashing the chain); `decoded`
//    also pays for canonical encoding inside the timed loop. Both include the dedup check,
//    chunk compression and index rows.
let encodedBatches = batches.map { batch in batch.map { EncodedEvent($0) } }
func storeAppend(encoded: Bool) throws -> (seconds: Double, bytes: Int, accepted: Int) {
    let path = work + "/store-\(UUID().uuidString.prefix(6)).sqlite"
    let store = try SQLiteStore(path: path)
    var accepted = 0
    let start = now()
    if encoded {
        for batch in encodedBatches { accepted += try store.append(batch).accepted }
    } else {
        for batch in batches { accepted += try store.append(batch).accepted }
    }
    let seconds = now() - start
    let db = try Database(path: path)
    _ = try db.pragma("wal_checkpoint(TRUNCATE)")
    if let keptStorePath, !FileManager.default.fileExists(atPath: keptStorePath) {
        try FileManager.default.copyItem(atPath: path, toPath: keptStorePath)
    }
    return (seconds, fileSize(path) + fileSize(path + "-wal"), accepted)
}

do {
    var raw: [(seconds: Double, bytes: Int)] = []
    var stored: [(seconds: Double, bytes: Int, accepted: Int)] = []
    var storedDecoded: [(seconds: Double, bytes: Int, accepted: Int)] = []
    // Interleave runs so a noisy moment hurts all sides alike.
    for _ in 0..<3 {
        raw.append(try rawBaseline())
        stored.append(try storeAppend(encoded: true))
        storedDecoded.append(try storeAppend(encoded: false))
    }
    let rawSeconds = raw.map(\.seconds).sorted()[1]
    let storeSeconds = stored.map(\.seconds).sorted()[1]
    let rawRate = Double(events.count) / rawSeconds
    let storeRate = Double(events.count) / storeSeconds
    let decodedRate = Double(events.count) / storedDecoded.map(\.seconds).sorted()[1]
    let storeBytes = stored[0].bytes

    // 4. Payload layouts on the same events: per-chunk zstd (the store's), per-chunk with a
    //    dictionary made from recent chunks (also the store's), per-event zstd with a trained dictionary.
    let probe = try StorageLayoutProbe.compare(Array(encodedBatches.joined()))
    func layout(_ m: StorageLayoutProbe.Measurement) -> [String: Any] {
        ["bytes_per_event": rounded(m.bytesPerEvent, 1), "compress_events_per_s": Int(m.compressEventsPerSecond),
         "decompress_events_per_s": Int(m.decompressEventsPerSecond), "dictionary_bytes": m.dictionaryBytes]
    }

    // 5. The collector as a subprocess, fed by 4 loopback senders (CollectorIngestBench).
    var collectorFailed = false
    let collector: [String: Any]
    do {
        collector = storageOnly ? ["skipped": "--storage-only"]
            : try CollectorIngestBench.measure(events: events, work: work, rawBaseline: rawRate, storeAppend: storeRate)
    } catch {
        collectorFailed = true
        collector = ["error": "\(error)"]
    }

    // 6. The worker side: emit, the recording shell, record's memory, snapshots.
    var recorderFailed = false
    let recorder: [String: Any]
    do {
        recorder = storageOnly ? ["skipped": "--storage-only"] : try RecorderBench.measure(work: work + "/recorder")
    } catch {
        recorderFailed = true
        recorder = ["error": "\(error)"]
    }

    // 7. The replayer: sandbox overhead per step, a generated 200-step replay.
    var replayerFailed = false
    let replayer: [String: Any]
    do {
        replayer = storageOnly ? ["skipped": "--storage-only"] : try ReplayBench.measure(work: work + "/replayer")
    } catch {
        replayerFailed = true
        replayer = ["error": "\(error)"]
    }

    // 8. The model-API proxy: overhead per streamed call against the upstream called directly.
    var proxyFailed = false
    let modelProxy: [String: Any]
    do {
        modelProxy = storageOnly ? ["skipped": "--storage-only"] : try ModelProxyBench.measure(work: work + "/model-proxy")
    } catch {
        proxyFailed = true
        modelProxy = ["error": "\(error)"]
    }

    let result: [String: Any] = [
        "collector_ingest": collector,
        "model_proxy": modelProxy,
        "recorder": recorder,
        "replayer": replayer,
        "events": events.count,
        "sessions": Set(events.map(\.session)).count,
        "kind_mix": kindMix,
        "ndjson_bytes_per_event": rounded(Double(ndjsonBytes) / Double(events.count), 1),
        "ndjson_encode_compress": [
            "events_per_s": Int(Double(events.count) / encodeTime),
            "mb_per_s": rounded(Double(ndjsonBytes) / encodeTime / 1e6, 1),
            "wire_bytes_per_event": rounded(Double(wireBytes) / Double(events.count), 1),
            "zstd_ratio": rounded(Double(ndjsonBytes) / Double(wireBytes), 2),
        ],
        "ndjson_decompress_decode": [
            "events_per_s": Int(Double(decodedCount) / decodeTime),
        ],
        "sqlite_append_1000_event_batches": [
            "store_events_per_s": Int(storeRate),
            "raw_sqlite_baseline_events_per_s": Int(rawRate),
            "store_events_per_s_including_canonical_encoding": Int(decodedRate),
            "ratio_to_raw": rounded(storeRate / rawRate),
            "target": "ratio >= 0.40 and >= 150000 events/s",
            "meets_target": storeRate / rawRate >= 0.40 && storeRate >= 150_000,
            "accepted": stored[0].accepted,
        ],
        "on_disk": [
            "store_bytes_per_event": rounded(Double(storeBytes) / Double(events.count), 1),
            "raw_sqlite_bytes_per_event": rounded(Double(raw[0].bytes) / Double(events.count), 1),
            "ratio_to_ndjson": rounded(Double(storeBytes) / Double(ndjsonBytes)),
            "target": "ratio_to_ndjson <= 0.25",
            "meets_target": Double(storeBytes) / Double(ndjsonBytes) <= 0.25,
        ],
        "payload_layouts": [
            "per_chunk_zstd": layout(probe.perChunk),
            "per_chunk_zstd_recent_dictionary": layout(probe.perChunkWithDictionary),
            "per_event_zstd_trained_dictionary": layout(probe.perEventWithDictionary),
        ],
        "peak_rss_mb": rounded(Double(peakRSSBytes()) / 1_048_576, 1),
    ]
    let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
    print(String(decoding: data, as: UTF8.self))
    if collectorFailed || recorderFailed || replayerFailed || proxyFailed { exit(1) }
} catch {
    FileHandle.standardError.write(Data("parallax-bench: \(error)\n".utf8))
    exit(1)
}
