import CSQLite

/// A value bound to, or read from, a statement parameter.
public enum SQLiteValue: Sendable, Hashable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// A prepared statement: compiled once, then reset, bound and stepped as often as needed.
/// Parameter and column indexes follow SQLite: parameters from 1, columns from 0.
public final class Statement {
    let handle: OpaquePointer
    public let sql: String
    /// Kept so the connection outlives its statements.
    let database: Database

    init(database: Database, sql: String) throws(SQLiteError) {
        var raw: OpaquePointer?
        let result = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard result == SQLITE_OK, let raw else { throw database.error(result, sql: sql) }
        handle = raw
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Rewinds the statement and clears its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Resets, runs `body`, and resets again so no read transaction stays open afterwards.
    public func use<T, E: Error>(_ body: (Statement) throws(E) -> T) throws(E) -> T {
        reset()
        defer { sqlite3_reset(handle) }
        return try body(self)
    }

    // MARK: Binding

    public func bind(_ index: Int32, _ value: Int64) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(_ index: Int32, _ value: Int) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, Int64(value)))
    }

    public func bind(_ index: Int32, _ value: Double) throws(SQLiteError) {
        try check(sqlite3_bind_double(handle, index, value))
    }

    public func bind(_ index: Int32, _ value: String?) throws(SQLiteError) {
        guard let value else { return try bindNull(index) }
        try check(sqlite3_bind_text(handle, index, value, -1, sqliteTransient))
    }

    public func bind(_ index: Int32, _ value: [UInt8]?) throws(SQLiteError) {
        guard let value else { return try bindNull(index) }
        let result = value.withUnsafeBytes { buffer in
            // A zero-length blob still needs a non-null pointer, or SQLite binds NULL.
            sqlite3_bind_blob64(handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(buffer.count), sqliteTransient)
        }
        try check(result)
    }

    public func bindNull(_ index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    public func bind(_ index: Int32, _ value: SQLiteValue) throws(SQLiteError) {
        switch value {
        case .integer(let v): try bind(index, v)
        case .real(let v): try bind(index, v)
        case .text(let v): try bind(index, v)
        case .blob(let v): try bind(index, v)
        case .null: try bindNull(index)
        }
    }

    // MARK: Stepping

    /// Advances to the next row: true when a row is available, false when the statement is done.
    public func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(result, sql: sql)
        }
    }

    /// Resets, binds `values` to parameters 1…n, and runs to completion (for statements without rows).
    public func run(_ values: SQLiteValue...) throws(SQLiteError) {
        reset()
        defer { sqlite3_reset(handle) }
        for (i, value) in values.enumerated() { try bind(Int32(i + 1), value) }
        while try step() {}
    }

    // MARK: Columns

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    public func text(_ column: Int32) -> String? {
        guard let raw = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: raw, count: count), as: UTF8.self)
    }

    /// The column's bytes; nil for NULL, empty for a zero-length blob.
    public func blob(_ column: Int32) -> [UInt8]? {
        if isNull(column) { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let raw = sqlite3_column_blob(handle, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: raw, count: count))
    }

    /// Calls `body` with the column's bytes without copying them; valid only inside `body`.
    public func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let raw = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: count > 0 ? raw : nil, count: count))
    }

    private func check(_ result: Int32) throws(SQLiteError) {
        if result != SQLITE_OK { throw database.error(result, sql: sql) }
    }
}

@available(*, unavailable, message: "Statement belongs to one Database connection; use it from that connection's owner")
extension Statement: Sendable {}
