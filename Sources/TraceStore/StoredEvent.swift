import TraceModel

/// One event as stored: its seq, kind and canonical bytes (exactly what was appended).
public struct StoredEvent: Sendable, Hashable {
    public var seq: UInt64
    public var kind: EventKind
    /// Canonical JSON, no trailing newline.
    public var bytes: [UInt8]

    public init(seq: UInt64, kind: EventKind, bytes: [UInt8]) {
        self.seq = seq
        self.kind = kind
        self.bytes = bytes
    }

    /// Parses the bytes back into an `Event`.
    public func event() throws(EventDecodingError) -> Event { try Event.decode(bytes[...]) }

    /// SHA-256 of the bytes: the `prev` of the next event.
    public var digest: Digest { Digest.sha256(bytes) }
}

/// A version of an event that was refused because its `(session, seq)` already held other bytes.
public struct StoredConflict: Sendable, Hashable {
    public var seq: UInt64
    /// When the store first received this version.
    public var receivedAt: Timestamp
    /// The refused canonical bytes.
    public var bytes: [UInt8]

    public init(seq: UInt64, receivedAt: Timestamp, bytes: [UInt8]) {
        self.seq = seq
        self.receivedAt = receivedAt
        self.bytes = bytes
    }

    public var digest: Digest { Digest.sha256(bytes) }
}
