import Synchronization
import TraceWire

/// Tracks how many bytes a spool holds against `maxBytes`, and lets a writer wait for space.
///
/// The count is cached per process: reservations, writes and deletions made through this process
/// adjust it, and a walk of the directory (when a reservation would fail, and at most every second
/// once the spool is half full) picks up what other processes wrote or freed. Reserved bytes not
/// yet on disk (a writer's buffer, a blob being copied) are added to what the walk finds.
final class SpoolCapacity: Sendable {
    let maxBytes: Int?
    private let measure: @Sendable () throws(SpoolError) -> Int
    private struct Count {
        /// Bytes on disk plus `unwritten`; nil until first measured.
        var bytes: Int?
        /// Reserved in this process but not on disk yet.
        var unwritten = 0
        var measuredAt: UInt64 = 0
    }
    private let count = Mutex(Count())
    /// Held while measuring and while deleting counted files, so a deletion is either seen by a
    /// measurement or subtracted after it — never both.
    private let diskLock = Mutex<Void>(())
    private let signal = SpoolSignal()
    /// Bumped whenever space is freed in this process, so a waiter cannot miss a wake-up.
    private let freedGeneration = Mutex<UInt64>(0)

    static let remeasureNanoseconds: UInt64 = 1_000_000_000

    init(maxBytes: Int?, measure: @escaping @Sendable () throws(SpoolError) -> Int) {
        self.maxBytes = maxBytes
        self.measure = measure
    }

    /// Reserves `bytes` when they fit under `maxBytes` (always, when unlimited). Call `landed`
    /// once they are written, or `release` when they never will be.
    func reserve(_ bytes: Int) throws(SpoolError) -> Bool {
        guard let maxBytes else { return true }
        let now = SpoolDisk.monotonicNanoseconds()
        let fresh = count.withLock { count in
            count.bytes != nil && !(now &- count.measuredAt > Self.remeasureNanoseconds && count.bytes! > maxBytes / 2)
        }
        if fresh, take(bytes, maxBytes: maxBytes) { return true }
        // Unknown, stale, or the cached count says no: measure what is really on disk first.
        try diskLock.withLock { (_) throws(SpoolError) in
            let measured = try measure()
            count.withLock { count in
                count.bytes = measured + count.unwritten
                count.measuredAt = now
            }
        }
        return take(bytes, maxBytes: maxBytes)
    }

    private func take(_ bytes: Int, maxBytes: Int) -> Bool {
        count.withLock { count in
            guard let current = count.bytes, current + bytes <= maxBytes else { return false }
            count.bytes = current + bytes
            count.unwritten += bytes
            return true
        }
    }

    /// Counts bytes that must be written even over the limit (a notice saying what was dropped),
    /// or a correction of an earlier reservation (negative).
    func add(_ bytes: Int) {
        guard maxBytes != nil else { return }
        count.withLock { count in
            if let current = count.bytes { count.bytes = current + bytes }
            count.unwritten += bytes
        }
    }

    /// Reserved bytes are now on disk, where a measurement finds them.
    func landed(_ bytes: Int) {
        guard maxBytes != nil, bytes != 0 else { return }
        count.withLock { $0.unwritten = max(0, $0.unwritten - bytes) }
    }

    /// Reserved bytes that will not be written after all.
    func release(_ bytes: Int) {
        landed(bytes)
        freed(bytes)
    }

    /// Runs `body`, which deletes counted files and returns how many bytes they held, then counts
    /// the space as free and wakes writers waiting for it.
    func deleting(_ body: () throws(SpoolError) -> Int) throws(SpoolError) {
        guard maxBytes != nil else {
            _ = try body()
            return
        }
        let bytes = try diskLock.withLock { (_) throws(SpoolError) -> Int in
            let bytes = try body()
            count.withLock { if let current = $0.bytes { $0.bytes = max(0, current - bytes) } }
            return bytes
        }
        if bytes > 0 { wakeWaiters() }
    }

    /// Deletes one counted file (a sealed segment, a blob); a file already gone frees nothing.
    func delete(_ path: String) throws(SpoolError) {
        try deleting { () throws(SpoolError) -> Int in
            guard let size = SpoolDisk.fileSize(path) else { return 0 }
            try SpoolDisk.remove(path)
            return size
        }
    }

    /// Counts reserved bytes as free again (nothing on disk changed) and wakes waiting writers.
    private func freed(_ bytes: Int) {
        guard maxBytes != nil else { return }
        count.withLock { if let current = $0.bytes { $0.bytes = max(0, current - bytes) } }
        wakeWaiters()
    }

    private func wakeWaiters() {
        signal.withLock { freedGeneration.withLock { $0 &+= 1 } }
        signal.broadcast()
    }

    /// A token to pass to `waitForSpace`: taken before a failed `reserve`, so no wake-up is missed.
    var generation: UInt64 { signal.withLock { freedGeneration.withLock { $0 } } }

    /// Waits until space is freed in this process after `generation`, or `milliseconds` pass.
    func waitForSpace(after generation: UInt64, milliseconds: Int) {
        let deadline = SpoolDisk.monotonicNanoseconds() + UInt64(milliseconds) * 1_000_000
        signal.withLock {
            while freedGeneration.withLock({ $0 }) == generation && SpoolDisk.monotonicNanoseconds() < deadline {
                signal.wait(until: deadline)
            }
        }
    }
}
