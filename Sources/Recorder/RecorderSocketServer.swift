#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Listens on the session's Unix socket and answers each request line with the handler's reply.
/// Every connection gets its own thread, so a slow client never holds up another.
public final class RecorderSocketServer: Sendable {
    public typealias Handler = @Sendable (RecorderRequest) -> RecorderReply

    public let path: String
    private let listener: Int32
    private let handler: Handler
    private let state = Mutex(State())

    private struct State {
        var stopped = false
        var connections: Set<Int32> = []
    }

    /// Binds `path` (owner-only permissions) and starts accepting.
    public init(path: String, handler: @escaping Handler) throws(RecorderSocketError) {
        self.path = path
        self.handler = handler
        listener = try UnixSocket.listen(path: path)
        let server = self
        guard DetachedThread.start({ server.acceptLoop() }) else {
            close(listener)
            throw RecorderSocketError(path: path, message: "cannot start the accept thread")
        }
    }

    /// Stops accepting, closes open connections and removes the socket file.
    public func stop() {
        let connections = state.withLock { state -> Set<Int32> in
            guard !state.stopped else { return [] }
            state.stopped = true
            return state.connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for descriptor in connections { shutdown(descriptor, Int32(SHUT_RDWR)) }
        unlink(path)
    }

    private func acceptLoop() {
        while true {
            let descriptor = accept(listener, nil, nil)
            if descriptor < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno == EMFILE || errno == ENFILE {
                    // Out of descriptors: let a connection finish rather than spin.
                    sched_yield()
                    continue
                }
                break
            }
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections.insert(descriptor)
                return true
            }
            guard admitted else {
                close(descriptor)
                break
            }
            let server = self
            if !DetachedThread.start({ server.serve(descriptor) }) {
                serve(descriptor)
            }
        }
        close(listener)
    }

    private func serve(_ descriptor: Int32) {
        defer {
            state.withLock { _ = $0.connections.remove(descriptor) }
            close(descriptor)
        }
        var reader = LineReader(descriptor: descriptor, maxLineBytes: RecorderRequest.maxLineBytes)
        while true {
            let reply: RecorderReply
            switch reader.next() {
            case .line(let line):
                if line.isEmpty { continue }
                do {
                    reply = handler(try RecorderRequest.decode(line))
                } catch {
                    reply = .failed(error.description)
                }
            case .tooLong:
                _ = UnixSocket.sendAll(descriptor, RecorderReply.failed(
                    "request line longer than \(RecorderRequest.maxLineBytes) bytes; put large content in a blob").encoded() + [0x0A])
                return
            case .end, .failed:
                return
            }
            guard UnixSocket.sendAll(descriptor, reply.encoded() + [0x0A]) else { return }
        }
    }
}
