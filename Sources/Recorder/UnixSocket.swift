#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the recorder's local socket, with the path and the system's reason.
public struct RecorderSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "recorder socket \(path): \(message)" }

    static func system(_ path: String, _ what: String) -> RecorderSocketError {
        RecorderSocketError(path: path, message: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// Unix-domain stream sockets: the only transport between an agent's process tree and its recorder
/// (and, in a harness replay, between the sandbox and the host's tape server).
public enum UnixSocket {
    /// The longest path `sockaddr_un` holds (including the terminating zero).
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    static func address(_ path: String) throws(RecorderSocketError) -> sockaddr_un {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < maxPathBytes else {
            throw RecorderSocketError(path: path, message: "the path must be 1...\(maxPathBytes - 1) bytes long")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
            raw[bytes.count] = 0
        }
        return address
    }

    /// Creates, binds and listens; the socket file is made private to the owner.
    public static func listen(path: String) throws(RecorderSocketError) -> Int32 {
        var address = try address(path)
        unlink(path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .system(path, "cannot create a socket") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o600) == 0, Glibc.listen(descriptor, 64) == 0 else {
            let error = RecorderSocketError.system(path, "cannot listen")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    public static func connect(path: String) throws(RecorderSocketError) -> Int32 {
        var address = try address(path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .system(path, "cannot create a socket") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let error = RecorderSocketError.system(path, "cannot connect (is the recorder running?)")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Writes every byte, retrying on EINTR. MSG_NOSIGNAL: a vanished peer is an error, not SIGPIPE.
    static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}

/// Reads newline-terminated lines from a descriptor, refusing lines longer than a limit.
struct LineReader {
    let descriptor: Int32
    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes from `start` already searched for a newline, so a long line is scanned once.
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(descriptor: Int32, maxLineBytes: Int) {
        self.descriptor = descriptor
        self.maxLineBytes = maxLineBytes
    }

    enum Outcome: Equatable {
        case line([UInt8])
        case end
        case tooLong
        case failed(Int32)
    }

    mutating func next() -> Outcome {
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                scanned = 0
                if start > 1 << 16, start * 2 > buffer.count {
                    buffer.removeFirst(start)
                    start = 0
                }
                return .line(line)
            }
            scanned = buffer.count - start
            if scanned > maxLineBytes { return .tooLong }
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if n == 0 { return .end }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}
