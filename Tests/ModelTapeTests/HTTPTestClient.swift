import Foundation
import Testing

/// A blocking HTTP/1.1 client over one socket, reading the response incrementally so tests can see
/// when each piece of a streamed body arrives. Every read waits on the socket with a deadline.
final class HTTPTestClient {
    struct Head {
        var status: Int
        var headers: [String: String]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var head: Head?
    private var chunked = false
    private var remaining: Int?
    private var finished = false
    let timeoutSeconds: Double

    init(port: UInt16, timeoutSeconds: Double = 20) throws {
        self.timeoutSeconds = timeoutSeconds
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = port.bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw Failure(description: "cannot connect to port \(port): errno \(errno)")
        }
    }

    deinit { close(fd) }

    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        let bytes = Array(text.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            sent += n
        }
    }

    /// Sends bytes as they are (malformed requests).
    func sendRaw(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            sent += n
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill(deadline: ContinuousClock.Instant) throws -> Bool {
        var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let left = deadline - .now
        let ms = max(0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
        let ready = poll(&pollfd, 1, ms)
        guard ready > 0 else { throw Failure(description: "no data within the deadline") }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 0 else { throw Failure(description: "recv failed: errno \(errno)") }
        if n == 0 { return false }
        buffer += chunk[..<n]
        return true
    }

    private var deadline: ContinuousClock.Instant { .now + .milliseconds(Int(timeoutSeconds * 1000)) }

    private func line(deadline: ContinuousClock.Instant) throws -> [UInt8] {
        while true {
            if let index = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<index])
                buffer.removeFirst(index + 1)
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            guard try fill(deadline: deadline) else { throw Failure(description: "connection closed inside a line") }
        }
    }

    func readHead() throws -> Head {
        if let head { return head }
        let deadline = deadline
        let status = String(decoding: try line(deadline: deadline), as: UTF8.self)
        let parts = status.split(separator: " ")
        guard parts.count >= 2, let code = Int(parts[1]) else { throw Failure(description: "bad status line \(status)") }
        var headers: [String: String] = [:]
        while true {
            let text = String(decoding: try line(deadline: deadline), as: UTF8.self)
            if text.isEmpty { break }
            guard let colon = text.firstIndex(of: ":") else { continue }
            headers[text[..<colon].lowercased()] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false
        remaining = headers["content-length"].flatMap { Int($0) }
        let result = Head(status: code, headers: headers)
        head = result
        return result
    }

    /// The next piece of body as sent: one HTTP chunk of a chunked body, else what is available.
    /// nil at the end of the body.
    func readPiece() throws -> [UInt8]? {
        _ = try readHead()
        if finished { return nil }
        let deadline = deadline
        if chunked {
            let sizeLine = String(decoding: try line(deadline: deadline), as: UTF8.self)
            guard let size = Int(sizeLine.split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw Failure(description: "bad chunk size line \(sizeLine)")
            }
            if size == 0 {
                finished = true
                return nil
            }
            while buffer.count < size + 2 {
                guard try fill(deadline: deadline) else { throw Failure(description: "body cut inside a chunk") }
            }
            let piece = Array(buffer[..<size])
            buffer.removeFirst(size + 2)
            return piece
        }
        if let left = remaining {
            if left == 0 { finished = true; return nil }
            if buffer.isEmpty { guard try fill(deadline: deadline) else { throw Failure(description: "body shorter than its length") } }
            let piece = Array(buffer.prefix(left))
            buffer.removeFirst(piece.count)
            remaining = left - piece.count
            return piece
        }
        if buffer.isEmpty, try !fill(deadline: deadline) { finished = true; return nil }
        let piece = buffer
        buffer = []
        return piece
    }

    /// The rest of the body.
    func readBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while let piece = try readPiece() { body += piece }
        return body
    }

    /// One whole exchange on a fresh connection.
    static func exchange(port: UInt16, _ method: String, _ target: String, headers: [(String, String)] = [],
                         body: [UInt8] = []) throws -> (head: Head, body: [UInt8]) {
        let client = try HTTPTestClient(port: port)
        try client.send(method, target, headers: headers, body: body)
        let head = try client.readHead()
        return (head, try client.readBody())
    }
}
