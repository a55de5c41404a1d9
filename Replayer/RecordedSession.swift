import TraceModel

/// A recorded session read for replay: where it ran, what it started from, and its actions in order.
public struct RecordedSession: Sendable {
    public let id: SessionID
    /// Every event, in seq order.
    public let events: [Event]
    public let start: Event
    /// The agent's working directory when the session started: the workspace root the snapshots
    /// describe and the path the workspace is mounted at in the sandbox.
    public let workspaceRoot: String
    /// The start snapshot's manifest digest.
    public let snapshot: Digest?
    /// The environment fingerprint document's blob.
    public let environmentBlob: Digest?
    /// The argv of the agent command itself (`session.start` `command`).
    public let agentCommand: [String]
    /// Seqs missing between 0 and the last event.
    public let gaps: [UInt64]

    /// Reads `events` (any order) of one session; the first must be its `session.start` at seq 0.
    public init(events unsorted: [Event]) throws(ReplayError) {
        let events = unsorted.sorted { $0.seq < $1.seq }
        guard let first = events.first else { throw ReplayError(.invalidSession, "the session has no events") }
        guard first.seq == 0, first.kind == .sessionStart else {
            throw ReplayError(.invalidSession, "the session's first event is \(first.kind) at seq \(first.seq), not session.start at seq 0")
        }
        if let other = events.first(where: { $0.session != first.session }) {
            throw ReplayError(.invalidSession, "event seq \(other.seq) belongs to session \(other.session), not \(first.session)")
        }
        var gaps: [UInt64] = []
        var expected: UInt64 = 0
        for event in events {
            if event.seq < expected {
                throw ReplayError(.invalidSession, "seq \(event.seq) appears twice")
            }
            while expected < event.seq, gaps.count < 1000 {
                gaps.append(expected)
                expected += 1
            }
            expected = event.seq + 1
        }
        guard let root = first.data["cwd"]?.stringValue, root.hasPrefix("/") else {
            throw ReplayError(.invalidSession, "session.start has no absolute cwd, so the workspace root is unknown")
        }
        id = first.session
        self.events = events
        start = first
        workspaceRoot = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        snapshot = first.blobs["snapshot"] ?? first.data["snapshot"]?.stringValue.flatMap { Digest($0) }
        environmentBlob = first.blobs["environment"]
        agentCommand = first.data["command"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.gaps = gaps
    }

    public var task: String? { start.data["task"]?.stringValue }
    public var condition: String? { start.data["condition"]?.stringValue }
}
