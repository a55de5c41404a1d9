/// A complete request, body included.
public struct HTTPRequest: Sendable {
    /// "GET", "POST", ... as sent.
    public var method: String
    /// The raw path (not percent-decoded), without the query string, e.g. "/v1/blobs/sha256/ab..".
    public var path: String
    /// Decoded query parameters, in order of appearance per name.
    public var query: [String: [String]]
    /// Header names lowercased; repeated headers joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]
    public var remoteAddress: String?

    public init(method: String, path: String, query: [String: [String]] = [:], headers: [String: String] = [:],
                body: [UInt8] = [], remoteAddress: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    public init(head: HTTPRequestHead, body: [UInt8]) {
        self.init(method: head.method, path: head.path, query: head.query, headers: head.headers,
                  body: body, remoteAddress: head.remoteAddress)
    }

    /// The value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
