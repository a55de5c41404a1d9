-- Parallax SQLite store: the schema the migrations in Sources/TraceStore/Migration*.swift produce.
-- Statements appear in sqlite_master order (by name); a test keeps this file equal to a fresh database.
-- Columns added by a later step (ALTER TABLE ... ADD COLUMN) appear as SQLite records them: on a
-- line of their own starting with a comma.
--
-- sessions   one row per session (integer key, ULID text unique); metadata from session.start/end,
--            counters kept by append: event_count, last_seq, acked_seq (highest contiguous), conflicts.
--            `project` is the project of the token that wrote its first events ('' = default project).
-- chunks     one batch of one session: canonical NDJSON lines, where a line's "prev" digest is
--            written "prev":0 when it is the SHA-256 of the line before it; raw (codec 0), zstd
--            (codec 1) or zstd with the raw-content dictionary named in `dictionary` (codec 2).
-- dictionaries  zstd raw-content dictionaries (recent event lines) that chunks are compressed with.
-- events     compact index: (session, seq) -> chunk, line index, interned kind.
-- kinds      interned event kind names.
-- chain_breaks  events whose "prev" did not match the SHA-256 of the stored event at seq - 1,
--            found at ingest (expected = that digest, actual = the prev, NULL when absent). The
--            sessions row keeps `last_digest` (SHA-256 of the event at last_seq) so in-order appends
--            check the chain without a read, and `chain_break_count`.
-- conflicts  refused versions of an already-stored (session, seq), one row per distinct digest.
-- blobs      content-addressed payloads keyed by raw SHA-256; zstd when smaller; `stored_at` (µs)
--            is the last upload, so retention spares recent uploads whose events are still coming.
-- blob_projects  which projects uploaded each blob: a project sees only blobs it uploaded.
-- blob_ref_sets  which blobs a session's events (stored or conflicting) name: one row per append
--            and session, `digests` = the distinct raw SHA-256 digests packed back to back (at most
--            120 a row), in append order. No digest index on purpose: appends write only at the
--            table's tail (a digest-keyed index halved ingest speed); retention walks the table.
-- retention_candidates  blobs that may have lost their last reference, kept across runs.
-- store_state  small named values: uploads_checked_before (µs) for retention.
-- tokens     bearer tokens: SHA-256 of the secret (never the secret), project, role, revocation.
-- schema_migrations  applied migration steps.


CREATE TABLE blob_projects (
    digest BLOB NOT NULL,
    project TEXT NOT NULL,
    PRIMARY KEY (digest, project)
) WITHOUT ROWID;

CREATE TABLE blob_ref_sets (
    id INTEGER PRIMARY KEY,
    session INTEGER NOT NULL,
    digests BLOB NOT NULL
);

CREATE INDEX blob_ref_sets_by_session ON blob_ref_sets (session);

CREATE TABLE blobs (
    digest BLOB NOT NULL PRIMARY KEY,
    size INTEGER NOT NULL,
    codec INTEGER NOT NULL,
    data BLOB NOT NULL
, stored_at INTEGER NOT NULL DEFAULT 0);

CREATE INDEX blobs_by_stored_at ON blobs (stored_at, digest);

CREATE TABLE chain_breaks (
    session INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    expected BLOB NOT NULL,
    actual BLOB,
    detected_at INTEGER NOT NULL,
    PRIMARY KEY (session, seq)
) WITHOUT ROWID;

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

CREATE INDEX chunks_by_session ON chunks (session);

CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY,
    session INTEGER NOT NULL REFERENCES sessions (id),
    seq INTEGER NOT NULL,
    digest BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (session, seq, digest)
);

CREATE TABLE dictionaries (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
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

CREATE TABLE kinds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE retention_candidates (
    digest BLOB NOT NULL PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);

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
, project TEXT NOT NULL DEFAULT '', last_digest BLOB, chain_break_count INTEGER NOT NULL DEFAULT 0);

CREATE INDEX sessions_by_project ON sessions (project, started_at, ulid);

CREATE INDEX sessions_by_start ON sessions (started_at, ulid);

CREATE TABLE store_state (
    name TEXT NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    name TEXT,
    project TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('ingest', 'read', 'admin')),
    hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
