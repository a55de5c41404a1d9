import Foundation

/// Runs `git` for the workspace generator and fails with git's own message.
struct GitRunner: Sendable {
    /// Added to the inherited environment.
    var environment: [String: String]

    func run(_ arguments: [String], in directory: String) throws(DemoAgentError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw DemoAgentError("cannot run git \(arguments.joined(separator: " ")): \(error.localizedDescription)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DemoAgentError("git \(arguments.joined(separator: " ")) in \(directory) exited \(process.terminationStatus): "
                + message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
