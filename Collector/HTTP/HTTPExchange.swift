/// One request on a connection, from its request line to its completion. Retained in MHD's
/// `*con_cls`; only the server thread that owns the connection touches it.
final class HTTPExchange {
    let connection: HTTPConnection?
    /// The request target exactly as sent.
    let target: String
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var bodyLimit = 0
    /// Counted in `HTTPServer.activeRequests` until completion.
    var isCounted = false
    /// A response was queued or written; later calls only drain.
    var isAnswered = false

    init(connection: HTTPConnection?, target: String) {
        self.connection = connection
        self.target = target
    }
}

@available(*, unavailable)
extension HTTPExchange: Sendable {}
