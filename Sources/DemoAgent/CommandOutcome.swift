/// What running one command through the shell gave.
public struct CommandOutcome: Sendable, Hashable {
    public var command: String
    /// Exit status, or 128 + the signal number.
    public var status: Int32
    /// stdout and stderr, interleaved as they were written.
    public var output: String

    public init(command: String, status: Int32, output: String) {
        self.command = command
        self.status = status
        self.output = output
    }

    public var succeeded: Bool { status == 0 }
}
