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
        // ZSTD_c_forceAttachDict = ZSTD_dictForceAttach: search the dictionary's tables in place
        // instead of copying them into the context for every chunk (a copy costs as much as
        // compressing a small chunk).
        ZSTD_CCtx_setParameter(c, ZSTD_c_experimentalParam4, 1)
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
                // A referenced dictionary stays until replaced; nil detaches it for the next frame.
                ZSTD_CCtx_refCDict(compressionContext, dictionary?.compressionDictionary)
                let written = ZSTD_compress2(compressionContext, buffer.baseAddress, buffer.count, input.baseAddress, input.count)
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
