import TraceModel

/// An event whose `prev` did not match the SHA-256 of the stored event at `seq - 1`, found at ingest.
/// Both events stay stored; the break only flags the session.
public struct ChainBreak: Sendable, Hashable {
    public var seq: UInt64
    /// The digest of the stored event at `seq - 1`.
    public var expected: Digest
    /// The `prev` the event at `seq` carries; nil when it has none.
    public var actual: Digest?
    /// When ingest found the break.
    public var detectedAt: Timestamp

    public init(seq: UInt64, expected: Digest, actual: Digest?, detectedAt: Timestamp) {
        self.seq = seq
        self.expected = expected
        self.actual = actual
        self.detectedAt = detectedAt
    }
}
