import Glibc
import Synchronization
import TraceModel
import TraceWire

/// An open segment file, closed when the last reference goes (the flusher may still be fsyncing
/// a segment the writer has rotated away from).
final class SpoolSegmentHandle: Sendable {
    let descriptor: Int32
    let path: String
    let index: UInt64

    init(descriptor: Int32, path: String, index: UInt64) {
        self.descriptor = descriptor
        self.path = path
        self.index = index
    }

    deinit { Glibc.close(descriptor) }
}

/// What a writer changes under its mutex.
struct SpoolWriterState {
    var chain: ChainBuilder
    var segment: SpoolSegmentHandle?
    /// Bytes in the current segment, written or still in `pending`.
    var segmentSize: Int
    /// Framed records not written yet (interval and never policies).
    var pending: [UInt8] = []
    /// Written but not fsynced.
    var unsynced = false
    var lastMonoNs: UInt64
    var ended: Bool
    var closed = false
    /// The first write or fsync that failed; the tail is uncertain after it, so the writer stops.
    var failure: SpoolError?
    var lock: SpoolSessionLock?
}

/// Appends one session's events to its spool segments: seq, time, redaction, chain, framing,
/// rotation, fsync policy and the spool's capacity. `SessionRecorder` is its public face.
final class SpoolSessionWriter: Sendable {
    let spool: Spool
    let session: SessionID
    let directory: String
    let redactor: Redactor
    let clockOrigin: UInt64
    let state: Mutex<SpoolWriterState>
    let schedule: SpoolFlushSchedule?

    init(spool: Spool, session: SessionID, redactor: Redactor, clockOrigin: UInt64, state: SpoolWriterState) {
        self.spool = spool
        self.session = session
        self.directory = spool.sessionDirectory(session)
        self.redactor = redactor
        self.clockOrigin = clockOrigin
        self.state = Mutex(state)
        schedule = spool.options.fsync.flushDelayNanoseconds.map(SpoolFlushSchedule.init(delay:))
        schedule?.start { [self] in flushDue() }
    }

    var policy: FsyncPolicy { spool.options.fsync }

    // MARK: Recording

    /// Records a draft: the caller has checked which kinds it may carry.
    func record(_ draft: EventDraft, ending: Bool = false) throws -> UInt64 {
        var wake = false
        let seq = try state.withLock { (s) throws -> UInt64 in
            try usable(s, bypassEnded: false)
            let seq = try recordLocked(draft, &s, wake: &wake)
            if ending { try markEnded(&s) }
            return seq
        }
        if wake { schedule?.markDirty() }
        return seq
    }

    /// Records the recorder's own `recorder.notice`, even after the session ended.
    func notice(_ notice: RecorderNotice) throws -> UInt64 {
        var wake = false
        let seq = try state.withLock { (s) throws -> UInt64 in
            try usable(s, bypassEnded: true)
            return try recordLocked(EventDraft(kind: .recorderNotice, actor: .recorder, data: notice.data), &s, wake: &wake)
        }
        if wake { schedule?.markDirty() }
        return seq
    }

    func usable(_ s: SpoolWriterState, bypassEnded: Bool) throws {
        if s.closed { throw SessionRecorderError(code: .closed, session: session, message: "the recorder is closed") }
        if let failure = s.failure {
            throw SessionRecorderError(code: .failed, session: session,
                                       message: "an earlier write failed (\(failure)); open the session again to recover")
        }
        if s.ended && !bypassEnded {
            throw SessionRecorderError(code: .ended, session: session, message: "the session has ended; nothing can follow session.end")
        }
    }

    func recordLocked(_ draft: EventDraft, _ s: inout SpoolWriterState, wake: inout Bool) throws -> UInt64 {
        var event = Event(
            session: session, seq: s.chain.nextSeq, ts: draft.ts ?? .now(), monoNs: monoNow(&s), kind: draft.kind,
            actor: draft.actor, cause: draft.cause, data: draft.data, blobs: draft.blobs)
        try SpoolSessionWriter.validate(draft, seq: event.seq, session: session)
        redactor.redact(&event)
        try validatePayload(event)
        var chain = s.chain
        var bytes = chain.seal(&event)
        try checkRecordSize(bytes.count)
        if spool.options.maxBytes != nil, try makeRoom(SpoolRecord.headerSize + bytes.count, &s) {
            // A `dropped` notice took the next seq: seal again after it.
            chain = s.chain
            let reserved = bytes.count
            bytes = chain.seal(&event)
            try checkRecordSize(bytes.count)
            spool.capacity.add(bytes.count - reserved)
        }
        s.chain = chain
        try appendRecord(bytes, &s, wake: &wake)
        return event.seq
    }

    /// Appends an already sealed record: rotation, the write, and the fsync policy.
    func appendRecord(_ bytes: [UInt8], _ s: inout SpoolWriterState, wake: inout Bool) throws(SpoolError) {
        let framed = SpoolRecord.headerSize + bytes.count
        if s.segmentSize > 0 && s.segmentSize + framed > spool.options.segmentBytes { try rotate(&s) }
        let wasIdle = !needsFlusher(s)
        SpoolRecord.append(bytes, to: &s.pending)
        s.segmentSize += framed
        switch policy {
        case .always:
            try flushLocked(&s, sync: true)
        case .interval, .never:
            // Written at once, so a killed recorder loses nothing it acknowledged: only the fsync
            // (which protects against a machine crash) waits for the interval.
            try flushLocked(&s, sync: false)
        }
        if wasIdle && needsFlusher(s) { wake = true }
    }

    private func needsFlusher(_ s: SpoolWriterState) -> Bool {
        if !s.pending.isEmpty { return true }
        if case .interval = policy { return s.unsynced }
        return false
    }

    private func monoNow(_ s: inout SpoolWriterState) -> UInt64 {
        let now = SpoolDisk.monotonicNanoseconds()
        let mono = max(now >= clockOrigin ? now - clockOrigin : 0, s.lastMonoNs)
        s.lastMonoNs = mono
        return mono
    }

    // MARK: Writing out

    /// Writes pending records; with `sync`, fsyncs what is written but not yet synced.
    func flushLocked(_ s: inout SpoolWriterState, sync: Bool) throws(SpoolError) {
        guard let segment = s.segment else { return }
        if !s.pending.isEmpty {
            do {
                try SpoolDisk.writeAll(segment.descriptor, s.pending, segment.path)
            } catch {
                s.failure = error
                throw error
            }
            spool.capacity.landed(s.pending.count)
            s.pending.removeAll(keepingCapacity: true)
            s.unsynced = true
        }
        if sync && s.unsynced { try syncSegment(&s, segment) }
    }

    /// Writes and fsyncs everything, whatever the policy.
    func syncLocked(_ s: inout SpoolWriterState) throws(SpoolError) {
        try flushLocked(&s, sync: false)
        // Unconditionally: the flusher may be fsyncing outside the lock right now.
        if let segment = s.segment { try syncSegment(&s, segment) }
    }

    /// Makes the blobs durable, then the segment: an event on disk never names a blob that is not.
    private func syncSegment(_ s: inout SpoolWriterState, _ segment: SpoolSegmentHandle) throws(SpoolError) {
        do {
            try spool.blobs.flush()
            try SpoolDisk.sync(segment.descriptor, segment.path)
        } catch {
            s.failure = error
            throw error
        }
        s.unsynced = false
    }

    /// Seals the current segment and starts the next one.
    func rotate(_ s: inout SpoolWriterState) throws(SpoolError) {
        guard let current = s.segment else { return }
        try flushLocked(&s, sync: policy != .never)
        let index = current.index + 1
        let path = directory + "/" + SpoolSegments.name(index)
        let descriptor = try SpoolDisk.openFile(path, O_WRONLY | O_CREAT | O_APPEND)
        let size = try SpoolDisk.size(of: descriptor, path)
        if policy != .never { try SpoolDisk.syncDirectory(directory) }
        s.segment = SpoolSegmentHandle(descriptor: descriptor, path: path, index: index)
        s.segmentSize = size
    }

    /// The flusher's turn: write pending records, and under `interval` fsync them outside the mutex.
    func flushDue() {
        let toSync: SpoolSegmentHandle? = state.withLock { s in
            guard !s.closed, s.failure == nil else { return nil }
            do { try flushLocked(&s, sync: false) } catch { return nil }
            guard case .interval = policy, s.unsynced, let segment = s.segment else { return nil }
            s.unsynced = false
            return segment
        }
        guard let toSync else { return }
        // Blobs first: an event on disk must not name a blob that is not.
        if (try? spool.blobs.flush()) == nil || fsync(toSync.descriptor) != 0 {
            let failed = SpoolDisk.failure(toSync.path, "cannot fsync")
            state.withLock { if $0.failure == nil { $0.failure = failed } }
        }
    }

    /// After `session.end` is on disk: the `ended` marker, fsynced.
    private func markEnded(_ s: inout SpoolWriterState) throws(SpoolError) {
        try syncLocked(&s)
        let path = directory + "/ended"
        let descriptor = try SpoolDisk.openFile(path, O_WRONLY | O_CREAT | O_TRUNC)
        defer { Glibc.close(descriptor) }
        try SpoolDisk.writeAll(descriptor, Array("\(s.chain.nextSeq - 1)\n".utf8), path)
        try SpoolDisk.sync(descriptor, path)
        try SpoolDisk.syncDirectory(directory)
        s.ended = true
    }

    func sync() throws {
        try state.withLock { (s) throws in
            if s.closed { return }
            try usable(s, bypassEnded: true)
            try syncLocked(&s)
        }
    }

    /// Stops the flusher, writes what is left (fsyncing it unless the policy is `never`), and
    /// releases the session's lock.
    func close() {
        schedule?.stop()
        state.withLock { s in
            guard !s.closed else { return }
            if s.failure == nil {
                if policy == .never { try? flushLocked(&s, sync: false) } else { try? syncLocked(&s) }
            }
            s.closed = true
            s.segment = nil
            s.lock = nil
        }
    }
}
