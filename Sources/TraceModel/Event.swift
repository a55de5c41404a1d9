/// One recorded step of a session: the envelope of DESIGN §3 around a kind-specific `data` object.
///
/// `data` is kept as parsed JSON (number literals intact), so any kind — including kinds this
/// version does not know — round-trips to the same canonical bytes. `payload()` gives the typed view.
public struct Event: Sendable, Hashable {
    public static let schemaVersion = 1

    public var session: SessionID
    public var seq: UInt64
    public var ts: Timestamp
    public var monoNs: UInt64
    public var kind: EventKind
    public var actor: Actor
    public var cause: UInt64?
    public var data: [String: JSONValue]
    public var blobs: [String: Digest]
    public var prev: Digest?

    public init(
        session: SessionID, seq: UInt64, ts: Timestamp, monoNs: UInt64, kind: EventKind, actor: Actor,
        cause: UInt64? = nil, data: [String: JSONValue] = [:], blobs: [String: Digest] = [:], prev: Digest? = nil
    ) {
        self.session = session
        self.seq = seq
        self.ts = ts
        self.monoNs = monoNs
        self.kind = kind
        self.actor = actor
        self.cause = cause
        self.data = data
        self.blobs = blobs
        self.prev = prev
    }

    /// Builds an event from a typed payload (kind and data come from it).
    public init(
        session: SessionID, seq: UInt64, ts: Timestamp, monoNs: UInt64, actor: Actor, payload: EventPayload,
        cause: UInt64? = nil, blobs: [String: Digest] = [:], prev: Digest? = nil
    ) {
        self.init(session: session, seq: seq, ts: ts, monoNs: monoNs, kind: payload.kind, actor: actor,
                  cause: cause, data: payload.data, blobs: blobs, prev: prev)
    }
}

/// Who caused an event.
public enum Actor: String, Sendable, Hashable, CaseIterable {
    case agent, user, tool, system, recorder
}

/// An event kind: one of the v1 kinds, or any other well-formed dotted name (kept, never dropped).
public struct EventKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let sessionStart: EventKind = "session.start"
    public static let sessionEnd: EventKind = "session.end"
    public static let modelRequest: EventKind = "model.request"
    public static let modelResponse: EventKind = "model.response"
    public static let reasoning: EventKind = "reasoning"
    public static let message: EventKind = "message"
    public static let toolCall: EventKind = "tool.call"
    public static let toolResult: EventKind = "tool.result"
    public static let processExec: EventKind = "process.exec"
    public static let fileWrite: EventKind = "file.write"
    public static let fileDelete: EventKind = "file.delete"
    public static let netRequest: EventKind = "net.request"
    public static let netResponse: EventKind = "net.response"
    public static let annotation: EventKind = "annotation"
    public static let recorderNotice: EventKind = "recorder.notice"

    /// The kinds whose `data` this version validates.
    public static let v1: [EventKind] = [
        .sessionStart, .sessionEnd, .modelRequest, .modelResponse, .reasoning, .message, .toolCall, .toolResult,
        .processExec, .fileWrite, .fileDelete, .netRequest, .netResponse, .annotation, .recorderNotice,
    ]
    public var isKnown: Bool { Self.v1.contains(self) }

    /// Lowercase dotted name, each part starting with a letter, at most 64 characters.
    public var isWellFormed: Bool {
        let b = Array(rawValue.utf8)
        guard !b.isEmpty, b.count <= 64 else { return false }
        var atPartStart = true
        for c in b {
            let isLower = c >= 0x61 && c <= 0x7A
            let isDigitOrUnderscore = (c >= 0x30 && c <= 0x39) || c == 0x5F
            if atPartStart {
                guard isLower else { return false }
                atPartStart = false
            } else if c == 0x2E {
                atPartStart = true
            } else if !(isLower || isDigitOrUnderscore) {
                return false
            }
        }
        return !atPartStart
    }
}
