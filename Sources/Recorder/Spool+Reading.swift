import Glibc
import TraceModel
import TraceWire

/// Where the previous `records` call stopped, so the next one continues without re-reading.
struct SpoolReadCursor: Sendable {
    var segment: UInt64
    var offset: Int
    var lastSeq: UInt64
}

extension Spool {
    /// Reads the complete records of a session after `seq` (nil = from the start), in order, without
    /// taking the session's lock. A record a writer is still appending is left for the next call.
    /// Records stop short of damage; damage met before any record is returned throws `.corrupt`.
    /// A session that is gone (finished and deleted) has no records.
    public func records(of id: SessionID, after seq: UInt64?, limit: Int) throws(SpoolError) -> [SpooledEvent] {
        guard limit > 0 else { return [] }
        let directory = sessionDirectory(id)
        guard let segments = try SpoolSegments.list(directory), !segments.isEmpty else { return [] }
        var (position, offset) = try startingPoint(id, directory, segments, after: seq)
        var events: [SpooledEvent] = []
        var cursor: SpoolReadCursor?
        while position < segments.count && events.count < limit {
            let segment = segments[position]
            let path = directory + "/" + segment.name
            let isLast = position == segments.count - 1
            let chunk: SpoolSegmentChunk
            do {
                chunk = try SpoolSegmentChunk.read(path, from: offset, limit: limit - events.count, isLast: isLast)
            } catch {
                // A segment the shipper or a drop deleted meanwhile is skipped; other failures are reported
                // once the records before them have been handed out.
                if error.errno == ENOENT { position += 1; offset = 0; continue }
                if events.isEmpty { throw error }
                break
            }
            for record in chunk.records {
                guard let recordSeq = SpoolSegments.seq(of: record.payload) else {
                    if events.isEmpty {
                        throw SpoolError(code: .invalid, path: path, offset: record.offset,
                                         message: "the record is not an event (no envelope seq)")
                    }
                    return events
                }
                if let seq, recordSeq <= seq { continue }
                events.append(SpooledEvent(seq: recordSeq, bytes: Array(record.payload)))
                cursor = SpoolReadCursor(segment: segment.index, offset: record.endOffset, lastSeq: recordSeq)
            }
            if chunk.reachedEnd {
                if isLast { break }
                position += 1
                offset = 0
            } else {
                offset = chunk.nextOffset
            }
        }
        if let cursor { cursors.withLock { $0[id] = cursor } }
        return events
    }

    /// The segment (position in `segments`) and offset to start reading after `seq`.
    private func startingPoint(
        _ id: SessionID, _ directory: String, _ segments: [SpoolSegments.Segment], after seq: UInt64?
    ) throws(SpoolError) -> (Int, Int) {
        guard let seq else { return (0, 0) }
        if let cursor = cursors.withLock({ $0[id] }), cursor.lastSeq == seq,
            let position = segments.firstIndex(where: { $0.index == cursor.segment })
        {
            return (position, cursor.offset)
        }
        // The last segment whose first record is at or before the wanted seq; empty ones are skipped.
        for position in segments.indices.reversed() {
            if let first = try SpoolSegments.firstSeq(directory + "/" + segments[position].name), first <= seq + 1 {
                return (position, 0)
            }
        }
        return (0, 0)
    }
}

/// Up to `limit` complete records of one segment from an offset, read in bounded chunks.
struct SpoolSegmentChunk {
    var records: [SpoolRecord] = []
    /// Where the next read of this segment starts.
    var nextOffset: Int
    /// Every complete record up to the end of the file was read.
    var reachedEnd = false

    static let chunkBytes = 1 << 20

    /// A damaged tail of the last segment is a write in progress (or a crash `recoverIfAbandoned`
    /// will cut) and ends the read quietly; in a sealed segment, or before valid records, it is `.corrupt`.
    static func read(_ path: String, from start: Int, limit: Int, isLast: Bool) throws(SpoolError) -> SpoolSegmentChunk {
        let descriptor = try SpoolDisk.openFile(path, O_RDONLY)
        defer { close(descriptor) }
        let size = try SpoolDisk.size(of: descriptor, path)
        var result = SpoolSegmentChunk(nextOffset: start)
        var want = chunkBytes
        while result.records.count < limit {
            let offset = result.nextOffset
            guard offset < size else {
                result.reachedEnd = true
                return result
            }
            let requested = min(size - offset, want)
            let bytes = try SpoolDisk.read(descriptor, at: offset, count: requested, path)
            // A short read means the file shrank under us: treat what we got as the end.
            let reachesEnd = bytes.count < requested || offset + bytes.count >= size
            let scan = SpoolSegmentReader().scan(bytes)
            for record in scan.records.prefix(limit - result.records.count) {
                // Offsets become file offsets; the payload is copied out of the chunk.
                result.records.append(SpoolRecord(offset: offset + record.offset, payload: ArraySlice(record.payload)))
                result.nextOffset = offset + record.endOffset
            }
            if result.records.count >= limit { return result }
            switch scan.status {
            case .clean:
                result.nextOffset = offset + scan.validLength
            case .torn(let at, let reason):
                result.nextOffset = offset + at
                if !reachesEnd {
                    // The chunk may have ended inside a record: read again from its start, large enough to hold it.
                    switch reason {
                    case .incompleteHeader where at > 0:
                        continue
                    case .incompletePayload(let declared, _) where at > 0 || want < declared + SpoolRecord.headerSize:
                        want = max(want, declared + SpoolRecord.headerSize)
                        continue
                    default:
                        if !result.records.isEmpty { return result }
                        throw SpoolError(code: .corrupt, path: path, offset: offset + at,
                                         message: "\(reason), with \(size - offset - at) more bytes after it")
                    }
                }
                if isLast {
                    result.reachedEnd = true
                    return result
                }
                if !result.records.isEmpty { return result }
                throw SpoolError(code: .corrupt, path: path, offset: offset + at,
                                 message: "the sealed segment ends in a damaged record (\(reason))")
            case .corrupt(let at, let reason, let resume):
                if !result.records.isEmpty { return result }
                throw SpoolError(code: .corrupt, path: path, offset: offset + at,
                                 message: "\(reason); valid records continue at byte \(offset + resume)")
            }
        }
        return result
    }
}
