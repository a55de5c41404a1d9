import TraceModel

/// An event as an integration describes it, before the recorder gives it a session, seq, time and
/// chain link.
public struct EventDraft: Sendable, Hashable {
    public var kind: EventKind
    public var actor: Actor
    public var data: [String: JSONValue]
    public var blobs: [String: Digest]
    /// The seq this event answers (a `tool.result` names its `tool.call`).
    public var cause: UInt64?
    /// The wall-clock time the event happened; nil means "when the recorder takes it".
    public var ts: Timestamp?

    public init(
        kind: EventKind, actor: Actor, data: [String: JSONValue] = [:], blobs: [String: Digest] = [:],
        cause: UInt64? = nil, ts: Timestamp? = nil
    ) {
        self.kind = kind
        self.actor = actor
        self.data = data
        self.blobs = blobs
        self.cause = cause
        self.ts = ts
    }
}
