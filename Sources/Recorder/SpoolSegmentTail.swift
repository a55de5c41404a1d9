import Glibc
import TraceWire

/// Finds the last record of a session's last segment and cuts a torn tail, for a writer resuming.
///
/// It walks the record headers and checks the CRC32C of the records in the last 256 KiB only (a
/// crash damages the end of a file), so reopening a large segment stays fast; when a checked record
/// is damaged, the whole segment is scanned to tell a torn tail from corruption in the middle.
enum SpoolSegmentTail {
    struct Result {
        /// The payload of the last valid record; nil when the segment holds none.
        var last: [UInt8]?
        /// The segment's length after any cut.
        var size: Int
        var torn: SpoolTornTail?
    }

    static let checkedBytes = 256 << 10

    static func recover(_ path: String, name: String) throws(SpoolError) -> Result {
        let descriptor = try SpoolDisk.openFile(path, O_RDWR)
        defer { close(descriptor) }
        let bytes = try SpoolDisk.read(descriptor, at: 0, count: try SpoolDisk.size(of: descriptor, path), path)
        var (starts, tornAt, reason) = walk(bytes)
        var lastStart = starts.last
        if !checksumsHold(bytes, starts) {
            let scan = SpoolSegmentReader().scan(bytes)
            switch scan.status {
            case .clean:
                tornAt = nil
                reason = nil
            case .torn(let offset, let damage):
                tornAt = offset
                reason = damage
            case .corrupt(let offset, let damage, let resume):
                throw SpoolError(code: .corrupt, path: path, offset: offset,
                                 message: "\(damage); valid records continue at byte \(resume), so the segment cannot be resumed")
            }
            lastStart = scan.records.last?.offset
        }
        var result = Result(last: nil, size: bytes.count, torn: nil)
        if let lastStart {
            let length = Int(load(bytes, lastStart))
            result.last = Array(bytes[(lastStart + SpoolRecord.headerSize)..<(lastStart + SpoolRecord.headerSize + length)])
        }
        if let tornAt, let reason {
            guard ftruncate(descriptor, off_t(tornAt)) == 0 else {
                throw SpoolDisk.failure(path, "cannot cut the torn tail at \(tornAt) bytes", offset: tornAt)
            }
            try SpoolDisk.sync(descriptor, path)
            result.size = tornAt
            result.torn = SpoolTornTail(segment: name, offset: tornAt, bytesCut: bytes.count - tornAt, reason: reason)
        }
        return result
    }

    /// Record offsets by their headers, and where (and why) the walk stopped short of the end.
    private static func walk(_ bytes: [UInt8]) -> ([Int], Int?, SpoolDamage?) {
        var starts: [Int] = []
        var offset = 0
        while offset < bytes.count {
            let available = bytes.count - offset
            guard available >= SpoolRecord.headerSize else {
                return (starts, offset, .incompleteHeader(available: available))
            }
            let length = Int(load(bytes, offset))
            guard length >= 1 && length <= SpoolRecord.defaultMaxRecordBytes else {
                return (starts, offset, .lengthOutOfRange(declared: length, max: SpoolRecord.defaultMaxRecordBytes))
            }
            guard length <= available - SpoolRecord.headerSize else {
                return (starts, offset, .incompletePayload(declared: length, available: available - SpoolRecord.headerSize))
            }
            starts.append(offset)
            offset += SpoolRecord.headerSize + length
        }
        return (starts, nil, nil)
    }

    /// Whether the records starting in the last `checkedBytes` (and at least the last one) are intact.
    private static func checksumsHold(_ bytes: [UInt8], _ starts: [Int]) -> Bool {
        let threshold = bytes.count - checkedBytes
        for (position, start) in starts.enumerated().reversed() {
            if start < threshold && position != starts.count - 1 { break }
            let length = Int(load(bytes, start))
            let payload = bytes[(start + SpoolRecord.headerSize)..<(start + SpoolRecord.headerSize + length)]
            guard CRC32C.checksum(payload) == load(bytes, start + 4) else { return false }
        }
        return true
    }

    private static func load(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
