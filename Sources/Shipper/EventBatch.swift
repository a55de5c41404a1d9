import Recorder
import TraceModel
import TraceWire

/// Spooled events of one session on their way to `POST /v1/events`: canonical bytes, one per line.
public struct EventBatch: Sendable, Equatable {
    public let session: SessionID
    /// In spool order; line `n` of the body is `records[n - 1]`.
    public let records: [SpooledEvent]

    public init(session: SessionID, records: [SpooledEvent]) {
        self.session = session
        self.records = records
    }

    /// The longest prefix of `records` within `maxEvents` and `maxBytes` of NDJSON; never empty
    /// when `records` is not, so an event over the byte budget still travels (alone).
    public static func cut(_ records: [SpooledEvent], session: SessionID, maxEvents: Int, maxBytes: Int) -> EventBatch {
        var bytes = 0
        var count = 0
        for record in records.prefix(max(1, maxEvents)) {
            let size = record.bytes.count + 1
            if count > 0 && bytes + size > maxBytes { break }
            bytes += size
            count += 1
        }
        return EventBatch(session: session, records: Array(records.prefix(count)))
    }

    public var firstSeq: UInt64? { records.first?.seq }
    public var lastSeq: UInt64? { records.last?.seq }

    /// The NDJSON body: each event's bytes and a LF.
    public func ndjson() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(records.reduce(0) { $0 + $1.bytes.count + 1 })
        for record in records {
            out.append(contentsOf: record.bytes)
            out.append(0x0A)
        }
        return out
    }

    /// The request body: the NDJSON as one zstd frame (`Content-Encoding: zstd`).
    public func compressedBody(using compressor: ZstdCompressor) -> [UInt8] {
        compressor.compressFrame(ndjson())
    }

    /// The two halves of a batch the collector found too large (wire.md §8: 413 → split).
    public func halves() -> (EventBatch, EventBatch) {
        let middle = records.count / 2
        return (EventBatch(session: session, records: Array(records[..<middle])),
                EventBatch(session: session, records: Array(records[middle...])))
    }

    /// Every blob the batch's events name in their top-level `blobs` map, with the first seq naming it.
    /// Values that are not `sha256:<hex>` are left to the collector to reject with the event.
    public func blobReferences() -> [(digest: Digest, seq: UInt64)] {
        var seen: Set<Digest> = []
        var found: [(digest: Digest, seq: UInt64)] = []
        for record in records where Self.mentionsBlobs(record.bytes) {
            guard let blobs = (try? JSONParser.parse(record.bytes))?["blobs"]?.objectValue else { continue }
            for key in blobs.keys.sorted() {
                guard let text = blobs[key]?.stringValue, let digest = Digest(text), !seen.contains(digest) else { continue }
                seen.insert(digest)
                found.append((digest, record.seq))
            }
        }
        return found
    }

    /// A quote inside a JSON string is escaped, so an event whose text lacks `"blobs"` has no `blobs`
    /// key and needs no parsing.
    static func mentionsBlobs(_ bytes: [UInt8]) -> Bool {
        let needle: [UInt8] = Array(#""blobs""#.utf8)
        guard bytes.count >= needle.count else { return false }
        var index = 0
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == needle[0] {
                var match = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return true }
            }
            index += 1
        }
        return false
    }
}
