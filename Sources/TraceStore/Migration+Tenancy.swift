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

    /// What retention needs: which sessions reference which blobs, when each blob was stored, and
    /// a session's chunks without a table scan. References of events stored before this step are
    /// read back from their chunks.
    static let retention = Migration("0004_retention", """
        CREATE TABLE blob_refs (
            digest BLOB NOT NULL,
            session INTEGER NOT NULL,
            PRIMARY KEY (digest, session)
        ) WITHOUT ROWID;
        CREATE INDEX blob_refs_by_session ON blob_refs (session);
        ALTER TABLE blobs ADD COLUMN stored_at INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX blobs_by_stored_at ON blobs (stored_at, digest);
        CREATE INDEX chunks_by_session ON chunks (session);
        """, backfill: { database in
            try database.prepare("UPDATE blobs SET stored_at = ?").run(.integer(Timestamp.now().microseconds))
            try StoreConnection(database: database, options: SQLiteStore.Options()).backfillBlobReferences()
        })
}
