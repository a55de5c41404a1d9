/// Why a replay could not start or had to stop (a step that merely diverges is not an error).
public struct ReplayError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The events do not make a replayable session (no start, mixed sessions, ...).
        case invalidSession = "invalid_session"
        /// A blob the replay cannot do without (the start snapshot's manifest) is not available.
        case missingBlob = "missing_blob"
        /// Writing the workspace failed.
        case workspace
        /// The sandbox cannot run anything here.
        case sandbox
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
