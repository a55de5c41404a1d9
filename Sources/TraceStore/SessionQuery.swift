import TraceModel

/// Filters and paging for `Store.sessions`. Every filter set must match (exact string equality).
public struct SessionQuery: Sendable, Hashable {
    public static let defaultLimit = 100
    public static let maxLimit = 1000

    /// Only sessions of this project; nil for every project (local and admin use).
    public var project: String?
    public var agent: String?
    public var task: String?
    public var condition: String?
    public var worker: String?
    public var status: SessionStatus?
    /// Sessions that started at or after this instant.
    public var since: Timestamp?
    /// Sessions that started before this instant.
    public var until: Timestamp?
    /// Page size, clamped to 1…`maxLimit`.
    public var limit: Int
    /// `SessionPage.nextCursor` of the previous page; nil for the first page.
    public var cursor: String?

    public init(project: String? = nil, agent: String? = nil, task: String? = nil, condition: String? = nil, worker: String? = nil,
                status: SessionStatus? = nil, since: Timestamp? = nil, until: Timestamp? = nil,
                limit: Int = SessionQuery.defaultLimit, cursor: String? = nil) {
        self.project = project
        self.agent = agent
        self.task = task
        self.condition = condition
        self.worker = worker
        self.status = status
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
    }

    var clampedLimit: Int { min(max(limit, 1), Self.maxLimit) }
}

/// One page of sessions, newest start first (ties broken by id, descending).
public struct SessionPage: Sendable, Equatable {
    public var sessions: [SessionSummary]
    /// Pass as `SessionQuery.cursor` for the next page; nil on the last page.
    public var nextCursor: String?

    public init(sessions: [SessionSummary], nextCursor: String?) {
        self.sessions = sessions
        self.nextCursor = nextCursor
    }
}

/// The position after a session in list order: its start time and id. Opaque to callers.
struct SessionCursor: Equatable {
    var startedAt: Int64
    var id: SessionID

    init(startedAt: Int64, id: SessionID) {
        self.startedAt = startedAt
        self.id = id
    }

    /// Parses `<start microseconds>.<ulid>`; throws `StoreError.invalidCursor` for anything else.
    init(parsing text: String) throws(StoreError) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let time = Int64(parts[0]), let id = SessionID(String(parts[1])) else {
            throw StoreError(.invalidCursor, "\"\(text.prefix(80))\" is not a cursor this store handed out")
        }
        startedAt = time
        self.id = id
    }

    var text: String { "\(startedAt).\(id.string)" }
}

/// Which events of one session `Store.events` returns.
public struct EventQuery: Sendable, Hashable {
    public var session: SessionID
    /// Inclusive seq range; nil for all.
    public var seqs: ClosedRange<UInt64>?
    /// Only these kinds; nil for all.
    public var kinds: Set<EventKind>?
    /// At most this many events (the first ones in seq order); nil for no limit.
    public var limit: Int?

    public init(session: SessionID, seqs: ClosedRange<UInt64>? = nil, kinds: Set<EventKind>? = nil, limit: Int? = nil) {
        self.session = session
        self.seqs = seqs
        self.kinds = kinds
        self.limit = limit
    }
}
