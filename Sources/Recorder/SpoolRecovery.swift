import TraceModel
import TraceWire

/// What resuming a session found and repaired.
public struct SpoolRecovery: Sendable, Equatable {
    public var session: SessionID
    /// The incomplete record a crash left at the end of the last segment, now cut off.
    public var tornTail: SpoolTornTail?
    /// The `recorder.notice` events the recovery appended (torn tail, clock origin).
    public var notices: [UInt64]
    /// The session's last seq after recovery; nil when it holds no event at all.
    public var lastSeq: UInt64?

    public init(session: SessionID, tornTail: SpoolTornTail? = nil, notices: [UInt64] = [], lastSeq: UInt64? = nil) {
        self.session = session
        self.tornTail = tornTail
        self.notices = notices
        self.lastSeq = lastSeq
    }
}

/// A torn tail cut off a segment: where, how much, and why it was not a record.
public struct SpoolTornTail: Sendable, Equatable {
    /// The segment's file name (like `seg-0000000003.log`).
    public var segment: String
    /// The segment's length after the cut.
    public var offset: Int
    public var bytesCut: Int
    public var reason: SpoolDamage
}
