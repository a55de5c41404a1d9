/// Runs commands directly on the host, in the workspace, with the recorded environment and pins but
/// no isolation at all: only for `--unsafe-no-sandbox`, chosen explicitly by the caller. The cwd is
/// translated from the workspace mount to the host workspace; hostname, uid and gid pins are ignored.
public struct UnsandboxedRunner: Sandbox {
    public let faketimeLibrary: String

    public init(faketimeLibrary: String = SandboxCommand.faketimeLibrary) {
        self.faketimeLibrary = faketimeLibrary
    }

    public func run(_ command: SandboxCommand) throws(SandboxError) -> SandboxResult {
        try command.validate()
        // Nothing can be mounted without a sandbox; a directory is usable only where it already is.
        if let mount = command.mounts.first(where: { $0.source != $0.target }) {
            throw SandboxError(.invalidCommand, "without a sandbox \(mount.source) cannot appear at \(mount.target)")
        }
        var environment: [String: String] = [:]
        for (key, value) in try command.pinnedEnvironment(faketimeLibrary: faketimeLibrary) { environment[key] = value }
        let directory = command.workspace + command.cwd.dropFirst(command.workspaceMount.count)
        // `env` finds a bare program name in the command's own PATH.
        return try ProcessLauncher.run(executable: "/usr/bin/env", arguments: ["--"] + command.launchedArgv(setarch: false),
                                       environment: environment, directory: directory, timeout: command.timeout,
                                       outputLimit: command.outputLimit, fixedAddresses: command.pins.fixedAddresses)
    }
}
