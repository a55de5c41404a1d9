#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connection to a running recorder (the agent side of `PARALLAX_SOCKET`).
public final class RecorderSocketClient {
    public let path: String
    private let descriptor: Int32
    private var reader: LineReader

    public init(path: String) throws(RecorderSocketError) {
        self.path = path
        descriptor = try UnixSocket.connect(path: path)
        reader = LineReader(descriptor: descriptor, maxLineBytes: 1 << 20)
    }

    deinit { close(descriptor) }

    /// Sends one request and waits for its reply.
    public func send(_ request: RecorderRequest) throws(RecorderSocketError) -> RecorderReply {
        guard UnixSocket.sendAll(descriptor, request.encoded() + [0x0A]) else {
            throw .system(path, "cannot send to the recorder")
        }
        switch reader.next() {
        case .line(let line): return RecorderReply.decode(line)
        case .end: throw RecorderSocketError(path: path, message: "the recorder closed the connection without answering")
        case .tooLong: throw RecorderSocketError(path: path, message: "the recorder's answer is too long")
        case .failed(let code):
            throw RecorderSocketError(path: path, message: "cannot read the answer: \(String(cString: strerror(code)))")
        }
    }
}
