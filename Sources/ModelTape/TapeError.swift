import TraceModel

/// Why a tape cannot be built from a session, naming the event.
public struct TapeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A model event's `data` does not decode.
        case invalidEvent = "invalid_event"
        /// A blob the event names is not available.
        case missingBlob = "missing_blob"
        /// A `model.response` whose `cause` is not a `model.request` of the session, or a second answer to one.
        case unmatchedResponse = "unmatched_response"
        /// The recorded chunk sizes do not add up to the body.
        case inconsistentChunks = "inconsistent_chunks"
        /// A request without a digest whose body cannot be canonicalized either.
        case noDigest = "no_digest"
    }

    public var code: Code
    /// seq of the event involved.
    public var seq: UInt64
    public var message: String

    public init(code: Code, seq: UInt64, message: String) {
        self.code = code
        self.seq = seq
        self.message = message
    }

    public var description: String { "tape: event \(seq): \(message)" }
}
