import TraceModel

extension Migration {
    /// Sessions belong to a project (the default project is ""); blobs are visible to the projects
    /// that uploaded them. Everything stored before this step belongs to the default project.
    static let sessionProjects = Migration("0002_projects", """
        ALTER TABLE sessions ADD COLUMN project TEXT NOT NULL DEFAULT '';
        CREATE INDEX sessions_by_project ON sessions (project, started_at, ulid);
        CREATE TABLE blob_projects (
            digest BLOB NOT NULL,
            project TEXT NOT NULL,
            PRIMARY KEY (digest, project)
        ) WITHOUT ROWID;
        INSERT INTO blob_projects (digest, project) SELECT digest, '' FROM blobs;
        """)

    /// Bearer tokens: only the SHA-256 of the secret is kept.
    static let tokens = Migration("0003_tokens", """
        CREATE TABLE tokens (
            id INTEGER PRIMARY KEY,
            name TEXT,
            project TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('ingest', 'read', 'admin')),
            hash BLOB NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        """)

    /// What retention needs. `blob_refs` records, in append order (so append writes only at the
    /// tail: a digest-keyed index here halved ingest speed), which session's events name which
    /// blob; references of events stored before this step are read back from their chunks.
    /// `retention_candidates` holds blobs that may have lost their last reference, across runs and
    /// crashes; `store_state` remembers up to when uploads were checked for ever being referenced.
    static let retention = Migration("0004_blob_lifecycle", """
        CREATE TABLE blob_refs (
            id INTEGER PRIMARY KEY,
            session INTEGER NOT NULL,
            digest BLOB NOT NULL
        );
        CREATE INDEX blob_refs_by_session ON blob_refs (session);
        CREATE TABLE retention_candidates (
            digest BLOB NOT NULL PRIMARY KEY
        ) WITHOUT ROWID;
        CREATE TABLE store_state (
            name TEXT NOT NULL PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        ALTER TABLE blobs ADD COLUMN stored_at INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX blobs_by_stored_at ON blobs (stored_at, digest);
        CREATE INDEX chunks_by_session ON chunks (session);
        """, backfill: { database in
            try database.prepare("UPDATE blobs SET stored_at = ?").run(.integer(Timestamp.now().microseconds))
            try StoreConnection(database: database, options: SQLiteStore.Options()).backfillBlobReferences()
        })
}
