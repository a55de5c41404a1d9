/// One `parallax <verb>`: its help text, accepted arguments and behavior.
public struct Verb: Sendable {
    public var name: String
    public var summary: String
    /// Full help: usage, description, options, examples.
    public var help: String
    public var spec: ArgumentSpec
    public var run: @Sendable (Arguments, Console) throws -> ExitCode

    public init(
        name: String, summary: String, help: String, spec: ArgumentSpec,
        run: @escaping @Sendable (Arguments, Console) throws -> ExitCode
    ) {
        self.name = name
        self.summary = summary
        self.help = help
        self.spec = spec
        self.run = run
    }
}

/// A failure that ends a verb with a message and an exit code (never a crash, never a secret).
public struct CommandFailure: Error, CustomStringConvertible {
    public var code: ExitCode
    public var message: String
    public init(_ code: ExitCode, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
