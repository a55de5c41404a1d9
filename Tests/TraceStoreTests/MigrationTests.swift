import Foundation
import Testing
import TraceModel
@testable import TraceStore

@Suite("Schema migrations")
struct MigrationTests {
    /// Collapses whitespace runs so formatting differences do not matter.
    static func normalize(_ sql: String) -> String {
        sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }

    static var schemaFile: String {
        // Tests/TraceStoreTests/MigrationTests.swift → schemas/sqlite.sql
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schemas/sqlite.sql").path
    }

    static func schemaStatements(_ database: Database) throws -> [String] {
        let statement = try database.prepare("SELECT sql FROM sqlite_master WHERE sql NOT NULL ORDER BY name")
        return try statement.use { s throws(SQLiteError) in
            var out: [String] = []
            while try s.step() { out.append(normalize(s.text(0) ?? "")) }
            return out
        }
    }

    @Test("a fresh database has exactly the DDL of schemas/sqlite.sql")
    func ddlMatchesSchemaFile() throws {
        let dir = TemporaryDirectory()
        _ = try openStore(dir)
        let database = try Database(path: dir.file("store.sqlite"))
        let actual = try Self.schemaStatements(database)

        let text = try String(contentsOfFile: Self.schemaFile, encoding: .utf8)
        let withoutComments = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .joined(separator: "\n")
        let expected = withoutComments.split(separator: ";").map { Self.normalize(String($0)) }.filter { !$0.isEmpty }
        #expect(actual == expected)
        #expect(actual.contains { $0.hasPrefix("CREATE TABLE schema_migrations") })
    }

    @Test("every step is recorded once; reopening applies nothing")
    func idempotent() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("m.sqlite")
        let database = try Database(path: path)
        let first = try Migrator().migrate(database)
        #expect(first == Migration.all.map(\.name))
        let before = try Self.schemaStatements(database)

        let again = try Migrator().migrate(database)
        #expect(again.isEmpty)
        let reopened = try Database(path: path)
        #expect(try Migrator().migrate(reopened).isEmpty)
        #expect(try Migrator().applied(reopened) == Migration.all.map(\.name))
        #expect(try Self.schemaStatements(reopened) == before)
    }

    @Test("only missing steps run, each recorded in its own transaction")
    func appliesOnlyMissingSteps() throws {
        let dir = TemporaryDirectory()
        let database = try Database(path: dir.file("m.sqlite"))
        let base = Migration.all
        #expect(try Migrator(base).migrate(database) == base.map(\.name))
        let extra = Migration("9999_test_notes", "CREATE TABLE test_notes (id INTEGER PRIMARY KEY, note TEXT)")
        #expect(try Migrator(base + [extra]).migrate(database) == ["9999_test_notes"])
        #expect(try Migrator(base + [extra]).applied(database) == base.map(\.name) + ["9999_test_notes"])
    }

    @Test("a failing step rolls back and is not recorded")
    func failingStepRollsBack() throws {
        let dir = TemporaryDirectory()
        let database = try Database(path: dir.file("m.sqlite"))
        let broken = Migration("9998_broken", "CREATE TABLE half_done (id INTEGER); CREATE TABLE sessions (id INTEGER)")
        let error = #expect(throws: SQLiteError.self) { try Migrator(Migration.all + [broken]).migrate(database) }
        #expect(error?.activity == "applying schema step 9998_broken")
        #expect(try Migrator().applied(database) == Migration.all.map(\.name))
        let tables = try database.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'")
        #expect(try tables.use { s throws(SQLiteError) in _ = try s.step(); return s.int64(0) } == 0)
    }

    @Test("a database migrated by a newer version is refused")
    func newerSchemaRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("m.sqlite")
        let database = try Database(path: path)
        try Migrator(Migration.all + [Migration("9999_future", "CREATE TABLE future (x)")]).migrate(database)
        let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error?.code == .newerSchema)
        #expect(error?.message.contains("9999_future") == true)
    }
}
