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
