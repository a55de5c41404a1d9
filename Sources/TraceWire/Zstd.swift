import CZstd

/// One-shot zstd helpers. For many calls, keep a `ZstdCompressor` / `ZstdDecompressor` instead:
/// they reuse their context (and their digested dictionary).
public enum Zstd {
    /// The frame magic number 0xFD2FB528 as it appears on the wire (little-endian).
    public static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// True when `bytes` starts like zstd data: a zstd frame or a skippable frame.
    public static func looksCompressed(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        let word = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        return word == 0xFD2F_B528 || word & 0xFFFF_FFF0 == 0x184D_2A50
    }

    /// Compresses `bytes` into one frame.
    public static func compress(_ bytes: [UInt8], level: Int32 = 3) -> [UInt8] {
        let bound = ZSTD_compressBound(bytes.count)
        return bytes.withUnsafeBytes { input in
            [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
                let written = ZSTD_compress(buffer.baseAddress, buffer.count, input.baseAddress, input.count, level)
                // The destination holds compressBound bytes, so only memory exhaustion can fail here.
                precondition(!ZstdResult.isError(written), "zstd compression failed: \(ZstdResult.name(written))")
                count = written
            }
        }
    }

    /// Compresses `bytes` into one frame using `dictionary`.
    public static func compress(_ bytes: [UInt8], dictionary: ZstdDictionary, level: Int32 = 3) throws(ZstdError) -> [UInt8] {
        try ZstdCompressor(level: level, dictionary: dictionary).compressFrame(bytes)
    }

    /// Decompresses one or more concatenated frames within `limits`.
    public static func decompress(_ bytes: [UInt8], limits: ZstdLimits = .init()) throws(ZstdError) -> [UInt8] {
        try ZstdDecompressor(limits: limits).decompressAll(bytes)
    }

    /// Decompresses frames made with `dictionary`, within `limits`.
    public static func decompress(
        _ bytes: [UInt8], dictionary: ZstdDictionary, limits: ZstdLimits = .init()
    ) throws(ZstdError) -> [UInt8] {
        try ZstdDecompressor(limits: limits, dictionary: dictionary).decompressAll(bytes)
    }

    /// Trains a dictionary of at most `capacity` bytes from `samples` (ZDICT_trainFromBuffer).
    /// zstd wants many samples (hundreds or more) totalling roughly 100× the capacity.
    public static func trainDictionary(samples: [[UInt8]], capacity: Int) throws(ZstdError) -> [UInt8] {
        guard capacity >= 256 else {
            throw ZstdError(code: .invalidParameter, message: "dictionary capacity \(capacity) is below 256 bytes")
        }
        guard samples.count >= 8 else {
            throw ZstdError(code: .dictionaryInvalid, message: "\(samples.count) samples are too few to train a dictionary")
        }
        var total = 0
        for sample in samples { total += sample.count }
        var joined: [UInt8] = []
        joined.reserveCapacity(total)
        var sizes: [Int] = []
        sizes.reserveCapacity(samples.count)
        for sample in samples {
            joined.append(contentsOf: sample)
            sizes.append(sample.count)
        }
        var failure = 0
        let dictionary = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let result = joined.withUnsafeBytes { source in
                sizes.withUnsafeBufferPointer { sizes in
                    ZDICT_trainFromBuffer(
                        buffer.baseAddress, buffer.count, source.baseAddress, sizes.baseAddress, UInt32(sizes.count))
                }
            }
            if ZDICT_isError(result) != 0 { failure = result; count = 0 } else { count = result }
        }
        if failure != 0 {
            let reason = String(cString: ZDICT_getErrorName(failure))
            throw ZstdError(
                code: .dictionaryInvalid,
                message: "training on \(samples.count) samples (\(total) bytes) failed: \(reason)")
        }
        return dictionary
    }
}
