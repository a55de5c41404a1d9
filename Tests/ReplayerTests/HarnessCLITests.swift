import Foundation
import Testing
import TraceModel

/// `parallax replay --mode harness` as a user runs it: the recording shipped to a collector, the
/// replay read from it and stored back, all real processes.
@Suite("parallax replay --mode harness", .serialized)
struct HarnessCLITests {
    struct Run {
        var code: Int32
        var out: String
        var err: String
    }

    static func parallax(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HarnessRecording.binaries + "/parallax")
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/tmp"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        let complained = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(code: process.terminationStatus, out: String(decoding: printed, as: UTF8.self), err: String(decoding: complained, as: UTF8.self))
    }

    /// `parallax collector serve` on a free loopback port; its first output line is its URL.
    final class Collector {
        let process = Process()
        let url: String

        init(db: String) throws {
            process.executableURL = URL(fileURLWithPath: HarnessRecording.binaries + "/parallax")
            process.arguments = ["collector", "serve", "--db", db, "--listen", "127.0.0.1:0", "--insecure-no-auth"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var line = Data()
            while !line.contains(0x0A) {
                let more = out.fileHandleForReading.availableData
                if more.isEmpty { break }
                line += more
            }
            url = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    @Test func replaysFromACollectorWithFidelityOneAndStoresTheReplay() throws {
        let recording = try HarnessRecording()
        let collector = try Collector(db: recording.root.path + "/fleet.sqlite")
        defer { collector.stop() }
        try #require(collector.url.hasPrefix("http://127.0.0.1:"), "collector said \(collector.url)")
        let session = recording.events[0].session.string
        let ship = try Self.parallax(["ship", "--spool", recording.spool.path, "--collector", collector.url, "--token", "t"])
        try #require(ship.code == 0, "\(ship.err)")

        let replay = try Self.parallax(["replay", session, "--collector", collector.url, "--token", "t", "--mode", "harness", "--json"])
        #expect(replay.code == 0, "\(replay.err)")
        let report = try JSONParser.parse(Array(replay.out.utf8))
        #expect(report["mode"]?.stringValue == "harness")
        #expect(report["fidelity"]?.doubleValue == 1)
        #expect(report["steps"]?.arrayValue?.map { $0["kind"]?.stringValue ?? "" } == ["model", "exec", "model", "exec", "model"])
        #expect(report["missing"]?.int64Value == 0)
        #expect(report["extra"]?.int64Value == 0)
        #expect(replay.err.contains("[5/5]"), "progress on stderr: \(replay.err)")

        let stored = try #require(report["replay_session"]?.stringValue)
        let events = try Self.parallax(["events", stored, "--collector", collector.url, "--token", "t", "--json"])
        try #require(events.code == 0, "\(events.err)")
        let lines = events.out.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8)) }
        #expect(lines.first?["data"]?["replay_of"]?.stringValue == session)
        #expect(lines.count { $0["kind"]?.stringValue == "model.request" } == 3)
        #expect(lines.count { $0["kind"]?.stringValue == "process.exec" } == 2)
        let verify = try Self.parallax(["verify", stored, "--collector", collector.url, "--token", "t"])
        #expect(verify.code == 0, "\(verify.out) \(verify.err)")

        // The text report names the mode and the fidelity.
        let text = try Self.parallax(["replay", session, "--collector", collector.url, "--token", "t", "--mode", "harness", "--no-store"])
        #expect(text.code == 0, "\(text.err)")
        #expect(text.out.contains("replay of \(session) (harness, sandbox: bubblewrap)"))
        #expect(text.out.contains("fidelity 100.0% — 5 matched, 0 diverged, 0 skipped of 5 steps"), "\(text.out)")
    }

    @Test(arguments: [
        (["--mode", "harness", "--until", "3"], "--until applies to --mode actions only"),
        (["--mode", "harness", "--no-resync"], "--no-resync applies to --mode actions only"),
        (["--mode", "harness", "--unsafe-no-sandbox"], "network isolation"),
        (["--mode", "replay"], "--mode must be actions or harness"),
    ])
    func optionsOfTheOtherModeAreUsageErrors(arguments: [String], message: String) throws {
        let run = try Self.parallax(["replay", "01JD3Q7ZC4W1S5T8R2M6X9V0AB", "--db", "/nonexistent/fleet.sqlite"] + arguments)
        #expect(run.code == 2)
        #expect(run.err.contains(message), "\(run.err)")
    }
}
