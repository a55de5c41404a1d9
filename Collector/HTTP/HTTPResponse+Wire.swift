/// Replies the server makes itself, and the raw form of a reply written around libmicrohttpd.
extension HTTPResponse {
    static func bodyTooLarge(limit: Int) -> HTTPResponse {
        .error(413, code: "body_too_large", message: "request body exceeds \(limit) bytes")
    }

    static func requestTimeout(_ seconds: Int) -> HTTPResponse {
        .error(408, code: "request_timeout", message: "request not received within \(seconds) s")
    }

    static func badTarget(_ target: String) -> HTTPResponse {
        let shown = target.count > 200 ? String(target.prefix(200)) + "…" : target
        return .error(400, code: "bad_request", message: "malformed request target: \(shown)")
    }

    static var draining: HTTPResponse {
        .error(503, code: "draining", message: "the server is shutting down", headers: [("Retry-After", "1")])
    }

    /// The complete HTTP/1.1 message, announcing that the connection closes after it.
    /// Used when libmicrohttpd cannot queue a reply (while it still expects body bytes).
    func serializedForClose() -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for (name, value) in headers where !Self.isFramingHeader(name) {
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8) + body
    }

    /// Headers the server frames itself; a handler's values for them are not sent as is.
    static func isFramingHeader(_ name: String) -> Bool {
        switch name.lowercased() {
        case "content-length", "transfer-encoding", "connection": true
        default: false
        }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}
