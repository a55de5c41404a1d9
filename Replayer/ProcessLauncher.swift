import Foundation
import Glibc
import TraceModel

/// Starts a program with an exact environment and directory, collects both output streams and waits.
enum ProcessLauncher {
    /// Runs to completion; past `timeout` the process is sent SIGKILL (for bwrap that ends the whole
    /// sandbox, which dies with it; a process run directly may leave children holding its output open).
    static func run(executable: String, arguments: [String], environment: [String: String], directory: String?,
                    timeout: Duration? = nil, outputLimit: Int = SandboxCommand.defaultOutputLimit) throws(SandboxError) -> SandboxResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe(), errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        let started = now()
        do {
            try process.run()
        } catch {
            throw SandboxError(.launch, "cannot start \(executable): \(error)")
        }
        let watchdog = timeout.map { Watchdog(pid: process.processIdentifier, after: $0) }
        let collected = Collected()
        let errorDescriptor = errors.fileHandleForReading.fileDescriptor
        Thread.detachNewThread {
            collected.finish(capture(errorDescriptor, limit: outputLimit))
        }
        let stdout = capture(output.fileHandleForReading.fileDescriptor, limit: outputLimit)
        process.waitUntilExit()
        let stderr = collected.wait()
        let timedOut = watchdog?.stop() ?? false
        let termination: SandboxResult.Termination = process.terminationReason == .uncaughtSignal
            ? .signaled(process.terminationStatus) : .exited(process.terminationStatus)
        var result = SandboxResult(termination: termination, stdout: stdout.bytes, stderr: stderr.bytes,
                                   durationNanoseconds: now() - started, timedOut: timedOut)
        (result.stdoutSize, result.stdoutDigest) = (stdout.size, stdout.digest)
        (result.stderrSize, result.stderrDigest) = (stderr.size, stderr.digest)
        return result
    }

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
