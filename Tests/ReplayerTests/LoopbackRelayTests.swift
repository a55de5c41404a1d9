import Foundation
import Recorder
import Testing

/// `parallax-agent relay`, run as a real process: a loopback port forwarded to a Unix socket while a
/// command runs, ending with the command's status.
@Suite("loopback relay")
struct LoopbackRelayTests {
    /// A Unix socket that answers each connection with everything it read, reversed, once the client
    /// has half-closed; served on a plain thread.
    final class ReversingServer: @unchecked Sendable {
        // @unchecked: `listener` and `path` are immutable after init; each connection is one thread's.
        let path: String
        let listener: Int32

        init(_ path: String) throws {
            self.path = path
            listener = try UnixSocket.listen(path: path)
            let listener = listener
            Thread.detachNewThread {
                while true {
                    let client = accept(listener, nil, nil)
                    if client < 0 { return }
                    Thread.detachNewThread {
                        var received: [UInt8] = []
                        var buffer = [UInt8](repeating: 0, count: 65536)
                        while true {
                            let count = recv(client, &buffer, buffer.count, 0)
                            if count <= 0 { break }
                            received += buffer[0..<count]
                        }
                        let reply = Array(received.reversed())
                        var sent = 0
                        while sent < reply.count {
                            let count = reply[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                            if count <= 0 { break }
                            sent += count
                        }
                        close(client)
                    }
                }
            }
        }

        func stop() {
            shutdown(listener, Int32(SHUT_RDWR))
            unlink(path)
        }
    }

    struct Run {
        var status: Int32
        var signaled: Bool
        var out: String
        var err: String
    }

    static func relay(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HarnessRecording.binaries + "/parallax-agent")
        process.arguments = ["relay"] + arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        let complained = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                   out: String(decoding: printed, as: UTF8.self), err: String(decoding: complained, as: UTF8.self))
    }

    static let client = """
    import hashlib, socket, sys, threading
    port = int(sys.argv[1])
    def exchange(payload):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(payload)
        connection.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        connection.close()
        return b"".join(chunks)
    big = bytes(range(256)) * 8192
    results = {}
    def worker(name, payload):
        results[name] = exchange(payload) == payload[::-1]
    threads = [threading.Thread(target=worker, args=("big%d" % i, big)) for i in range(3)]
    for thread in threads: thread.start()
    small = exchange(b"hello")
    for thread in threads: thread.join()
    print(small.decode(), sorted(results.items()))
    sys.exit(7)
    """

    @Test func forwardsConcurrentConnectionsBothWaysAndEndsWithTheCommandsStatus() throws {
        let directory = TemporaryDirectory("relay")
        defer { directory.remove() }
        let server = try ReversingServer(directory.path + "/s.sock")
        defer { server.stop() }
        Disk.write(directory.path + "/client.py", Self.client)
        let port = String(Self.freePort())
        let run = try Self.relay(["--port", port, "--socket", server.path, "--", "python3", directory.path + "/client.py", port])
        #expect(run.status == 7, "\(run.err)")
        #expect(run.out == "olleh [('big0', True), ('big1', True), ('big2', True)]\n", "\(run.err)")
    }

    @Test func aSocketNobodyServesIsAnsweredWithA502NamingIt() throws {
        let directory = TemporaryDirectory("relay")
        defer { directory.remove() }
        let port = String(Self.freePort())
        let script = "import urllib.request, sys\ntry:\n    urllib.request.urlopen('http://127.0.0.1:\(port)/v1/chat/completions', data=b'{}')\nexcept urllib.error.HTTPError as e:\n    print(e.code, e.read().decode())"
        let run = try Self.relay(["--port", port, "--socket", directory.path + "/absent.sock", "--", "python3", "-c", script])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.hasPrefix("502 {\"error\":{\"type\":\"parallax_relay\""), "\(run.out)")
        #expect(run.out.contains(directory.path + "/absent.sock"))
    }

    @Test func aCommandKilledByASignalEndsTheRelayTheSameWay() throws {
        let port = String(Self.freePort())
        let run = try Self.relay(["--port", port, "--socket", "/tmp/unused.sock", "--", "/bin/sh", "-c", "kill -TERM $$"])
        #expect(run.signaled)
        #expect(run.status == SIGTERM)
    }

    @Test(arguments: [
        ([] as [String], "missing -- CMD"),
        (["--socket", "/tmp/s", "--", "true"], "--port is required"),
        (["--port", "0", "--socket", "/tmp/s", "--", "true"], "--port must be 1...65535"),
        (["--port", "70000", "--socket", "/tmp/s", "--", "true"], "--port must be 1...65535"),
        (["--port", "-1", "--socket", "/tmp/s", "--", "true"], "--port must be 1...65535"),
        (["--port", "80x", "--socket", "/tmp/s", "--", "true"], "--port must be 1...65535"),
        (["--port", "8080", "--", "true"], "--socket is required"),
        (["--port", "8080", "--socket", "relative.sock", "--", "true"], "absolute path shorter than 108 bytes"),
        (["--port", "8080", "--socket", "/" + String(repeating: "x", count: 120), "--", "true"], "absolute path shorter than 108 bytes"),
        (["--port", "8080", "--socket", "/tmp/s"], "missing -- CMD"),
        (["--port", "8080", "--port", "8081", "--socket", "/tmp/s", "--", "true"], "given more than once"),
        (["--bogus"], "unknown option --bogus"),
    ])
    func malformedArgumentsAreUsageErrors(arguments: [String], message: String) throws {
        let run = try Self.relay(arguments)
        #expect(run.status == 2)
        #expect(run.err.contains(message), "\(run.err)")
    }

    /// A loopback port bound by a listening socket; the caller closes it.
    static func listening() -> (Int32, UInt16) {
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, length) } }
        _ = listen(taken, 1)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(taken, $0, &length) } }
        return (taken, UInt16(bigEndian: address.sin_port))
    }

    /// A loopback port nothing listens on (bound, then closed).
    static func freePort() -> UInt16 {
        let (descriptor, port) = listening()
        close(descriptor)
        return port
    }

    @Test func aPortAlreadyTakenIsReportedBeforeTheCommandRuns() throws {
        let directory = TemporaryDirectory("relay")
        defer { directory.remove() }
        let (taken, port) = Self.listening()
        defer { close(taken) }
        let run = try Self.relay(["--port", String(port), "--socket", "/tmp/unused.sock", "--", "/bin/sh", "-c", "touch \(directory.path)/ran"])
        #expect(run.status == 4)
        #expect(run.err.contains("cannot listen on 127.0.0.1:\(port)"), "\(run.err)")
        #expect(!Disk.exists(directory.path + "/ran"))
    }
}
