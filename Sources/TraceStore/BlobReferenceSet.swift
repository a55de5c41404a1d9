import TraceModel

/// The distinct blobs one session's events name in one append, in first-seen order: what one
/// `blob_ref_sets` row holds (or a few, when there are many). On disk the digests are packed
/// back to back, 32 raw bytes each.
struct BlobReferenceSet {
    /// The most digests one row holds, so a row fits in one 4 KiB page and a retention step that
    /// reads whole rows stays near its budget.
    static let digestsPerRow = 120

    private(set) var digests: [Digest] = []
    private var seen: Set<Digest> = []

    var isEmpty: Bool { digests.isEmpty }

    mutating func add(_ digest: Digest) {
        if seen.insert(digest).inserted { digests.append(digest) }
    }

    mutating func add(blobsOf event: Event) {
        for digest in event.blobs.values { add(digest) }
    }

    /// The packed rows: at most `digestsPerRow` digests each.
    var rows: [[UInt8]] {
        stride(from: 0, to: digests.count, by: Self.digestsPerRow).map { start in
            var packed: [UInt8] = []
            packed.reserveCapacity(min(Self.digestsPerRow, digests.count - start) * 32)
            for digest in digests[start..<min(start + Self.digestsPerRow, digests.count)] { packed += digest.bytes }
            return packed
        }
    }

    /// The digests of a packed row; nil when its length is not a whole number of digests.
    static func unpack(_ packed: [UInt8]) -> [[UInt8]]? {
        guard packed.count % 32 == 0 else { return nil }
        return stride(from: 0, to: packed.count, by: 32).map { Array(packed[$0..<($0 + 32)]) }
    }
}
