#if canImport(Glibc)
import Glibc
#endif

/// Checks done before a server is built: ranges and TLS files.
extension HTTPServer {
    static func validate(_ configuration: HTTPServerConfiguration) throws {
        func check(_ ok: Bool, _ what: String) throws {
            guard ok else {
                throw HTTPServerError(code: .invalidConfiguration, message: what, address: configuration.listenAddress)
            }
        }
        try check((1...1024).contains(configuration.threads), "threads must be 1...1024, not \(configuration.threads)")
        try check((1...1_000_000).contains(configuration.connectionLimit),
                  "connectionLimit must be 1...1000000, not \(configuration.connectionLimit)")
        try check((0...86_400).contains(configuration.idleTimeoutSeconds),
                  "idleTimeoutSeconds must be 0...86400, not \(configuration.idleTimeoutSeconds)")
        try check((1...86_400).contains(configuration.requestTimeoutSeconds),
                  "requestTimeoutSeconds must be 1...86400, not \(configuration.requestTimeoutSeconds)")
        try check((1024...(16 << 20)).contains(configuration.maxHeaderBytes),
                  "maxHeaderBytes must be 1 KiB...16 MiB, not \(configuration.maxHeaderBytes)")
        try check(configuration.maxBodyBytes >= 0, "maxBodyBytes must not be negative")
    }

    /// Reads the PEM certificate and key, checking each is the kind of PEM it should be.
    static func loadTLS(_ files: TLSFiles) throws -> TLSMaterial {
        let certificate = try readPEM(files.certificatePath, label: "CERTIFICATE", role: "certificate")
        let key = try readPEM(files.keyPath, label: "PRIVATE KEY", role: "private key")
        return TLSMaterial(certificate: certificate, key: key)
    }

    private static func readPEM(_ path: String, label: String, role: String) throws -> String {
        func failure(_ reason: String) -> HTTPServerError {
            HTTPServerError(code: .invalidTLSFile, message: "TLS \(role) \(path): \(reason)", path: path)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure(String(cString: strerror(errno))) }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= 1 << 20 else { throw failure("larger than 1 MiB, not a PEM file") }
        }
        guard let text = String(validating: bytes, as: UTF8.self),
              text.contains("-----BEGIN "), text.contains(label + "-----") else {
            throw failure("not a PEM \(role) (no '-----BEGIN … \(label)-----' block)")
        }
        return text
    }
}
