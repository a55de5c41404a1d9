/// Scans the bytes of a spool segment into records and reports how the segment ends.
public struct SpoolSegmentReader: Sendable {
    public var maxRecordBytes: Int

    public init(maxRecordBytes: Int = SpoolRecord.defaultMaxRecordBytes) {
        self.maxRecordBytes = maxRecordBytes
    }

    /// The outcome of `scan`: the valid records up to where it stopped, and why it stopped.
    public struct Scan: Equatable, Sendable {
        public var records: [SpoolRecord]
        public var status: SpoolSegmentStatus
        /// Offset just past the last valid record read before stopping.
        public var validLength: Int
    }

    /// Reads records from `start` until the end or the first damaged record.
    /// A checksum mismatch followed by a complete valid record is reported as `.corrupt`
    /// (resume with `scan(bytes, from: resumeOffset)`); any other damage is a `.torn` tail.
    public func scan(_ bytes: [UInt8], from start: Int = 0) -> Scan {
        precondition(start >= 0 && start <= bytes.count, "scan start \(start) is outside the segment")
        return bytes.withUnsafeBytes { raw in
            var records: [SpoolRecord] = []
            var offset = start
            while offset < raw.count {
                switch parse(raw, at: offset) {
                case .record(let payload):
                    records.append(SpoolRecord(offset: offset, payload: bytes[payload]))
                    offset = payload.upperBound
                case .damaged(let reason, let declaredEnd):
                    let status: SpoolSegmentStatus
                    if case .checksumMismatch = reason, let next = declaredEnd, next < raw.count,
                        case .record = parse(raw, at: next)
                    {
                        status = .corrupt(offset: offset, reason: reason, resumeOffset: next)
                    } else {
                        status = .torn(offset: offset, reason: reason)
                    }
                    return Scan(records: records, status: status, validLength: offset)
                }
            }
            return Scan(records: records, status: .clean, validLength: offset)
        }
    }

    private enum Parsed {
        case record(payload: Range<Int>)
        /// `declaredEnd` is where the record would end by its header, when the header is plausible.
        case damaged(SpoolDamage, declaredEnd: Int?)
    }

    private func parse(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Parsed {
        let available = raw.count - offset
        guard available >= SpoolRecord.headerSize else {
            return .damaged(.incompleteHeader(available: available), declaredEnd: nil)
        }
        let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        guard length >= 1 && length <= maxRecordBytes else {
            return .damaged(.lengthOutOfRange(declared: length, max: maxRecordBytes), declaredEnd: nil)
        }
        let payloadStart = offset + SpoolRecord.headerSize
        guard length <= raw.count - payloadStart else {
            return .damaged(.incompletePayload(declared: length, available: raw.count - payloadStart), declaredEnd: nil)
        }
        let payload = payloadStart..<(payloadStart + length)
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[payload]))
        guard computed == stored else {
            return .damaged(.checksumMismatch(stored: stored, computed: computed), declaredEnd: payload.upperBound)
        }
        return .record(payload: payload)
    }
}
