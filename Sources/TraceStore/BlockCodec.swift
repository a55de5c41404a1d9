import CZstd

/// How a stored payload (chunk, blob) is encoded; the value is kept in the row's `codec` column.
enum PayloadCodec: Int64 {
    case raw = 0
    case zstd = 1
    /// zstd with the chunk dictionary named in the row's `dictionary` column.
    case zstdDictionary = 2
}

/// zstd one-shot compression of stored payloads, reusing one compression and one decompression
/// context. Every frame records its content size; reads check it against the row's size.
final class BlockCodec {
    /// Largest payload a row may claim to hold; guards allocations against damaged rows.
    static let maxPayloadBytes = 1 << 30

    private let compressionContext: OpaquePointer
    private let decompressionContext: OpaquePointer
    let level: Int32

    init(level: Int32) {
        // Allocation failure here means the process is out of memory; nothing sensible remains to do.
        guard let c = ZSTD_createCCtx(), let d = ZSTD_createDCtx() else { fatalError("zstd: cannot allocate a context") }
        compressionContext = c
        decompressionContext = d
        self.level = level
        ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1)
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0)
    }

    deinit {
        ZSTD_freeCCtx(compressionContext)
        ZSTD_freeDCtx(decompressionContext)
    }

    /// One zstd frame holding `input`, using `dictionary` when given.
    func compress(_ input: [UInt8], dictionary: ChunkDictionary? = nil) -> [UInt8] {
        input.withUnsafeBytes { input in
            let bound = ZSTD_compressBound(input.count)
            return [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
                let written = if let dictionary {
                    ZSTD_compress_usingCDict(compressionContext, buffer.baseAddress, buffer.count, input.baseAddress,
                                             input.count, dictionary.compressionDictionary)
                } else {
                    ZSTD_compress2(compressionContext, buffer.baseAddress, buffer.count, input.baseAddress, input.count)
                }
                // The output holds compressBound bytes, so only memory exhaustion can fail.
                precondition(ZSTD_isError(written) == 0, "zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))")
                count = written
            }
        }
    }

    /// The payload `input` encodes: zstd frames are decompressed into exactly `rawSize` bytes.
    /// A failure describes the damage (wrong size, bad frame) for the caller's error.
    func decode(_ input: UnsafeRawBufferPointer, codec: Int64, rawSize: Int64,
                dictionary: ChunkDictionary? = nil) -> Result<[UInt8], DecodeFailure> {
        guard rawSize >= 0, rawSize <= Self.maxPayloadBytes else { return .failure(.init("implausible size \(rawSize)")) }
        switch PayloadCodec(rawValue: codec) {
        case .raw:
            guard input.count == rawSize else { return .failure(.init("holds \(input.count) bytes, expected \(rawSize)")) }
            return .success([UInt8](input))
        case .zstd, .zstdDictionary:
            let declared = ZSTD_getFrameContentSize(input.baseAddress, input.count)
            guard declared == UInt64(rawSize) else {
                return .failure(.init("zstd frame declares \(Int64(bitPattern: declared)) bytes, expected \(rawSize)"))
            }
            if codec == PayloadCodec.zstdDictionary.rawValue, dictionary == nil {
                return .failure(.init("its dictionary is missing"))
            }
            var failure: Int = 0
            let out = [UInt8](unsafeUninitializedCapacity: Int(rawSize)) { buffer, count in
                let written = if codec == PayloadCodec.zstdDictionary.rawValue, let dictionary {
                    ZSTD_decompress_usingDDict(decompressionContext, buffer.baseAddress, buffer.count, input.baseAddress,
                                               input.count, dictionary.decompressionDictionary)
                } else {
                    ZSTD_decompressDCtx(decompressionContext, buffer.baseAddress, buffer.count, input.baseAddress, input.count)
                }
                if ZSTD_isError(written) != 0 { failure = written; count = 0 } else { count = written }
            }
            if failure != 0 { return .failure(.init("zstd: \(String(cString: ZSTD_getErrorName(failure)))")) }
            guard out.count == rawSize else { return .failure(.init("decompressed to \(out.count) bytes, expected \(rawSize)")) }
            return .success(out)
        case nil:
            return .failure(.init("unknown codec \(codec)"))
        }
    }

    struct DecodeFailure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

@available(*, unavailable, message: "BlockCodec owns zstd contexts, which are not thread-safe")
extension BlockCodec: Sendable {}

/// A raw-content zstd dictionary (recent event lines) digested for compression and decompression.
/// Chunks of a few dozen events compress about a fifth smaller with one: the first events of a
/// chunk find their keys and common values in it instead of paying for them in full.
final class ChunkDictionary {
    let id: Int64
    let content: [UInt8]
    let level: Int32
    let decompressionDictionary: OpaquePointer
    /// Digested on first use: dictionaries loaded only to read old chunks never need it.
    private var digestedForCompression: OpaquePointer?

    /// Nil when zstd cannot digest `content` (possible only for damaged stored bytes).
    init?(id: Int64, content: [UInt8], level: Int32) {
        guard let d = content.withUnsafeBytes({ ZSTD_createDDict($0.baseAddress, $0.count) }) else { return nil }
        self.id = id
        self.content = content
        self.level = level
        decompressionDictionary = d
    }

    var compressionDictionary: OpaquePointer {
        if let digested = digestedForCompression { return digested }
        // The same bytes were digested for decompression already, so only allocation can fail.
        guard let c = content.withUnsafeBytes({ ZSTD_createCDict($0.baseAddress, $0.count, level) }) else {
            fatalError("zstd: cannot digest a \(content.count)-byte dictionary for compression")
        }
        digestedForCompression = c
        return c
    }

    deinit {
        ZSTD_freeDDict(decompressionDictionary)
        if let digestedForCompression { ZSTD_freeCDict(digestedForCompression) }
    }
}

@available(*, unavailable, message: "ChunkDictionary is owned by one connection")
extension ChunkDictionary: Sendable {}
