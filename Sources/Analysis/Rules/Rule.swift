/// One rule of a rules file: which actions it looks at and the conditions that must all hold.
/// Absent conditions hold trivially. See rules/parallax-rules.json for the field reference.
public struct Rule: Sendable, Hashable {
    public var id: String
    public var category: String
    /// Overrides the category's severity when set.
    public var severity: Severity?
    public var description: String
    /// Action kinds the rule applies to.
    public var on: [Action.Kind]
    /// Commands: program base name (or a wrapper such as `sudo`) in this list.
    public var program: [String]?
    /// Commands: one of the first three operands in this list (`git push`, `kubectl -n x delete`).
    public var subcommand: [String]?
    /// Commands: any of these options present.
    public var flag: [String]?
    /// Commands: any argument matches.
    public var arg: TextPattern?
    /// File actions: the path matches; commands: some operand or redirection target matches.
    public var path: TextPattern?
    /// File actions: the path is outside scratch space; commands: some operand is.
    public var outsideScratch: Bool?
    /// The action's text (command line, path, `METHOD url`, tool input) matches.
    public var text: TextPattern?
    /// The action's text must not match.
    public var unless: TextPattern?
    /// Network: method in this list.
    public var method: [String]?
    /// Network: the host is not loopback.
    public var remote: Bool?
    /// Tool calls: tool name in this list.
    public var tool: [String]?
    /// Commands: an environment name the command sets or unsets matches.
    public var env: TextPattern?

    public init(id: String, category: String, description: String, on: [Action.Kind]) {
        self.id = id
        self.category = category
        self.description = description
        self.on = on
    }

    /// The evidence when the rule fires on `action`, else nil.
    public func match(_ action: Action, scope: PathScope) -> String? {
        guard on.contains(action.kind) else { return nil }
        var evidence: [String] = []
        if let program {
            guard let c = action.command, let hit = ([c.program] + c.wrappers).first(where: program.contains) else { return nil }
            evidence.append(hit)
        }
        if let subcommand {
            guard let hit = action.command?.operands.prefix(3).first(where: subcommand.contains) else { return nil }
            evidence.append(hit)
        }
        if let flag {
            guard let c = action.command, let hit = flag.first(where: c.hasFlag) else { return nil }
            evidence.append(hit)
        }
        if let arg {
            guard let hit = action.command?.arguments.lazy.compactMap(arg.firstMatch).first else { return nil }
            evidence.append(hit)
        }
        let paths = path != nil || outsideScratch == true ? candidatePaths(action, scope: scope) : []
        if let path {
            guard let hit = paths.first(where: { path.firstMatch(in: $0) != nil }) else { return nil }
            evidence.append(hit)
        }
        if outsideScratch == true {
            guard let hit = paths.first(where: { !scope.isScratch($0) }) else { return nil }
            evidence.append(hit)
        }
        if let text {
            guard let hit = text.firstMatch(in: action.text) else { return nil }
            evidence.append(hit)
        }
        if let method {
            guard let m = action.method, method.contains(m) else { return nil }
            evidence.append(m)
        }
        if remote == true {
            guard let host = action.host, !host.isEmpty, !HostName.isLocal(host) else { return nil }
            evidence.append(host)
        }
        if let tool {
            guard let name = action.tool, tool.contains(name) else { return nil }
            evidence.append(name)
        }
        if let env {
            guard let hit = action.environment.first(where: { env.firstMatch(in: $0) != nil }) else { return nil }
            evidence.append(hit)
        }
        // Last: the exception is only worth a regex scan when everything else matched.
        if let unless, unless.firstMatch(in: action.text) != nil { return nil }
        var seen = Set<String>()
        return evidence.filter { seen.insert($0).inserted }.joined(separator: " ")
    }

    /// Paths a `path` or `outside_scratch` condition looks at; paths are workspace-relative when
    /// they can be, so `/repo/tests/x` and `tests/x` read alike.
    func candidatePaths(_ action: Action, scope: PathScope) -> [String] {
        let raw: [String]
        if let p = action.path { raw = [p] } else if let c = action.command {
            // Bare numbers are option values (`truncate -s 0 f`), not files.
            raw = c.operands.filter { !(subcommand?.contains($0) ?? false) && !$0.allSatisfy(\.isNumber) }
        } else { raw = [] }
        return raw.map { action.resolve($0, scope: scope) }
    }
}
