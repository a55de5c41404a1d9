/// One record of a spool segment. On disk a record is framed as
/// `u32 LE payload length`, `u32 LE CRC32C(payload)`, `payload` — see `frame(_:)`.
public struct SpoolRecord: Equatable, Sendable {
    /// Offset of the record's header within the segment.
    public var offset: Int
    /// The payload bytes (a slice of the scanned segment, not a copy).
    public var payload: ArraySlice<UInt8>

    public init(offset: Int, payload: ArraySlice<UInt8>) {
        self.offset = offset
        self.payload = payload
    }

    /// Offset just past this record.
    public var endOffset: Int { offset + SpoolRecord.headerSize + payload.count }

    /// Bytes before the payload: length and checksum.
    public static let headerSize = 8
    /// Default cap on a payload's length; a header declaring more is treated as damage.
    public static let defaultMaxRecordBytes = 64 << 20

    /// The framed bytes for `payload`. Payloads must not be empty: a zero-length record would be
    /// indistinguishable from the zero-filled tail a crash can leave behind.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var framed: [UInt8] = []
        framed.reserveCapacity(headerSize + payload.count)
        append(payload, to: &framed)
        return framed
    }

    /// Appends the framed `payload` to `buffer` (batching many records into one write).
    public static func append(_ payload: [UInt8], to buffer: inout [UInt8]) {
        payload.withUnsafeBytes { append($0, to: &buffer) }
    }

    public static func append(_ payload: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        precondition(!payload.isEmpty, "spool records must not be empty")
        precondition(payload.count <= Int(UInt32.max), "spool record of \(payload.count) bytes exceeds 4 GiB")
        let length = UInt32(payload.count)
        let crc = CRC32C.checksum(payload)
        withUnsafeBytes(of: (length.littleEndian, crc.littleEndian)) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: payload.assumingMemoryBound(to: UInt8.self))
    }
}
