import Glibc
import TraceWire

/// The segment files of one session directory: their names, order and records.
enum SpoolSegments {
    struct Segment: Sendable, Equatable {
        var index: UInt64
        var name: String
    }

    static let prefix = "seg-"
    static let suffix = ".log"

    static func name(_ index: UInt64) -> String {
        let digits = String(index)
        return prefix + String(repeating: "0", count: max(0, 10 - digits.count)) + digits + suffix
    }

    /// The index in `seg-<digits>.log`; nil for any other name (temporary files, strays).
    static func index(of name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count >= 10, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(digits)
    }

    /// The session's segments in order; nil when the directory does not exist.
    static func list(_ directory: String) throws(SpoolError) -> [Segment]? {
        guard let names = try SpoolDisk.list(directory) else { return nil }
        return names.compactMap { name in index(of: name).map { Segment(index: $0, name: name) } }
            .sorted { $0.index < $1.index }
    }

    /// The `seq` of a record's canonical event bytes. The envelope's keys are sorted, so the last
    /// `"seq":` is the envelope's own (only `session`, `ts` and `v` follow, whose values cannot hold it).
    static func seq(of payload: ArraySlice<UInt8>) -> UInt64? {
        let key: [UInt8] = [0x22, 0x73, 0x65, 0x71, 0x22, 0x3A]  // "seq":
        guard payload.count > key.count, payload.first == 0x7B, payload.last == 0x7D else { return nil }
        var start = payload.endIndex - key.count
        while start >= payload.startIndex {
            if payload[start] == 0x22 && payload[start..<(start + key.count)].elementsEqual(key) { break }
            start -= 1
        }
        guard start >= payload.startIndex else { return nil }
        var value: UInt64 = 0
        var index = start + key.count
        var digits = 0
        while index < payload.endIndex, payload[index] >= 0x30 && payload[index] <= 0x39, digits < 19 {
            value = value * 10 + UInt64(payload[index] - 0x30)
            index += 1
            digits += 1
        }
        guard digits > 0, index < payload.endIndex, payload[index] == 0x2C || payload[index] == 0x7D else { return nil }
        return value
    }

    /// The seq of the first record of a segment; nil when it holds no complete record yet.
    static func firstSeq(_ path: String) throws(SpoolError) -> UInt64? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw SpoolDisk.failure(path, "cannot open")
        }
        defer { close(descriptor) }
        let header = try SpoolDisk.read(descriptor, at: 0, count: SpoolRecord.headerSize, path)
        guard header.count == SpoolRecord.headerSize else { return nil }
        let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
        guard length >= 1 && length <= SpoolRecord.defaultMaxRecordBytes else { return nil }
        let bytes = try SpoolDisk.read(descriptor, at: 0, count: SpoolRecord.headerSize + length, path)
        let scan = SpoolSegmentReader().scan(bytes)
        guard let first = scan.records.first else { return nil }
        return seq(of: first.payload)
    }

    /// Every valid record of a segment, stepping over damage in the middle (used to find a sealed
    /// segment's last record, and to count what a dropped segment held).
    static func validRecords(_ path: String) throws(SpoolError) -> [SpoolRecord] {
        let scan = try SpoolSegmentFile.read(path: path)
        var records = scan.records
        var status = scan.status
        guard case .corrupt = status else { return records }
        let bytes = try whole(path)
        while case .corrupt(_, _, let resume) = status {
            let next = SpoolSegmentReader().scan(bytes, from: resume)
            records += next.records
            status = next.status
        }
        return records
    }

    static func whole(_ path: String) throws(SpoolError) -> [UInt8] {
        let descriptor = try SpoolDisk.openFile(path, O_RDONLY)
        defer { close(descriptor) }
        return try SpoolDisk.read(descriptor, at: 0, count: try SpoolDisk.size(of: descriptor, path), path)
    }

    /// The seq range a sealed segment covers: from its first record, to one before the next
    /// segment's first record (or its own last record when that is unknown).
    static func seqRange(_ directory: String, _ segments: [Segment], at position: Int) throws(SpoolError) -> ClosedRange<UInt64>? {
        let path = directory + "/" + segments[position].name
        guard let first = try firstSeq(path) else { return nil }
        if position + 1 < segments.count, let next = try firstSeq(directory + "/" + segments[position + 1].name), next > first {
            return first...(next - 1)
        }
        let last = try validRecords(path).last.flatMap { seq(of: $0.payload) } ?? first
        return first...max(first, last)
    }
}
