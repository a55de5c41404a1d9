import Foundation
import Recorder
import Replayer
import TraceModel

/// The replayer's figures: per-step sandbox overhead beside a bare exec in the same run, the
/// time to replay a generated 200-step session end to end, and a harness replay's cost per model call.
enum ReplayBench {
    static func measure(work: String) throws -> [String: Any] {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let sandbox = try BubblewrapSandbox()
        let workspace = work + "/step-ws"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        var pins = SandboxPins(time: 1_764_000_000, timeZone: "UTC", locale: "C.UTF-8", randomSeed: 7, sourceDateEpoch: 1_764_000_000,
                               hostname: "bench", umask: 0o022, uid: getuid(), gid: getgid())
        pins.fixedAddresses = true
        pins.timeMicroseconds = 250_000
        let environment = ["PATH": "/usr/bin:/bin"]
        let pinned = SandboxCommand(argv: ["/bin/true"], workspace: workspace, workspaceMount: "/srv/ws", environment: environment, pins: pins)
        let plain = SandboxCommand(argv: ["/bin/true"], workspace: workspace, workspaceMount: "/srv/ws", environment: environment)
        let runs = 40
        var bare: [Double] = [], sandboxed: [Double] = [], unpinned: [Double] = []
        for _ in 0..<runs {
            bare.append(try RecorderBench.timedSpawn(["/bin/true"], environment: environment, directory: workspace))
            var started = now()
            _ = try sandbox.run(pinned)
            sandboxed.append(now() - started)
            started = now()
            _ = try sandbox.run(plain)
            unpinned.append(now() - started)
        }
        let overhead = (RecorderBench.median(sandboxed) - RecorderBench.median(bare)) * 1000
        var result: [String: Any] = [
            "sandbox_step": [
                "median_ms": rounded(RecorderBench.median(sandboxed) * 1000),
                "without_pins_median_ms": rounded(RecorderBench.median(unpinned) * 1000),
                "bare_exec_median_ms": rounded(RecorderBench.median(bare) * 1000),
                "overhead_ms": rounded(overhead), "runs": runs,
                "target": "overhead_ms <= 10", "meets_target": overhead <= 10,
            ],
        ]
        result["replay_200_steps"] = try replaySession(steps: 200, work: work + "/replay")
        result["tape_call"] = try TapeBench.measure(work: work + "/tape")
        return result
    }

    /// A generated session of `steps` commands, each writing a file, replayed in `actions` mode.
    static func replaySession(steps: Int, work: String) throws -> [String: Any] {
        let blobs = MemoryBlobStore()
        let id = SessionID.generate()
        let root = "/srv/bench"
        var chain = ChainBuilder()
        var events: [Event] = []
        var clock = Timestamp.now()
        func add(_ kind: EventKind, cause: UInt64? = nil, _ data: [String: JSONValue], blobs names: [String: Digest] = [:]) -> UInt64 {
            clock.microseconds += 10_000
            var event = Event(session: id, seq: 0, ts: clock, monoNs: 0, kind: kind, actor: .agent, cause: cause, data: data, blobs: names)
            chain.seal(&event)
            events.append(event)
            return event.seq
        }
        let readme = Array("bench\n".utf8)
        try blobs.put(readme)
        let manifest = try SnapshotManifest(entries: [.file("README", size: UInt64(readme.count), digest: Digest.sha256(readme))]).store(in: blobs)
        let fingerprint = try blobs.put(JSONValue.object(["env": .object(["PATH": .string("/usr/bin:/bin")]), "tz": .string("UTC")]).canonicalBytes())
        _ = add(.sessionStart, ["agent": .object(["name": .string("bench")]), "cwd": .string(root)],
                blobs: ["snapshot": manifest, "environment": fingerprint])
        for index in 0..<steps {
            let content = Array("step \(index)\n".utf8)
            let digest = try blobs.put(content)
            let exec = add(.processExec, [
                "argv": .array(["/bin/sh", "-c", .string("echo step \(index) > f\(index).txt; echo ok")]), "cwd": .string(root),
                "exit_code": .number(JSONNumber(Int64(0))), "stdout": .string("ok\n"), "stdout_bytes": .number(JSONNumber(Int64(3))),
                "duration_ms": .number(JSONNumber(Int64(2))),
            ])
            _ = add(.fileWrite, cause: exec, ["path": .string("f\(index).txt"), "after": .string(digest.description), "before": .null],
                    blobs: ["content": digest])
        }
        _ = add(.sessionEnd, ["status": .string("completed")])
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let replay = ActionReplay(session: try RecordedSession(events: events), blobs: blobs, sandbox: try BubblewrapSandbox(),
                                  workspace: work + "/ws")
        let started = now()
        let (report, _) = try replay.run(sandboxName: "bubblewrap")
        let seconds = now() - started
        return [
            "steps": report.steps.count, "seconds": rounded(seconds), "per_step_ms": rounded(seconds / Double(max(1, report.steps.count)) * 1000),
            "fidelity": report.fidelity,
        ]
    }
}
