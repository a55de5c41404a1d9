#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Recorder

/// The relay's open connections, each a TCP client paired with its own connection to the Unix
/// socket, driven by one `poll` loop: non-blocking sockets, one buffer per direction (read again
/// only once it is written out), and an end of input passed on as a half close.
struct ConnectionTable {
    /// One direction of a pair. A flow whose `to` is -1 discards what it reads; one whose `from` is
    /// -1 only writes what it was given (a refused client's reply).
    struct Flow {
        var from: Int32
        var to: Int32
        var pending: [UInt8] = []
        var sent = 0
        var ended = false
        var shutDown = false

        var hasPending: Bool { sent < pending.count }
    }

    struct Pair {
        var up: Flow
        var down: Flow
        var failed = false

        var finished: Bool { failed || (up.shutDown && down.shutDown) }
    }

    let socketPath: String
    private(set) var pairs: [Pair] = []
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// Waits for something to do (a new connection, bytes, room to write, or the wake pipe) and does it.
    mutating func pollOnce(listener: Int32, wake: Int32) {
        var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        // What each further entry stands for: pair index, upstream flow or not, reading or not.
        var roles: [(pair: Int, up: Bool, reading: Bool)] = []
        for (index, pair) in pairs.enumerated() {
            for (up, flow) in [(true, pair.up), (false, pair.down)] {
                if flow.hasPending {
                    fds.append(pollfd(fd: flow.to, events: Int16(POLLOUT), revents: 0))
                    roles.append((index, up, false))
                } else if !flow.ended {
                    fds.append(pollfd(fd: flow.from, events: Int16(POLLIN), revents: 0))
                    roles.append((index, up, true))
                }
            }
        }
        // The wake pipe ends the wait when the command exits; the timeout only bounds a missed wake-up.
        let ready = poll(&fds, nfds_t(fds.count), 1000)
        if ready <= 0 { return }
        if fds[1].revents != 0 {
            var drain = [UInt8](repeating: 0, count: 64)
            while read(wake, &drain, drain.count) > 0 {}
        }
        for (offset, role) in roles.enumerated() where fds[offset + 2].revents != 0 {
            var pair = pairs[role.pair]
            if role.up {
                Self.step(&pair.up, reading: role.reading, failed: &pair.failed, buffer: &buffer)
            } else {
                Self.step(&pair.down, reading: role.reading, failed: &pair.failed, buffer: &buffer)
            }
            pairs[role.pair] = pair
        }
        for index in pairs.indices {
            Self.finishFlow(&pairs[index].up)
            Self.finishFlow(&pairs[index].down)
        }
        for pair in pairs where pair.finished { Self.close(pair) }
        pairs.removeAll { $0.finished }
        if fds[0].revents != 0 { acceptAll(listener) }
    }

    /// Reads from or writes for one flow; a broken socket fails the whole pair.
    private static func step(_ flow: inout Flow, reading: Bool, failed: inout Bool, buffer: inout [UInt8]) {
        if reading {
            let count = buffer.withUnsafeMutableBytes { recv(flow.from, $0.baseAddress, $0.count, 0) }
            if count > 0, flow.to < 0 {
                return
            } else if count > 0 {
                flow.pending = Array(buffer[0..<count])
                flow.sent = 0
                write(&flow, failed: &failed)
            } else if count == 0 {
                flow.ended = true
            } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                failed = true
            }
        } else {
            write(&flow, failed: &failed)
        }
    }

    private static func write(_ flow: inout Flow, failed: inout Bool) {
        while flow.hasPending {
            let count = flow.pending.withUnsafeBytes { raw in
                send(flow.to, raw.baseAddress! + flow.sent, raw.count - flow.sent, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                flow.sent += count
            } else {
                if count < 0, errno == EINTR { continue }
                if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { return }
                failed = true
                return
            }
        }
        flow.pending = []
        flow.sent = 0
    }

    /// Passes an end of input on once everything before it is written.
    private static func finishFlow(_ flow: inout Flow) {
        guard flow.ended, !flow.hasPending, !flow.shutDown else { return }
        if flow.to >= 0 { shutdown(flow.to, Int32(SHUT_WR)) }
        flow.shutDown = true
    }

    /// Accepts every waiting client and connects each to the socket; a client the socket cannot
    /// take gets an HTTP 502 explaining why, then is closed.
    private mutating func acceptAll(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let server: Int32
            do {
                server = try UnixSocket.connect(path: socketPath)
            } catch {
                // Answered once the client's request is read (closing on an unread request resets it).
                _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                let reply = Self.refusal("parallax relay: cannot reach \(socketPath): \(error.message)")
                pairs.append(Pair(up: Flow(from: client, to: -1), down: Flow(from: -1, to: client, pending: reply, ended: true)))
                continue
            }
            for descriptor in [client, server] {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            }
            pairs.append(Pair(up: Flow(from: client, to: server), down: Flow(from: server, to: client)))
        }
    }

    /// An HTTP 502 whose JSON body carries `message`.
    static func refusal(_ message: String) -> [UInt8] {
        let escaped = message.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        let body = "{\"error\":{\"type\":\"parallax_relay\",\"message\":\"\(escaped)\"}}"
        let reply = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        return Array(reply.utf8)
    }

    static func close(_ pair: Pair) {
        for descriptor in [pair.up.from, pair.up.to] where descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Closes every connection (the command has ended).
    mutating func closeAll() {
        for pair in pairs { Self.close(pair) }
        pairs = []
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else if character.isNewline || character == "\t" { out += " " } else { out.append(character) }
        }
        return out
    }
}
