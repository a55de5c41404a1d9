import TraceModel

/// How a sandboxed command ended and what it printed.
public struct SandboxResult: Sendable, Hashable {
    public enum Termination: Sendable, Hashable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signaled(let signal): "signal \(signal)"
            }
        }
    }

    public var termination: Termination
    /// Standard output, up to the command's output limit.
    public var stdout: [UInt8]
    /// Standard error, up to the command's output limit.
    public var stderr: [UInt8]
    /// Bytes the command wrote to standard output, kept or not.
    public var stdoutSize: UInt64
    public var stderrSize: UInt64
    /// SHA-256 of everything written to standard output (what recordings compare).
    public var stdoutDigest: Digest
    public var stderrDigest: Digest
    /// Wall time from launch to exit, measured on the host's monotonic clock.
    public var durationNanoseconds: UInt64
    /// Whether the command was killed for running past its timeout.
    public var timedOut: Bool

    public init(termination: Termination, stdout: [UInt8], stderr: [UInt8], durationNanoseconds: UInt64, timedOut: Bool = false) {
        self.termination = termination
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutSize = UInt64(stdout.count)
        self.stderrSize = UInt64(stderr.count)
        self.stdoutDigest = Digest.sha256(stdout)
        self.stderrDigest = Digest.sha256(stderr)
        self.durationNanoseconds = durationNanoseconds
        self.timedOut = timedOut
    }

    /// Whether either stream was longer than the output limit (so not all of it is in `stdout`/`stderr`).
    public var truncated: Bool { stdoutSize > UInt64(stdout.count) || stderrSize > UInt64(stderr.count) }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
