/// Sizes and counts of one SQLite store, for `parallax` status output and the benchmark.
public struct StorageStatistics: Sendable, Equatable {
    /// `page_count × page_size` of the main file (the WAL not included: checkpoint first).
    public var fileBytes: Int
    /// Bytes in free pages, reusable without growing the file.
    public var freeBytes: Int
    public var sessions: Int
    public var events: Int
    public var chunks: Int
    /// Uncompressed chunk bodies, and what is stored for them.
    public var chunkRawBytes: Int
    public var chunkStoredBytes: Int
    public var dictionaries: Int
    public var blobs: Int
    public var blobRawBytes: Int
    public var blobStoredBytes: Int
    public var conflicts: Int

    public init(fileBytes: Int = 0, freeBytes: Int = 0, sessions: Int = 0, events: Int = 0, chunks: Int = 0,
                chunkRawBytes: Int = 0, chunkStoredBytes: Int = 0, dictionaries: Int = 0, blobs: Int = 0,
                blobRawBytes: Int = 0, blobStoredBytes: Int = 0, conflicts: Int = 0) {
        self.fileBytes = fileBytes
        self.freeBytes = freeBytes
        self.sessions = sessions
        self.events = events
        self.chunks = chunks
        self.chunkRawBytes = chunkRawBytes
        self.chunkStoredBytes = chunkStoredBytes
        self.dictionaries = dictionaries
        self.blobs = blobs
        self.blobRawBytes = blobRawBytes
        self.blobStoredBytes = blobStoredBytes
        self.conflicts = conflicts
    }
}

extension StoreConnection {
    func statistics() throws(SQLiteError) -> StorageStatistics {
        func row(_ sql: String) throws(SQLiteError) -> [Int] {
            let s = try statement(sql)
            return try s.use { s throws(SQLiteError) -> [Int] in
                guard try s.step() else { return [] }
                return (0..<s.columnCount).map { Int(s.int64($0)) }
            }
        }
        let pageSize = try row("PRAGMA page_size").first ?? 0
        let pages = try row("PRAGMA page_count").first ?? 0
        let free = try row("PRAGMA freelist_count").first ?? 0
        let sessions = try row("SELECT count(*), total(event_count), total(conflict_count) FROM sessions")
        let chunks = try row("SELECT count(*), total(raw_bytes), total(length(data)) FROM chunks")
        let blobs = try row("SELECT count(*), total(size), total(length(data)) FROM blobs")
        let dictionaries = try row("SELECT count(*) FROM dictionaries")
        return StorageStatistics(
            fileBytes: pageSize * pages, freeBytes: pageSize * free, sessions: sessions[0], events: sessions[1],
            chunks: chunks[0], chunkRawBytes: chunks[1], chunkStoredBytes: chunks[2], dictionaries: dictionaries[0],
            blobs: blobs[0], blobRawBytes: blobs[1], blobStoredBytes: blobs[2], conflicts: sessions[2])
    }
}
