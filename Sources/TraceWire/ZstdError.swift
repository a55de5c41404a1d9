import CZstd

/// A zstd failure: what went wrong, in words, and where in the compressed input when known.
public struct ZstdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of failure. Raw values are stable and safe to put in logs and HTTP replies.
    public enum Code: String, Sendable {
        /// The input ended in the middle of a frame (or held no frame at all).
        case truncated
        /// A frame does not start with the zstd magic number: this is not zstd data.
        case wrongMagic = "wrong_magic"
        /// The frame's magic is right but its contents do not decode.
        case corrupt
        /// The frame asks for a window larger than `ZstdLimits.maxWindowLog` allows.
        case windowTooLarge = "window_too_large"
        /// Decompressing would produce more than `ZstdLimits.maxDecompressedBytes`.
        case outputLimitExceeded = "output_limit_exceeded"
        /// The frame needs a dictionary other than the one supplied (or none was supplied).
        case dictionaryMismatch = "dictionary_mismatch"
        /// A dictionary could not be loaded or trained.
        case dictionaryInvalid = "dictionary_invalid"
        /// A compression or decompression parameter is out of range.
        case invalidParameter = "invalid_parameter"
        /// Any other library failure (for example, memory allocation).
        case library
    }

    public var code: Code
    public var message: String
    /// Byte offset into the compressed input where the problem was detected, when known.
    public var offset: Int?

    public init(code: Code, message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "zstd \(code.rawValue) at byte \(offset): \(message)" }
        return "zstd \(code.rawValue): \(message)"
    }
}

/// Helpers to turn libzstd's `size_t` results into `ZstdError`s.
enum ZstdResult {
    /// libzstd encodes error `n` as `(size_t)-n`; the numbers below are from `zstd_errors.h`.
    static func isError(_ result: Int) -> Bool { ZSTD_isError(result) != 0 }

    static func errorNumber(_ result: Int) -> Int { 0 &- result }

    static func name(_ result: Int) -> String { String(cString: ZSTD_getErrorName(result)) }

    /// Maps a libzstd error to our codes.
    static func code(of result: Int) -> ZstdError.Code {
        switch errorNumber(result) {
        case 10: return .wrongMagic               // prefix_unknown
        case 16: return .windowTooLarge           // frameParameter_windowTooLarge
        case 32: return .dictionaryMismatch       // dictionary_wrong
        case 30, 34: return .dictionaryInvalid    // dictionary_corrupted, dictionaryCreation_failed
        case 40, 41, 42: return .invalidParameter // parameter_unsupported / combination / outOfBound
        case 64: return .library                  // memory_allocation
        case 12, 14, 20, 22, 24, 44, 46, 48, 72: return .corrupt
        default: return .library
        }
    }

    static func error(_ result: Int, while doing: String, offset: Int? = nil) -> ZstdError {
        ZstdError(code: code(of: result), message: "\(doing): \(name(result))", offset: offset)
    }

    /// Throws when `result` is a libzstd error.
    static func check(_ result: Int, _ doing: @autoclosure () -> String) throws(ZstdError) {
        if isError(result) { throw error(result, while: doing()) }
    }
}
