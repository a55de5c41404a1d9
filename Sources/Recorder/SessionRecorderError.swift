import TraceModel

/// Why a `SessionRecorder` refused an event (spool I/O failures are `SpoolError`s).
public struct SessionRecorderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The draft would not make a valid event (bad kind, cause, blob name or `data`).
        case invalidDraft = "invalid_draft"
        /// The recorder was closed.
        case closed
        /// The session has ended; nothing can follow `session.end`.
        case ended
        /// An earlier write failed, so the spool's tail is uncertain; open the session again to recover.
        case failed
    }

    public var code: Code
    public var session: SessionID
    /// The offending field of the draft (like `data.argv`), when there is one.
    public var field: String?
    public var message: String

    public init(code: Code, session: SessionID, field: String? = nil, message: String) {
        self.code = code
        self.session = session
        self.field = field
        self.message = message
    }

    public var description: String {
        var text = "session \(session) \(code.rawValue)"
        if let field { text += " at \(field)" }
        return text + ": " + message
    }
}
