/// Why the bytes at some offset of a spool segment are not a valid record.
public enum SpoolDamage: Equatable, Sendable, CustomStringConvertible {
    /// Fewer than 8 bytes remain where a header should be.
    case incompleteHeader(available: Int)
    /// The header declares more payload bytes than the segment holds.
    case incompletePayload(declared: Int, available: Int)
    /// The payload's CRC32C differs from the one in the header.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// The declared length is zero or above the reader's `maxRecordBytes`.
    case lengthOutOfRange(declared: Int, max: Int)

    public var description: String {
        switch self {
        case .incompleteHeader(let available):
            return "incomplete header: \(available) of \(SpoolRecord.headerSize) bytes"
        case .incompletePayload(let declared, let available):
            return "incomplete payload: \(available) of \(declared) bytes"
        case .checksumMismatch(let stored, let computed):
            return "CRC32C mismatch: header says \(hex(stored)), payload gives \(hex(computed))"
        case .lengthOutOfRange(let declared, let max):
            return "record length \(declared) is outside 1...\(max)"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// How a scan of a spool segment ended.
public enum SpoolSegmentStatus: Equatable, Sendable {
    /// Every byte belongs to a valid record.
    case clean
    /// The segment ends in a damaged record (an interrupted write); everything from `offset` on can be cut.
    case torn(offset: Int, reason: SpoolDamage)
    /// A record in the middle is damaged while valid records follow at `resumeOffset`:
    /// this is corruption, not an interrupted write, and must not be cut off silently.
    case corrupt(offset: Int, reason: SpoolDamage, resumeOffset: Int)
}
