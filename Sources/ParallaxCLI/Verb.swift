/// One `parallax <verb>`: its help text, accepted arguments and behavior.
struct Verb: Sendable {
    var name: String
    var summary: String
    /// Full help: usage, description, options, examples.
    var help: String
    var spec: ArgumentSpec
    var run: @Sendable (Arguments, Console) throws -> ExitCode
}

/// A failure that ends a verb with a message and an exit code (never a crash, never a secret).
struct CommandFailure: Error, CustomStringConvertible {
    var code: ExitCode
    var message: String
    init(_ code: ExitCode, _ message: String) {
        self.code = code
        self.message = message
    }
    var description: String { message }
}
