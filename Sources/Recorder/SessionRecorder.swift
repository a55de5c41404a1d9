import Glibc
import TraceModel
import TraceWire

/// Records one session into a spool: assigns each event its seq, wall time and `mono_ns`, redacts
/// secrets before anything reaches the disk, links the hash chain, and appends the framed canonical
/// bytes to the session's current segment under the spool's fsync and full policies.
///
/// A recorder holds the session's `lock` (flock) until `close`, so one writer appends at a time.
/// It is safe to use from several threads. Calls can block: on the lock (`open`), on fsync
/// (`always`), and on a full spool (`block`) — keep them off Swift's cooperative threads.
public final class SessionRecorder: Sendable {
    let writer: SpoolSessionWriter
    /// What `open` found and repaired; nil for a session this recorder created.
    public let recovery: SpoolRecovery?

    init(writer: SpoolSessionWriter, recovery: SpoolRecovery?) {
        self.writer = writer
        self.recovery = recovery
    }

    deinit { writer.close() }

    public var session: SessionID { writer.session }
    public var spool: Spool { writer.spool }

    /// The seq the next event will get.
    public var nextSeq: UInt64 { writer.state.withLock { $0.chain.nextSeq } }

    /// Starts a new session in `spool` and records `start` (a `session.start` draft) as seq 0.
    public static func create(
        spool: Spool, start: EventDraft, session: SessionID = .generate(), redactor: Redactor = .init()
    ) throws -> SessionRecorder {
        guard start.kind == .sessionStart else {
            throw SessionRecorderError(code: .invalidDraft, session: session, field: "kind",
                                       message: "a session starts with session.start, not \(start.kind)")
        }
        let directory = spool.sessionDirectory(session)
        guard mkdir(directory, 0o700) == 0 else {
            if errno == EEXIST {
                throw SpoolError(code: .invalid, path: directory, message: "session \(session) already exists in the spool")
            }
            throw SpoolDisk.failure(directory, "cannot create the session directory")
        }
        do {
            return try begin(spool: spool, session: session, directory: directory, start: start, redactor: redactor)
        } catch {
            try? SpoolDisk.removeFlatDirectory(directory)
            throw error
        }
    }

    private static func begin(
        spool: Spool, session: SessionID, directory: String, start: EventDraft, redactor: Redactor
    ) throws -> SessionRecorder {
        guard let lock = try SpoolSessionLock.acquire(directory, wait: true) else {
            throw SpoolError(code: .io, path: directory + "/lock", message: "cannot lock the new session")
        }
        let durable = spool.options.fsync != .never
        let origin = SpoolDisk.monotonicNanoseconds()
        try SpoolDisk.replace(directory + "/clock", with: Array("\(origin)\n".utf8), durable: durable)
        let path = directory + "/" + SpoolSegments.name(1)
        let descriptor = try SpoolDisk.openFile(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND)
        let segment = SpoolSegmentHandle(descriptor: descriptor, path: path, index: 1)
        if durable {
            try SpoolDisk.syncDirectory(directory)
            try SpoolDisk.syncDirectory(spool.sessionsDirectory)
        }
        let state = SpoolWriterState(chain: ChainBuilder(), segment: segment, segmentSize: 0, lastMonoNs: 0,
                                     ended: false, lock: lock)
        let writer = SpoolSessionWriter(spool: spool, session: session, redactor: redactor, clockOrigin: origin, state: state)
        do {
            _ = try writer.record(start)
        } catch {
            writer.close()
            throw error
        }
        return SessionRecorder(writer: writer, recovery: nil)
    }

    /// Records one event and returns its seq. `session.start` and `session.end` are refused:
    /// they belong to `create` and `end`.
    @discardableResult
    public func record(_ draft: EventDraft) throws -> UInt64 {
        guard draft.kind != .sessionStart && draft.kind != .sessionEnd else {
            throw SessionRecorderError(code: .invalidDraft, session: session, field: "kind",
                                       message: "\(draft.kind) is recorded by \(draft.kind == .sessionStart ? "create" : "end")")
        }
        return try writer.record(draft)
    }

    /// Records the recorder's own `recorder.notice` (codes such as `spool_insecure`, `gap`).
    @discardableResult
    public func notice(_ notice: RecorderNotice) throws -> UInt64 {
        try writer.notice(notice)
    }

    /// Records `session.end`, fsyncs it and writes the `ended` marker; nothing can be recorded after it.
    @discardableResult
    public func end(_ draft: EventDraft) throws -> UInt64 {
        guard draft.kind == .sessionEnd else {
            throw SessionRecorderError(code: .invalidDraft, session: session, field: "kind",
                                       message: "a session ends with session.end, not \(draft.kind)")
        }
        return try writer.record(draft, ending: true)
    }

    /// Writes and fsyncs everything recorded so far, whatever the fsync policy.
    public func sync() throws {
        try writer.sync()
    }

    /// Writes what is left, fsyncs it (unless the policy is `never`) and releases the session's
    /// lock. Errors are not reported here: call `sync` first to see them. Later calls do nothing.
    public func close() {
        writer.close()
    }
}
