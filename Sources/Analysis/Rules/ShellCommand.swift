/// One simple command out of a shell command line: its words after quote removal, plus the files
/// its output redirections write. Splitting is a best effort over POSIX shell syntax — enough to
/// see `rm -rf src` inside `cd x && bash -c 'rm -rf src' > log`, not a full shell.
public struct ShellCommand: Sendable, Hashable {
    /// Words with quotes removed; `VAR=value` prefixes are in `assignments`, not here.
    public var words: [String]
    /// `NAME=value` words that preceded the command.
    public var assignments: [String: String]
    /// Targets of `>`, `>>`, `>|` and `&>` redirections.
    public var writes: [String]

    public init(words: [String], assignments: [String: String] = [:], writes: [String] = []) {
        self.words = words
        self.assignments = assignments
        self.writes = writes
    }

    /// Splits a command line into simple commands: at `;`, `&`, `&&`, `||`, `|` and newlines;
    /// `$(…)` and backquoted substitutions become commands of their own; `sh -c 'script'` (and
    /// bash, zsh, dash) is split recursively up to a small depth.
    public static func parse(_ line: String, depth: Int = 0) -> [ShellCommand] {
        var lexer = ShellLexer(Array(line.unicodeScalars))
        var out: [ShellCommand] = []
        for raw in lexer.commands() {
            out += finish(raw, depth: depth)
        }
        for inner in lexer.substitutions where depth < 4 {
            out += parse(inner, depth: depth + 1)
        }
        return out
    }

    /// Commands for an argv that ran directly (process.exec): shells with `-c` are opened up.
    public static func fromArgv(_ argv: [String]) -> [ShellCommand] {
        finish(ShellLexer.RawCommand(words: argv, writes: []), depth: 0)
    }

    static func finish(_ raw: ShellLexer.RawCommand, depth: Int) -> [ShellCommand] {
        var words = raw.words[...]
        var assignments: [String: String] = [:]
        while let first = words.first, let eq = first.firstIndex(of: "="), first[..<eq].allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }),
              !first[..<eq].isEmpty, !(first.first?.isNumber ?? true) {
            assignments[String(first[..<eq])] = String(first[first.index(after: eq)...])
            words = words.dropFirst()
        }
        guard !words.isEmpty || !raw.writes.isEmpty || !assignments.isEmpty else { return [] }
        var out = [ShellCommand(words: Array(words), assignments: assignments, writes: raw.writes)]
        let unwrapped = CommandInvocation(words: Array(words))
        if let script = unwrapped.shellScript, depth < 4 {
            out += parse(script, depth: depth + 1)
        }
        return out
    }
}
