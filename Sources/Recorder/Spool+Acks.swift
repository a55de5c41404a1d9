import Glibc
import TraceModel
import TraceWire

extension Spool {
    /// The highest contiguous seq the collector acknowledged for the session; nil when nothing is.
    public func ackedSeq(of id: SessionID) throws(SpoolError) -> UInt64? {
        let file = sessionDirectory(id) + "/acked"
        guard let bytes = try SpoolDisk.readSmallFile(file, limit: 64) else { return nil }
        guard let seq = SpoolDisk.parseNumber(bytes) else {
            let shown = String(decoding: bytes.prefix(32), as: UTF8.self).debugDescription
            throw SpoolError(code: .invalid, path: file, message: "holds \(shown), not a seq and a newline")
        }
        return seq
    }

    /// Records that the collector holds every event of the session up to `seq`: replaces `acked`
    /// atomically (never lowering it), deletes sealed segments whose events are all acknowledged,
    /// and deletes the whole session once it has ended and everything is acknowledged.
    /// A garbage `acked` file is overwritten. Shippers sharing a spool (a record's and the ship
    /// daemon) take turns here under `SPOOL/lock`, so one never writes into, or reads from, a
    /// session the other is deleting; a session another shipper already finished is left alone.
    public func setAcked(_ seq: UInt64, of id: SessionID) throws(SpoolError) {
        let directory = sessionDirectory(id)
        guard let turn = try SpoolSessionLock.acquire(path, wait: true) else { return }
        defer { withExtendedLifetime(turn) {} }
        guard SpoolDisk.exists(directory) else { return }
        let current = try? ackedSeq(of: id)
        let acked = max(seq, current ?? 0)
        if current == nil || seq > current! {
            try SpoolDisk.replace(directory + "/acked", with: Array("\(seq)\n".utf8), durable: options.fsync != .never)
        }
        try deleteAcknowledgedSegments(directory, through: acked)
        if isEnded(id) { try removeIfFinished(id, acked: acked) }
    }

    /// Deletes sealed segments, oldest first, while every event in them is acknowledged.
    private func deleteAcknowledgedSegments(_ directory: String, through acked: UInt64) throws(SpoolError) {
        guard let segments = try SpoolSegments.list(directory), segments.count > 1 else { return }
        for position in 0..<(segments.count - 1) {
            let path = directory + "/" + segments[position].name
            let size = SpoolDisk.fileSize(path) ?? 0
            if let range = try SpoolSegments.seqRange(directory, segments, at: position) {
                guard range.upperBound <= acked else { break }
            } else if size > 0 {
                break  // its first record is damaged: keep it for an operator to look at
            }
            // (An empty sealed segment holds nothing to keep.)
            try capacity.delete(path)
        }
    }

    /// Deletes an ended session whose last event is acknowledged, unless a writer still holds its lock.
    private func removeIfFinished(_ id: SessionID, acked: UInt64) throws(SpoolError) {
        let directory = sessionDirectory(id)
        guard let segments = try SpoolSegments.list(directory) else { return }
        var last: UInt64?
        for segment in segments.reversed() {
            if let record = try SpoolSegments.validRecords(directory + "/" + segment.name).last {
                last = SpoolSegments.seq(of: record.payload)
                break
            }
        }
        if let last, last > acked { return }
        guard let lock = try SpoolSessionLock.acquire(directory, wait: false) else { return }
        defer { withExtendedLifetime(lock) {} }
        try capacity.deleting { () throws(SpoolError) -> Int in
            var size = 0
            for segment in segments { size += SpoolDisk.fileSize(directory + "/" + segment.name) ?? 0 }
            try SpoolDisk.removeFlatDirectory(directory)
            return size
        }
        cursors.withLock { _ = $0.removeValue(forKey: id) }
    }
}
