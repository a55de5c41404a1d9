import TraceModel

/// What one shipping pass over the spool did.
public struct ShipReport: Sendable, Equatable {
    /// An event the collector refused; it stays in the spool and this shipper does not send it again.
    public struct Rejected: Sendable, Equatable {
        public var seq: UInt64
        public var reason: String
    }

    public struct Session: Sendable, Equatable {
        public var session: SessionID
        /// Events posted in this pass (a resent event counts again).
        public var eventsSent = 0
        public var accepted = 0
        public var duplicates = 0
        /// The spool's acked watermark after the pass; nil when nothing is acked.
        public var ackedSeq: UInt64?
        /// Every event of the session the collector rejected so far (not only in this pass).
        public var rejected: [Rejected] = []
        /// Seqs the collector already holds in a different version (the first version is kept there).
        public var conflicts: [UInt64] = []
        /// Seqs whose `prev` did not match the stored event before them.
        public var chainBreaks: [UInt64] = []
        /// What recovering an abandoned session did (a torn tail cut), when it did something.
        public var recovery: String?
        /// The collector that took this session's batches.
        public var collector: String?
        /// True when the spool no longer holds anything of the session that is not acked.
        public var drained = false

        public init(session: SessionID) { self.session = session }
    }

    /// A blob an event names that could not be put on the collector.
    public struct BlobProblem: Sendable, Equatable {
        public var digest: Digest
        public var session: SessionID?
        public var seq: UInt64?
        public var message: String
    }

    public var sessions: [Session] = []
    public var blobsUploaded = 0
    public var blobBytesUploaded = 0
    /// Blobs found already on the collector.
    public var blobsPresent = 0
    public var blobProblems: [BlobProblem] = []
    /// What stopped delivery; the events concerned stay in the spool for the next pass.
    public var errors: [ShipperError] = []

    public init() {}

    public var eventsSent: Int { sessions.reduce(0) { $0 + $1.eventsSent } }
    public var accepted: Int { sessions.reduce(0) { $0 + $1.accepted } }
    public var duplicates: Int { sessions.reduce(0) { $0 + $1.duplicates } }
    public var hasRejections: Bool { sessions.contains { !$0.rejected.isEmpty || !$0.conflicts.isEmpty } }
    /// Nothing stopped delivery (rejections and conflicts are reported apart).
    public var delivered: Bool { errors.isEmpty }
    /// The collector URLs that took batches in this pass.
    public var collectors: [String] {
        var seen: [String] = []
        for url in sessions.compactMap(\.collector) where !seen.contains(url) { seen.append(url) }
        return seen
    }

    public func session(_ id: SessionID) -> Session? { sessions.first { $0.session == id } }
}
