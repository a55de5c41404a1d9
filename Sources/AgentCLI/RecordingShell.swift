#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLIKit
import Recorder
import Synchronization
import TraceModel

/// The recording shell: `SHELL` points at a link named `parallax-shell` to the `parallax` launcher.
/// Each `$SHELL -c …` an agent runs goes through here: the real shell runs the command, its output is
/// passed through unchanged while a copy is kept, and the recorder gets `exec.begin` before and
/// `exec.end` (a `process.exec`) after, so it can attribute the files the command changed.
public enum RecordingShell {
    public static let linkName = "parallax-shell"
    /// Output up to this many bytes goes inline in the event; more goes to a blob.
    public static let inlineOutputBytes = 4096
    /// At most this much of each stream is kept; the byte count still covers everything.
    public static let maxCapturedBytes = 64 << 20

    static let child = Atomic<Int32>(0)

    /// Runs the real shell with `arguments` and returns the exit code to leave with.
    public static func run(_ arguments: [String]) -> Int32 {
        let environment = ProcessEnvironment.current()
        let realShell = resolveRealShell(environment["PARALLAX_REAL_SHELL"])
        let argv = [realShell] + arguments
        guard shouldRecord(arguments), let socketPath = environment["PARALLAX_SOCKET"],
              let client = try? RecorderSocketClient(path: socketPath) else {
            // Interactive use, or no recorder to tell: behave exactly like the real shell.
            return execReal(argv)
        }
        let cwd = ProcessEnvironment.workingDirectory()
        guard case .ok(let begin) = (try? client.send(.execBegin(argv: argv, cwd: cwd))) ?? .failed("") else {
            return execReal(argv)
        }
        // A reader that goes away must not kill the wrapper before it reports the command.
        Glibc.signal(SIGPIPE, SIG_IGN)
        let started = ProcessEnvironment.monotonicNanoseconds()
        guard let run = spawnCapturing(argv) else {
            let reason = String(cString: strerror(errno))
            Console.writeAll(2, Array("parallax-shell: cannot run \(realShell): \(reason)\n".utf8))
            return 127
        }
        let elapsed = ProcessEnvironment.monotonicNanoseconds() - started
        var data: [String: JSONValue] = [
            "argv": .array(argv.map(JSONValue.string)),
            "cwd": .string(cwd),
            "env": .object(environment.mapValues(JSONValue.string)),
            "duration_ms": .number(JSONNumber(Double(elapsed) / 1e6) ?? JSONNumber(0)),
            "pid": .number(JSONNumber(Int64(run.pid))),
        ]
        if let code = run.exitCode { data["exit_code"] = .number(JSONNumber(Int64(code))) }
        if let signal = run.signal { data["signal"] = .string(SignalNames.name(signal)) }
        var blobs: [String: Digest] = [:]
        let sink = environment["PARALLAX_SPOOL"].flatMap { try? Spool(path: $0).blobs }
        for (name, output) in [("stdout", run.stdout), ("stderr", run.stderr)] {
            data["\(name)_bytes"] = .number(JSONNumber(Int64(output.total)))
            if output.total <= inlineOutputBytes, let text = String(validating: output.bytes, as: UTF8.self) {
                if output.total > 0 { data[name] = .string(text) }
            } else if let sink, let digest = try? sink.put(output.bytes) {
                blobs[name] = digest
            }
        }
        _ = try? client.send(.execEnd(begin: begin, data: data, blobs: blobs))
        if let signal = run.signal {
            // Leave the way the command did, so callers see the same signal.
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        return run.exitCode ?? 1
    }

    /// `-c COMMAND` (alone or combined, as in `-lc`), or a script file, is a command to record.
    /// A bare interactive shell is not: it is handed to the real shell untouched.
    static func shouldRecord(_ arguments: [String]) -> Bool {
        for argument in arguments {
            if argument == "--" { continue }
            if argument.hasPrefix("-"), !argument.hasPrefix("--") {
                if argument.dropFirst().contains("c") { return true }
                continue
            }
            if argument.hasPrefix("--") { continue }
            return true
        }
        return isatty(0) == 0 && !arguments.isEmpty
    }

    static func resolveRealShell(_ configured: String?) -> String {
        let candidate = configured ?? "/bin/bash"
        let name = candidate.split(separator: "/").last.map(String.init) ?? candidate
        if name == linkName || access(candidate, X_OK) != 0 { return "/bin/sh" }
        return candidate
    }

    static func execReal(_ argv: [String]) -> Int32 {
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        execv(argv[0], cArguments)
        Console.writeAll(2, Array("parallax-shell: cannot run \(argv[0]): \(String(cString: strerror(errno)))\n".utf8))
        return 127
    }

    struct Captured {
        var bytes: [UInt8] = []
        var total = 0
        mutating func take(_ chunk: ArraySlice<UInt8>) {
            total += chunk.count
            let room = RecordingShell.maxCapturedBytes - bytes.count
            if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
        }
    }

    struct Run {
        var pid: pid_t
        var exitCode: Int32?
        var signal: Int32?
        var stdout: Captured
        var stderr: Captured
    }

    /// Spawns `argv` with stdout and stderr on pipes, copies both through while keeping them, and waits.
    static func spawnCapturing(_ argv: [String]) -> Run? {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { return nil }
        for descriptor in [outPipe[0], errPipe[0]] { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[1])
        posix_spawn_file_actions_addclose(&actions, errPipe[1])
        // The command starts with default signal handling whatever the wrapper ignores.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            errno = spawned
            return nil
        }
        child.store(pid, ordering: .relaxed)
        forwardTerminationSignals()
        var run = Run(pid: pid, stdout: Captured(), stderr: Captured())
        pump(out: outPipe[0], err: errPipe[0], into: &run)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let termination = status & 0x7F
        if termination == 0 {
            run.exitCode = (status >> 8) & 0xFF
        } else {
            run.signal = termination
        }
        return run
    }

    /// Copies both pipes to our stdout/stderr until both close.
    static func pump(out: Int32, err: Int32, into run: inout Run) {
        var fds = [pollfd(fd: out, events: Int16(POLLIN), revents: 0), pollfd(fd: err, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while open > 0 {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 {
                    close(fds[index].fd)
                    fds[index].fd = -1
                    open -= 1
                    continue
                }
                let slice = chunk[..<n]
                Console.writeAll(index == 0 ? 1 : 2, Array(slice))
                if index == 0 { run.stdout.take(slice) } else { run.stderr.take(slice) }
            }
        }
    }

    /// SIGTERM and SIGHUP sent to the wrapper reach the command; SIGINT and SIGQUIT already reach it
    /// from the terminal, so the wrapper ignores them and waits for the command to decide.
    static func forwardTerminationSignals() {
        for number in [SIGTERM, SIGHUP] {
            Glibc.signal(number) { received in
                let pid = RecordingShell.child.load(ordering: .relaxed)
                if pid > 0 { kill(pid, received) }
            }
        }
        Glibc.signal(SIGINT, SIG_IGN)
        Glibc.signal(SIGQUIT, SIG_IGN)
    }
}
