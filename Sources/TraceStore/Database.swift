import CSQLite

/// `SQLITE_TRANSIENT`: tells SQLite to copy bound bytes (the C macro does not import).
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection: opens the file, owns the `sqlite3*` handle and closes it in `deinit`.
///
/// Not thread-safe (opened with `SQLITE_OPEN_NOMUTEX`); whoever owns a `Database` serializes access.
public final class Database {
    /// `PRAGMA synchronous`: `full` syncs the WAL on every commit; `normal` may lose the last
    /// commits on power loss (never corrupts).
    public enum Synchronous: String, Sendable {
        case full = "FULL"
        case normal = "NORMAL"
    }

    public struct Options: Sendable {
        /// Create the file when it does not exist.
        public var create: Bool
        public var synchronous: Synchronous
        /// How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
        public var busyTimeoutMilliseconds: Int32

        public init(create: Bool = true, synchronous: Synchronous = .full, busyTimeoutMilliseconds: Int32 = 5000) {
            self.create = create
            self.synchronous = synchronous
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        }
    }

    let handle: OpaquePointer
    public let path: String

    /// Opens (or creates) `path` in WAL mode with foreign keys on and extended result codes.
    /// A file that is not SQLite fails here with `SQLITE_NOTADB`, naming the file.
    public init(path: String, options: Options = .init()) throws(SQLiteError) {
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if options.create { flags |= SQLITE_OPEN_CREATE }
        var raw: OpaquePointer?
        let result = sqlite3_open_v2(path, &raw, flags, nil)
        guard result == SQLITE_OK, let raw else {
            var error = SQLiteError(result: result, handle: raw, sql: nil, path: path)
            error.activity = "opening the database file"
            sqlite3_close_v2(raw)
            throw error
        }
        handle = raw
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, options.busyTimeoutMilliseconds)
        do {
            // The first statement reads the header: a non-SQLite file fails here.
            _ = try pragma("journal_mode = WAL")
            _ = try pragma("synchronous = \(options.synchronous.rawValue)")
            _ = try pragma("foreign_keys = ON")
        } catch {
            var error = error
            error.activity = "opening the database file"
            throw error
        }
    }

    deinit {
        // Every Statement holds a reference to its Database, so all are finalized by now.
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows (schema changes, transaction control).
    public func execute(_ sql: String) throws(SQLiteError) {
        let result = sqlite3_exec(handle, sql, nil, nil, nil)
        if result != SQLITE_OK { throw error(result, sql: sql) }
    }

    /// Compiles `sql` once; keep the statement and reuse it.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `PRAGMA <text>` and returns the first column of its first row, if any.
    @discardableResult
    public func pragma(_ text: String) throws(SQLiteError) -> String? {
        let statement = try prepare("PRAGMA \(text)")
        return try statement.use { s throws(SQLiteError) in try s.step() ? s.text(0) : nil }
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT` (the write lock is taken up front, so two
    /// writers wait on the busy timeout instead of deadlocking); rolls back when `body` throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs `body` inside a deferred `BEGIN … COMMIT`, so all its reads see one snapshot.
    public func read<T>(_ body: () throws -> T) throws -> T {
        try inTransaction(begin: "BEGIN", body)
    }

    /// `begin`, then `body`, then COMMIT; a ROLLBACK (if a transaction is still open) when anything throws.
    private func inTransaction<T>(begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        let value: T
        do {
            value = try body()
            try execute("COMMIT")
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
            throw error
        }
        return value
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    func error(_ result: Int32, sql: String?) -> SQLiteError {
        SQLiteError(result: result, handle: handle, sql: sql, path: path)
    }
}

@available(*, unavailable, message: "Database owns a sqlite3 connection opened without SQLite's mutex; use it from one owner")
extension Database: Sendable {}
