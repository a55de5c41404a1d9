import TraceModel

/// The SQLite store's connection with its prepared statements and caches. Not thread-safe:
/// `SQLiteStore` keeps it behind a mutex, and only code holding that lock calls it.
final class StoreConnection {
    let database: Database
    let codec: BlockCodec
    let maxChunkBytes: Int
    var chunkCache: ChunkCache
    /// Interned kinds (the `kinds` table), both ways. Cleared when a transaction rolls back.
    var kindIDs: [EventKind: Int64] = [:]
    var kindNames: [Int64: EventKind] = [:]
    private var statements: [String: Statement] = [:]

    init(database: Database, compressionLevel: Int32, maxChunkBytes: Int, chunkCacheSize: Int) {
        self.database = database
        self.codec = BlockCodec(level: compressionLevel)
        self.maxChunkBytes = max(1, maxChunkBytes)
        self.chunkCache = ChunkCache(capacity: chunkCacheSize)
    }

    /// The prepared statement for `sql`, compiled on first use.
    func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] { return cached }
        let prepared = try database.prepare(sql)
        statements[sql] = prepared
        return prepared
    }

    /// Forgets everything a rolled-back transaction may have added to the caches.
    func discardCaches() {
        kindIDs = [:]
        kindNames = [:]
        chunkCache.removeAll()
    }

    // MARK: Kinds

    /// The id of `kind`, interning it on first use (inside the caller's transaction).
    func kindID(for kind: EventKind) throws(SQLiteError) -> Int64 {
        if let id = kindIDs[kind] { return id }
        try statement("INSERT OR IGNORE INTO kinds (name) VALUES (?)").run(.text(kind.rawValue))
        let select = try statement("SELECT id FROM kinds WHERE name = ?")
        let id = try select.use { s throws(SQLiteError) -> Int64 in
            try s.bind(1, kind.rawValue)
            _ = try s.step()
            return s.int64(0)
        }
        kindIDs[kind] = id
        kindNames[id] = kind
        return id
    }

    /// Reloads the `kinds` table (another connection may have added kinds).
    func loadKinds() throws(SQLiteError) {
        let select = try statement("SELECT id, name FROM kinds")
        try select.use { s throws(SQLiteError) in
            while try s.step() {
                let kind = EventKind(rawValue: s.text(1) ?? "")
                kindIDs[kind] = s.int64(0)
                kindNames[s.int64(0)] = kind
            }
        }
    }

    func kindName(_ id: Int64) throws(SQLiteError) -> EventKind {
        if let name = kindNames[id] { return name }
        try loadKinds()
        return kindNames[id] ?? EventKind(rawValue: "unknown.kind_\(id)")
    }

    // MARK: Chunks

    /// The decompressed chunk `id`, from the cache when possible.
    func chunk(_ id: Int64, session: SessionID) throws -> DecodedChunk {
        if let cached = chunkCache.get(id) { return cached }
        let select = try statement("SELECT codec, raw_bytes, count, data FROM chunks WHERE id = ?")
        let decoded = try select.use { s throws -> DecodedChunk in
            try s.bind(1, id)
            guard try s.step() else {
                throw StoreError(.corrupt, "the events index points at chunk \(id), which does not exist", session: session)
            }
            let codec = s.int64(0), rawSize = s.int64(1), count = Int(s.int64(2))
            let bytes = try s.withBlob(3) { data in
                switch self.codec.decode(data, codec: codec, rawSize: rawSize) {
                case .success(let bytes): return bytes
                case .failure(let failure):
                    throw StoreError(.corrupt, "chunk \(id) does not decode: \(failure.reason)", session: session)
                }
            }
            guard let chunk = DecodedChunk(bytes: bytes, expectedCount: count) else {
                throw StoreError(.corrupt, "chunk \(id) does not hold \(count) lines", session: session)
            }
            return chunk
        }
        chunkCache.put(id, decoded)
        return decoded
    }

    /// Canonical bytes of line `index` of chunk `id`.
    func eventBytes(chunk id: Int64, index: Int, session: SessionID, seq: UInt64) throws -> [UInt8] {
        guard let line = try chunk(id, session: session).line(index) else {
            throw StoreError(.corrupt, "chunk \(id) has no line \(index)", session: session, seq: seq)
        }
        return line
    }

    // MARK: Sessions

    /// The integer key of a session, or nil when it has no events.
    func sessionKey(_ id: SessionID) throws(SQLiteError) -> Int64? {
        let select = try statement("SELECT id FROM sessions WHERE ulid = ?")
        return try select.use { s throws(SQLiteError) -> Int64? in
            try s.bind(1, id.string)
            return try s.step() ? s.int64(0) : nil
        }
    }
}

@available(*, unavailable, message: "StoreConnection is guarded by SQLiteStore's mutex")
extension StoreConnection: Sendable {}
