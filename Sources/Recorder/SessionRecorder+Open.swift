import Glibc
import TraceModel
import TraceWire

extension SessionRecorder {
    /// Resumes recording an existing session (a restarted recorder, `parallax emit`, a hook).
    /// Waits for the session's lock, cuts a torn tail left by a crash (and records a
    /// `recorder.notice` with code `torn_tail`), then continues the seq and the chain.
    public static func open(spool: Spool, session: SessionID, redactor: Redactor = .init()) throws -> SessionRecorder {
        let directory = try existingDirectory(spool, session)
        guard let lock = try SpoolSessionLock.acquire(directory, wait: true) else {
            throw SpoolError(code: .io, path: directory + "/lock", message: "cannot lock the session")
        }
        guard let recorder = try resume(spool: spool, session: session, redactor: redactor, lock: lock) else {
            throw SpoolError(code: .invalid, path: directory, message: "the session holds no event to continue from")
        }
        return recorder
    }

    static func existingDirectory(_ spool: Spool, _ session: SessionID) throws(SpoolError) -> String {
        let directory = spool.sessionDirectory(session)
        guard SpoolDisk.exists(directory) else {
            throw SpoolError(code: .invalid, path: directory, message: "no session \(session) in the spool")
        }
        return directory
    }

    /// Resumes under `lock`; nil when the session holds no event (a `create` that crashed before seq 0).
    static func resume(spool: Spool, session: SessionID, redactor: Redactor, lock: SpoolSessionLock) throws -> SessionRecorder? {
        let directory = spool.sessionDirectory(session)
        guard let segments = try SpoolSegments.list(directory), let current = segments.last else { return nil }
        let currentPath = directory + "/" + current.name
        let tail = try SpoolSegmentTail.recover(currentPath, name: current.name)
        var lastPayload = tail.last
        var lastPath = currentPath
        for segment in segments.dropLast().reversed() where lastPayload == nil {
            lastPath = directory + "/" + segment.name
            lastPayload = try SpoolSegments.validRecords(lastPath).last.map { Array($0.payload) }
        }
        guard let lastPayload else { return nil }
        let last: Event
        do {
            last = try Event.decode(lastPayload)
        } catch {
            throw SpoolError(code: .invalid, path: lastPath, message: "the last record is not a valid event: \(error)")
        }
        guard last.session == session else {
            throw SpoolError(code: .invalid, path: lastPath,
                             message: "the last record belongs to session \(last.session), not \(session)")
        }
        let (origin, clockProblem) = try clockOrigin(spool, directory, lastMonoNs: last.monoNs)

        let descriptor = try SpoolDisk.openFile(currentPath, O_WRONLY | O_APPEND)
        let segment = SpoolSegmentHandle(descriptor: descriptor, path: currentPath, index: current.index)
        let state = SpoolWriterState(
            chain: ChainBuilder(after: last.seq, digest: Digest.sha256(lastPayload)), segment: segment,
            segmentSize: tail.size, lastMonoNs: last.monoNs, ended: spool.isEnded(session), lock: lock)
        let writer = SpoolSessionWriter(spool: spool, session: session, redactor: redactor, clockOrigin: origin, state: state)
        var recovery = SpoolRecovery(session: session, tornTail: tail.torn, lastSeq: last.seq)
        do {
            if let torn = tail.torn {
                recovery.notices.append(try writer.notice(RecorderNotice(
                    code: "torn_tail",
                    message: "the recorder stopped in the middle of a write: \(torn.bytesCut) bytes of an incomplete record were cut from the end of \(torn.segment)",
                    details: [
                        "segment": .string(torn.segment), "offset": .number(JSONNumber(torn.offset)),
                        "bytes_cut": .number(JSONNumber(torn.bytesCut)), "reason": .string(torn.reason.description),
                    ])))
            }
            if let clockProblem {
                recovery.notices.append(try writer.notice(RecorderNotice(
                    code: "clock_jump", message: clockProblem + "; mono_ns continues from the last event")))
            }
            if !recovery.notices.isEmpty { try writer.sync() }
        } catch {
            writer.close()
            throw error
        }
        recovery.lastSeq = recovery.notices.last ?? last.seq
        return SessionRecorder(writer: writer, recovery: recovery)
    }

    /// The session's CLOCK_MONOTONIC origin. When the `clock` file is missing or unreadable, or the
    /// monotonic clock restarted (a reboot), a new origin continues `mono_ns` from the last event
    /// and is written back; the second value then says what happened.
    private static func clockOrigin(_ spool: Spool, _ directory: String, lastMonoNs: UInt64) throws(SpoolError) -> (UInt64, String?) {
        let path = directory + "/clock"
        let now = SpoolDisk.monotonicNanoseconds()
        let problem: String
        switch (try? SpoolDisk.readSmallFile(path, limit: 64)).map({ $0.flatMap(SpoolDisk.parseNumber) }) {
        case .some(.some(let origin)):
            if now >= origin, now - origin >= lastMonoNs { return (origin, nil) }
            problem = "the monotonic clock restarted (a reboot?) since the last event"
        case .some(.none):
            problem = SpoolDisk.exists(path) ? "the session's clock file does not hold a number" : "the session's clock file is missing"
        case .none:
            problem = "the session's clock file cannot be read"
        }
        let origin = now >= lastMonoNs ? now - lastMonoNs : 0
        try SpoolDisk.replace(path, with: Array("\(origin)\n".utf8), durable: spool.options.fsync != .never)
        return (origin, problem)
    }
}
