import CZstd

/// A zstd decompression context (`ZSTD_DCtx`) that enforces `ZstdLimits` while streaming.
/// `feed` compressed chunks (any number of concatenated frames), then `finish` to check the input
/// did not stop mid-frame. After an error the decompressor refuses further input until `reset()`.
/// Not thread-safe: use one per task.
public final class ZstdDecompressor {
    private let context: OpaquePointer
    private let scratch: UnsafeMutableBufferPointer<UInt8>
    public let limits: ZstdLimits
    public let format: ZstdFrameFormat

    /// Compressed bytes consumed since the last reset.
    public private(set) var inputBytes = 0
    /// Decompressed bytes produced since the last reset.
    public private(set) var outputBytes = 0
    /// Complete frames decoded since the last reset.
    public private(set) var frames = 0

    private var frameStart = 0
    private var inFrame = false
    private var failure: ZstdError?

    public init(
        limits: ZstdLimits = .init(), dictionary: ZstdDictionary? = nil, format: ZstdFrameFormat = .standard
    ) throws(ZstdError) {
        guard let context = ZSTD_createDCtx() else {
            throw ZstdError(code: .library, message: "cannot allocate a decompression context")
        }
        self.context = context
        self.limits = limits
        self.format = format
        self.scratch = .allocate(capacity: ZSTD_DStreamOutSize())
        guard limits.maxDecompressedBytes >= 0 else {
            throw ZstdError(code: .invalidParameter, message: "maxDecompressedBytes must not be negative")
        }
        try ZstdResult.check(
            ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, limits.maxWindowLog),
            "setting maxWindowLog=\(limits.maxWindowLog)")
        if format == .magicless {
            // ZSTD_d_format (experimental param 1) = ZSTD_f_zstd1_magicless.
            try ZstdResult.check(
                ZSTD_DCtx_setParameter(context, ZSTD_d_experimentalParam1, Int32(ZSTD_f_zstd1_magicless.rawValue)),
                "selecting the magicless format")
        }
        if let dictionary {
            let result = dictionary.bytes.withUnsafeBytes { ZSTD_DCtx_loadDictionary(context, $0.baseAddress, $0.count) }
            try ZstdResult.check(result, "loading a \(dictionary.bytes.count)-byte dictionary")
        }
    }

    deinit {
        ZSTD_freeDCtx(context)
        scratch.deallocate()
    }

    /// Forgets any frame in progress, the counters and a previous error; keeps limits and dictionary.
    public func reset() {
        ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
        inputBytes = 0
        outputBytes = 0
        frames = 0
        frameStart = 0
        inFrame = false
        failure = nil
    }

    /// Decompresses `chunk`, appending the output. Throws as soon as a limit is passed.
    public func feed(_ chunk: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ZstdError) {
        if let failure { throw failure }
        if let error = run(chunk, &output) {
            failure = error
            throw error
        }
    }

    public func feed(_ chunk: [UInt8], into output: inout [UInt8]) throws(ZstdError) {
        if let error = chunk.withUnsafeBytes({ feedCapturingError($0, &output) }) { throw error }
    }

    public func feed(_ chunk: ArraySlice<UInt8>, into output: inout [UInt8]) throws(ZstdError) {
        if let error = chunk.withUnsafeBytes({ feedCapturingError($0, &output) }) { throw error }
    }

    /// Declares the end of input: throws `.truncated` if it stopped inside a frame or held no frame.
    public func finish() throws(ZstdError) {
        if let failure { throw failure }
        if inFrame {
            let error = ZstdError(
                code: .truncated,
                message: "input ends inside the frame that starts at byte \(frameStart) (\(inputBytes) bytes read)",
                offset: inputBytes)
            failure = error
            throw error
        }
        if frames == 0 {
            let error = ZstdError(code: .truncated, message: "input holds no zstd frame", offset: inputBytes)
            failure = error
            throw error
        }
    }

    /// Resets, decompresses all of `bytes` (one or more complete frames) and returns the output.
    public func decompressAll(_ bytes: [UInt8]) throws(ZstdError) -> [UInt8] {
        reset()
        if let output = bytes.withUnsafeBytes({ decompressKnownSize($0) }) { return output }
        // The streaming path handles unknown sizes and produces the detailed errors.
        reset()
        var output: [UInt8] = []
        output.reserveCapacity(Self.sizeHint(bytes, limits: limits))
        try feed(bytes, into: &output)
        try finish()
        return output
    }

    /// Fast path for a frame whose header declares a size within the limits: decode straight into
    /// an array of that size. Returns nil (and decodes nothing) whenever the streaming path is needed.
    private func decompressKnownSize(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        var header = ZSTD_frameHeader()
        let frameFormat = format == .magicless ? ZSTD_f_zstd1_magicless : ZSTD_f_zstd1
        guard ZSTD_getFrameHeader_advanced(&header, input.baseAddress, input.count, frameFormat) == 0,
            header.frameType == ZSTD_frame,
            header.frameContentSize <= UInt64(limits.maxDecompressedBytes),
            header.windowSize <= UInt64(1) << UInt64(limits.maxWindowLog)
        else { return nil }
        if format == .standard && ZSTD_findFrameCompressedSize(input.baseAddress, input.count) != input.count {
            return nil  // several frames, trailing bytes or an error: let the stream sort it out
        }
        let size = Int(header.frameContentSize)
        var decoded = 0
        let output = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            decoded = ZSTD_decompressDCtx(context, buffer.baseAddress, size, input.baseAddress, input.count)
            count = ZstdResult.isError(decoded) ? 0 : decoded
        }
        ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
        guard !ZstdResult.isError(decoded), decoded == size else { return nil }
        inputBytes = input.count
        outputBytes = size
        frames = 1
        frameStart = input.count
        return output
    }

    private func feedCapturingError(_ chunk: UnsafeRawBufferPointer, _ output: inout [UInt8]) -> ZstdError? {
        do throws(ZstdError) {
            try feed(chunk, into: &output)
            return nil
        } catch {
            return error
        }
    }

    private func run(_ input: UnsafeRawBufferPointer, _ output: inout [UInt8]) -> ZstdError? {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        let base = inputBytes
        defer { inputBytes = base + inBuffer.pos }
        while true {
            let startPos = inBuffer.pos
            // One byte past the limit is enough to prove the limit was passed.
            let allowance = limits.maxDecompressedBytes - outputBytes
            let room = min(scratch.count, allowance + 1)
            var outBuffer = ZSTD_outBuffer(dst: scratch.baseAddress, size: room, pos: 0)
            let hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
            if ZstdResult.isError(hint) {
                return failureError(hint, consumed: base + inBuffer.pos)
            }
            if inBuffer.pos > startPos || outBuffer.pos > 0 { inFrame = true }
            if outBuffer.pos > allowance {
                return ZstdError(
                    code: .outputLimitExceeded,
                    message: "output passes the \(limits.maxDecompressedBytes)-byte limit "
                        + "in the frame that starts at byte \(frameStart)",
                    offset: base + inBuffer.pos)
            }
            if outBuffer.pos > 0 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<outBuffer.pos]))
                outputBytes += outBuffer.pos
            }
            if hint == 0 && inFrame {
                frames += 1
                inFrame = false
                frameStart = base + inBuffer.pos
            }
            let outputFull = outBuffer.pos == outBuffer.size
            if inBuffer.pos == inBuffer.size && !outputFull { return nil }
        }
    }

    private func failureError(_ result: Int, consumed: Int) -> ZstdError {
        let code = ZstdResult.code(of: result)
        let name = ZstdResult.name(result)
        switch code {
        case .wrongMagic:
            return ZstdError(code: code, message: "no zstd magic number at the start of a frame (\(name))", offset: frameStart)
        case .windowTooLarge:
            return ZstdError(
                code: code,
                message: "frame needs a window over 2^\(limits.maxWindowLog) bytes (\(name))",
                offset: frameStart)
        default:
            return ZstdError(
                code: code, message: "in the frame that starts at byte \(frameStart): \(name)", offset: consumed)
        }
    }

    /// A capacity to reserve: the first frame's declared size when it is known, capped by the limit.
    static func sizeHint(_ bytes: [UInt8], limits: ZstdLimits) -> Int {
        let declared = bytes.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        // ZSTD_CONTENTSIZE_UNKNOWN / _ERROR are the two largest values; both fall back to a guess.
        if declared >= UInt64.max - 1 { return min(bytes.count * 4, limits.maxDecompressedBytes) }
        return Int(min(declared, UInt64(max(0, limits.maxDecompressedBytes))))
    }
}

@available(*, unavailable, message: "ZstdDecompressor owns a ZSTD_DCtx, which is not thread-safe")
extension ZstdDecompressor: Sendable {}
