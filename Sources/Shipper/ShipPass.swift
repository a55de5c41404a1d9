import Glibc
import Recorder
import TraceModel
import TraceWire

/// One pass over the spool, working on a copy of the shipper's state.
struct ShipPass {
    let shipper: Shipper
    var state: ShipperState
    let signal: ShipperSignal?
    var report = ShipReport()
    let compressor: ZstdCompressor?
    /// Blobs already reported in this pass, so each problem is told once.
    var troubledBlobs: Set<Digest> = []

    init(shipper: Shipper, state: ShipperState, signal: ShipperSignal?) {
        self.shipper = shipper
        self.state = state
        self.signal = signal
        compressor = try? ZstdCompressor(level: shipper.configuration.zstdLevel)
    }

    var spool: Spool { shipper.spool }
    var configuration: ShipperConfiguration { shipper.configuration }

    mutating func run() {
        guard compressor != nil else {
            report.errors.append(ShipperError(.configuration, "cannot create a zstd compressor at level \(configuration.zstdLevel)"))
            return
        }
        do {
            try sweepBlobs()
        } catch {
            report.errors.append(error)
            return
        }
        let sessions: [SessionID]
        do {
            sessions = try spool.sessionIDs()
        } catch {
            report.errors.append(ShipperError(.spool, "cannot list the spool's sessions: \(error)"))
            return
        }
        for session in sessions {
            do {
                try ship(session)
            } catch {
                // The collector link failed: the remaining sessions would fail the same way.
                report.errors.append(error)
                return
            }
        }
    }

    /// Ships one session's events after its watermark. Spool trouble is reported and ends this
    /// session only; collector trouble is thrown and ends the pass.
    mutating func ship(_ session: SessionID) throws(ShipperError) {
        var entry = ShipReport.Session(session: session)
        defer { report.sessions.append(entry) }
        var progress = state.progress[session] ?? SessionProgress()
        defer { state.progress[session] = progress }
        do {
            // Recovery reads the session's last segment, so it is tried only while a writer may have
            // died since the last look: until a look finds no writer, and again after new events.
            if !progress.writerGone, let recovery = try spool.recoverIfAbandoned(session) {
                progress.writerGone = true
                if let torn = recovery.tornTail {
                    entry.recovery = "cut a torn tail of \(torn.bytesCut) bytes from \(torn.segment) at byte \(torn.offset) (\(torn.reason))"
                        + (recovery.notices.isEmpty ? "" : "; recorder.notice at seq \(recovery.notices.map(String.init).joined(separator: ", "))")
                }
            }
        } catch {
            spoolTrouble("cannot recover the session: \(error)", session)
            return
        }
        var acked: UInt64?
        defer {
            entry.ackedSeq = acked
            entry.rejected = progress.rejected
        }
        do {
            acked = try spool.ackedSeq(of: session)
            while true {
                if signal?.isStopped == true { throw ShipperError(.stopped, "stopped before the session was shipped", session: session) }
                let cursor = Self.later(acked, progress.sentThrough)
                let records = try spool.records(of: session, after: cursor, limit: configuration.maxBatchEvents)
                if records.isEmpty { break }
                let batch = EventBatch.cut(records, session: session, maxEvents: configuration.maxBatchEvents, maxBytes: configuration.maxBatchBytes)
                try ensureBlobs(of: batch)
                try deliver(batch, entry: &entry, acked: &acked, progress: &progress)
                progress.writerGone = false
            }
            entry.drained = try progress.rejected.isEmpty && spool.records(of: session, after: acked, limit: 1).isEmpty
        } catch let error as ShipperError {
            throw error
        } catch {
            spoolTrouble("\(error)", session)
        }
    }

    /// Posts a batch and applies the reply; a batch the collector finds too large is split.
    mutating func deliver(_ batch: EventBatch, entry: inout ShipReport.Session, acked: inout UInt64?,
                          progress: inout SessionProgress) throws {
        let body = batch.compressedBody(using: compressor!)
        let answer = try perform("POST", "/v1/events", headers: [("Content-Type", "application/x-ndjson"), ("Content-Encoding", "zstd")],
                                 body: body, session: batch.session)
        switch answer.response.status {
        case 200:
            let reply: IngestReply
            do {
                reply = try IngestReply(parsing: answer.response.body)
                try reply.check(lines: batch.records.count)
            } catch {
                state.pool.failed(answer.index, now: shipper.clock.now(), backoff: configuration.backoff, using: &state.random)
                throw ShipperError(error.code, error.message, collector: answer.url, session: batch.session)
            }
            entry.collector = answer.url
            try apply(reply, to: batch, entry: &entry, acked: &acked, progress: &progress)
        case 413 where batch.records.count > 1:
            let (first, second) = batch.halves()
            try deliver(first, entry: &entry, acked: &acked, progress: &progress)
            try deliver(second, entry: &entry, acked: &acked, progress: &progress)
        case 413:
            // One event the collector will never take: keep it in the spool, report it, move past it.
            let record = batch.records[0]
            Self.remember(.init(seq: record.seq, reason: "the event (\(record.bytes.count) bytes) is over the collector's size limit: \(answer.response.errorMessage)"),
                          in: &progress)
            progress.sentThrough = Self.later(progress.sentThrough, record.seq)
        default:
            throw refusal("a batch of \(batch.records.count) events", answer, session: batch.session)
        }
    }

    /// Counts the reply's outcomes and moves the watermark: to the collector's `acked`, and — when the
    /// batch starts right after the watermark — over every event before the first rejected one, as
    /// the reply accounts for them as stored (this also passes seqs the spool itself lacks).
    mutating func apply(_ reply: IngestReply, to batch: EventBatch, entry: inout ShipReport.Session, acked: inout UInt64?,
                        progress: inout SessionProgress) throws(SpoolError) {
        let records = batch.records
        entry.eventsSent += records.count
        entry.accepted += reply.accepted
        entry.duplicates += reply.duplicates
        let continuesWatermark = progress.sentThrough.map { sent in acked.map { sent <= $0 } ?? false } ?? true
        for rejection in reply.rejected {
            Self.remember(.init(seq: records[rejection.line - 1].seq, reason: rejection.reason), in: &progress)
        }
        entry.conflicts += reply.conflicts.map { records[$0.line - 1].seq }
        entry.chainBreaks += reply.chainBreaks.filter { $0.session == batch.session }.map(\.seq)
        var next = acked
        if let collector = reply.acked[batch.session], collector >= 0 { next = Self.later(next, UInt64(collector)) }
        if continuesWatermark {
            let stored = (reply.rejected.map(\.line).min() ?? records.count + 1) - 1
            if stored > 0 { next = Self.later(next, records[stored - 1].seq) }
        }
        progress.sentThrough = Self.later(progress.sentThrough, batch.lastSeq)
        if let next, next != acked {
            try spool.setAcked(next, of: batch.session)
            acked = next
        }
    }

    /// Reports a spool failure, unless the session is simply gone: another shipper finished it.
    mutating func spoolTrouble(_ message: String, _ session: SessionID) {
        guard access(spool.sessionDirectory(session), F_OK) == 0 else { return }
        report.errors.append(ShipperError(.spool, message, session: session))
    }

    static func remember(_ rejected: ShipReport.Rejected, in progress: inout SessionProgress) {
        guard !progress.rejected.contains(where: { $0.seq == rejected.seq }) else { return }
        progress.rejected.append(rejected)
        progress.rejected.sort { $0.seq < $1.seq }
    }

    /// The larger of two optional seqs (nil is "before seq 0").
    static func later(_ a: UInt64?, _ b: UInt64?) -> UInt64? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }
}
