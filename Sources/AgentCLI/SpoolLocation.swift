#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLIKit
import Recorder
import TraceModel

/// Where the spool is when no `--spool` is given, and appending to a session without a recorder.
public enum SpoolLocation {
    /// `$PARALLAX_SPOOL`, else `$XDG_STATE_HOME/parallax/spool`, else `~/.local/state/parallax/spool`.
    public static func defaultPath(_ environment: [String: String]) -> String {
        if let path = environment["PARALLAX_SPOOL"], !path.isEmpty { return path }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/parallax/spool" }
        return (environment["HOME"] ?? "/tmp") + "/.local/state/parallax/spool"
    }

    /// Appends drafts to an existing session in the spool (waiting for its lock if a writer holds
    /// it) and returns their seqs.
    static func append(_ drafts: [EventDraft], session: SessionID, spoolPath: String) throws -> [UInt64] {
        let spool: Spool
        do {
            spool = try Spool(path: spoolPath)
        } catch {
            throw CommandFailure(.failure, "cannot open the spool \(spoolPath): \(error)")
        }
        guard access(spool.sessionDirectory(session), F_OK) == 0 else {
            throw CommandFailure(.notFound, "no session \(session) in the spool \(spoolPath)")
        }
        if spool.isEnded(session) {
            throw CommandFailure(.failure, "session \(session) has ended; events cannot be added to it")
        }
        let recorder = try SessionRecorder.open(spool: spool, session: session)
        defer { recorder.close() }
        return try drafts.map { try recorder.record($0) }
    }
}
