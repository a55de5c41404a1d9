import TraceModel
import TraceWire

extension Spool {
    /// Repairs a session no writer holds: cuts a torn tail of its last segment and appends a
    /// `recorder.notice` (code `torn_tail`) saying so. Returns what it found (a recovery without
    /// `tornTail` when the session was clean), or nil while a writer holds the session's lock.
    public func recoverIfAbandoned(_ id: SessionID) throws(SpoolError) -> SpoolRecovery? {
        // Under SPOOL/lock, like setAcked: never re-create files of a session being deleted.
        guard let turn = try SpoolSessionLock.acquire(path, wait: true) else { return nil }
        defer { withExtendedLifetime(turn) {} }
        let directory = try SessionRecorder.existingDirectory(self, id)
        guard let lock = try SpoolSessionLock.acquire(directory, wait: false) else { return nil }
        let resumed: SessionRecorder?
        do {
            resumed = try SessionRecorder.resume(spool: self, session: id, redactor: Redactor(), lock: lock)
        } catch let error as SpoolError {
            throw error
        } catch {
            throw SpoolError(code: .invalid, path: directory, message: "cannot record the recovery notice: \(error)")
        }
        guard let recorder = resumed else { return SpoolRecovery(session: id) }
        defer { recorder.close() }
        return recorder.recovery
    }
}
