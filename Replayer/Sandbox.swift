/// Runs recorded commands again, isolated from the host.
public protocol Sandbox: Sendable {
    /// Runs `command` to completion; throws when it cannot be started, not when it fails.
    func run(_ command: SandboxCommand) throws(SandboxError) -> SandboxResult
}

/// Why a command could not be run.
public struct SandboxError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No usable isolation here (bubblewrap missing, or namespaces not allowed).
        case unavailable
        /// The command is malformed (empty argv, cwd outside the workspace, ...).
        case invalidCommand
        /// Starting the process failed.
        case launch
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
