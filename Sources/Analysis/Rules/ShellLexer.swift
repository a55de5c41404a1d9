/// Splits shell text into words and command boundaries, honouring quotes and backslashes.
struct ShellLexer {
    struct RawCommand { var words: [String]; var writes: [String] }

    private let s: [Unicode.Scalar]
    private var i = 0
    /// Bodies of `$(…)` and backquoted substitutions, parsed separately by the caller.
    private(set) var substitutions: [String] = []

    init(_ scalars: [Unicode.Scalar]) { s = scalars }

    mutating func commands() -> [RawCommand] {
        var out: [RawCommand] = []
        var current = RawCommand(words: [], writes: [])
        func flush() {
            if !current.words.isEmpty || !current.writes.isEmpty { out.append(current) }
            current = RawCommand(words: [], writes: [])
        }
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" { i += 1; continue }
            if c == "\n" || c == ";" || c == "|" || c == "&" || c == "(" || c == ")" {
                // `&>` and `>&` redirect rather than separate.
                if c == "&", i + 1 < s.count, s[i + 1] == ">" { i += 1; continue }  // `&>file` writes file
                i += 1
                flush()
                continue
            }
            if c == "#", current.words.isEmpty || (i > 0 && (s[i - 1] == " " || s[i - 1] == "\t")) {
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            }
            if c == ">" || c == "<" {
                let isWrite = c == ">"
                i += 1
                var duplicates = false  // `>&2`, `2>&1`: the target is a descriptor, not a file
                while i < s.count, s[i] == ">" || s[i] == "|" || s[i] == "&" { duplicates = duplicates || s[i] == "&"; i += 1 }
                if i < s.count, s[i] == "(" { continue }  // process substitution: its words are read as a command
                while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
                let target = word()
                if isWrite, !(duplicates && (target == "-" || target.allSatisfy(\.isNumber))), target != "/dev/null", !target.isEmpty {
                    current.writes.append(target)
                }
                continue
            }
            // A file-descriptor prefix such as `2>` belongs to the redirection.
            if c.properties.numericType != nil, i + 1 < s.count, s[i + 1] == ">" { i += 1; continue }
            current.words.append(word())
        }
        flush()
        return out
    }

    /// Reads one word, removing quotes; collects substitutions it contains.
    private mutating func word() -> String {
        var w = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" || c == "\n" || c == ";" || c == "|" || c == "&" || c == ">" || c == "<" || c == ")" || c == "(" { break }
            if c == "'" {
                i += 1
                while i < s.count, s[i] != "'" { w.append(s[i]); i += 1 }
                i += 1
            } else if c == "\"" {
                i += 1
                while i < s.count, s[i] != "\"" {
                    if s[i] == "\\", i + 1 < s.count, "\"\\$`".unicodeScalars.contains(s[i + 1]) { i += 1 }
                    else if s[i] == "$", i + 1 < s.count, s[i + 1] == "(" { let body = substitution(); w.append(contentsOf: "$(\(body))".unicodeScalars); continue }
                    else if s[i] == "`" { let body = backquoted(); w.append(contentsOf: "`\(body)`".unicodeScalars); continue }
                    w.append(s[i]); i += 1
                }
                i += 1
            } else if c == "\\" {
                i += 1
                if i < s.count { if s[i] != "\n" { w.append(s[i]) }; i += 1 }
            } else if c == "$", i + 1 < s.count, s[i + 1] == "(" {
                let body = substitution()
                w.append(contentsOf: "$(\(body))".unicodeScalars)
            } else if c == "`" {
                let body = backquoted()
                w.append(contentsOf: "`\(body)`".unicodeScalars)
            } else {
                w.append(c); i += 1
            }
        }
        return String(w)
    }

    /// At `$(`: reads to the matching `)` (quotes respected) and records the body.
    private mutating func substitution() -> String {
        i += 2
        let start = i
        var level = 1
        var quote: Unicode.Scalar? = nil
        while i < s.count {
            let c = s[i]
            if let q = quote { if c == q { quote = nil } else if c == "\\", q == "\"" { i += 1 } }
            else if c == "'" || c == "\"" { quote = c }
            else if c == "\\" { i += 1 }
            else if c == "(" { level += 1 }
            else if c == ")" { level -= 1; if level == 0 { break } }
            i += 1
        }
        let body = String(String.UnicodeScalarView(s[start..<min(i, s.count)]))
        i += 1
        substitutions.append(body)
        return body
    }

    private mutating func backquoted() -> String {
        i += 1
        let start = i
        while i < s.count, s[i] != "`" { if s[i] == "\\" { i += 1 }; i += 1 }
        let body = String(String.UnicodeScalarView(s[start..<min(i, s.count)]))
        i += 1
        substitutions.append(body)
        return body
    }
}
