import TraceModel

/// One thing an agent did, in the shape rules match: a command, a file write/delete/read, a
/// network request or a tool call. One event can yield several actions — a Bash tool call with
/// `a && b > f` is two commands and a write.
public struct Action: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case command, fileWrite = "file_write", fileDelete = "file_delete", fileRead = "file_read", net, tool
    }

    public var kind: Kind
    /// seq of the event the action came from.
    public var seq: UInt64
    /// The event kind it came from, e.g. `tool.call`.
    public var source: EventKind
    /// The text rules' `text` patterns see: the command line, the path, the URL or the tool input.
    public var text: String
    /// For commands: the words read as a command line.
    public var command: CommandInvocation?
    /// Environment names a command sets or unsets (its prefix assignments, `env`, the event's env delta).
    public var environment: [String]
    /// For file actions: the path as recorded.
    public var path: String?
    /// For network actions.
    public var method: String?
    public var url: String?
    public var host: String?
    /// For tool actions: the tool's name.
    public var tool: String?
    /// Working directory relative paths are read against: process.exec `cwd`, changed by `cd` in
    /// the same command line (then possibly workspace-relative); nil when unknown.
    public var cwd: String?

    public init(kind: Kind, seq: UInt64, source: EventKind, text: String, command: CommandInvocation? = nil, environment: [String] = [],
                path: String? = nil, method: String? = nil, url: String? = nil, host: String? = nil, tool: String? = nil, cwd: String? = nil) {
        self.kind = kind
        self.seq = seq
        self.source = source
        self.text = text
        self.command = command
        self.environment = environment
        self.path = path
        self.method = method
        self.url = url
        self.host = host
        self.tool = tool
        self.cwd = cwd
    }

    /// A path of this action as rules and scope checks see it: workspace-relative when it lies in
    /// the workspace, else joined to the working directory when that is known, else as written.
    public func resolve(_ path: String, scope: PathScope) -> String {
        var p = path
        // cwd may itself be workspace-relative (after `cd build` in a tool call's command line).
        if !p.hasPrefix("/"), !p.hasPrefix("~"), !p.hasPrefix("$"), let cwd { p = cwd + "/" + p }
        if let relative = scope.workspaceRelative(p), !relative.isEmpty { return relative }
        return p
    }
}
