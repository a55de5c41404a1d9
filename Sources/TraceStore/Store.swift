import TraceModel

/// Where sessions, events and blobs are kept: the seam between ingest, the CLI, the API and tests.
///
/// Calls are synchronous and may block on disk; call them off the cooperative thread pool.
/// Errors are `SQLiteError` or `StoreError` for the SQLite implementation.
public protocol Store: Sendable {
    /// Stores `batch` in one transaction, idempotently on `(session, seq)`: identical canonical bytes
    /// count as duplicates, different bytes are conflicts (first version kept, session flagged).
    /// New sessions belong to `project`; events of a session of another project are not stored
    /// and are reported in `AppendResult.foreign`.
    func append(_ batch: [EncodedEvent], project: String) throws -> AppendResult

    /// Stores several batches (of possibly different projects) in one transaction, in order, with
    /// one result per batch: a group commit. Throws, storing nothing, if any batch would throw alone.
    func appendGroup(_ batches: [AppendBatch]) throws -> [AppendResult]

    /// One page of sessions, newest start first.
    func sessions(_ query: SessionQuery) throws -> SessionPage

    /// The session, or nil when it is not stored or belongs to a project other than `project`
    /// (nil `project`: any project).
    func session(_ id: SessionID, project: String?) throws -> SessionSummary?

    /// A session's stored events in seq order. Not scoped by project: check `session(_:project:)` first.
    func events(_ query: EventQuery) throws -> [StoredEvent]

    /// The rejected versions of events whose `(session, seq)` was already taken, in seq order.
    func conflicts(session: SessionID) throws -> [StoredConflict]

    /// Events whose `prev` did not match the digest of the stored event before them, found at
    /// ingest, in seq order.
    func chainBreaks(session: SessionID) throws -> [ChainBreak]

    /// Stores `bytes` under their SHA-256 (only once) and makes the blob visible to `project`;
    /// returns the digest.
    func putBlob(_ bytes: [UInt8], project: String) throws -> Digest

    /// The blob's bytes, or nil when it is not stored or `project` never stored it (nil: any project).
    func blob(_ digest: Digest, project: String?) throws -> [UInt8]?

    /// Whether the blob is stored and visible to `project` (nil: any project).
    func hasBlob(_ digest: Digest, project: String?) throws -> Bool

    /// Deletes sessions that started before `cutoff` with their events, chunks and conflicts, then
    /// every blob they referenced that no remaining session references, and blobs stored before
    /// `cutoff` that no session ever referenced. Works in short transactions, so ingest goes on.
    func deleteSessions(startedBefore cutoff: Timestamp) throws -> RetentionResult

    /// Makes a token for `project` and returns its secret, which is not stored (only its SHA-256).
    func createToken(project: String, role: TokenRole, name: String?) throws -> IssuedToken

    /// The identity of a presented token, or nil when it is unknown, malformed or revoked.
    func authenticate(_ token: String) throws -> TokenIdentity?

    /// Tokens not revoked, by id; nil `project` lists every project's.
    func tokens(project: String?) throws -> [TokenIdentity]

    /// Revokes token `id`; false when there is no such token or it was already revoked.
    func revokeToken(id: Int64) throws -> Bool

    /// Bytes the store takes on disk, cheap enough to read on every metrics scrape.
    func approximateSizeBytes() throws -> Int
}

extension Store {
    /// `append` into the default project "" (local ingest).
    public func append(_ batch: [EncodedEvent]) throws -> AppendResult {
        try append(batch, project: "")
    }

    /// `append` for events whose canonical bytes are not at hand yet.
    public func append(_ events: [Event], project: String = "") throws -> AppendResult {
        try append(events.map(EncodedEvent.init), project: project)
    }

    /// The session in any project.
    public func session(_ id: SessionID) throws -> SessionSummary? {
        try session(id, project: nil)
    }

    /// `putBlob` into the default project "".
    public func putBlob(_ bytes: [UInt8]) throws -> Digest {
        try putBlob(bytes, project: "")
    }

    /// The blob, whichever project stored it.
    public func blob(_ digest: Digest) throws -> [UInt8]? {
        try blob(digest, project: nil)
    }

    /// Whether the blob is stored, whichever project stored it.
    public func hasBlob(_ digest: Digest) throws -> Bool {
        try hasBlob(digest, project: nil)
    }

    /// A session's stored events in seq order, optionally limited to a seq range and some kinds.
    public func events(
        session: SessionID, seqs: ClosedRange<UInt64>? = nil, kinds: Set<EventKind>? = nil, limit: Int? = nil
    ) throws -> [StoredEvent] {
        try events(EventQuery(session: session, seqs: seqs, kinds: kinds, limit: limit))
    }
}

/// One batch of a group commit and the project that sends it.
public struct AppendBatch: Sendable {
    public var events: [EncodedEvent]
    public var project: String

    public init(events: [EncodedEvent], project: String) {
        self.events = events
        self.project = project
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
    /// Sessions of other projects do not appear here.
    public var acked: [SessionID: Int64]
    /// Events not stored because their session belongs to another project.
    public var foreign: [AppendRejection]
    /// Chain breaks this batch revealed: the seq whose `prev` does not match the stored event before
    /// it (that event may be one stored earlier, when this batch filled the seq before it).
    public var chainBreaks: [AppendConflict]

    public init(accepted: Int = 0, duplicates: Int = 0, conflicts: [AppendConflict] = [], acked: [SessionID: Int64] = [:],
                foreign: [AppendRejection] = [], chainBreaks: [AppendConflict] = []) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.conflicts = conflicts
        self.acked = acked
        self.foreign = foreign
        self.chainBreaks = chainBreaks
    }
}

/// An event's `(session, seq)`: rejected because it already holds different bytes, or (in
/// `AppendResult.chainBreaks`) whose `prev` does not match the event before it.
public struct AppendConflict: Sendable, Hashable, CustomStringConvertible {
    public var session: SessionID
    public var seq: UInt64

    public init(session: SessionID, seq: UInt64) {
        self.session = session
        self.seq = seq
    }

    public var description: String { "\(session)#\(seq)" }
}

/// An event of a batch that was not stored, and why.
public struct AppendRejection: Sendable, Hashable, CustomStringConvertible {
    /// Its position in the batch passed to `append`.
    public var index: Int
    public var session: SessionID
    public var seq: UInt64
    public var reason: String

    public init(index: Int, session: SessionID, seq: UInt64, reason: String) {
        self.index = index
        self.session = session
        self.seq = seq
        self.reason = reason
    }

    public var description: String { "[\(index)] \(session)#\(seq): \(reason)" }
}
