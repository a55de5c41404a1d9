import Foundation
import Testing
import TraceModel
@testable import TraceStore

@Suite("SQLite connection")
struct DatabaseTests {
    @Test("a file that is not SQLite gives SQLITE_NOTADB naming the file")
    func notADatabase() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("notes.sqlite")
        try Data(String(repeating: "this is a text file, not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SQLiteError.self) { try SQLiteStore(path: path) }
        #expect(error?.code == 26)  // SQLITE_NOTADB
        #expect(error?.path == path)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("not a database") == true)
    }

    @Test("a truncated database file is refused with a clear error")
    func truncatedDatabase() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("cut.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            var builder = SessionBuilder()
            _ = try store.append(builder.events(200))
        }
        // Keep the header page only: the schema pages are gone.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 100)
        try handle.close()
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        let error = #expect(throws: SQLiteError.self) { try SQLiteStore(path: path) }
        #expect(error?.path == path)
        #expect(error?.isCorrupt == true)
    }

    @Test("with create off, a missing file is an error naming it")
    func missingFile() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("absent.sqlite")
        var options = SQLiteStore.Options()
        options.database.create = false
        let error = #expect(throws: SQLiteError.self) { try SQLiteStore(path: path, options: options) }
        #expect(error?.code == 14)  // SQLITE_CANTOPEN
        #expect(error?.description.contains(path) == true)
        #expect(FileManager.default.fileExists(atPath: path) == false)
    }

    @Test("connection settings: WAL, foreign keys, synchronous as configured")
    func settings() throws {
        let dir = TemporaryDirectory()
        let full = try Database(path: dir.file("a.sqlite"))
        #expect(try full.pragma("journal_mode") == "wal")
        #expect(try full.pragma("foreign_keys") == "1")
        #expect(try full.pragma("synchronous") == "2")
        let normal = try Database(path: dir.file("b.sqlite"), options: .init(synchronous: .normal))
        #expect(try normal.pragma("synchronous") == "1")
    }

    @Test("SQL errors carry the extended code, message and statement")
    func errorContext() throws {
        let dir = TemporaryDirectory()
        let database = try Database(path: dir.file("e.sqlite"))
        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        let insert = try database.prepare("INSERT INTO t (id, v) VALUES (?, ?)")
        try insert.run(.integer(1), .text("a"))
        let duplicate = #expect(throws: SQLiteError.self) { try insert.run(.integer(1), .text("b")) }
        #expect(duplicate?.code == 19)  // SQLITE_CONSTRAINT
        #expect(duplicate?.extendedCode == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
        #expect(duplicate?.sql == "INSERT INTO t (id, v) VALUES (?, ?)")
        #expect(duplicate?.message.contains("UNIQUE constraint failed") == true)
        let notNull = #expect(throws: SQLiteError.self) { try insert.run(.integer(2), .null) }
        #expect(notNull?.extendedCode == 1299)  // SQLITE_CONSTRAINT_NOTNULL

        let syntax = #expect(throws: SQLiteError.self) { try database.prepare("SELEKT 1") }
        #expect(syntax?.code == 1)
        #expect(syntax?.sql == "SELEKT 1")
    }

    @Test("values round-trip through bind and column")
    func values() throws {
        let dir = TemporaryDirectory()
        let database = try Database(path: dir.file("v.sqlite"))
        try database.execute("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n)")
        try database.prepare("INSERT INTO v VALUES (?, ?, ?, ?, ?)")
            .run(.integer(Int64.min), .real(2.5), .text("héllo\u{0}world"), .blob([0, 1, 255]), .null)
        try database.prepare("INSERT INTO v VALUES (?, ?, ?, ?, ?)").run(.integer(0), .real(0), .text(""), .blob([]), .null)
        let select = try database.prepare("SELECT i, r, t, b, n FROM v ORDER BY rowid")
        try select.use { s throws(SQLiteError) in
            #expect(try s.step())
            #expect(s.int64(0) == Int64.min)
            #expect(s.double(1) == 2.5)
            #expect(s.text(2) == "héllo")  // bound as a C string: text stops at NUL
            #expect(s.blob(3) == [0, 1, 255])
            #expect(s.isNull(4))
            #expect(s.blob(4) == nil)
            #expect(try s.step())
            #expect(s.blob(3) == [])
            #expect(s.isNull(3) == false)
            #expect(try s.step() == false)
        }
    }
}
