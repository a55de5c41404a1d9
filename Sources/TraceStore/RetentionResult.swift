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
    enum Phase: Sendable {
        /// Deleting expired sessions, oldest first.
        case sessions
        /// Walking blobs stored before the cutoff in `(stored_at, digest)` order, after this position.
        case orphanBlobs(afterStoredAt: Int64, afterDigest: [UInt8])
        case finished
    }

    var phase: Phase = .sessions
    var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }
}
