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

extension Verb {
    /// Runs the verb on its arguments with the shared conventions: `--help` prints the help,
    /// usage mistakes exit 2, a `CommandFailure` exits with its code, anything else with 4.
    public func execute(_ rest: [String], console: Console) -> Int32 {
        if rest.contains("--help") || rest.contains("-h") {
            console.print(help)
            return ExitCode.ok.rawValue
        }
        do {
            let arguments = try Arguments(rest, spec: spec, verb: name)
            return try run(arguments, console).rawValue
        } catch let error as UsageError {
            console.error("parallax \(error.message)")
            return ExitCode.usage.rawValue
        } catch let exit as PassThroughExit {
            return exit.status
        } catch let failure as CommandFailure {
            console.error("parallax \(name): \(failure.message)")
            return failure.code.rawValue
        } catch {
            console.error("parallax \(name): \(error)")
            return ExitCode.failure.rawValue
        }
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

/// Ends a verb with a status that is not one of Parallax's own codes, silently: `parallax record`
/// exits with its command's status.
public struct PassThroughExit: Error, Sendable {
    public var status: Int32
    public init(_ status: Int32) { self.status = status }
}
