/// A chunk's events once decompressed: the NDJSON bytes and where each line starts.
struct DecodedChunk {
    let bytes: [UInt8]
    /// `count + 1` offsets: line `i` is `bytes[starts[i] ..< starts[i + 1] - 1]` (without its newline).
    let starts: [Int]

    init(bytes: [UInt8], starts: [Int]) {
        self.bytes = bytes
        self.starts = starts
    }

    var count: Int { starts.count - 1 }

    func line(_ index: Int) -> [UInt8]? {
        guard index >= 0, index < count else { return nil }
        return Array(bytes[starts[index] ..< starts[index + 1] - 1])
    }
}

/// The few most recently read chunks, so reading a session's events in order decompresses each
/// chunk once. Chunks are never changed after they are written, but retention deletes them and
/// SQLite may reuse the id of a deleted newest row: the connection empties the cache after its own
/// retention steps and whenever another connection has committed (`noticeOtherWriters`).
struct ChunkCache {
    let capacity: Int
    private var entries: [Int64: DecodedChunk] = [:]
    /// Least recently used first.
    private var order: [Int64] = []

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    mutating func get(_ id: Int64) -> DecodedChunk? {
        guard let chunk = entries[id] else { return nil }
        if order.last != id, let i = order.firstIndex(of: id) {
            order.remove(at: i)
            order.append(id)
        }
        return chunk
    }

    mutating func put(_ id: Int64, _ chunk: DecodedChunk) {
        guard capacity > 0 else { return }
        if entries.updateValue(chunk, forKey: id) == nil {
            order.append(id)
            if order.count > capacity { entries[order.removeFirst()] = nil }
        }
    }

    mutating func removeAll() {
        entries = [:]
        order = []
    }
}
