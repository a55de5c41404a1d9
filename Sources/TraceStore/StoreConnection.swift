import TraceModel

/// The SQLite store's connection with its prepared statements and caches. Not thread-safe:
/// `SQLiteStore` keeps it behind a mutex, and only code holding that lock calls it.
final class StoreConnection {
    let database: Database
    let codec: BlockCodec
    let maxChunkBytes: Int
    let dictionaryPolicy: SQLiteStore.DictionaryPolicy?
    var chunkCache: ChunkCache
    /// The dictionary new chunks are compressed with, and every dictionary loaded for reading.
    var currentDictionary: ChunkDictionary?
    var dictionaries: [Int64: ChunkDictionary] = [:]
    /// Events appended since the current dictionary was made (or since opening, without one).
    var eventsSinceDictionary = 0
    /// Interned kinds (the `kinds` table), both ways. Cleared when a transaction rolls back.
    var kindIDs: [EventKind: Int64] = [:]
    var kindNames: [Int64: EventKind] = [:]
    /// `PRAGMA data_version` when the chunk cache was last known to be current.
    var dataVersion: Int64?
    private var statements: [String: Statement] = [:]

    init(database: Database, options: SQLiteStore.Options) throws {
        self.database = database
        self.codec = BlockCodec(level: options.compressionLevel)
        self.maxChunkBytes = max(1, options.maxChunkBytes)
        self.dictionaryPolicy = options.dictionary
        self.chunkCache = ChunkCache(capacity: options.chunkCacheSize)
        try loadCurrentDictionary()
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

    /// Empties the chunk cache when another connection committed since the last call: its
    /// retention may have deleted chunks whose ids SQLite then hands out again. Call it inside a
    /// transaction, so the version read is the snapshot's.
    func noticeOtherWriters() throws(SQLiteError) {
        let version = try statement("PRAGMA data_version").use { s throws(SQLiteError) -> Int64 in
            _ = try s.step()
            return s.int64(0)
        }
        if version != dataVersion {
            chunkCache.removeAll()
            dataVersion = version
        }
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
        let (body, count) = try chunkBody(id, session: session)
        guard let decoded = ChunkFormat.decode(body, expectedCount: count) else {
            throw StoreError(.corrupt, "chunk \(id) does not hold \(count) event lines", session: session)
        }
        chunkCache.put(id, decoded)
        return decoded
    }

    /// The decompressed body of chunk `id` (lines with elided digests) and its event count.
    func chunkBody(_ id: Int64, session: SessionID?) throws -> (body: [UInt8], count: Int) {
        let select = try statement("SELECT codec, dictionary, raw_bytes, count, data FROM chunks WHERE id = ?")
        return try select.use { s throws -> ([UInt8], Int) in
            try s.bind(1, id)
            guard try s.step() else {
                throw StoreError(.corrupt, "the events index points at chunk \(id), which does not exist", session: session)
            }
            let codec = s.int64(0), rawSize = s.int64(2), count = Int(s.int64(3))
            let dictionary = s.isNull(1) ? nil : try self.dictionary(s.int64(1))
            let body = try s.withBlob(4) { data in
                switch self.codec.decode(data, codec: codec, rawSize: rawSize, dictionary: dictionary) {
                case .success(let bytes): return bytes
                case .failure(let failure):
                    throw StoreError(.corrupt, "chunk \(id) does not decode: \(failure.reason)", session: session)
                }
            }
            return (body, count)
        }
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
