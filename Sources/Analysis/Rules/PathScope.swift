/// Where a session may write freely: the workspace root, minus scratch directories (build
/// output, caches, temp dirs). Paths are compared as text; nothing touches the file system.
public struct PathScope: Sendable, Hashable {
    /// Absolute workspace root (session.start `cwd`), when known.
    public var workspace: String?
    /// Scratch directories: relative to the workspace (`build`, `node_modules`, `.cache/x`) or absolute (`/tmp`).
    public var scratch: [String]

    public init(workspace: String? = nil, scratch: [String] = PathScope.defaultScratch) {
        self.workspace = workspace.map(Self.trimSlash)
        self.scratch = scratch.map(Self.trimSlash)
    }

    public static let defaultScratch = [
        "build", ".build", "dist", "out", "target", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache",
        ".cache", "coverage", ".tox", ".venv", "venv", "tmp", ".tmp", "/tmp", "/var/tmp", "/dev/null",
    ]

    /// `path` relative to the workspace with `.` and `..` resolved, or nil when it is outside
    /// (absolute elsewhere, `~`, `$VAR`, or escaping with `..`). `cwd` anchors relative paths.
    public func workspaceRelative(_ path: String, cwd: String? = nil) -> String? {
        var p = path
        if p.hasPrefix("~") || p.hasPrefix("$") { return nil }
        if !p.hasPrefix("/"), workspace != nil, let cwd, cwd.hasPrefix("/") { p = cwd + "/" + p }
        if p.hasPrefix("/") {
            guard let root = workspace, p == root || p.hasPrefix(root + "/") else { return nil }
            p = String(p.dropFirst(root.count))
        }
        var parts: [Substring] = []
        for part in p.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if parts.isEmpty { return nil }; parts.removeLast(); continue }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// True when `path` lies in a scratch directory.
    public func isScratch(_ path: String, cwd: String? = nil) -> Bool {
        if path.hasPrefix("/") || path.hasPrefix("~") {
            let absolute = Self.trimSlash(path)
            if scratch.contains(where: { $0.hasPrefix("/") && (absolute == $0 || absolute.hasPrefix($0 + "/")) }) { return true }
            guard workspace != nil else { return false }
        }
        guard let relative = workspaceRelative(path, cwd: cwd), !relative.isEmpty else { return false }
        return scratch.contains { !$0.hasPrefix("/") && (relative == $0 || relative.hasPrefix($0 + "/")) }
    }

    /// True when `path` is inside the workspace and not in scratch space.
    public func isInWorkspace(_ path: String, cwd: String? = nil) -> Bool { workspaceRelative(path, cwd: cwd) != nil }

    static func trimSlash(_ s: String) -> String {
        var s = s
        while s.count > 1, s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
