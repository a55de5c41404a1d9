import CZstd

/// A zstd compression context (`ZSTD_CCtx`). Streaming: `feed` chunks, then `finish` closes the
/// frame; the compressor is then ready for the next frame. Not thread-safe: use one per task.
public final class ZstdCompressor {
    private let context: OpaquePointer
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    public let options: ZstdCompressionOptions

    public init(options: ZstdCompressionOptions = .init(), dictionary: ZstdDictionary? = nil) throws(ZstdError) {
        guard let context = ZSTD_createCCtx() else {
            throw ZstdError(code: .library, message: "cannot allocate a compression context")
        }
        self.context = context
        self.options = options
        self.scratch = .allocate(capacity: ZSTD_CStreamOutSize())
        try configure(dictionary: dictionary)
    }

    public convenience init(level: Int32, dictionary: ZstdDictionary? = nil) throws(ZstdError) {
        try self.init(options: ZstdCompressionOptions(level: level), dictionary: dictionary)
    }

    deinit {
        ZSTD_freeCCtx(context)
        scratch.deallocate()
    }

    private func set(_ parameter: ZSTD_cParameter, _ value: Int32, _ name: String) throws(ZstdError) {
        try ZstdResult.check(ZSTD_CCtx_setParameter(context, parameter, value), "setting \(name)=\(value)")
    }

    private func configure(dictionary: ZstdDictionary?) throws(ZstdError) {
        try set(ZSTD_c_compressionLevel, options.level, "level")
        if let windowLog = options.windowLog { try set(ZSTD_c_windowLog, windowLog, "windowLog") }
        if options.longDistanceMatching { try set(ZSTD_c_enableLongDistanceMatching, 1, "long distance matching") }
        try set(ZSTD_c_checksumFlag, options.checksum ? 1 : 0, "checksum")
        try set(ZSTD_c_contentSizeFlag, options.contentSize ? 1 : 0, "content size flag")
        try set(ZSTD_c_dictIDFlag, options.dictionaryID ? 1 : 0, "dictionary id flag")
        if options.format == .magicless {
            // ZSTD_c_format (experimental param 2) = ZSTD_f_zstd1_magicless.
            try set(ZSTD_c_experimentalParam2, Int32(ZSTD_f_zstd1_magicless.rawValue), "format")
        }
        if let dictionary {
            let result = dictionary.bytes.withUnsafeBytes { ZSTD_CCtx_loadDictionary(context, $0.baseAddress, $0.count) }
            try ZstdResult.check(result, "loading a \(dictionary.bytes.count)-byte dictionary")
        }
    }

    /// Compresses `chunk` as part of the current frame, appending whatever output is ready.
    public func feed(_ chunk: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        run(chunk, ZSTD_e_continue, &output)
    }

    public func feed(_ chunk: [UInt8], into output: inout [UInt8]) {
        chunk.withUnsafeBytes { run($0, ZSTD_e_continue, &output) }
    }

    public func feed(_ chunk: ArraySlice<UInt8>, into output: inout [UInt8]) {
        chunk.withUnsafeBytes { run($0, ZSTD_e_continue, &output) }
    }

    /// Emits everything buffered so far as complete blocks, without closing the frame.
    public func flush(into output: inout [UInt8]) {
        run(UnsafeRawBufferPointer(start: nil, count: 0), ZSTD_e_flush, &output)
    }

    /// Closes the current frame. The next `feed` starts a new frame with the same settings.
    public func finish(into output: inout [UInt8]) {
        run(UnsafeRawBufferPointer(start: nil, count: 0), ZSTD_e_end, &output)
    }

    /// Compresses `bytes` as one complete frame (the header records its size).
    public func compressFrame(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { compressFrame($0) }
    }

    public func compressFrame(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.withUnsafeBytes { compressFrame($0) }
    }

    public func compressFrame(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        abandonFrame()
        let bound = ZSTD_compressBound(bytes.count)
        var failure = 0
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let written = ZSTD_compress2(context, buffer.baseAddress, buffer.count, bytes.baseAddress, bytes.count)
            if ZstdResult.isError(written) { failure = written; count = 0 } else { count = written }
        }
        if failure != 0 { fatalCompressionError(failure) }
        return out
    }

    /// Drops a frame in progress (its output so far is not a valid frame on its own).
    public func abandonFrame() {
        ZSTD_CCtx_reset(context, ZSTD_reset_session_only)
    }

    private func run(_ input: UnsafeRawBufferPointer, _ directive: ZSTD_EndDirective, _ output: inout [UInt8]) {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var outBuffer = ZSTD_outBuffer(dst: scratch.baseAddress, size: scratch.count, pos: 0)
            let remaining = ZSTD_compressStream2(context, &outBuffer, &inBuffer, directive)
            if ZstdResult.isError(remaining) { fatalCompressionError(remaining) }
            if outBuffer.pos > 0 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<outBuffer.pos]))
            }
            let inputDone = inBuffer.pos == inBuffer.size
            if directive == ZSTD_e_continue {
                if inputDone { return }
            } else if inputDone && remaining == 0 {
                return
            }
        }
    }

    /// With parameters validated in `init`, libzstd only fails here on memory exhaustion or misuse.
    private func fatalCompressionError(_ result: Int) -> Never {
        fatalError("zstd compression failed: \(ZstdResult.name(result))")
    }
}

@available(*, unavailable, message: "ZstdCompressor owns a ZSTD_CCtx, which is not thread-safe")
extension ZstdCompressor: Sendable {}
