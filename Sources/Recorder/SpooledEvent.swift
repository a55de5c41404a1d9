/// One record read back from a spool: an event's canonical bytes and its seq.
public struct SpooledEvent: Sendable, Hashable {
    public var seq: UInt64
    /// The canonical JSON bytes of the event, exactly as the recorder chained them (no newline).
    public var bytes: [UInt8]

    public init(seq: UInt64, bytes: [UInt8]) {
        self.seq = seq
        self.bytes = bytes
    }
}
