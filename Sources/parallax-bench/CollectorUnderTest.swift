import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `parallax collector serve` run as a child process on 127.0.0.1 (any free port), as in production:
/// default settings, `synchronous=FULL`, bearer tokens.
final class CollectorUnderTest {
    let binary: String
    let port: UInt16
    private let process = Process()
    private let output = Pipe()

    /// `$PARALLAX_BIN`, or the `parallax` built beside this executable.
    static func binaryPath() -> String? {
        if let path = ProcessInfo.processInfo.environment["PARALLAX_BIN"] {
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("parallax").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// `parallax collector token create --json`; the token.
    static func createToken(binary: String, database: String, project: String, role: String, name: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["collector", "token", "create", "--db", database, "--project", project, "--role", role, "--name", name, "--json"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let start = text.range(of: "\"token\":\""),
              let end = text[start.upperBound...].firstIndex(of: "\"") else {
            throw BenchError("token create exited \(process.terminationStatus): \(text)")
        }
        return String(text[start.upperBound..<end])
    }

    /// Starts the collector on `database` and waits (at most 30 s) for the URL it prints when listening.
    init(binary: String, database: String, log: String) throws {
        self.binary = binary
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["collector", "serve", "--db", database, "--listen", "127.0.0.1:0"]
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        guard let line = Self.firstLine(output.fileHandleForReading.fileDescriptor, within: 30),
              let colon = line.lastIndex(of: ":"), let port = UInt16(line[line.index(after: colon)...]) else {
            process.terminate()
            throw BenchError("the collector printed no URL: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        self.port = port
    }

    var pid: Int32 { process.processIdentifier }

    /// The collector's peak resident set size (VmHWM), in bytes.
    func peakRSSBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }
        return 0
    }

    /// CPU time (user + system, seconds) of each of the collector's threads, by thread id.
    func threadCPUSeconds() -> [Int: Double] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var result: [Int: Double] = [:]
        for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                  let name = stat.lastIndex(of: ")"), let id = Int(tid) else { continue }
            // After "(comm) " come state (field 3) … utime (14) and stime (15), in clock ticks.
            let fields = stat[stat.index(after: name)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            result[id] = (user + system) / ticks
        }
        return result
    }

    /// SIGTERM (drain, checkpoint), then the exit status; nil if it had to be killed after 60 s.
    func stop() -> Int32? {
        process.terminate()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// The first line written to `fd`, or nil at end of stream or after `seconds`.
    private static func firstLine(_ fd: Int32, within seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        var bytes: [UInt8] = []
        while !bytes.contains(0x0A) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(max(0, deadline.timeIntervalSinceNow) * 1000)) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 256)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return nil }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes[..<bytes.firstIndex(of: 0x0A)!], as: UTF8.self)
    }
}

@available(*, unavailable)
extension CollectorUnderTest: Sendable {}
