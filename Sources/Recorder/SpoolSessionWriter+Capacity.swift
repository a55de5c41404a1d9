import TraceModel
import TraceWire

extension SpoolSessionWriter {
    /// What a drop deleted: how many unshipped events, and which.
    struct Dropped {
        var count: UInt64 = 0
        var first: UInt64?
        var last: UInt64?

        mutating func add(_ range: ClosedRange<UInt64>) {
            count += UInt64(range.count)
            first = min(first ?? range.lowerBound, range.lowerBound)
            last = max(last ?? range.upperBound, range.upperBound)
        }
    }

    /// Reserves `size` bytes under `maxBytes`, applying the full policy. Returns true when it
    /// recorded a `dropped` notice (which took a seq, so the caller seals its event again).
    func makeRoom(_ size: Int, _ s: inout SpoolWriterState) throws -> Bool {
        guard let maxBytes = spool.options.maxBytes else { return false }
        guard size <= maxBytes else {
            throw SpoolError(code: .full, path: directory,
                             message: "a record of \(size) bytes can never fit in a spool of at most \(maxBytes) bytes")
        }
        var dropped: Dropped?
        while true {
            let generation = spool.capacity.generation
            if try spool.capacity.reserve(size) { break }
            switch spool.options.full {
            case .block:
                // Let the shipper see everything written so far, and let acks free all of it.
                try syncLocked(&s)
                if s.segmentSize > 0 { try rotate(&s) }
                spool.capacity.waitForSpace(after: generation, milliseconds: spool.options.fullRecheckMilliseconds)
            case .dropOldest:
                guard let range = try dropOldestSegment(&s) else {
                    throw SpoolError(code: .full, path: directory,
                                     message: "the spool is full (at most \(maxBytes) bytes) and this session has no unshipped segment left to drop")
                }
                if dropped == nil { dropped = Dropped() }
                if let range { dropped!.add(range) }
            }
        }
        guard let dropped, dropped.count > 0, let first = dropped.first, let last = dropped.last else { return false }
        let notice = RecorderNotice(
            code: "dropped",
            message: "the spool was full (at most \(maxBytes) bytes): \(dropped.count) events not yet shipped were dropped",
            count: Int64(dropped.count),
            details: ["first_seq": .number(JSONNumber(first)), "last_seq": .number(JSONNumber(last))])
        var event = Event(session: session, seq: s.chain.nextSeq, ts: .now(), monoNs: s.lastMonoNs, kind: .recorderNotice,
                          actor: .recorder, data: notice.data)
        let bytes = s.chain.seal(&event)
        spool.capacity.add(SpoolRecord.headerSize + bytes.count)
        var wake = false
        try appendRecord(bytes, &s, wake: &wake)
        return true
    }

    /// Deletes this session's oldest sealed segment (sealing the current one first when it is the
    /// only one). Returns the unshipped seqs it held (`.some(nil)` when none); nil when nothing is left to drop.
    private func dropOldestSegment(_ s: inout SpoolWriterState) throws -> ClosedRange<UInt64>?? {
        guard var segments = try SpoolSegments.list(directory) else { return nil }
        if segments.count < 2 {
            guard s.segmentSize > 0 else { return nil }
            try rotate(&s)
            segments = try SpoolSegments.list(directory) ?? []
            guard segments.count >= 2 else { return nil }
        }
        let range = try SpoolSegments.seqRange(directory, segments, at: 0)
        let path = directory + "/" + segments[0].name
        try spool.capacity.delete(path)
        guard let range else { return .some(nil) }
        let acked = try? spool.ackedSeq(of: session)
        let first = acked.map { max(range.lowerBound, $0 + 1) } ?? range.lowerBound
        guard first <= range.upperBound else { return .some(nil) }
        return .some(first...range.upperBound)
    }
}
