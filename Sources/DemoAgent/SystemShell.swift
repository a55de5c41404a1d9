import Foundation

/// Runs each command as `<shell> -c COMMAND` in a directory — under `parallax record --shell`,
/// `$SHELL` is the recording shell, so every command becomes a `process.exec` event.
public struct SystemShell: CommandShell {
    public var shell: String
    public var directory: String

    public init(shell: String, directory: String) {
        self.shell = shell
        self.directory = directory
    }

    public func run(_ command: String) -> CommandOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            return CommandOutcome(command: command, status: 127, output: "cannot run \(shell): \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandOutcome(command: command, status: status, output: String(decoding: data, as: UTF8.self))
    }
}
