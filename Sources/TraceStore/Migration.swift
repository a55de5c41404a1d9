/// One named, append-only step of the store's schema. Applied steps are recorded in
/// `schema_migrations`; a step is never edited once released — add a new one instead.
public struct Migration: Sendable {
    public let name: String
    /// Statements separated by semicolons, run in one transaction.
    public let sql: String
    /// Work SQL cannot express (decoding stored chunks), run after `sql` in the same transaction.
    let backfill: (@Sendable (Database) throws -> Void)?

    public init(_ name: String, _ sql: String) {
        self.init(name, sql, backfill: nil)
    }

    init(_ name: String, _ sql: String, backfill: (@Sendable (Database) throws -> Void)?) {
        self.name = name
        self.sql = sql
        self.backfill = backfill
    }
}

extension Migration {
    /// Every step, in the order it is applied. `schemas/sqlite.sql` is what they produce.
    public static let all: [Migration] = [initial, sessionProjects, tokens, retention, chainBreaks, blobReferenceSets]

    /// Integer session keys; events stored as zstd chunks (one batch of one session each, optionally
    /// with a dictionary of recent lines) and a compact `events` index that locates every
    /// `(session, seq)`; content-addressed blobs.
    static let initial = Migration("0001_initial", """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            ulid TEXT NOT NULL UNIQUE,
            agent TEXT,
            agent_version TEXT,
            task TEXT,
            condition TEXT,
            worker TEXT,
            replay_of TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            has_start INTEGER NOT NULL DEFAULT 0,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            event_count INTEGER NOT NULL DEFAULT 0,
            last_seq INTEGER NOT NULL DEFAULT -1,
            acked_seq INTEGER NOT NULL DEFAULT -1,
            conflict_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sessions_by_start ON sessions (started_at, ulid);
        CREATE TABLE kinds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE dictionaries (
            id INTEGER PRIMARY KEY,
            created_at INTEGER NOT NULL,
            data BLOB NOT NULL
        );
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            session INTEGER NOT NULL REFERENCES sessions (id),
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            count INTEGER NOT NULL,
            raw_bytes INTEGER NOT NULL,
            codec INTEGER NOT NULL,
            dictionary INTEGER REFERENCES dictionaries (id),
            data BLOB NOT NULL
        );
        CREATE TABLE events (
            session INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            chunk INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            PRIMARY KEY (session, seq)
        ) WITHOUT ROWID;
        CREATE TABLE conflicts (
            id INTEGER PRIMARY KEY,
            session INTEGER NOT NULL REFERENCES sessions (id),
            seq INTEGER NOT NULL,
            digest BLOB NOT NULL,
            received_at INTEGER NOT NULL,
            data BLOB NOT NULL,
            UNIQUE (session, seq, digest)
        );
        CREATE TABLE blobs (
            digest BLOB NOT NULL PRIMARY KEY,
            size INTEGER NOT NULL,
            codec INTEGER NOT NULL,
            data BLOB NOT NULL
        );
        """)
}
