/// Why an `HTTPServer` could not be created or started.
public struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A limit or count in the configuration is out of range.
        case invalidConfiguration
        /// `host` is not an IPv4 literal.
        case invalidAddress
        /// A TLS file cannot be read or is not PEM of the expected kind.
        case invalidTLSFile
        /// libmicrohttpd refused to start (address in use, permission, bad key or certificate).
        case startFailed
        /// `start()` was called twice, or after `shutdown`.
        case notStartable
    }

    public var code: Code
    public var message: String
    /// The listen address involved, "host:port".
    public var address: String?
    /// The file involved.
    public var path: String?

    public init(code: Code, message: String, address: String? = nil, path: String? = nil) {
        self.code = code
        self.message = message
        self.address = address
        self.path = path
    }

    public var description: String {
        var text = "HTTP server: \(message)"
        if let address, !message.contains(address) { text += " (address \(address))" }
        if let path, !message.contains(path) { text += " (file \(path))" }
        return text
    }
}
