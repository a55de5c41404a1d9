import Glibc
import TraceModel

/// The list of everything a workspace snapshot saw, sorted by path (UTF-8 byte order). Its canonical
/// JSON is kept as a blob, and that blob's digest is the snapshot digest `session.start` and
/// `session.end` carry.
public struct SnapshotManifest: Sendable, Hashable {
    public static let version = 1

    /// Sorted by path bytes, one entry per path.
    public private(set) var entries: [SnapshotEntry]

    /// Sorts `entries`; when two share a path the last one stays.
    public init(entries: [SnapshotEntry]) {
        var sorted = entries.enumerated().sorted { a, b in
            Self.precedes(a.element.path, b.element.path) || (a.element.path == b.element.path && a.offset < b.offset)
        }.map(\.element)
        var unique: [SnapshotEntry] = []
        unique.reserveCapacity(sorted.count)
        for entry in sorted {
            if unique.last?.path == entry.path { unique[unique.count - 1] = entry } else { unique.append(entry) }
        }
        sorted = unique
        self.entries = sorted
    }

    /// Entries already sorted and unique (the parser checked).
    init(sortedEntries: [SnapshotEntry]) {
        self.entries = sortedEntries
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// The entry at `path`, by binary search.
    public subscript(path: String) -> SnapshotEntry? {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if Self.precedes(entries[mid].path, path) { low = mid + 1 } else { high = mid }
        }
        return low < entries.count && entries[low].path == path ? entries[low] : nil
    }

    /// The snapshot digest: SHA-256 of the canonical bytes.
    public var digest: Digest { Digest.sha256(canonicalBytes()) }

    /// Keeps the canonical bytes in `sink` and returns the snapshot digest.
    @discardableResult
    public func store(in sink: some BlobSink) throws -> Digest {
        let bytes = canonicalBytes()
        let digest = Digest.sha256(bytes)
        if !sink.contains(digest) { try sink.put(bytes) }
        return digest
    }

    /// Order of UTF-8 bytes, the order of entries in a manifest.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = min(x.count, y.count)
                if n > 0 {
                    let c = memcmp(x.baseAddress!, y.baseAddress!, n)
                    if c != 0 { return c < 0 }
                }
                return x.count < y.count
            }
        }
    }
}
