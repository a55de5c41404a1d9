import TraceModel

/// Brings a database up to `Migration.all`: each missing step runs in its own transaction and is
/// recorded in `schema_migrations`, so reopening a database applies only what is new.
public struct Migrator {
    public let migrations: [Migration]

    public init(_ migrations: [Migration] = Migration.all) {
        self.migrations = migrations
    }

    /// Applies the missing steps; returns their names. Throws `StoreError.newerSchema` when the file
    /// records a step this build does not know (it was written by a newer version).
    @discardableResult
    public func migrate(_ database: Database) throws -> [String] {
        try database.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        let known = Set(migrations.map(\.name))
        let unknown = try applied(database).filter { !known.contains($0) }
        if let first = unknown.first {
            throw StoreError(.newerSchema, "\(database.path) has schema step \(first), which this version does not know; use a newer Parallax")
        }
        var ran: [String] = []
        for migration in migrations {
            let didRun = try database.transaction { () throws -> Bool in
                // Checked inside the write transaction: another process may have just applied it.
                let check = try database.prepare("SELECT 1 FROM schema_migrations WHERE name = ?")
                let exists = try check.use { s throws(SQLiteError) in
                    try s.bind(1, migration.name)
                    return try s.step()
                }
                if exists { return false }
                do {
                    try database.execute(migration.sql)
                    try migration.backfill?(database)
                } catch var error as SQLiteError {
                    error.activity = "applying schema step \(migration.name)"
                    throw error
                }
                try database.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)")
                    .run(.text(migration.name), .text(Timestamp.now().rfc3339))
                return true
            }
            if didRun { ran.append(migration.name) }
        }
        return ran
    }

    /// The names recorded in `schema_migrations`, in the order they were applied.
    public func applied(_ database: Database) throws(SQLiteError) -> [String] {
        let statement = try database.prepare("SELECT name FROM schema_migrations ORDER BY rowid")
        return try statement.use { s throws(SQLiteError) in
            var names: [String] = []
            while try s.step() { names.append(s.text(0) ?? "") }
            return names
        }
    }
}
