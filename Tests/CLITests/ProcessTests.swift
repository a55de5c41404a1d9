import Foundation
import Testing

/// The real `parallax` executable, run as a subprocess: exit codes, streams and a pipe.
@Suite("parallax executable")
struct ProcessTests {
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["PARALLAX_BIN"], FileManager.default.isExecutableFile(atPath: path) { return path }
        // Beside the test bundle in the build directory.
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir.appendingPathComponent("parallax"), dir.deletingLastPathComponent().appendingPathComponent("parallax")] {
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        }
        return "parallax-binary-not-found"
    }

    struct Result { var code: Int32; var out: String; var err: String }

    func run(_ args: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = args
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(code: process.terminationStatus, out: String(decoding: outData, as: UTF8.self), err: String(decoding: errData, as: UTF8.self))
    }

    @Test func versionHelpAndUsageExitCodes() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the parallax product first (make test does)")
        let version = try run(["--version"])
        #expect(version.code == 0)
        #expect(version.out.hasPrefix("parallax "))
        let bad = try run(["ingest"])
        #expect(bad.code == 2)
        #expect(bad.err.contains("missing FILE"))
        #expect(bad.out.isEmpty)
    }

    @Test func generatePipedIntoIngestFromStandardInput() throws {
        let dir = NSTemporaryDirectory() + "parallax-proc-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let generated = try run(["generate", "--sessions", "2", "--seed", "5", "--zstd"])
        #expect(generated.code == 0)
        let ndjson = try run(["generate", "--sessions", "2", "--seed", "5"])
        let lines = ndjson.out.split(separator: "\n").count
        let ingest = try run(["ingest", "-", "--db", dir + "/p.sqlite"], stdin: Data(ndjson.out.utf8))
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.out.contains("-: \(lines) stored"))
        let list = try run(["sessions", "--db", dir + "/p.sqlite"])
        #expect(list.out.split(separator: "\n").count == 3)  // header + 2 sessions
        #expect(!generated.out.isEmpty)
    }
}
