import Glibc

/// Runs commands under bubblewrap: the system read-only (`/usr`, `/bin`, `/lib*`, `/sbin`, `/etc`),
/// a private `/tmp`, `/proc` and a minimal `/dev`, the workspace (and any mount marked writable) the
/// only host directories writable,
/// every namespace unshared (so no network), no capabilities, a new session, and killed with its parent.
/// A command killed by a signal shows as bwrap's exit status 128 + N; so does a bwrap setup failure
/// as exit 1 with bwrap's message on stderr.
public struct BubblewrapSandbox: Sandbox {
    /// The bwrap executable.
    public let bwrap: String
    public let faketimeLibrary: String

    /// Finds bwrap (on `PATH` unless given) and checks it can create namespaces here.
    public init(bwrap: String? = nil, faketimeLibrary: String = SandboxCommand.faketimeLibrary) throws(SandboxError) {
        guard let found = bwrap ?? Self.find("bwrap") else {
            throw SandboxError(.unavailable, "bubblewrap (bwrap) is not installed; install it, or replay with --unsafe-no-sandbox")
        }
        guard access(found, X_OK) == 0 else { throw SandboxError(.unavailable, "\(found) is not an executable") }
        self.bwrap = found
        self.faketimeLibrary = faketimeLibrary
        let probe = try ProcessLauncher.run(executable: found, arguments: ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                                            environment: [:], directory: "/")
        guard probe.termination == .exited(0) else {
            let detail = probe.stderrText.trimmingSuffix()
            throw SandboxError(.unavailable, "bubblewrap cannot create namespaces here (\(probe.termination)\(detail.isEmpty ? "" : ": " + detail))")
        }
    }

    public func run(_ command: SandboxCommand) throws(SandboxError) -> SandboxResult {
        try command.validate()
        let arguments = try arguments(for: command)
        return try ProcessLauncher.run(executable: bwrap, arguments: arguments, environment: [:], directory: "/",
                                       timeout: command.timeout,
                                       outputLimit: command.outputLimit)
    }

    /// The bwrap command line for `command` (without bwrap itself).
    public func arguments(for command: SandboxCommand) throws(SandboxError) -> [String] {
        // No capabilities: a command run as root here must not be able to remount or reconfigure anything.
        var arguments = ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr"]
        for path in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK, let target = Self.linkTarget(path) {
                arguments += ["--symlink", target, path]
            } else if info.st_mode & S_IFMT == S_IFDIR {
                arguments += ["--ro-bind", path, path]
            }
        }
        arguments += ["--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                      "--bind", command.workspace, command.workspaceMount]
        for mount in command.mounts {
            arguments += [mount.writable ? "--bind" : "--ro-bind", mount.source, mount.target]
        }
        arguments += ["--remount-ro", "/"]
        if let hostname = command.pins.hostname { arguments += ["--hostname", hostname] }
        if command.pins.uid != nil || command.pins.gid != nil { arguments += ["--unshare-user"] }
        if let uid = command.pins.uid { arguments += ["--uid", String(uid)] }
        if let gid = command.pins.gid { arguments += ["--gid", String(gid)] }
        arguments += ["--chdir", command.cwd, "--clearenv"]
        for (key, value) in try command.pinnedEnvironment(faketimeLibrary: faketimeLibrary) {
            arguments += ["--setenv", key, value]
        }
        return arguments + ["--"] + command.launchedArgv(setarch: true)
    }

    static func find(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where access("\(directory)/\(name)", X_OK) == 0 {
            return "\(directory)/\(name)"
        }
        return nil
    }

    static func linkTarget(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let length = buffer.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, $0.count) }
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length], as: UTF8.self)
    }
}

extension String {
    func trimmingSuffix() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
