import TraceModel

extension Action {
    /// The actions in one event; empty for kinds that are not actions (model calls, reasoning, …)
    /// and for events whose data does not decode.
    public static func actions(in event: Event) -> [Action] {
        guard let payload = try? event.payload() else { return [] }
        switch payload {
        case .processExec(let p):
            let env = (p.env ?? [:]).keys.sorted()
            return commandActions(ShellCommand.fromArgv(p.argv), seq: event.seq, source: event.kind, extraEnv: env, cwd: p.cwd)
        case .toolCall(let t):
            return toolActions(t, seq: event.seq, source: event.kind)
        case .fileWrite(let f):
            return [Action(kind: .fileWrite, seq: event.seq, source: event.kind, text: f.path, path: f.path)]
        case .fileDelete(let f):
            return [Action(kind: .fileDelete, seq: event.seq, source: event.kind, text: f.path, path: f.path)]
        case .netRequest(let n):
            return [netAction(method: n.method, url: n.url, seq: event.seq, source: event.kind)]
        default:
            return []
        }
    }

    /// All actions of a session in event order.
    public static func actions(in events: [Event]) -> [Action] { events.flatMap { actions(in: $0) } }

    static func commandActions(_ commands: [ShellCommand], seq: UInt64, source: EventKind, extraEnv: [String] = [],
                               cwd initialCwd: String? = nil) -> [Action] {
        var out: [Action] = []
        var cwd = initialCwd
        for c in commands {
            let line = CommandInvocation(words: c.words)
            defer {
                // `cd dir && …`: later commands of the line run in dir.
                if line.program == "cd" || line.program == "pushd" {
                    let target = line.operands.first ?? "~"
                    if target.hasPrefix("/") || target.hasPrefix("~") || target.hasPrefix("$") || target == "-" { cwd = target == "-" ? nil : target }
                    else { cwd = (cwd.map { $0 + "/" } ?? "") + target }
                }
            }
            let env = Array(c.assignments.keys).sorted() + line.envAssignments.keys.sorted() + line.envUnsets + extraEnv
            if !c.words.isEmpty {
                out.append(Action(kind: .command, seq: seq, source: source, text: c.words.joined(separator: " "),
                                  command: line, environment: env, cwd: cwd))
            } else if !env.isEmpty {
                // A bare assignment such as `PARALLAX_SOCKET=` still changes the environment.
                out.append(Action(kind: .command, seq: seq, source: source,
                                  text: c.assignments.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "),
                                  command: line, environment: env, cwd: cwd))
            }
            for w in c.writes {
                out.append(Action(kind: .fileWrite, seq: seq, source: source, text: w, path: w, cwd: cwd))
            }
            if let net = impliedRequest(line, seq: seq, source: source) { out.append(net) }
        }
        return out
    }

    /// A request made by `curl`, `wget` or HTTPie, with the method its options imply.
    static func impliedRequest(_ line: CommandInvocation, seq: UInt64, source: EventKind) -> Action? {
        let args = line.arguments
        switch line.program {
        case "curl":
            var method: String? = nil, sendsData = false, url: String? = nil
            var i = 0
            while i < args.count {
                let a = args[i]
                if a == "-X" || a == "--request", i + 1 < args.count { method = args[i + 1].uppercased(); i += 2; continue }
                if a.hasPrefix("--request=") { method = String(a.dropFirst(10)).uppercased() }
                else if a.hasPrefix("-X"), a.count > 2 { method = String(a.dropFirst(2)).uppercased() }
                else if ["-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F", "--form", "-T", "--upload-file"].contains(a) {
                    sendsData = true; i += 2; continue
                } else if a.hasPrefix("--data") || a.hasPrefix("--json") || a.hasPrefix("--form") { sendsData = true }
                else if !a.hasPrefix("-"), url == nil, a.contains(".") || a.contains("://") || a.hasPrefix("localhost") { url = a }
                else if ["-o", "--output", "-H", "--header", "-u", "--user", "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "-c",
                         "--cookie-jar", "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "--url"].contains(a) {
                    if a == "--url", i + 1 < args.count { url = args[i + 1] }
                    i += 2; continue
                }
                i += 1
            }
            guard let url else { return nil }
            return netAction(method: method ?? (sendsData ? "POST" : "GET"), url: url, seq: seq, source: source)
        case "wget":
            let posts = args.contains { $0.hasPrefix("--post-data") || $0.hasPrefix("--post-file") || $0.hasPrefix("--body-data") }
            let explicit = args.first { $0.hasPrefix("--method=") }.map { String($0.dropFirst(9)).uppercased() }
            guard let url = line.operands.first(where: { $0.contains(".") || $0.contains("://") }) else { return nil }
            return netAction(method: explicit ?? (posts ? "POST" : "GET"), url: url, seq: seq, source: source)
        case "http", "https", "xh":
            let ops = line.operands
            guard let first = ops.first else { return nil }
            let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
            if methods.contains(first.uppercased()), ops.count > 1 {
                return netAction(method: first.uppercased(), url: ops[1], seq: seq, source: source)
            }
            let hasItems = ops.dropFirst().contains { $0.contains("=") }
            return netAction(method: hasItems ? "POST" : "GET", url: first, seq: seq, source: source)
        default:
            return nil
        }
    }

    static func netAction(method: String, url: String, seq: UInt64, source: EventKind) -> Action {
        Action(kind: .net, seq: seq, source: source, text: "\(method.uppercased()) \(url)", method: method.uppercased(), url: url,
               host: HostName.of(url: url))
    }

    /// Claude Code's tools (and tools shaped like them) read as commands and file operations.
    static func toolActions(_ t: ToolCall, seq: UInt64, source: EventKind) -> [Action] {
        let input = t.input?.objectValue ?? [:]
        let filePath = input["file_path"]?.stringValue ?? input["notebook_path"]?.stringValue ?? input["path"]?.stringValue
        var out: [Action] = []
        var shellCommand: String?
        switch t.name {
        case "Bash", "bash", "shell", "run_command", "execute_command":
            if let command = input["command"]?.stringValue ?? input["cmd"]?.stringValue {
                shellCommand = command
                out = commandActions(ShellCommand.parse(command), seq: seq, source: source)
            }
        case "Edit", "MultiEdit", "Write", "NotebookEdit", "str_replace_based_edit_tool", "write_file", "edit_file":
            if let filePath { out = [Action(kind: .fileWrite, seq: seq, source: source, text: filePath, path: filePath)] }
        case "Read", "read_file", "NotebookRead":
            if let filePath { out = [Action(kind: .fileRead, seq: seq, source: source, text: filePath, path: filePath)] }
        case "WebFetch", "fetch":
            if let url = input["url"]?.stringValue { out = [netAction(method: "GET", url: url, seq: seq, source: source)] }
        default:
            break
        }
        // A shell tool's text is its command: its free-text `description` is the agent talking, not acting.
        let text = shellCommand ?? t.input.map { String(decoding: $0.canonicalBytes(), as: UTF8.self) } ?? ""
        out.append(Action(kind: .tool, seq: seq, source: source, text: text, tool: t.name))
        return out
    }
}
