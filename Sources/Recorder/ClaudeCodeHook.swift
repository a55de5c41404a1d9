#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

/// `parallax hook claude-code`: one Claude Code hook payload in, its events appended to the spool
/// session keyed by Claude's `session_id`. Never touches the network.
public enum ClaudeCodeHook {
    /// What one invocation did.
    public struct Outcome: Sendable {
        /// Claude's `session_id`.
        public var claudeSessionID: String
        /// The Parallax session the events went to.
        public var session: SessionID
        /// The session was started by this invocation.
        public var isNewSession: Bool
        /// The events recorded, in seq order (a `torn_tail` notice the recorder adds on reopening is not listed).
        public var events: [ClaudeCodeHookMapper.Recorded]
        /// Set when the payload was refused but named its session: the refusal was recorded there as a
        /// `recorder.notice` (code `hook_payload_invalid`) instead of the events.
        public var refused: ClaudeCodeHookError?
    }

    /// Maps `input` (the payload bytes) and appends the events to the spool at `spoolPath`.
    /// Throws `ClaudeCodeHookError` for a payload that cannot be tied to a session, and spool or
    /// session-map errors.
    public static func run(
        input: [UInt8], spoolPath: String, spoolOptions: SpoolOptions = .init(), redactor: Redactor = .init(),
        mapperOptions: ClaudeCodeHookMapper.Options = .init()
    ) throws -> Outcome {
        let parsed = try parse(input)
        let spool = try Spool(path: spoolPath, options: spoolOptions)
        return try run(parsed, spool: spool, redactor: redactor, mapperOptions: mapperOptions)
    }

    /// As `run(input:spoolPath:...)`, into an open spool.
    public static func run(
        input: [UInt8], spool: Spool, redactor: Redactor = .init(), mapperOptions: ClaudeCodeHookMapper.Options = .init()
    ) throws -> Outcome {
        try run(try parse(input), spool: spool, redactor: redactor, mapperOptions: mapperOptions)
    }

    /// A payload, or a refusal that can still be recorded in the session it names.
    enum Parsed {
        case payload(ClaudeCodeHookPayload)
        case refused(ClaudeCodeHookError, sessionID: String, fields: [String: JSONValue])

        var sessionID: String {
            switch self {
            case .payload(let payload): payload.sessionID
            case .refused(_, let id, _): id
            }
        }
    }

    static func parse(_ input: [UInt8]) throws(ClaudeCodeHookError) -> Parsed {
        do {
            return .payload(try ClaudeCodeHookPayload(parsing: input))
        } catch {
            // Only field errors come with a usable session id; the input is then a valid object.
            guard let id = error.sessionID, let object = try? JSONParser.parse(input, maxDepth: ClaudeCodeHookPayload.maxDepth).objectValue else {
                throw error
            }
            return .refused(error, sessionID: id, fields: object)
        }
    }

    static func run(_ parsed: Parsed, spool: Spool, redactor: Redactor, mapperOptions: ClaudeCodeHookMapper.Options) throws -> Outcome {
        let claudeID = parsed.sessionID
        var failure: (any Error)?
        let outcome = try ClaudeCodeSessionMap(spoolPath: spool.path).update(claudeID) { entry -> Outcome? in
            var state = entry.state ?? ClaudeCodeHookState(claudeSessionID: claudeID, session: .generate())
            var recorder: SessionRecorder?
            defer { recorder?.close() }
            if state.started {
                // The session was ended, or shipped and removed: the Claude session goes on in a new one.
                if state.ended || !exists(spool.sessionDirectory(state.session)) || spool.isEnded(state.session) {
                    state = state.continued(as: .generate())
                }
            } else if exists(spool.sessionDirectory(state.session)) {
                // A create whose state was saved but not its start: continue it when it holds events.
                if let opened = try? SessionRecorder.open(spool: spool, session: state.session, redactor: redactor) {
                    recorder = opened
                    state.started = true
                } else {
                    state = ClaudeCodeHookState(claudeSessionID: claudeID, session: .generate(), continues: state.continues)
                }
            }
            let isNew = !state.started
            if isNew {
                entry.state = state
                try entry.save()
            }
            var mapper = ClaudeCodeHookMapper(state: state, options: mapperOptions, redactor: redactor)
            if let problem = entry.unreadable {
                mapper.pendingNotices.append(RecorderNotice(
                    code: "gap", message: "the hook state of this Claude session could not be read (\(problem)); "
                        + "recording continues in a new session", details: ["claude_session_id": .string(claudeID)]))
            }
            let session = state.session
            let record = { (draft: EventDraft) throws -> UInt64 in
                if let recorder {
                    return draft.kind == .sessionEnd ? try recorder.end(draft) : try recorder.record(draft)
                }
                if draft.kind == .sessionStart {
                    recorder = try SessionRecorder.create(spool: spool, start: draft, session: session, redactor: redactor)
                    return 0
                }
                let opened = try SessionRecorder.open(spool: spool, session: session, redactor: redactor)
                recorder = opened
                return draft.kind == .sessionEnd ? try opened.end(draft) : try opened.record(draft)
            }
            var events: [ClaudeCodeHookMapper.Recorded] = []
            var refused: ClaudeCodeHookError?
            do {
                switch parsed {
                case .payload(let payload):
                    events = try mapper.map(payload, blobs: spool.blobs, record: record)
                case .refused(let error, _, let fields):
                    refused = error
                    events = try mapper.mapRejected(error, fields: fields, blobs: spool.blobs, record: record)
                }
                try recorder?.sync()
            } catch {
                failure = error
            }
            // Whatever was recorded stays known (a started session is never started twice).
            entry.state = mapper.state
            guard failure == nil else { return nil }
            return Outcome(claudeSessionID: claudeID, session: mapper.state.session, isNewSession: isNew, events: events, refused: refused)
        }
        if let failure { throw failure }
        return outcome!
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
