import TraceModel

/// A response to queue on the connection. `Content-Length` is computed from `body`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A body with `Content-Type: application/json`.
    public static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// A body with `Content-Type: text/plain; charset=utf-8`.
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// The protocol's error reply: `{"error": code, "message": message}` (schemas/wire.md §4.4).
    public static func error(_ status: Int, code: String, message: String,
                             headers: [(String, String)] = []) -> HTTPResponse {
        let body = JSONValue.object(["error": .string(code), "message": .string(message)]).canonicalBytes()
        var response = HTTPResponse.json(status, body)
        response.headers += headers
        return response
    }

    /// The value of a header, matched case-insensitively (the first one if repeated).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.0.lowercased() == lowered }?.1
    }
}
