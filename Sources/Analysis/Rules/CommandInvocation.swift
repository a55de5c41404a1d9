/// A command's words read the way rules need them: wrappers such as `sudo` or `env` peeled off,
/// the program's base name, its flags and its operands.
public struct CommandInvocation: Sendable, Hashable {
    /// Wrapper programs that ran the command (`sudo`, `env`, `nohup`, `timeout`, …), outermost first.
    public var wrappers: [String]
    /// Base name of the program, e.g. `git` for `/usr/bin/git`.
    public var program: String
    /// Words after the program.
    public var arguments: [String]
    /// `NAME=value` settings made through `env`.
    public var envAssignments: [String: String]
    /// Names unset through `env -u NAME`.
    public var envUnsets: [String]

    /// Wrappers and the options of theirs that take a value.
    static let wrapperOptionsWithValue: [String: Set<String>] = [
        "sudo": ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user", "--group"],
        "doas": ["-u", "-C"], "env": ["-u", "-C", "-S", "--unset", "--chdir"], "nohup": [], "time": ["-f", "-o"],
        "nice": ["-n"], "ionice": ["-c", "-n"], "timeout": ["-s", "-k", "--signal", "--kill-after"],
        "xargs": ["-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a"], "exec": ["-a"], "command": [], "builtin": [],
        "stdbuf": ["-i", "-o", "-e"], "chroot": [], "setsid": [], "unbuffer": [], "watch": ["-n", "-d"],
    ]

    public init(words: [String]) {
        var rest = words[...]
        var wrappers: [String] = [], envSet: [String: String] = [:], envUnset: [String] = []
        while let first = rest.first, let options = Self.wrapperOptionsWithValue[Self.baseName(first)] {
            let wrapper = Self.baseName(first)
            wrappers.append(wrapper)
            rest = rest.dropFirst()
            var positional = wrapper == "timeout" || wrapper == "chroot" ? 1 : 0  // the duration / new root
            while let w = rest.first {
                if w == "--" { rest = rest.dropFirst(); break }
                if w.hasPrefix("-") && w.count > 1 {
                    rest = rest.dropFirst()
                    let name = w.split(separator: "=", maxSplits: 1).first.map(String.init) ?? w
                    if options.contains(name), !w.contains("="), let value = rest.first {
                        if wrapper == "env" && (name == "-u" || name == "--unset") { envUnset.append(value) }
                        rest = rest.dropFirst()
                    }
                    continue
                }
                if wrapper == "env", let eq = w.firstIndex(of: "=") {
                    envSet[String(w[..<eq])] = String(w[w.index(after: eq)...])
                    rest = rest.dropFirst()
                    continue
                }
                if positional > 0 { positional -= 1; rest = rest.dropFirst(); continue }
                break
            }
        }
        self.wrappers = wrappers
        self.program = rest.first.map(Self.baseName) ?? ""
        self.arguments = Array(rest.dropFirst())
        self.envAssignments = envSet
        self.envUnsets = envUnset
    }

    static func baseName(_ word: String) -> String {
        word.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? word
    }

    /// Arguments that are not options (everything after `--` counts as an operand).
    public var operands: [String] {
        var out: [String] = [], afterDashes = false
        for a in arguments {
            if afterDashes { out.append(a); continue }
            if a == "--" { afterDashes = true; continue }
            if a.hasPrefix("-") && a.count > 1 { continue }
            out.append(a)
        }
        return out
    }

    /// Whether an option is present: a single-letter option (`-f`) also matches inside a group
    /// (`-rf`); a long one (`--force`, `-delete`) matches exactly or before `=`.
    public func hasFlag(_ flag: String) -> Bool {
        let short = flag.count == 2 && flag.hasPrefix("-") && flag != "--"
        let letter = flag.last
        for a in arguments {
            if a == "--" { return false }
            guard a.hasPrefix("-"), a.count > 1 else { continue }
            if short {
                if !a.hasPrefix("--"), let letter, a.dropFirst().contains(letter) { return true }
            } else if a == flag || a.hasPrefix(flag + "=") {
                return true
            }
        }
        return false
    }

    static let shells: Set<String> = ["sh", "bash", "zsh", "dash", "ksh", "ash", "fish"]

    /// The script of `sh -c 'script'` (any shell, `-c` possibly grouped as in `-lc`).
    public var shellScript: String? {
        guard Self.shells.contains(program) else { return nil }
        var sawC = false
        for a in arguments {
            if sawC { return a }
            if a.hasPrefix("-"), !a.hasPrefix("--"), a.dropFirst().contains("c") { sawC = true; continue }
            if !a.hasPrefix("-") { return nil }
        }
        return nil
    }
}
