import TraceModel

/// Why shipping (part of) a spool did not work, with the collector, session or blob it concerns.
public struct ShipperError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The configuration cannot work (no URL, a bad URL, a token over plain HTTP to a remote host).
        case configuration
        /// No collector could be reached or all of them stayed busy (connection errors, timeouts, 5xx, 429/503).
        case unavailable
        /// A collector refused the request in a way resending cannot fix (400, 401, 403, 404, 415).
        case refused
        /// A collector answered 200 with a reply that does not follow the wire protocol.
        case malformedReply = "malformed_reply"
        /// The spool could not be read or its watermark could not be moved.
        case spool
        /// A blob an event names is neither in the spool nor on the collector, or cannot be uploaded.
        case blob
        /// The shipper was told to stop before it finished.
        case stopped
    }

    public var code: Code
    public var message: String
    /// The collector base URL the error came from, when one was involved.
    public var collector: String?
    public var session: SessionID?

    public init(_ code: Code, _ message: String, collector: String? = nil, session: SessionID? = nil) {
        self.code = code
        self.message = message
        self.collector = collector
        self.session = session
    }

    public var description: String {
        var text = message
        if let session { text = "session \(session): " + text }
        if let collector { text += " (\(collector))" }
        return text
    }
}
