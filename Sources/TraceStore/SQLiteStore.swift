import Synchronization
import TraceModel

/// The embedded store: one SQLite file in WAL mode.
///
/// Events of one batch and one session are kept together as a zstd chunk of their canonical lines
/// (chained `prev` digests elided, compressed with a dictionary of recent lines once there is one);
/// a compact `events` index (session, seq → chunk, line, kind) answers lookups, duplicate checks
/// and seq/kind filters. Sessions belong to projects; tokens, retention and the on-disk size live in
/// `SQLiteStore+Tokens.swift` and `SQLiteStore+Retention.swift`. See schemas/sqlite.sql. All calls
/// go through one connection behind a mutex, so an instance can be shared freely; they block, so
/// call them off the cooperative thread pool.
public final class SQLiteStore: Store {
    public struct Options: Sendable {
        public var database: Database.Options
        /// zstd level for chunks and blobs.
        public var compressionLevel: Int32
        /// A batch's events of one session are split into chunks of at most this many raw bytes.
        public var maxChunkBytes: Int
        /// Decompressed chunks kept for reads.
        public var chunkCacheSize: Int
        /// When to build chunk dictionaries; nil compresses every chunk on its own.
        public var dictionary: DictionaryPolicy?
        /// How long an authenticated token is remembered without asking SQLite: also how long a
        /// token revoked by another process may still work here. Zero turns the cache off.
        public var tokenCacheLifetime: Duration
        /// Retention deletes about this many events per transaction, so ingest waits little.
        public var retentionStepEvents: Int

        public init(database: Database.Options = .init(), compressionLevel: Int32 = 3, maxChunkBytes: Int = 1 << 20,
                    chunkCacheSize: Int = 16, dictionary: DictionaryPolicy? = DictionaryPolicy(),
                    tokenCacheLifetime: Duration = .seconds(10), retentionStepEvents: Int = 20_000) {
            self.database = database
            self.compressionLevel = compressionLevel
            self.maxChunkBytes = maxChunkBytes
            self.chunkCacheSize = chunkCacheSize
            self.dictionary = dictionary
            self.tokenCacheLifetime = tokenCacheLifetime
            self.retentionStepEvents = retentionStepEvents
        }

        /// The defaults with `synchronous = NORMAL` (faster; the last commits may be lost on power loss).
        public static var relaxedDurability: Options {
            var options = Options()
            options.database.synchronous = .normal
            return options
        }
    }

    /// Chunk dictionaries are raw content — recent event lines — so making one costs a few
    /// milliseconds, not a training run. Each chunk names the dictionary it was compressed with.
    public struct DictionaryPolicy: Sendable {
        /// Make the first dictionary once this many events were appended through this store.
        public var firstAfterEvents: Int
        /// Make a fresh one after this many more (agents, tools and prompts drift).
        public var refreshAfterEvents: Int
        /// Dictionary size in bytes.
        public var size: Int

        public init(firstAfterEvents: Int = 2000, refreshAfterEvents: Int = 1_000_000, size: Int = 64 << 10) {
            self.firstAfterEvents = firstAfterEvents
            self.refreshAfterEvents = refreshAfterEvents
            self.size = size
        }
    }

    public let path: String
    let options: Options
    private let connection: Mutex<StoreConnection>
    let tokenCache: Mutex<TokenCache>
    /// Held for a whole retention run (which takes `connection` only step by step).
    let retentionRun = Mutex(())

    /// Opens or creates the store at `path` and applies any missing schema steps.
    public init(path: String, options: Options = .init()) throws {
        let database = try Database(path: path, options: options.database)
        do {
            try Migrator().migrate(database)
        } catch var error as SQLiteError {
            if error.activity == nil { error.activity = "migrating the schema" }
            throw error
        }
        self.path = path
        self.options = options
        connection = Mutex(try StoreConnection(database: database, options: options))
        tokenCache = Mutex(TokenCache(lifetime: options.tokenCacheLifetime))
    }

    /// Runs `body` holding the connection, naming `activity` in any SQLite error.
    func locked<T: Sendable>(_ activity: @autoclosure () -> String, _ body: (StoreConnection) throws -> T) throws -> T {
        do {
            return try connection.withLock { connection throws -> T in try body(connection) }
        } catch var error as SQLiteError {
            if error.activity == nil { error.activity = activity() }
            throw error
        }
    }

    public func append(_ batch: [EncodedEvent], project: String) throws -> AppendResult {
        try locked("appending \(batch.count) events") { try $0.append([AppendBatch(events: batch, project: project)])[0] }
    }

    public func appendGroup(_ batches: [AppendBatch]) throws -> [AppendResult] {
        let count = batches.reduce(0) { $0 + $1.events.count }
        return try locked("appending \(batches.count) batches of \(count) events") { try $0.append(batches) }
    }

    public func sessions(_ query: SessionQuery) throws -> SessionPage {
        try locked("listing sessions") { try $0.sessions(query) }
    }

    public func session(_ id: SessionID, project: String?) throws -> SessionSummary? {
        try locked("reading session \(id)") { try $0.session(id, project: project) }
    }

    public func events(_ query: EventQuery) throws -> [StoredEvent] {
        try locked("reading events of session \(query.session)") { try $0.events(query) }
    }

    public func conflicts(session: SessionID) throws -> [StoredConflict] {
        try locked("reading conflicts of session \(session)") { try $0.conflicts(session: session) }
    }

    public func chainBreaks(session: SessionID) throws -> [ChainBreak] {
        try locked("reading chain breaks of session \(session)") { try $0.chainBreaks(session: session) }
    }

    public func putBlob(_ bytes: [UInt8], project: String) throws -> Digest {
        try locked("storing a \(bytes.count)-byte blob") { try $0.putBlob(bytes, project: project) }
    }

    public func blob(_ digest: Digest, project: String?) throws -> [UInt8]? {
        try locked("reading blob \(digest)") { connection throws -> [UInt8]? in
            if let project, try !connection.isBlobVisible(digest, to: project) { return nil }
            return try connection.blob(digest)
        }
    }

    public func hasBlob(_ digest: Digest, project: String?) throws -> Bool {
        try locked("looking up blob \(digest)") { connection throws -> Bool in
            guard let project else { return try connection.hasBlob(digest) }
            return try connection.isBlobVisible(digest, to: project)
        }
    }

    /// Copies the WAL into the main file and truncates it (before measuring or copying the file).
    public func checkpoint() throws {
        _ = try locked("checkpointing the WAL") { try $0.database.pragma("wal_checkpoint(TRUNCATE)") }
    }

    /// Counts and sizes from full scans of the sessions, chunks and blobs tables: for status output
    /// and the benchmark. For frequent polling (metrics) use `approximateSizeBytes()`.
    public func statistics() throws -> StorageStatistics {
        try locked("reading storage statistics") { try $0.statistics() }
    }

    /// Names of the schema steps applied to this file, in order.
    public func appliedMigrations() throws -> [String] {
        try locked("reading applied schema steps") { try Migrator().applied($0.database) }
    }
}
