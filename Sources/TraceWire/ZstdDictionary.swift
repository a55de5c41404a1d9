import CZstd

/// A zstd dictionary: trained with `Zstd.trainDictionary` or any raw content used as a prefix.
/// Compressor and decompressor each digest their own copy, so this value stays plain and `Sendable`.
public struct ZstdDictionary: Equatable, Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The id a trained dictionary carries (written in frame headers); 0 for raw content.
    public var id: UInt32 {
        bytes.withUnsafeBytes { UInt32(ZSTD_getDictID_fromDict($0.baseAddress, $0.count)) }
    }
}
