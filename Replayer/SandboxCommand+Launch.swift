import Glibc

extension SandboxCommand {
    /// Debian's libfaketime, preloaded when time or randomness is pinned.
    public static let faketimeLibrary = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

    /// Checks the parts every runner relies on.
    func validate() throws(SandboxError) {
        guard let first = argv.first, !first.isEmpty else { throw SandboxError(.invalidCommand, "argv is empty") }
        for (name, path) in [("workspace mount", workspaceMount), ("cwd", cwd)] {
            guard path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
                throw SandboxError(.invalidCommand, "the \(name) \"\(path)\" is not an absolute path without . or ..")
            }
        }
        guard workspaceMount != "/" else { throw SandboxError(.invalidCommand, "the workspace cannot be mounted at /") }
        guard cwd == workspaceMount || cwd.hasPrefix(workspaceMount + "/") else {
            throw SandboxError(.invalidCommand, "the cwd \"\(cwd)\" is not inside the workspace \(workspaceMount)")
        }
        var info = stat()
        guard stat(workspace, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw SandboxError(.invalidCommand, "the workspace \(workspace) is not a directory")
        }
        for mount in mounts {
            guard mount.target.hasPrefix("/"), mount.target != "/",
                  !mount.target.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
                throw SandboxError(.invalidCommand, "the mount target \"\(mount.target)\" is not an absolute path without . or ..")
            }
            guard mount.target != workspaceMount, !mount.target.hasPrefix(workspaceMount + "/"), !workspaceMount.hasPrefix(mount.target + "/") else {
                throw SandboxError(.invalidCommand, "the mount target \(mount.target) overlaps the workspace \(workspaceMount)")
            }
            var mounted = stat()
            guard stat(mount.source, &mounted) == 0, mounted.st_mode & S_IFMT == S_IFDIR else {
                throw SandboxError(.invalidCommand, "the mount source \(mount.source) is not a directory")
            }
        }
        if let umask = pins.umask, umask > 0o777 { throw SandboxError(.invalidCommand, "umask \(String(umask, radix: 8)) is not 0...0777") }
        for (key, value) in environment where key.isEmpty || key.contains("=") || key.utf8.contains(0) || value.utf8.contains(0) {
            throw SandboxError(.invalidCommand, "the environment variable \"\(key)\" has an empty name, a = or a NUL byte")
        }
    }

    /// The environment with the pins applied, sorted by name.
    func pinnedEnvironment(faketimeLibrary: String) throws(SandboxError) -> [(String, String)] {
        var environment = self.environment
        if let zone = pins.timeZone { environment["TZ"] = zone }
        if let locale = pins.locale {
            environment["LANG"] = locale
            environment["LC_ALL"] = locale
        }
        if let epoch = pins.sourceDateEpoch { environment["SOURCE_DATE_EPOCH"] = String(epoch) }
        if pins.time != nil || pins.randomSeed != nil {
            guard access(faketimeLibrary, R_OK) == 0 else {
                throw SandboxError(.unavailable, "libfaketime (\(faketimeLibrary)) is needed to pin time or randomness and is not installed")
            }
            let preload = environment["LD_PRELOAD"].map { faketimeLibrary + ":" + $0 } ?? faketimeLibrary
            environment["LD_PRELOAD"] = preload
            if let time = pins.time {
                var stamp = String(time)
                if pins.timeMicroseconds > 0, pins.timeMicroseconds < 1_000_000 {
                    let digits = String(pins.timeMicroseconds)
                    stamp += "." + String(repeating: "0", count: 6 - digits.count) + digits
                }
                environment["FAKETIME"] = (pins.frozenClock ? "" : "@") + stamp
                environment["FAKETIME_FMT"] = "%s"
            }
            if let seed = pins.randomSeed { environment["FAKERANDOM_SEED"] = "0x" + String(seed, radix: 16) }
        }
        return environment.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// argv, behind a shell that sets the umask when the pinned one is not the one the command
    /// inherits anyway, and behind `setarch -R` for fixed addresses when `setarch` is true (the
    /// unsandboxed runner sets the persona on the process it spawns instead; under bubblewrap that
    /// does not survive the exec that drops capabilities).
    func launchedArgv(setarch: Bool) -> [String] {
        var launched = argv
        if let umask = pins.umask, umask != ProcessLauncher.currentUmask {
            launched = ["/bin/sh", "-c", "umask \(String(umask, radix: 8)) && exec \"$@\"", "sh"] + launched
        }
        if setarch, pins.fixedAddresses { launched = ["/usr/bin/setarch", "-R"] + launched }
        return launched
    }
}
