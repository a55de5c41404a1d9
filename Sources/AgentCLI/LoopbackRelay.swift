#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLIKit
import Recorder
import Synchronization

/// Listens on 127.0.0.1:PORT and forwards every connection, byte for byte in both directions, to a
/// Unix-domain socket; meanwhile runs a command and ends when it does, with its status. A harness
/// replay runs the agent under it inside the sandbox, which has a loopback but no network: the
/// agent's model SDKs reach the host's tape server through a socket in a bind-mounted directory.
public enum LoopbackRelay {
    /// The relayed command's pid, for the signal handlers.
    static let child = Atomic<Int32>(0)
    /// The write end of the pipe the SIGCHLD handler wakes the loop through.
    static let wake = Atomic<Int32>(-1)

    /// Binds the port first (so the command never finds it closed), starts `argv`, relays until the
    /// command exits, and returns the status to exit with.
    public static func run(port: UInt16, socketPath: String, argv: [String]) throws(CommandFailure) -> Int32 {
        let listener = try listen(port: port)
        var wakePipe: [Int32] = [-1, -1]
        guard pipe(&wakePipe) == 0 else { throw failure("cannot create a pipe") }
        for descriptor in wakePipe {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        wake.store(wakePipe[1], ordering: .relaxed)
        // A parent may have blocked signals (Foundation's Process does); the loop needs SIGCHLD.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        signal(SIGCHLD) { _ in
            let saved = errno
            var byte: UInt8 = 0
            _ = write(LoopbackRelay.wake.load(ordering: .relaxed), &byte, 1)
            errno = saved
        }
        for number in [SIGTERM, SIGHUP, SIGINT] {
            signal(number) { received in
                let pid = LoopbackRelay.child.load(ordering: .relaxed)
                if pid > 0 { kill(pid, received) }
            }
        }
        let pid = try spawn(argv)
        child.store(pid, ordering: .relaxed)
        var relay = ConnectionTable(socketPath: socketPath)
        while true {
            if let status = reap(pid) {
                relay.closeAll()
                close(listener)
                return status
            }
            relay.pollOnce(listener: listener, wake: wakePipe[0])
        }
    }

    static func listen(port: UInt16) throws(CommandFailure) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure("cannot create a socket") }
        var yes: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, 128) == 0 else {
            let error = failure("cannot listen on 127.0.0.1:\(port)")
            close(descriptor)
            throw error
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        return descriptor
    }

    /// Starts `argv` (a bare name is looked up in `PATH`) with the signals this process ignores or
    /// handles back at their defaults.
    static func spawn(_ argv: [String]) throws(CommandFailure) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGPIPE, SIGCHLD, SIGTERM, SIGHUP, SIGINT] { sigaddset(&defaults, number) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, argv[0], nil, &attributes, cArguments, environ)
        guard spawned == 0 else {
            throw CommandFailure(.failure, "cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// The command's exit status once it has ended: its code, or 128 + N after the signal N is
    /// raised again here (so a caller sees the same death when it can).
    static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        let signalNumber = status & 0x7F
        if signalNumber == 0 { return (status >> 8) & 0xFF }
        signal(signalNumber, SIG_DFL)
        raise(signalNumber)
        return 128 + signalNumber
    }

    static func failure(_ what: String) -> CommandFailure {
        CommandFailure(.failure, "\(what): \(String(cString: strerror(errno)))")
    }
}
