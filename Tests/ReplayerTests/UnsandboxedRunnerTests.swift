import Glibc
import Replayer
import Testing
import TraceModel

@Suite struct UnsandboxedRunnerTests {
    @Test func runsInTheHostWorkspaceWithTheRecordedEnvironment() throws {
        let workspace = TemporaryDirectory("plain")
        defer { workspace.remove() }
        mkdir(workspace.path + "/sub", 0o755)
        let command = SandboxCommand(argv: ["sh", "-c", "pwd; echo \"$ONLY $TZ $HOME\"; umask; echo made > here"], workspace: workspace.path,
                                     workspaceMount: "/home/agent/project", cwd: "/home/agent/project/sub",
                                     environment: ["PATH": "/usr/bin:/bin", "ONLY": "this"], pins: SandboxPins(timeZone: "UTC", umask: 0o077))
        let result = try UnsandboxedRunner().run(command)
        #expect(result.termination == .exited(0))
        #expect(result.stdoutText == "\(workspace.path)/sub\nthis UTC \n0077\n")
        #expect(Disk.text(workspace.path + "/sub/here") == "made\n")
        #expect(Disk.status(workspace.path + "/sub/here")!.st_mode & 0o777 == 0o600)
    }

    @Test func keepsOutputUpToTheLimitAndHashesAllOfIt() throws {
        let workspace = TemporaryDirectory("plain")
        defer { workspace.remove() }
        var command = SandboxCommand(argv: ["sh", "-c", "head -c 300000 /dev/zero; echo small >&2"], workspace: workspace.path,
                                     environment: ["PATH": "/usr/bin:/bin"])
        command.outputLimit = 1000
        let result = try UnsandboxedRunner().run(command)
        #expect(result.stdout == [UInt8](repeating: 0, count: 1000))
        #expect(result.stdoutSize == 300_000)
        #expect(result.stdoutDigest == Digest.sha256([UInt8](repeating: 0, count: 300_000)))
        #expect(result.stderrText == "small\n")
        #expect(result.stderrDigest == Digest.sha256(Array("small\n".utf8)))
        #expect(result.truncated)
    }

    @Test func pinsTheClockWithLibfaketime() throws {
        let workspace = TemporaryDirectory("plain")
        defer { workspace.remove() }
        let command = SandboxCommand(argv: ["date", "+%s"], workspace: workspace.path, environment: ["PATH": "/usr/bin:/bin"],
                                     pins: SandboxPins(time: 1_000_000_000))
        let seconds = try #require(Int64(try UnsandboxedRunner().run(command).stdoutText.trimmingSuffix()))
        #expect(seconds >= 1_000_000_000 && seconds < 1_000_000_600)
        let missing = SandboxCommand(argv: ["true"], workspace: workspace.path, pins: SandboxPins(time: 1))
        let error = try #require(throws: SandboxError.self) { try UnsandboxedRunner(faketimeLibrary: "/nonexistent/libfaketime.so.1").run(missing) }
        #expect(error.code == .unavailable)
    }
}

extension String {
    func trimmingSuffix() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
