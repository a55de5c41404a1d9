import Glibc

/// A pthread mutex and condition variable (on CLOCK_MONOTONIC) for waits with a deadline, which
/// `Synchronization.Mutex` cannot do. The state a waiter checks lives with its owner and is read and
/// written only inside `withLock`.
final class SpoolSignal: @unchecked Sendable {
    // Safe to share: the pthread objects are heap-allocated once, never move, and are only used
    // through pthread calls, which synchronize themselves.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Wakes every waiter. Call it after changing the state they wait on (inside or outside `withLock`).
    func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Waits for a `broadcast` or until `deadline` (CLOCK_MONOTONIC nanoseconds; nil = no deadline).
    /// Only inside `withLock`; may wake spuriously, so callers re-check their state in a loop.
    func wait(until deadline: UInt64?) {
        guard let deadline else {
            pthread_cond_wait(condition, mutex)
            return
        }
        var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        _ = pthread_cond_timedwait(condition, mutex, &spec)
    }
}

/// Starts a joinable pthread running `body` (the recorder's flusher; no Foundation `Thread` here).
enum SpoolThread {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }
}
