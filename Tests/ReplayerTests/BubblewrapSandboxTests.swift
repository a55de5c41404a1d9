import Glibc
import Replayer
import Testing
import TraceModel

/// Real bubblewrap: these fail (rather than pass) when it is missing or cannot create namespaces.
@Suite struct BubblewrapSandboxTests {
    static let path = "/usr/bin:/bin"

    func command(_ script: String, in workspace: TemporaryDirectory, mount: String = "/workspace", cwd: String? = nil,
                 environment: [String: String] = [:], pins: SandboxPins = SandboxPins()) -> SandboxCommand {
        SandboxCommand(argv: ["sh", "-c", script], workspace: workspace.path, workspaceMount: mount, cwd: cwd,
                       environment: ["PATH": Self.path, "HOME": "/root"].merging(environment) { $1 }, pins: pins)
    }

    @Test func runsACommandAndCapturesItsOutput() throws {
        let sandbox = try BubblewrapSandbox()
        let workspace = TemporaryDirectory("ws")
        defer { workspace.remove() }
        let result = try sandbox.run(command("echo hello; echo oops >&2; exit 3", in: workspace))
        #expect(result.termination == .exited(3))
        #expect(result.stdoutText == "hello\n")
        #expect(result.stderrText == "oops\n")
        #expect(result.stdoutDigest == Digest.sha256(Array("hello\n".utf8)))
        #expect(!result.truncated)
        #expect(result.durationNanoseconds > 0)
    }

    @Test func writesOutsideTheWorkspaceFailAndWritesInsidePersist() throws {
        let sandbox = try BubblewrapSandbox()
        let workspace = TemporaryDirectory("ws")
        defer { workspace.remove() }
        mkdir(workspace.path + "/src", 0o755)
        let script = """
            echo x > /etc/parallax-replay-probe && echo etc-written
            echo x > "$HOME/parallax-replay-probe" && echo home-written
            echo x > /usr/parallax-replay-probe && echo usr-written
            echo kept > made.txt && echo workspace-written
            pwd
            """
        let result = try sandbox.run(command(script, in: workspace, mount: "/home/agent/project", cwd: "/home/agent/project/src"))
        #expect(result.termination == .exited(0))
        #expect(result.stdoutText == "workspace-written\n/home/agent/project/src\n")
        #expect(!Disk.exists("/etc/parallax-replay-probe"))
        #expect(!Disk.exists("/root/parallax-replay-probe"))
        #expect(!Disk.exists("/usr/parallax-replay-probe"))
        #expect(Disk.text(workspace.path + "/src/made.txt") == "kept\n")
    }

    @Test func cannotReachAPortListeningOnTheHost() throws {
        let listener = try #require(Listener())
        defer { listener.close() }
        let workspace = TemporaryDirectory("ws")
        defer { workspace.remove() }
        let connect = "import socket; socket.create_connection(('127.0.0.1', \(listener.port)), timeout=5); print('connected')"
        let probe = SandboxCommand(argv: ["python3", "-c", connect], workspace: workspace.path, environment: ["PATH": Self.path])
        // The same probe reaches the port without a sandbox, so a failure below is the isolation.
        let direct = try UnsandboxedRunner().run(probe)
        #expect(direct.stdoutText == "connected\n")
        let sandboxed = try BubblewrapSandbox().run(probe)
        #expect(sandboxed.termination != .exited(0))
        #expect(sandboxed.stdoutText.isEmpty)
        #expect(sandboxed.stderrText.contains("Error"))
    }

    @Test func pinsTimeRandomnessAndTheRestOfTheSurroundings() throws {
        let sandbox = try BubblewrapSandbox()
        let workspace = TemporaryDirectory("ws")
        defer { workspace.remove() }
        let pinned: Int64 = 1_700_000_000
        let pins = SandboxPins(time: pinned, timeZone: "UTC", locale: "C.UTF-8", randomSeed: 0x1234_5678, sourceDateEpoch: 1_600_000_000,
                               hostname: "recorded-box", umask: 0o027, uid: 1000, gid: 1000)
        let script = """
            date +%s; hostname; id -u; id -g; umask; echo "$TZ $LC_ALL $SOURCE_DATE_EPOCH $FAKERANDOM_SEED $LEAK"
            python3 -c 'import os, random; print(os.urandom(8).hex(), random.random())'
            touch made; stat -c %a made
            """
        let first = try sandbox.run(command(script, in: workspace, pins: pins))
        #expect(first.termination == .exited(0), "\(first.stderrText)")
        let lines = first.stdoutText.split(separator: "\n").map(String.init)
        try #require(lines.count == 8)
        let seconds = try #require(Int64(lines[0]))
        #expect(seconds >= pinned && seconds < pinned + 600)
        #expect(Array(lines[1...5]) == ["recorded-box", "1000", "1000", "0027", "UTC C.UTF-8 1600000000 0x12345678 "])
        #expect(lines[7] == "640")

        unlink(workspace.path + "/made")
        let second = try sandbox.run(command(script, in: workspace, pins: pins))
        #expect(second.stdoutText.split(separator: "\n")[6] == lines[6])
        var reseeded = pins
        reseeded.randomSeed = 99
        unlink(workspace.path + "/made")
        let third = try sandbox.run(command(script, in: workspace, pins: reseeded))
        #expect(third.stdoutText.split(separator: "\n")[6] != lines[6])
    }

    @Test func bashRandomRepeatsWithAFrozenClockAndFixedAddresses() throws {
        let sandbox = try BubblewrapSandbox()
        let workspace = TemporaryDirectory("ws")
        defer { workspace.remove() }
        let pins = SandboxPins(time: 1_700_000_000, frozenClock: true, fixedAddresses: true, randomSeed: 1)
        let probe = SandboxCommand(argv: ["bash", "-c", "echo $RANDOM $RANDOM; date +%s"], workspace: workspace.path,
                                   environment: ["PATH": Self.path], pins: pins)
        let first = try sandbox.run(probe), second = try sandbox.run(probe)
        #expect(first.termination == .exited(0), "\(first.stderrText)")
        #expect(first.stdoutText == second.stdoutText)
        #expect(first.stdoutText.hasSuffix("\n1700000000\n"))
    }

    @Test func theHostEnvironmentDoesNotLeakIn() throws {
        setenv("PARALLAX_REPLAY_LEAK", "leaked", 1)
        defer { unsetenv("PARALLAX_REPLAY_LEAK") }
        let workspace = TemporaryDirectory("ws")
        defer { workspace.remove() }
        let result = try BubblewrapSandbox().run(command("env | sort", in: workspace, environment: ["ONLY": "this"]))
        #expect(result.stdoutText.contains("ONLY=this\n"))
        #expect(!result.stdoutText.contains("leaked"))
    }

    @Test func rmRfSlashInsideLeavesTheHostAlone() throws {
        let sandbox = try BubblewrapSandbox()
        let host = TemporaryDirectory("host-canary")
        let workspace = TemporaryDirectory("ws")
        defer { host.remove(); workspace.remove() }
        Disk.write(host.path + "/canary", "alive")
        Disk.write(workspace.path + "/inside", "gone soon")
        let result = try sandbox.run(command("rm -rf --no-preserve-root / 2>/dev/null; echo done", in: workspace))
        #expect(result.stdoutText == "done\n")
        #expect(Disk.text(host.path + "/canary") == "alive")
        #expect(access("/usr/bin/true", X_OK) == 0)
        #expect(Disk.exists("/etc/passwd"))
        // The workspace is the one place it may write, and it did.
        #expect(!Disk.exists(workspace.path + "/inside"))
    }

    @Test func killsACommandPastItsTimeoutAndReportsSignals() throws {
        let sandbox = try BubblewrapSandbox()
        let workspace = TemporaryDirectory("ws")
        defer { workspace.remove() }
        var slow = command("echo started; exec sleep 600", in: workspace)
        slow.timeout = .milliseconds(300)
        let stopped = try sandbox.run(slow)
        #expect(stopped.timedOut)
        #expect(stopped.stdoutText == "started\n")
        #expect(stopped.termination == .signaled(SIGKILL))
        let quick = try sandbox.run(SandboxCommand(argv: ["true"], workspace: workspace.path, timeout: .seconds(600)))
        #expect(!quick.timedOut)
        #expect(quick.termination == .exited(0))
        let killed = try sandbox.run(command("kill -9 $$", in: workspace))
        #expect(killed.termination == .exited(128 + SIGKILL))
    }

    @Test func refusesBadCommandsAndAMissingBwrap() throws {
        let workspace = TemporaryDirectory("ws")
        defer { workspace.remove() }
        let sandbox = try BubblewrapSandbox()
        for bad in [SandboxCommand(argv: [], workspace: workspace.path),
                    SandboxCommand(argv: ["true"], workspace: workspace.path, cwd: "/etc"),
                    SandboxCommand(argv: ["true"], workspace: workspace.path, cwd: "/workspace/../etc"),
                    SandboxCommand(argv: ["true"], workspace: workspace.path, workspaceMount: "/"),
                    SandboxCommand(argv: ["true"], workspace: workspace.path + "/nope")] {
            let error = try #require(throws: SandboxError.self) { try sandbox.run(bad) }
            #expect(error.code == .invalidCommand)
        }
        let missing = try #require(throws: SandboxError.self) { try BubblewrapSandbox(bwrap: "/nonexistent/bwrap") }
        #expect(missing.code == .unavailable)
        let cannot = try #require(throws: SandboxError.self) { try BubblewrapSandbox(bwrap: "/usr/bin/false") }
        #expect(cannot.code == .unavailable)
    }
}

/// A TCP socket listening on 127.0.0.1 at a free port; connections queue in the backlog unaccepted.
struct Listener {
    let descriptor: Int32
    let port: UInt16

    init?() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { Glibc.close(fd); return nil }
        descriptor = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() { Glibc.close(descriptor) }
}
