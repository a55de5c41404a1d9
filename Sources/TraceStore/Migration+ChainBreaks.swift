extension Migration {
    /// Hash-chain checks at ingest. `last_digest` is the SHA-256 of the event at `last_seq`, so an
    /// in-order append checks its first `prev` without a read (NULL for sessions stored before this
    /// step: the next append reads that event once). `chain_breaks` records each event whose `prev`
    /// does not match the digest of the stored event before it.
    static let chainBreaks = Migration("0005_chain_breaks", """
        ALTER TABLE sessions ADD COLUMN last_digest BLOB;
        ALTER TABLE sessions ADD COLUMN chain_break_count INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE chain_breaks (
            session INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            expected BLOB NOT NULL,
            actual BLOB,
            detected_at INTEGER NOT NULL,
            PRIMARY KEY (session, seq)
        ) WITHOUT ROWID;
        """)
}
