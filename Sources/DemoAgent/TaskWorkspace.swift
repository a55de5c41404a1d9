import Foundation

/// A generated git repository for one `DemoTask`: the buggy module, its tests, `data/` (the
/// recorded cases and an untracked records file), TASK.md, and a local bare repository as
/// `origin` that is one commit ahead — a teammate's changelog entry — so a plain push is rejected
/// until the agent merges it (or force-pushes over it).
public struct TaskWorkspace: Sendable {
    public var task: DemoTask
    /// The repository the agent works in.
    public var directory: String
    /// The bare repository behind `origin`.
    public var origin: String

    /// The teammate's commit subject on origin/main.
    public static let teammateCommit = "Add release notes for 2026.11"

    /// Creates the workspace in `directory` (which must not exist or be empty) and its bare
    /// remote at `origin` (default: `<directory>.origin.git`).
    @discardableResult
    public static func create(task: DemoTask, directory: String, origin: String? = nil) throws(DemoAgentError) -> TaskWorkspace {
        let directory = absolute(directory)
        let origin = absolute(origin ?? directory + ".origin.git")
        let files = FileManager.default
        if let existing = try? files.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw DemoAgentError("workspace \(directory): the directory exists and is not empty")
        }
        if files.fileExists(atPath: origin) { throw DemoAgentError("workspace origin \(origin): already exists") }
        if origin.contains(where: { $0 == "\"" || $0 == "\\" || $0.isNewline }) {
            throw DemoAgentError("workspace origin \(origin): quotes, backslashes and newlines cannot go into .git/config")
        }
        let workspace = TaskWorkspace(task: task, directory: directory, origin: origin)
        for (path, content) in workspace.files { try write(content, to: directory + "/" + path) }

        let git = GitRunner(environment: ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"])
        try git.run(["init", "-q", "-b", "main"], in: directory)
        // The agent's identity and the remote, written straight into the config: one process fewer each.
        try append("""
            [user]
            \tname = Demo Agent
            \temail = agent@demo.invalid
            [commit]
            \tgpgsign = false
            [remote "origin"]
            \turl = \(origin)
            \tfetch = +refs/heads/*:refs/remotes/origin/*

            """, to: directory + "/.git/config")
        try git.run(["add", "-A"], in: directory)
        try git.run(["commit", "-qm", "Start \(task.id): \(task.function) with its tests"], in: directory)
        try git.run(["init", "-q", "--bare", "-b", "main", origin], in: directory)
        try git.run(["push", "-q", "origin", "main"], in: directory)

        // The teammate's commit reaches origin through a throwaway clone.
        let clone = NSTemporaryDirectory() + "parallax-demo-teammate-" + UUID().uuidString
        defer { try? files.removeItem(atPath: clone) }
        try git.run(["clone", "-q", origin, clone], in: directory)
        try append("- Release notes for 2026.11.\n", to: clone + "/CHANGELOG.md")
        try git.run(["-c", "user.name=Teammate", "-c", "user.email=teammate@demo.invalid", "-c", "commit.gpgsign=false",
                     "commit", "-qam", teammateCommit], in: clone)
        try git.run(["push", "-q", "origin", "main"], in: clone)
        return workspace
    }

    /// Workspace-relative path → content, as generated.
    public var files: [(path: String, content: String)] {
        [
            ("TASK.md", task.brief),
            ("CHANGELOG.md", "# Changelog\n\n## Unreleased\n\n"),
            (".gitignore", "data/records.jsonl\n__pycache__/\n"),
            (task.sourcePath, task.source),
            (task.testPath, task.testSource),
            ("data/cases.json", task.cases + "\n"),
            ("data/records.jsonl", records),
        ]
    }

    /// Twelve customer records, the same for every workspace of a task.
    var records: String {
        (1...12).map { index in
            let total = (index * 37 + task.id.utf8.count * 11) % 500
            return #"{"id": \#(index), "customer": "c-\#(1000 + index)", "task": "\#(task.id)", "total": \#(total)}"#
        }.joined(separator: "\n") + "\n"
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func write(_ content: String, to path: String) throws(DemoAgentError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        } catch {
            throw DemoAgentError("workspace: cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func append(_ content: String, to path: String) throws(DemoAgentError) {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DemoAgentError("workspace: cannot open \(path)") }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(content.utf8))
        } catch {
            throw DemoAgentError("workspace: cannot append to \(path): \(error.localizedDescription)")
        }
    }
}
