/// The application side of an `HTTPServer`. Both calls run on a server thread.
public protocol HTTPHandler: Sendable {
    /// Called on a server thread when the headers are complete, before any body byte is read.
    /// Return a response to answer immediately without reading the body (401, 404, 413, 415, 429, 503 ...).
    func preflight(_ head: HTTPRequestHead) -> HTTPResponse?
    /// Called on a server thread with the complete body. May block (e.g. waiting for a durable commit).
    func handle(_ request: HTTPRequest) -> HTTPResponse
    /// The body limit for this request, replacing `HTTPServerConfiguration.maxBodyBytes` when not nil
    /// (e.g. a larger limit for blob uploads). Called before `preflight`.
    func bodyLimit(for head: HTTPRequestHead) -> Int?
}

extension HTTPHandler {
    public func bodyLimit(for head: HTTPRequestHead) -> Int? { nil }
}
