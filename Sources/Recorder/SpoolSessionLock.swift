import Glibc
import TraceWire

/// The exclusive flock(2) on a session's `lock` file, held by whoever appends to the session.
/// flock belongs to the open file description, so a second `acquire` in the same process conflicts too.
/// The lock is released when the object goes away (keep it alive with `withExtendedLifetime`).
final class SpoolSessionLock: Sendable {
    let descriptor: Int32
    let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Takes the lock of the session in `directory`; with `wait: false`, nil when another holder has it.
    static func acquire(_ directory: String, wait: Bool) throws(SpoolError) -> SpoolSessionLock? {
        let path = directory + "/lock"
        let descriptor = try SpoolDisk.openFile(path, O_RDWR | O_CREAT)
        while flock(descriptor, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let failed = errno
            close(descriptor)
            if failed == EWOULDBLOCK { return nil }
            errno = failed
            throw SpoolDisk.failure(path, "cannot lock")
        }
        return SpoolSessionLock(descriptor: descriptor, path: path)
    }

    /// Whether a writer holds the session's lock right now.
    static func isHeld(_ directory: String) throws(SpoolError) -> Bool {
        try acquire(directory, wait: false) == nil
    }

    deinit { close(descriptor) }
}
