import TraceModel

/// One recorded model call on a tape: the request's match key and the response to serve.
public struct TapeEntry: Sendable {
    /// Position on the tape (0-based, in recorded order).
    public var index: Int
    /// seq of the `model.request` event.
    public var requestSeq: UInt64
    /// The canonical request digest (the match key).
    public var digest: Digest
    public var provider: String
    public var model: String
    /// The endpoint as recorded (the upstream URL).
    public var endpoint: String?
    public var stream: Bool
    /// What to answer; nil when the recording holds no response (the session ended mid-call).
    public var response: TapeResponse?

    public init(index: Int, requestSeq: UInt64, digest: Digest, provider: String, model: String, endpoint: String?,
                stream: Bool, response: TapeResponse?) {
        self.index = index
        self.requestSeq = requestSeq
        self.digest = digest
        self.provider = provider
        self.model = model
        self.endpoint = endpoint
        self.stream = stream
        self.response = response
    }
}

/// A recorded response: status, headers, and the body cut at the recorded chunk boundaries.
public struct TapeResponse: Sendable {
    /// seq of the `model.response` event.
    public var responseSeq: UInt64
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The body as it arrived: one element per recorded chunk (one for a body that was not streamed).
    public var chunks: [[UInt8]]
    /// When each chunk arrived, in milliseconds after the request was sent (empty when not recorded).
    public var offsetsMs: [Double]

    public init(responseSeq: UInt64, status: Int, headers: [(name: String, value: String)], chunks: [[UInt8]], offsetsMs: [Double]) {
        self.responseSeq = responseSeq
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.offsetsMs = offsetsMs
    }

    /// The whole body.
    public var body: [UInt8] { chunks.flatMap { $0 } }

    /// Whether the body was a server-sent-event stream.
    public var isEventStream: Bool {
        headers.contains { $0.name.lowercased() == "content-type" && $0.value.lowercased().hasPrefix("text/event-stream") }
    }
}
