import TraceModel

/// What `Store.deleteSessions(startedBefore:)` removed.
public struct RetentionResult: Sendable, Hashable {
    public var sessions: Int
    public var events: Int
    public var blobs: Int

    public init(sessions: Int = 0, events: Int = 0, blobs: Int = 0) {
        self.sessions = sessions
        self.events = events
        self.blobs = blobs
    }

    static func += (total: inout RetentionResult, step: RetentionResult) {
        total.sessions += step.sessions
        total.events += step.events
        total.blobs += step.blobs
    }
}

/// Where a retention run is between its transactions.
struct RetentionProgress: Sendable {
    enum Phase: Sendable, Equatable {
        /// Deleting expired sessions, oldest first; the blobs they named become candidates.
        case sessions
        /// Making candidates of uploads stored before the cutoff and not yet checked, walking
        /// `(stored_at, digest)` after this position.
        case uploads(afterStoredAt: Int64, afterDigest: [UInt8])
        /// Walking `blob_ref_sets` after this id, dropping candidates that are still referenced.
        case scan(afterReference: Int64)
        /// Deleting the remaining candidates; references after this id were not scanned yet.
        case delete(afterReference: Int64)
        case finished
    }

    var phase: Phase = .sessions
    /// When the run started: uploads after it are never made candidates, whatever the cutoff.
    let startedAt: Timestamp

    init(startedAt: Timestamp) {
        self.startedAt = startedAt
    }

    var isFinished: Bool { phase == .finished }
}
