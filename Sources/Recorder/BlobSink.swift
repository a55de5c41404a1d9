import TraceModel

/// Somewhere content-addressed bytes can be kept until they are shipped: the spool's blob
/// directory on a worker, or memory in tests.
public protocol BlobSink: Sendable {
    /// Whether the blob is already kept, so callers can skip reading and hashing its source again.
    func contains(_ digest: Digest) -> Bool
    /// Keeps `bytes` and returns their digest. Keeping the same bytes twice is not an error.
    @discardableResult
    func put(_ bytes: [UInt8]) throws -> Digest
    /// Makes every blob kept so far durable (before an event naming one is made durable).
    func flush() throws
}

extension BlobSink {
    /// Makes the blobs kept so far durable; sinks that write through need nothing here.
    public func flush() throws {}
}
