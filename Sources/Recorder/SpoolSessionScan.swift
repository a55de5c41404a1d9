import TraceModel

/// What `Spool.sessionScan()` found under `sessions/`.
public struct SpoolSessionScan: Sendable, Equatable {
    public struct Skipped: Sendable, Equatable {
        public var name: String
        public var reason: String
    }
    public var sessions: [SessionID] = []
    public var skipped: [Skipped] = []
}
