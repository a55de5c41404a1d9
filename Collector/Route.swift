import TraceModel

/// The collector's endpoints (schemas/wire.md §4–§7).
enum Route: Equatable {
    case health, ready, metrics
    case events
    case blob(hex: String)
    case sessions
    case session(String)
    case sessionEvents(String)
    case sessionVerify(String)
    case unknown

    init(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 2 where parts[1] == "healthz": self = .health
        case 2 where parts[1] == "readyz": self = .ready
        case 2 where parts[1] == "metrics": self = .metrics
        case 3 where parts[1] == "v1" && parts[2] == "events": self = .events
        case 3 where parts[1] == "v1" && parts[2] == "sessions": self = .sessions
        case 4 where parts[1] == "v1" && parts[2] == "sessions": self = .session(parts[3])
        case 5 where parts[1] == "v1" && parts[2] == "blobs" && parts[3] == "sha256": self = .blob(hex: parts[4])
        case 5 where parts[1] == "v1" && parts[2] == "sessions" && parts[4] == "events": self = .sessionEvents(parts[3])
        case 5 where parts[1] == "v1" && parts[2] == "sessions" && parts[4] == "verify": self = .sessionVerify(parts[3])
        default: self = .unknown
        }
    }

    /// A short label for metrics.
    var label: String {
        switch self {
        case .health: "healthz"
        case .ready: "readyz"
        case .metrics: "metrics"
        case .events: "events"
        case .blob: "blobs"
        case .sessions: "sessions"
        case .session: "session"
        case .sessionEvents: "session_events"
        case .sessionVerify: "session_verify"
        case .unknown: "unknown"
        }
    }

    var allowedMethods: [String] {
        switch self {
        case .health, .ready, .metrics, .sessions, .session, .sessionEvents, .sessionVerify: ["GET", "HEAD"]
        case .events: ["POST"]
        case .blob: ["GET", "HEAD", "PUT"]
        case .unknown: []
        }
    }

    /// What a token must be allowed to do here (nil: no token needed).
    func action(method: String) -> CollectorAction? {
        switch self {
        case .health, .ready: nil
        case .metrics: .admin
        case .events: .ingest
        case .blob: method == "PUT" ? .ingest : method == "HEAD" ? .ingestOrRead : .read
        case .sessions, .session, .sessionEvents, .sessionVerify: .read
        case .unknown: nil
        }
    }
}

/// Permission classes of the collector's endpoints.
enum CollectorAction {
    case ingest, read, ingestOrRead, admin
}
