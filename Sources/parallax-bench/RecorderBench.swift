import Foundation
import Recorder
import TraceModel
import TraceWire

#if canImport(Glibc)
import Glibc
#endif

/// The worker-side figures: in-process emit throughput, `parallax emit` latency, recording-shell
/// overhead per command, `parallax record` peak RSS, and workspace snapshot times — each beside a
/// baseline measured in the same run.
enum RecorderBench {
    static func measure(work: String) throws -> [String: Any] {
        let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        let launcher = binaries + "/parallax"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var result: [String: Any] = ["emit_in_process": try emitThroughput(work: work + "/emit")]
        let spool = try Spool(path: work + "/agent-spool")
        let workspace = work + "/agent-ws"
        _ = try SnapshotFixture.generate(at: workspace, files: 50, seed: 3)
        let recorder = try SessionRecorder.create(
            spool: spool, start: EventDraft(kind: .sessionStart, actor: .recorder, data: ["agent": .object(["name": .string("bench")])]))
        defer { recorder.close() }
        let tracker = try SnapshotWorkspaceTracker(root: workspace, blobs: spool.blobs, cachePath: nil)
        let host = SessionHost(recorder: recorder, workspace: tracker, baseEnvironment: ProcessInfo.processInfo.environment)
        let socket = "/tmp/parallax-bench-\(getpid()).sock"
        let server = try RecorderSocketServer(path: socket, handler: host.handle)
        defer { server.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment["PARALLAX_SOCKET"] = socket
        environment["PARALLAX_SESSION"] = recorder.session.string
        environment["PARALLAX_SPOOL"] = spool.path
        environment["PARALLAX_REAL_SHELL"] = "/bin/bash"

        // `parallax emit` through the recorder's socket, beside spawning /bin/true.
        let runs = 60
        var emit: [Double] = [], trueBaseline: [Double] = []
        for _ in 0..<runs {
            trueBaseline.append(try timedSpawn(["/bin/true"], environment: environment, directory: workspace))
            emit.append(try timedSpawn([launcher, "emit", "--kind", "annotation", "--data", #"{"label":"bench"}"#],
                                       environment: environment, directory: workspace))
        }
        result["cli_emit"] = [
            "median_ms": rounded(median(emit) * 1000), "spawn_true_median_ms": rounded(median(trueBaseline) * 1000),
            "runs": runs, "target": "median_ms <= 3", "meets_target": median(emit) * 1000 <= 3,
        ]

        // The recording shell around `-c true` in a 50-file workspace, beside bare `bash -c true`.
        let shell = work + "/parallax-shell"
        try? FileManager.default.removeItem(atPath: shell)
        try FileManager.default.createSymbolicLink(atPath: shell, withDestinationPath: binaries + "/parallax-agent")
        var wrapped: [Double] = [], bare: [Double] = []
        for _ in 0..<runs {
            bare.append(try timedSpawn(["/bin/bash", "-c", "true"], environment: environment, directory: workspace))
            wrapped.append(try timedSpawn([shell, "-c", "true"], environment: environment, directory: workspace))
        }
        let overhead = (median(wrapped) - median(bare)) * 1000
        result["recording_shell"] = [
            "median_ms": rounded(median(wrapped) * 1000), "bare_bash_median_ms": rounded(median(bare) * 1000),
            "overhead_ms": rounded(overhead), "workspace_files": 50, "runs": runs,
            "target": "overhead_ms <= 5", "meets_target": overhead <= 5,
        ]

        // Peak RSS of the recorder process during `parallax record -- sleep 0.5`.
        let recordSpool = work + "/record-spool"
        let rss = try peakRSS([launcher, "record", "--spool", recordSpool, "--", "/bin/sleep", "0.5"], directory: workspace)
        result["record_peak_rss_mb"] = [
            "rss_mb": rounded(Double(rss) / 1_048_576, 1), "target": "rss_mb <= 30", "meets_target": rss <= 30 << 20,
        ]
        result["snapshot_10k_files"] = try snapshotTimes(work: work + "/snap")
        return result
    }

    /// Events/s through `SessionRecorder.record` with `interval` fsync, beside appending the same
    /// framed bytes with write(2) (no seq, chain, redaction or encoding).
    static func emitThroughput(work: String) throws -> [String: Any] {
        let count = 200_000
        let spool = try Spool(path: work, options: SpoolOptions(fsync: .interval(milliseconds: 100)))
        let draft = EventDraft(kind: .toolCall, actor: .agent, data: [
            "name": .string("search"), "call_id": .string("call_0042"),
            "input": .object(["query": .string("why does the login test fail on CI but not locally"), "limit": .number(JSONNumber(10))]),
        ])
        let recorder = try SessionRecorder.create(
            spool: spool, start: EventDraft(kind: .sessionStart, actor: .recorder, data: ["agent": .object(["name": .string("bench")])]))
        let started = now()
        for _ in 0..<count { try recorder.record(draft) }
        try recorder.sync()
        let seconds = now() - started
        recorder.close()

        let sample = try spool.records(of: recorder.session, after: 0, limit: 1)[0].bytes
        let path = work + "/raw-baseline.log"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let framed = SpoolRecord.frame(sample)
        let rawStarted = now()
        var buffer: [UInt8] = []
        for _ in 0..<count {
            buffer.append(contentsOf: framed)
            if buffer.count >= 1 << 20 {
                _ = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        _ = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        let rawSeconds = now() - rawStarted
        close(descriptor)
        let rate = Double(count) / seconds
        return [
            "events_per_s": Int(rate), "raw_append_baseline_events_per_s": Int(Double(count) / rawSeconds),
            "ratio_to_raw": rounded(rate / (Double(count) / rawSeconds)), "event_bytes": sample.count,
            "fsync": "interval 100 ms", "target": "events_per_s >= 100000", "meets_target": rate >= 100_000,
        ]
    }

    /// First snapshot of a generated 10k-file tree and an unchanged rescan, beside walking the same
    /// tree with FileManager (a plain stat of every entry).
    static func snapshotTimes(work: String) throws -> [String: Any] {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let root = work + "/tree"
        let summary = try SnapshotFixture.generate(at: root, files: 10_000, seed: 11)
        let blobs = try Spool(path: work + "/spool").blobs
        var snapshotter = Snapshotter(root: root, cacheFile: work + "/stat-cache")
        let firstStarted = now()
        let first = try snapshotter.snapshot(into: blobs)
        try blobs.flush()
        let firstSeconds = now() - firstStarted
        let rescanStarted = now()
        let again = try snapshotter.snapshot(into: blobs)
        try blobs.flush()
        let rescanSeconds = now() - rescanStarted
        let walkStarted = now()
        var walked = 0
        if let enumerator = FileManager.default.enumerator(atPath: root) {
            while let item = enumerator.nextObject() as? String {
                _ = enumerator.fileAttributes
                _ = item
                walked += 1
            }
        }
        let walkSeconds = now() - walkStarted
        return [
            "files": summary.files, "bytes": summary.bytes,
            "first_s": rounded(firstSeconds), "unchanged_rescan_s": rounded(rescanSeconds),
            "rescan_files_rehashed": again.filesHashed, "first_files_hashed": first.filesHashed,
            "filemanager_walk_baseline_s": rounded(walkSeconds), "entries_walked": walked,
            "target": "first_s <= 2 and unchanged_rescan_s <= 0.3",
            "meets_target": firstSeconds <= 2 && rescanSeconds <= 0.3,
        ]
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Seconds from spawning `argv` to reaping it.
    static func timedSpawn(_ argv: [String], environment: [String: String], directory: String) throws -> Double {
        let started = now()
        try spawnAndWait(argv, environment: environment, directory: directory)
        return now() - started
    }

    /// Peak resident set (VmHWM) of the spawned process, read from /proc while it runs. (wait4's
    /// ru_maxrss would count this large benchmark process, whose memory the spawned child shares
    /// until it execs.)
    static func peakRSS(_ argv: [String], directory: String) throws -> Int {
        let pid = try spawn(argv, environment: ProcessInfo.processInfo.environment, directory: directory)
        var peak = 0
        var status: Int32 = 0
        while true {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kb = line.split(separator: " ").compactMap({ Int($0) }).first {
                peak = max(peak, kb * 1024)
            }
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw BenchError("waitpid failed for \(argv[0])") }
            usleep(5_000)
        }
        guard status == 0 else { throw BenchError("\(argv.joined(separator: " ")) ended with status \(status)") }
        return peak
    }

    static func spawnAndWait(_ argv: [String], environment: [String: String], directory: String) throws {
        let pid = try spawn(argv, environment: environment, directory: directory)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchError("waitpid failed for \(argv[0])") }
        }
        guard status == 0 else { throw BenchError("\(argv.joined(separator: " ")) ended with status \(status)") }
    }

    static func spawn(_ argv: [String], environment: [String: String], directory: String) throws -> pid_t {
        let previous = FileManager.default.currentDirectoryPath
        guard FileManager.default.changeCurrentDirectoryPath(directory) else { throw BenchError("cannot enter \(directory)") }
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else { throw BenchError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        return pid
    }
}
