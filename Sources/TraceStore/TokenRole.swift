/// What a bearer token may do, always within its own project.
public enum TokenRole: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Recorders: send events and upload blobs.
    case ingest
    /// Dashboards and the CLI: read sessions, events, verification reports and blobs.
    case read
    /// Everything in its project, plus the collector's metrics.
    case admin

    public var description: String { rawValue }

    public func allows(_ action: TokenAction) -> Bool {
        switch self {
        case .admin: true
        case .ingest: action == .writeEvents || action == .writeBlobs
        case .read: action == .readSessions || action == .readBlobs
        }
    }
}

/// The operations the collector authorizes, one per kind of request.
public enum TokenAction: String, Sendable, Hashable, CaseIterable {
    /// `POST /v1/events`.
    case writeEvents
    /// `HEAD` and `PUT /v1/blobs/...` from a recorder (is it there yet? here it is).
    case writeBlobs
    /// `GET /v1/sessions`, `/v1/sessions/ID`, `/events`, `/verify`.
    case readSessions
    /// `GET` (and `HEAD`) `/v1/blobs/...` from a reader.
    case readBlobs
    /// `GET /metrics`: the whole collector, so admin only.
    case readMetrics
}
