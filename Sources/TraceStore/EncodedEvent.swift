import TraceModel

/// An event together with its canonical bytes. Ingest computes those bytes anyway (to check the
/// hash chain), so it hands them over instead of letting the store encode every event again.
public struct EncodedEvent: Sendable, Hashable {
    public let event: Event
    /// `event.canonicalBytes()`.
    public let bytes: [UInt8]

    public init(_ event: Event) {
        self.event = event
        self.bytes = event.canonicalBytes()
    }

    /// `canonicalBytes` must be `event.canonicalBytes()` (checked in debug builds only).
    public init(event: Event, canonicalBytes: [UInt8]) {
        assert(canonicalBytes == event.canonicalBytes(), "bytes are not the canonical encoding of the event")
        self.init(unchecked: event, bytes: canonicalBytes)
    }

    /// No check at all: for tests of what the store does with bytes that break the contract.
    init(unchecked event: Event, bytes: [UInt8]) {
        self.event = event
        self.bytes = bytes
    }

    public var session: SessionID { event.session }
    public var seq: UInt64 { event.seq }
}
