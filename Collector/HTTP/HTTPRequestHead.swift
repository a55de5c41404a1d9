/// A request as known when its headers are complete, before any body byte is read.
public struct HTTPRequestHead: Sendable {
    /// "GET", "POST", ... as sent.
    public var method: String
    /// The raw path (not percent-decoded), without the query string.
    public var path: String
    /// Decoded query parameters, in order of appearance per name.
    public var query: [String: [String]]
    /// Header names lowercased; repeated headers joined with ", ".
    public var headers: [String: String]
    public var remoteAddress: String?
    /// The announced body size; nil for chunked bodies and requests without one.
    public var contentLength: Int?

    public init(method: String, path: String, query: [String: [String]] = [:], headers: [String: String] = [:],
                remoteAddress: String? = nil, contentLength: Int? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.contentLength = contentLength
    }

    /// The value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
