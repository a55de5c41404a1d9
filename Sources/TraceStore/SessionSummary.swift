import TraceModel

/// What the store knows about one session, kept up to date as its events are appended.
public struct SessionSummary: Sendable, Hashable {
    public var id: SessionID
    /// The project of the token that wrote its first events; "" is the default project.
    public var project: String
    /// From `session.start`; nil until that event is stored.
    public var agent: String?
    public var agentVersion: String?
    public var task: String?
    public var condition: String?
    public var worker: String?
    public var replayOf: SessionID?
    /// `running` until a `session.end` is stored, then its status.
    public var status: SessionStatus
    /// The `ts` of `session.start`; until that event arrives, the time encoded in the session id.
    public var startedAt: Timestamp
    /// The `ts` of `session.end`, when stored.
    public var endedAt: Timestamp?
    /// True once `session.start` is stored.
    public var hasStart: Bool
    public var eventCount: Int
    /// The highest seq stored; -1 when none.
    public var lastSeq: Int64
    /// The highest seq `s` such that `0...s` are all stored; -1 while seq 0 is missing.
    public var ackedSeq: Int64
    /// Distinct conflicting versions received for already-stored seqs. Non-zero flags the session.
    public var conflictCount: Int
    /// Events whose `prev` did not match the stored event before them, found at ingest.
    public var chainBreaks: Int

    public init(id: SessionID, project: String = "", agent: String? = nil, agentVersion: String? = nil, task: String? = nil,
                condition: String? = nil, worker: String? = nil, replayOf: SessionID? = nil,
                status: SessionStatus = .running, startedAt: Timestamp, endedAt: Timestamp? = nil,
                hasStart: Bool = false, eventCount: Int = 0, lastSeq: Int64 = -1, ackedSeq: Int64 = -1,
                conflictCount: Int = 0, chainBreaks: Int = 0) {
        self.id = id
        self.project = project
        self.agent = agent
        self.agentVersion = agentVersion
        self.task = task
        self.condition = condition
        self.worker = worker
        self.replayOf = replayOf
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.hasStart = hasStart
        self.eventCount = eventCount
        self.lastSeq = lastSeq
        self.ackedSeq = ackedSeq
        self.conflictCount = conflictCount
        self.chainBreaks = chainBreaks
    }

    /// True when events are missing below the highest stored seq.
    public var hasGaps: Bool { ackedSeq < lastSeq }
    public var isFlagged: Bool { conflictCount > 0 || chainBreaks > 0 }
}

/// A session's status: `running`, or the `status` of its `session.end`.
public struct SessionStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let running: SessionStatus = "running"
    public static let completed: SessionStatus = "completed"
    public static let failed: SessionStatus = "failed"
    public static let killed: SessionStatus = "killed"
    public static let timeout: SessionStatus = "timeout"
    public static let aborted: SessionStatus = "aborted"
}
