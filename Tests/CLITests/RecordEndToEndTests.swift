import Collector
import Foundation
import Testing
import TraceModel
import TraceStore

/// `parallax record`, `emit`, the recording shell and `ship` as real processes against a real
/// collector on 127.0.0.1.
@Suite("parallax record end to end", .serialized)
struct RecordEndToEndTests {
    /// A collector over a temp store with an admin token; stop() when done.
    final class Collector {
        let store: SQLiteStore
        let token: String
        var server: CollectorServer
        var url: String { "http://127.0.0.1:\(server.port)" }

        init(_ dir: TempDir) throws {
            store = try SQLiteStore(path: dir.file("collector.sqlite"))
            token = try store.createToken(project: "fleet", role: .admin, name: "test").token
            var configuration = CollectorConfiguration()
            configuration.port = 0
            server = try CollectorServer(store: store, configuration: configuration)
            try server.start()
        }

        func stop() { server.shutdown(drainTimeout: 5) }

        func events(_ session: String) throws -> [Event] {
            let run = cli("events", session, "--collector", url, "--token", token, "--json")
            #expect(run.code == 0, "\(run.err)")
            return try run.out.split(separator: "\n").map { try Event.decode(String($0)) }
        }
    }

    struct Run { var code: Int32; var out: String; var err: String }

    /// Runs the real executable in `directory` with extra environment variables.
    static func run(_ args: [String], in directory: String, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessTests.binary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = URL(fileURLWithPath: ProcessTests.binary).deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(code: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
                   err: String(decoding: errData, as: UTF8.self))
    }

    @Test func recordedShellCommandArrivesWithItsFileWriteSnapshotsAndAnIntactChain() throws {
        let dir = TempDir()
        let collector = try Collector(dir)
        defer { collector.stop() }
        let workspace = dir.file("ws")
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try Data("before\n".utf8).write(to: URL(fileURLWithPath: workspace + "/old.txt"))
        let record = try Self.run(
            ["record", "--shell", "--task", "t1", "--condition", "unsupervised", "--spool", dir.file("spool"),
             "--collector", collector.url, "--token", collector.token, "--id-file", dir.file("id"),
             "--", "bash", "-c", "echo hi > a.txt; ls; exit 3"],
            in: workspace)
        #expect(record.code == 3, "\(record.err)")
        #expect(record.out.contains("a.txt"), "the command's output passes through")
        let session = try String(contentsOfFile: dir.file("id"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let events = try collector.events(session)
        #expect(events.first?.kind == .sessionStart)
        #expect(events.first?.data["condition"] == .string("unsupervised"))
        let exec = try #require(events.first { $0.kind == .processExec })
        #expect(exec.data["exit_code"] == .number(JSONNumber(3)))
        #expect(exec.data["stdout"] == .string("a.txt\nold.txt\n"))
        let write = try #require(events.first { $0.kind == .fileWrite })
        #expect(write.data["path"] == .string("a.txt"))
        #expect(write.cause == exec.seq, "the file write is the effect of the command")
        #expect(write.data["after"] == .string(Digest.sha256(Array("hi\n".utf8)).description))
        let end = try #require(events.last)
        #expect(end.kind == .sessionEnd)
        #expect(end.data["status"] == .string("failed"))
        #expect(end.data["exit_code"] == .number(JSONNumber(3)))
        // Both snapshots and the written content reached the collector as blobs.
        for digest in [events[0].blobs["snapshot"], end.blobs["snapshot"], write.blobs["content"]] {
            let digest = try #require(digest)
            #expect(try collector.store.blob(digest, project: "fleet") != nil, "blob \(digest) missing on the collector")
        }
        #expect(events[0].data["snapshot"] != end.data["snapshot"])
        let verify = cli("verify", session, "--collector", collector.url, "--token", collector.token)
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains("chain intact"))
        // Everything delivered was removed from the spool.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.file("spool") + "/sessions")
        #expect(left.isEmpty)
    }
}

extension RecordEndToEndTests {
    /// The newest segment of the only session in a spool.
    static func lastSegment(_ spool: String) throws -> String {
        let sessions = try FileManager.default.contentsOfDirectory(atPath: spool + "/sessions")
        let session = try #require(sessions.first)
        let segments = try FileManager.default.contentsOfDirectory(atPath: "\(spool)/sessions/\(session)")
            .filter { $0.hasPrefix("seg-") }.sorted()
        return "\(spool)/sessions/\(session)/\(try #require(segments.last))"
    }

    @Test func killedRecorderLosesNothingAndShipCutsTheTornTailWithANotice() throws {
        let dir = TempDir()
        let collector = try Collector(dir)
        defer { collector.stop() }
        let spool = dir.file("spool")
        // The command emits through the recorder's socket, then kills the recorder (its parent)
        // with SIGKILL: no session.end, and nothing was shipped (no --collector).
        let script = """
            parallax emit --kind annotation --data '{"label":"one"}' && \
            parallax emit --kind annotation --data '{"label":"two"}' && \
            kill -9 $PPID; sleep 0.2; exit 0
            """
        let record = try Self.run(["record", "--spool", spool, "--id-file", dir.file("id"), "--", "bash", "-c", script],
                                  in: dir.path)
        #expect(record.code == SIGKILL, "the recorder died of SIGKILL: \(record.err)")
        let session = try String(contentsOfFile: dir.file("id"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // A write cut short by the crash: half a record at the end of the last segment.
        let segment = try Self.lastSegment(spool)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data([0x40, 0, 0, 0, 1, 2, 3, 4] + Array(#"{"half":"#.utf8)))
        try handle.close()

        let ship = try Self.run(["ship", "--once", "--spool", spool, "--collector", collector.url, "--token", collector.token],
                                in: dir.path)
        #expect(ship.code == 0, "\(ship.out)\(ship.err)")
        let events = try collector.events(session)
        #expect(events.map(\.seq) == Array(0..<UInt64(events.count)), "dense, each once")
        let labels = events.filter { $0.kind == .annotation }.compactMap { $0.data["label"]?.stringValue }
        #expect(labels == ["one", "two"])
        let notice = try #require(events.last)
        #expect(notice.kind == .recorderNotice)
        #expect(notice.data["code"] == .string("torn_tail"))
        #expect(cli("verify", session, "--collector", collector.url, "--token", collector.token).out.contains("chain intact"))

        // A second pass sends nothing new; the store still has each event once.
        let again = try Self.run(["ship", "--once", "--json", "--spool", spool, "--collector", collector.url, "--token", collector.token],
                                 in: dir.path)
        #expect(again.code == 0)
        #expect(try collector.events(session).count == events.count)
    }

    @Test func eventsWaitInTheSpoolWhileTheCollectorIsDownAndFailOverToTheLiveOne() throws {
        let dir = TempDir()
        let spool = dir.file("spool")
        // Nothing listens on the first URL: reserve a port, then close it.
        let dead = try Self.unusedPort()
        let record = try Self.run(
            ["record", "--spool", spool, "--collector", "http://127.0.0.1:\(dead)", "--token", "px_unused",
             "--id-file", dir.file("id"), "--", "bash", "-c", "parallax emit --kind annotation --data '{\"label\":\"offline\"}'; echo done"],
            in: dir.path)
        #expect(record.code == 0, "\(record.err)")
        #expect(record.err.contains("stays in the spool"), "\(record.err)")
        let session = try String(contentsOfFile: dir.file("id"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(FileManager.default.fileExists(atPath: "\(spool)/sessions/\(session)"))

        // The collector comes up; the dead URL is listed first and the shipper fails over.
        let collector = try Collector(dir)
        defer { collector.stop() }
        let ship = try Self.run(["ship", "--once", "--spool", spool, "--collector", "http://127.0.0.1:\(dead)",
                                 "--collector", collector.url, "--token", collector.token], in: dir.path)
        #expect(ship.code == 0, "\(ship.out)\(ship.err)")
        let events = try collector.events(session)
        #expect(events.first?.kind == .sessionStart)
        #expect(events.last?.kind == .sessionEnd)
        #expect(events.contains { $0.data["label"] == .string("offline") })
        #expect(!FileManager.default.fileExists(atPath: "\(spool)/sessions/\(session)"), "delivered sessions leave the spool")
    }

    static func unusedPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        #expect(bound)
        return UInt16(bigEndian: address.sin_port)
    }
}

extension RecordEndToEndTests {
    @Test func emitWithoutARecorderAppendsToTheSpoolAndRefusesBadDataNamingTheField() throws {
        let dir = TempDir()
        let spool = dir.file("spool")
        // A Claude Code hook starts a session in the spool (no recorder process involved).
        let payload = #"{"session_id":"abc-123","hook_event_name":"UserPromptSubmit","cwd":"/w","prompt":"fix the test"}"#
        let hooked = try Self.shell("printf '%s' '\(payload)' | parallax hook claude-code --spool '\(spool)' --json", in: dir.path)
        #expect(hooked.code == 0, "\(hooked.err)")
        let session = try #require(try JSONParser.parse(Array(hooked.out.utf8))["session"]?.stringValue)

        let emitted = try Self.run(["emit", "--kind", "annotation", "--data", #"{"label":"from a script"}"#,
                                    "--session", session, "--spool", spool, "--json"], in: dir.path)
        #expect(emitted.code == 0, "\(emitted.err)")
        let seq = try #require(try JSONParser.parse(Array(emitted.out.utf8))["seq"]?.int64Value)
        #expect(seq >= 2, "after the hook's start and prompt")

        let bad = try Self.run(["emit", "--kind", "message", "--data", #"{"role":"user"}"#, "--session", session, "--spool", spool],
                               in: dir.path)
        #expect(bad.code == 2)
        #expect(bad.err.contains("data.text"), "\(bad.err)")
        let nowhere = try Self.run(["emit", "--kind", "annotation", "--data", #"{"label":"x"}"#], in: dir.path, environment: ["PARALLAX_SOCKET": "", "PARALLAX_SESSION": ""])
        #expect(nowhere.code == 4)
        #expect(nowhere.err.contains("parallax record"), "\(nowhere.err)")
        let unknown = try Self.run(["emit", "--kind", "annotation", "--data", #"{"label":"x"}"#, "--session", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "--spool", spool],
                                   in: dir.path)
        #expect(unknown.code == 3, "\(unknown.err)")
    }

    static func shell(_ script: String, in directory: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = URL(fileURLWithPath: ProcessTests.binary).deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(code: process.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }
}

extension RecordEndToEndTests {
    /// Under a recorder, `parallax emit` is answered by the launcher's fast path; what it cannot
    /// answer (a refused event) still gets the full diagnostics, and nothing is recorded twice.
    @Test func emitUnderARecorderTakesTheFastPathAndRefusalsNameTheField() throws {
        let dir = TempDir()
        let script = """
            parallax emit --kind message --data '{"role":"user"}'; echo "refused=$?"
            parallax emit --json --kind annotation --data '{
              "label": "spans lines"}'
            parallax emit --kind tool.call --cause 1 --data '{"name":"grep","input":{"q":"a \\"quoted\\" word"}}'
            """
        let record = try Self.run(["record", "--spool", dir.file("spool"), "--id-file", dir.file("id"), "--", "bash", "-c", script],
                                  in: dir.path)
        #expect(record.code == 0, "\(record.err)")
        #expect(record.out.contains("refused=2"), "\(record.out)")
        #expect(record.err.contains("data.text"), "\(record.err)")
        let session = try String(contentsOfFile: dir.file("id"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let reply = try #require(record.out.split(separator: "\n").first { $0.hasPrefix("{") })
        let parsed = try JSONParser.parse(Array(reply.utf8))
        #expect(parsed["session"] == .string(session))
        let seq = try #require(parsed["seq"]?.int64Value)

        let events = try Self.spoolEvents(dir.file("spool"), session)
        #expect(events.filter { $0.kind == .message }.isEmpty, "the refused event was never recorded")
        let note = try #require(events.first { $0.seq == UInt64(seq) })
        #expect(note.data["label"] == .string("spans lines"))
        let call = try #require(events.first { $0.kind == .toolCall })
        #expect(call.cause == 1)
        #expect(call.data["input"]?["q"] == .string(#"a "quoted" word"#))
    }

    /// Every event of a session still in the spool, decoded from its segments.
    static func spoolEvents(_ spool: String, _ session: String) throws -> [Event] {
        let directory = "\(spool)/sessions/\(session)"
        var events: [Event] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).filter({ $0.hasPrefix("seg-") }).sorted() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
            var offset = 0
            while offset + 8 <= bytes.count {
                let length = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
                events.append(try Event.decode(Array(bytes[(offset + 8)..<(offset + 8 + length)])))
                offset += 8 + length
            }
        }
        return events
    }
}

extension RecordEndToEndTests {
    @Test func badRecordArgumentsStartNoSession() throws {
        let dir = TempDir()
        let spool = dir.file("spool")
        let plain = try Self.run(["record", "--spool", spool, "--collector", "http://collector.example:7437", "--token", "px_secret",
                                  "--", "true"], in: dir.path)
        #expect(plain.code == 2)
        #expect(plain.err.contains("https://"), "\(plain.err)")
        #expect(!plain.err.contains("px_secret"), "the token is never printed")
        let stray = try Self.run(["record", "--spool", spool, "bash", "-c", "true"], in: dir.path)
        #expect(stray.code == 2)
        #expect(stray.err.contains("after --"), "\(stray.err)")
        let label = try Self.run(["record", "--spool", spool, "--label", "novalue", "--", "true"], in: dir.path)
        #expect(label.code == 2)
        #expect(label.err.contains("KEY=VALUE"), "\(label.err)")
        let sessions = (try? FileManager.default.contentsOfDirectory(atPath: spool + "/sessions")) ?? []
        #expect(sessions.isEmpty, "no session was started: \(sessions)")
    }
}

extension RecordEndToEndTests {
    /// Hostile arguments to `emit` under a recorder: truncated JSON, a kind with quotes and control
    /// characters, a non-numeric cause. Each is refused by name and nothing is recorded.
    @Test func hostileEmitArgumentsUnderARecorderAreRefusedAndRecordNothing() throws {
        let dir = TempDir()
        let script = """
            parallax emit --kind annotation --data '{"label":'; echo "truncated=$?"
            parallax emit --kind 'a"b\\u0001' --data '{}'; echo "kind=$?"
            parallax emit --kind annotation --cause -1 --data '{"label":"x"}'; echo "cause=$?"
            parallax emit --kind annotation --data '{"label":"x"} {"label":"y"}'; echo "two=$?"
            """
        let record = try Self.run(["record", "--spool", dir.file("spool"), "--id-file", dir.file("id"), "--", "bash", "-c", script],
                                  in: dir.path)
        #expect(record.code == 0, "\(record.err)")
        for name in ["truncated", "kind", "cause", "two"] {
            #expect(record.out.contains("\(name)=2"), "\(name): \(record.out)\(record.err)")
        }
        #expect(record.err.contains("--data is not valid JSON"), "\(record.err)")
        let session = try String(contentsOfFile: dir.file("id"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let kinds = try Self.spoolEvents(dir.file("spool"), session).map(\.kind)
        #expect(!kinds.contains("annotation"), "nothing was recorded: \(kinds)")
    }
}
