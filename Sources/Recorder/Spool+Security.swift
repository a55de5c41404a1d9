import Glibc

extension Spool {
    /// Why the agent running as `agentUID` could rewrite this spool, or nil when it cannot:
    /// the spool directory (or its parent) belongs to that user, or is writable by its group or by
    /// everyone (a sticky, world-writable parent such as /tmp is fine). `parallax record` shows the
    /// warning and records it as a `recorder.notice` with code `spool_insecure` (DESIGN §8).
    public func insecurityWarning(agentUID: UInt32) -> String? {
        var problems: [String] = []
        if agentUID == 0 { problems.append("the agent runs as root and can write anywhere") }
        let parent = SpoolDisk.parent(of: path)
        for (directory, isParent) in [(path, false), (parent, true)] {
            var info = stat()
            guard stat(directory, &info) == 0 else { continue }
            let mode = info.st_mode
            let what = isParent ? "the spool's parent \(directory)" : "the spool directory \(directory)"
            let sticky = mode & S_ISVTX != 0
            if info.st_uid == agentUID && agentUID != 0 {
                problems.append("\(what) belongs to uid \(agentUID), the agent's user")
            } else if mode & 0o002 != 0 && !(isParent && sticky) {
                problems.append("\(what) is writable by every user")
            } else if mode & 0o020 != 0 && !(isParent && sticky) {
                problems.append("\(what) is writable by its group (gid \(info.st_gid))")
            }
        }
        guard !problems.isEmpty else { return nil }
        return "the agent can rewrite the spool before it is shipped: " + problems.joined(separator: "; ")
            + ". Run the recorder as another user, or keep the spool where the agent cannot write."
    }
}
