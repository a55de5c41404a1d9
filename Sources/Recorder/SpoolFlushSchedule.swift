import Glibc

/// The background flusher of the `interval` and `never` policies: once records are waiting, it
/// wakes `delay` later and has the writer write (and, under `interval`, fsync) them.
final class SpoolFlushSchedule: @unchecked Sendable {
    // Safe to share: `dirtySince`, `stopping` and `thread` are only touched inside `signal.withLock`.
    private let signal = SpoolSignal()
    private var dirtySince: UInt64?
    private var stopping = false
    private var thread: pthread_t?
    let delay: UInt64

    init(delay: UInt64) {
        self.delay = delay
    }

    func start(_ flush: @escaping @Sendable () -> Void) {
        let thread = SpoolThread.start { [self] in run(flush) }
        signal.withLock { self.thread = thread }
    }

    /// Records are waiting: flush them at most `delay` from now.
    func markDirty() {
        signal.withLock {
            guard dirtySince == nil else { return }
            dirtySince = SpoolDisk.monotonicNanoseconds()
            signal.broadcast()
        }
    }

    /// Ends the flusher thread and waits for it (the owner flushes what is left itself).
    func stop() {
        let thread: pthread_t? = signal.withLock {
            stopping = true
            signal.broadcast()
            defer { self.thread = nil }
            return self.thread
        }
        if let thread { SpoolThread.join(thread) }
    }

    private func run(_ flush: @Sendable () -> Void) {
        while true {
            let due: Bool = signal.withLock {
                while dirtySince == nil && !stopping { signal.wait(until: nil) }
                guard let since = dirtySince, !stopping else { return false }
                let deadline = since + delay
                while !stopping && SpoolDisk.monotonicNanoseconds() < deadline { signal.wait(until: deadline) }
                dirtySince = nil
                return !stopping
            }
            guard due else { return }
            flush()
        }
    }
}
