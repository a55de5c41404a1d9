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
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Wall time from launch to exit, measured on the host's monotonic clock.
    public var durationNanoseconds: UInt64
    /// Whether the command was killed for running past its timeout.
    public var timedOut: Bool

    public init(termination: Termination, stdout: [UInt8], stderr: [UInt8], durationNanoseconds: UInt64, timedOut: Bool = false) {
        self.termination = termination
        self.stdout = stdout
        self.stderr = stderr
        self.durationNanoseconds = durationNanoseconds
        self.timedOut = timedOut
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
