import Glibc
import Recorder
import Replayer
import TraceModel

/// Builds a recorded session as events, the way a recorder would have written it, with its blobs.
struct SessionFixture {
    let id = SessionID.generate()
    let blobs = MemoryBlobStore()
    private(set) var events: [Event] = []
    private var chain = ChainBuilder()
    /// The clock of the fixture: each event is a second after the previous.
    private var clock = Timestamp(microseconds: 1_764_000_000_000_000)

    /// Starts the session at `root` with a start snapshot of `entries` and a fingerprint with `env`.
    init(root: String, entries: [SnapshotEntry], contents: [[UInt8]] = [], env: [String: String] = [:]) throws {
        for content in contents { try blobs.put(content) }
        let manifest = try SnapshotManifest(entries: entries).store(in: blobs)
        var variables = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]
        for (key, value) in env { variables[key] = value }
        let fingerprint: JSONValue = .object([
            "env": .object(variables.mapValues(JSONValue.string)),
            "hostname": .string("recorded-host"), "uid": .number(JSONNumber(Int64(getuid()))), "gid": .number(JSONNumber(Int64(getgid()))),
            "umask": .number(JSONNumber(Int64(0o022))), "tz": .string("UTC"), "cwd": .string(root),
        ])
        let environment = try blobs.put(fingerprint.canonicalBytes())
        add(.sessionStart, actor: .recorder, data: ["agent": .object(["name": .string("fixture")]), "cwd": .string(root),
                                                   "command": .array([.string("agent")]), "snapshot": .string(manifest.description)],
            blobs: ["snapshot": manifest, "environment": environment])
    }

    @discardableResult
    mutating func add(_ kind: EventKind, actor: Actor = .agent, cause: UInt64? = nil, data: [String: JSONValue], blobs: [String: Digest] = [:]) -> UInt64 {
        clock.microseconds += 1_000_000
        var event = Event(session: id, seq: 0, ts: clock, monoNs: 0, kind: kind, actor: actor, cause: cause, data: data, blobs: blobs)
        chain.seal(&event)
        events.append(event)
        return event.seq
    }

    /// A recorded `sh -c SCRIPT` with its exit code and output.
    @discardableResult
    mutating func exec(_ script: String, cwd: String, exit: Int64 = 0, stdout: String = "", stderr: String = "") -> UInt64 {
        var data: [String: JSONValue] = [
            "argv": .array(["/bin/sh", "-c", .string(script)]), "cwd": .string(cwd), "exit_code": .number(JSONNumber(exit)),
            "duration_ms": .number(JSONNumber(Int64(5))), "pid": .number(JSONNumber(Int64(4242))),
            "stdout_bytes": .number(JSONNumber(Int64(stdout.utf8.count))), "stderr_bytes": .number(JSONNumber(Int64(stderr.utf8.count))),
        ]
        if !stdout.isEmpty { data["stdout"] = .string(stdout) }
        if !stderr.isEmpty { data["stderr"] = .string(stderr) }
        return add(.processExec, data: data)
    }

    /// A `file.write` of `content` at `path`, caused by `cause` (nil: a direct edit).
    @discardableResult
    mutating func write(_ path: String, _ content: String, cause: UInt64? = nil, keep: Bool = true) throws -> UInt64 {
        let bytes = Array(content.utf8)
        let digest = keep ? try blobs.put(bytes) : Digest.sha256(bytes)
        return add(.fileWrite, cause: cause, data: ["path": .string(path), "after": .string(digest.description), "before": .null,
                                                   "mode": .number(JSONNumber(Int64(0o644))), "size": .number(JSONNumber(Int64(bytes.count)))],
                   blobs: ["content": digest])
    }

    @discardableResult
    mutating func delete(_ path: String, before: String, cause: UInt64? = nil) -> UInt64 {
        add(.fileDelete, cause: cause, data: ["path": .string(path), "before": .string(Digest.sha256(Array(before.utf8)).description)])
    }

    mutating func end() {
        add(.sessionEnd, actor: .recorder, data: ["status": .string("completed"), "exit_code": .number(JSONNumber(Int64(0)))])
    }

    func session() throws -> RecordedSession { try RecordedSession(events: events) }
}
