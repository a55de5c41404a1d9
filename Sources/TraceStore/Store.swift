import TraceModel

/// Where sessions, events and blobs are kept: the seam between ingest, the CLI, the API and tests.
///
/// Calls are synchronous and may block on disk; call them off the cooperative thread pool.
/// Errors are `SQLiteError` or `StoreError` for the SQLite implementation.
public protocol Store: Sendable {
    /// Stores `batch` in one transaction, idempotently on `(session, seq)`: identical canonical bytes
    /// count as duplicates, different bytes are conflicts (first version kept, session flagged).
    func append(_ batch: [EncodedEvent]) throws -> AppendResult

    /// One page of sessions, newest start first.
    func sessions(_ query: SessionQuery) throws -> SessionPage

    func session(_ id: SessionID) throws -> SessionSummary?

    /// A session's stored events in seq order.
    func events(_ query: EventQuery) throws -> [StoredEvent]

    /// The rejected versions of events whose `(session, seq)` was already taken, in seq order.
    func conflicts(session: SessionID) throws -> [StoredConflict]

    /// Stores `bytes` under their SHA-256 (a no-op when already present) and returns the digest.
    func putBlob(_ bytes: [UInt8]) throws -> Digest

    /// The blob's bytes, or nil when it is not stored.
    func blob(_ digest: Digest) throws -> [UInt8]?

    func hasBlob(_ digest: Digest) throws -> Bool
}

extension Store {
    /// `append` for events whose canonical bytes are not at hand yet.
    public func append(_ events: [Event]) throws -> AppendResult {
        try append(events.map(EncodedEvent.init))
    }

    /// A session's stored events in seq order, optionally limited to a seq range and some kinds.
    public func events(
        session: SessionID, seqs: ClosedRange<UInt64>? = nil, kinds: Set<EventKind>? = nil, limit: Int? = nil
    ) throws -> [StoredEvent] {
        try events(EventQuery(session: session, seqs: seqs, kinds: kinds, limit: limit))
    }
}

/// What `Store.append` did with a batch.
public struct AppendResult: Sendable, Equatable {
    /// Events newly stored.
    public var accepted: Int
    /// Events whose `(session, seq)` was already stored with identical bytes.
    public var duplicates: Int
    /// Events whose `(session, seq)` was already stored with different bytes (not stored).
    public var conflicts: [AppendConflict]
    /// For every session in the batch: the highest seq `s` such that `0...s` are all stored
    /// (-1 while seq 0 is missing).
    public var acked: [SessionID: Int64]

    public init(accepted: Int = 0, duplicates: Int = 0, conflicts: [AppendConflict] = [], acked: [SessionID: Int64] = [:]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.conflicts = conflicts
        self.acked = acked
    }
}

/// An event rejected because its `(session, seq)` already holds different bytes.
public struct AppendConflict: Sendable, Hashable, CustomStringConvertible {
    public var session: SessionID
    public var seq: UInt64

    public init(session: SessionID, seq: UInt64) {
        self.session = session
        self.seq = seq
    }

    public var description: String { "\(session)#\(seq)" }
}
