/// A usage mistake: exit code 2 and a message that names the flag or argument.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The options a verb accepts: flags (no value), options (one value, repeatable when `multiple`).
public struct ArgumentSpec: Sendable {
    public var flags: Set<String> = []
    public var options: Set<String> = []
    public var multiple: Set<String> = []
    /// Positional arguments accepted: min...max (max nil = any number).
    public var positionals: (min: Int, max: Int?) = (0, 0)
    public var positionalName = "ARG"
    /// Single-dash spellings of long options, e.g. `-o` for `--output`.
    public var aliases: [String: String] = [:]

    public init(
        flags: Set<String> = [], options: Set<String> = [], multiple: Set<String> = [],
        positionals: (min: Int, max: Int?) = (0, 0), positionalName: String = "ARG", aliases: [String: String] = [:]
    ) {
        self.flags = flags
        self.options = options
        self.multiple = multiple
        self.positionals = positionals
        self.positionalName = positionalName
        self.aliases = aliases
    }
}

/// Parsed command-line arguments of one verb. Written in-house: no argument-parsing package can be
/// fetched here, and the grammar is small (`--flag`, `--opt VALUE`, `--opt=VALUE`, `--` ends options).
public struct Arguments: Sendable {
    public private(set) var flags: Set<String> = []
    public private(set) var options: [String: [String]] = [:]
    public private(set) var positionals: [String] = []

    public init(_ args: [String], spec: ArgumentSpec, verb: String) throws(UsageError) {
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if onlyPositionals || !arg.hasPrefix("-") || arg == "-" {
                positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            if let long = spec.aliases[arg] {
                guard i < args.count || spec.flags.contains(long) else { throw UsageError("\(verb): \(arg) needs a value") }
                if spec.flags.contains(long) { flags.insert(long) } else { options[long, default: []].append(args[i]); i += 1 }
                continue
            }
            guard arg.hasPrefix("--") else { throw UsageError("\(verb): unknown option \(arg) (options are spelled --name; a command's own arguments go after --)") }
            var name = String(arg.dropFirst(2))
            var inlineValue: String? = nil
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if spec.flags.contains(name) {
                if inlineValue != nil { throw UsageError("\(verb): --\(name) takes no value") }
                flags.insert(name)
            } else if spec.options.contains(name) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard i < args.count else { throw UsageError("\(verb): --\(name) needs a value") }
                    value = args[i]
                    i += 1
                }
                if options[name] != nil, !spec.multiple.contains(name) {
                    throw UsageError("\(verb): --\(name) given more than once")
                }
                options[name, default: []].append(value)
            } else {
                throw UsageError("\(verb): unknown option --\(name) (see parallax \(verb) --help)")
            }
        }
        if positionals.count < spec.positionals.min {
            throw UsageError("\(verb): missing \(spec.positionalName) (see parallax \(verb) --help)")
        }
        if let max = spec.positionals.max, positionals.count > max {
            throw UsageError("\(verb): unexpected argument \(positionals[max])")
        }
    }

    public func flag(_ name: String) -> Bool { flags.contains(name) }
    public func option(_ name: String) -> String? { options[name]?.last }
    public func all(_ name: String) -> [String] { options[name] ?? [] }

    public func integer(_ name: String, range: ClosedRange<Int>, verb: String) throws(UsageError) -> Int? {
        guard let text = option(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(verb): --\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return value
    }
}
