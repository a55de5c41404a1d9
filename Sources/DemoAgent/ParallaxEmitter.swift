import Foundation
import TraceModel

/// Records events with `parallax emit` (found on `PATH`, which `parallax record` sets up). Without
/// a recorder (`PARALLAX_SOCKET` unset) it does nothing, so the agent also runs unrecorded.
public struct ParallaxEmitter: AgentEventLog {
    public var enabled: Bool
    /// Where a failed emit is reported; the run goes on.
    public var warn: @Sendable (String) -> Void

    public init(environment: [String: String], warn: @escaping @Sendable (String) -> Void) {
        enabled = !(environment["PARALLAX_SOCKET"] ?? "").isEmpty
        self.warn = warn
    }

    public func record(kind: String, data: JSONValue) {
        guard enabled else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["parallax", "emit", "--kind", kind, "--data", data.canonicalString]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            warn("cannot run parallax emit: \(error.localizedDescription)")
            return
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            warn("parallax emit --kind \(kind) exited \(process.terminationStatus): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
