import TraceModel

/// What a shipper remembers between passes.
struct ShipperState: Sendable {
    var pool: CollectorPool
    var random: SplitMix64
    /// Per session: how far events were sent past the watermark (beyond a rejected event) and
    /// which were rejected, so they are not sent again.
    var progress: [SessionID: SessionProgress] = [:]
    /// Blobs the collector confirmed it holds (bounded; cleared when it grows too large).
    var blobsOnCollector: Set<Digest> = []
}

/// One session's delivery state that the spool's watermark does not capture.
struct SessionProgress: Sendable {
    var sentThrough: UInt64?
    var rejected: [ShipReport.Rejected] = []
    /// No writer held the session at the last look and no event arrived since: nothing to recover.
    var writerGone = false
}
