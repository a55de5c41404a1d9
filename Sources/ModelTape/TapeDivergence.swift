import TraceModel

/// A replayed request the tape did not answer with a recording.
public struct TapeDivergence: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// No unused entry has this digest.
        case notOnTape = "not_on_tape"
        /// An entry has it, but further ahead than the policy's reorder window.
        case outOfOrder = "out_of_order"
        /// Every recorded call has been served already.
        case tapeExhausted = "tape_exhausted"
        /// The body could not be canonicalized.
        case invalidRequest = "invalid_request"
        /// The path or method is not a recorded model API.
        case unsupportedEndpoint = "unsupported_endpoint"
    }

    /// Position of the request among all requests the tape server received (0-based).
    public var requestIndex: Int
    public var reason: Reason
    /// "POST /v1/messages".
    public var endpoint: String
    /// The digest of the request received (nil when it could not be computed).
    public var got: Digest?
    /// The digest of the entry the tape expected next (nil when exhausted).
    public var expected: Digest?
    /// seq of the expected entry's `model.request`.
    public var expectedSeq: UInt64?
    public var message: String

    public init(requestIndex: Int, reason: Reason, endpoint: String, got: Digest?, expected: Digest?, expectedSeq: UInt64?,
                message: String) {
        self.requestIndex = requestIndex
        self.reason = reason
        self.endpoint = endpoint
        self.got = got
        self.expected = expected
        self.expectedSeq = expectedSeq
        self.message = message
    }

    public var description: String {
        "request \(requestIndex) (\(endpoint)): \(reason.rawValue): \(message)"
    }

    /// The JSON object carried in the error reply and in reports.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "request_index": .number(JSONNumber(requestIndex)), "reason": .string(reason.rawValue),
            "endpoint": .string(endpoint), "message": .string(message),
        ]
        if let got { object["got_digest"] = .string(got.description) }
        if let expected { object["expected_digest"] = .string(expected.description) }
        if let expectedSeq { object["expected_seq"] = .number(JSONNumber(expectedSeq)) }
        return .object(object)
    }
}

/// A replayed request the tape answered from a recording.
public struct TapeServedCall: Sendable, Hashable {
    public var requestIndex: Int
    /// The entry served (index on the tape).
    public var entry: Int
    public var digest: Digest
    /// When the request arrived (wall clock), to place the call among other events of a replay.
    public var receivedAt: Timestamp = .now()
}
