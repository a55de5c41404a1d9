import Foundation
import Glibc
import TraceModel

/// Starts a program with an exact environment and directory, collects both output streams and waits.
enum ProcessLauncher {
    /// Runs to completion; past `timeout` the process is sent SIGKILL (for bwrap that ends the whole
    /// sandbox, which dies with it; a process run directly may leave children holding its output open).
    static func run(executable: String, arguments: [String], environment: [String: String], directory: String?,
                    timeout: Duration? = nil, outputLimit: Int = SandboxCommand.defaultOutputLimit,
                    fixedAddresses: Bool = false) throws(SandboxError) -> SandboxResult {
        // posix_spawn and waitpid directly: Foundation's Process polls for the child's exit, which
        // adds tens of milliseconds to every step.
        var output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        guard pipe(&output) == 0 else { throw SandboxError(.launch, "cannot create a pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&errors) == 0 else {
            close(output[0]); close(output[1])
            throw SandboxError(.launch, "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        // Other children must not hold these open (the reader would wait for them to exit).
        for descriptor in output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        if let directory {
            guard let addChdir = Self.addChdir else {
                throw SandboxError(.launch, "this C library cannot start a process in another directory")
            }
            _ = directory.withCString { addChdir(&actions, $0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let started = now()
        var pid: pid_t = 0
        // Address-space randomization off for this child only: the persona is the spawning
        // thread's and is inherited by what it starts (what `setarch -R` does, without its exec).
        var restorePersona: UInt?
        if fixedAddresses, let personality = Self.personality {
            let current = personality(0xffff_ffff)
            if current >= 0, personality(UInt(current) | Self.addressNoRandomize) >= 0 { restorePersona = UInt(current) }
        }
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        if let restorePersona, let personality = Self.personality { _ = personality(restorePersona) }
        close(output[1])
        close(errors[1])
        guard spawned == 0 else {
            close(output[0]); close(errors[0])
            throw SandboxError(.launch, "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        let watchdog = timeout.map { Watchdog(pid: pid, after: $0) }
        let collected = Collected()
        let errorDescriptor = errors[0]
        Thread.detachNewThread {
            collected.finish(capture(errorDescriptor, limit: outputLimit))
        }
        let stdout = capture(output[0], limit: outputLimit)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let stderr = collected.wait()
        close(output[0])
        close(errorDescriptor)
        let timedOut = watchdog?.stop() ?? false
        let signal = status & 0x7f
        let termination: SandboxResult.Termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        var result = SandboxResult(termination: termination, stdout: stdout.bytes, stderr: stderr.bytes,
                                   durationNanoseconds: now() - started, timedOut: timedOut)
        (result.stdoutSize, result.stdoutDigest) = (stdout.size, stdout.digest)
        (result.stderrSize, result.stderrDigest) = (stderr.size, stderr.digest)
        return result
    }

    /// `personality(2)`, not in Swift's view of Glibc.
    private typealias Personality = @convention(c) (UInt) -> Int32
    private static let personality: Personality? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "personality").map { unsafeBitCast($0, to: Personality.self) }
    private static let addressNoRandomize: UInt = 0x0040000

    /// The process's file-creation mask, read without changing it (from /proc/self/status).
    static let currentUmask: UInt32? = {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("Umask:") { return UInt32(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines), radix: 8) }
        }
        return nil
    }()

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift cannot see without _GNU_SOURCE.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    struct Captured: Sendable {
        var bytes: [UInt8] = []
        var size: UInt64 = 0
        var digest = Digest.sha256([])
    }

    /// Reads `descriptor` to its end, keeping the first `limit` bytes and hashing all of them.
    static func capture(_ descriptor: Int32, limit: Int) -> Captured {
        var captured = Captured()
        let hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            let chunk = buffer[0..<count]
            hasher.update(chunk)
            captured.size += UInt64(count)
            let room = limit - captured.bytes.count
            if room > 0 { captured.bytes.append(contentsOf: chunk.prefix(room)) }
        }
        captured.digest = hasher.finalize()
        return captured
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Kills a process that outlives its deadline, unless stopped first.
    private final class Watchdog: @unchecked Sendable {
        private let condition = NSCondition()
        private var stopped = false
        private var fired = false

        init(pid: Int32, after timeout: Duration) {
            let (seconds, attoseconds) = timeout.components
            let deadline = Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18)
            Thread.detachNewThread { [self] in
                condition.lock()
                defer { condition.unlock() }
                while !stopped {
                    if !condition.wait(until: deadline) {
                        if !stopped {
                            fired = true
                            kill(pid, SIGKILL)
                        }
                        return
                    }
                }
            }
        }

        /// Stops watching (the process has exited) and tells whether it was killed.
        func stop() -> Bool {
            condition.lock()
            defer { condition.unlock() }
            stopped = true
            condition.signal()
            return fired
        }
    }

    /// Bytes handed from the reader thread to the caller.
    private final class Collected: @unchecked Sendable {
        private let condition = NSCondition()
        private var bytes: Captured?

        func finish(_ value: Captured) {
            condition.lock()
            bytes = value
            condition.signal()
            condition.unlock()
        }

        func wait() -> Captured {
            condition.lock()
            defer { condition.unlock() }
            while bytes == nil { condition.wait() }
            return bytes!
        }
    }
}
