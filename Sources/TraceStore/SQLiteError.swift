import CSQLite

/// A failure reported by SQLite, with what was being done when it happened.
///
/// `code` is the primary result code (`SQLITE_BUSY`, `SQLITE_NOTADB`, …); `extendedCode` the
/// extended one (`SQLITE_BUSY_SNAPSHOT`, …). `sql` is the statement being run, never its bound values.
public struct SQLiteError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int32
    public var extendedCode: Int32
    /// SQLite's own message (`sqlite3_errmsg`), or the description of the code when there was none.
    public var message: String
    /// The statement being prepared or run, when there was one.
    public var sql: String?
    /// The database file.
    public var path: String?
    /// What the store was doing, e.g. "appending 1000 events".
    public var activity: String?

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil, path: String? = nil,
                activity: String? = nil) {
        self.code = code & 0xFF
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
        self.path = path
        self.activity = activity
    }

    /// The error `result` (an extended code, since extended codes are enabled) of the last call on `handle`.
    init(result: Int32, handle: OpaquePointer?, sql: String?, path: String?) {
        let text = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(result))
        self.init(code: result, extendedCode: result, message: text, sql: sql, path: path)
    }

    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    public var isNotADatabase: Bool { code == SQLITE_NOTADB }
    public var isCorrupt: Bool { code == SQLITE_CORRUPT || code == SQLITE_NOTADB }

    public var description: String {
        var out = "SQLite error \(code)"
        if extendedCode != code { out += " (extended \(extendedCode))" }
        out += ": \(message)"
        if let activity { out += " while \(activity)" }
        if let path { out += " [database \(path)]" }
        if let sql { out += " [SQL: \(sql.count > 200 ? String(sql.prefix(200)) + "…" : sql)]" }
        return out
    }
}
