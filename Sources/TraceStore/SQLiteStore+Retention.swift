#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

extension SQLiteStore {
    /// Deletes in transactions of about `Options.retentionStepEvents` events (or blobs, or blob
    /// references walked), releasing the connection between them so ingest batches go in between.
    /// One run at a time per store. Freed pages stay in the file and are reused by later writes:
    /// the file does not shrink (no auto_vacuum, no VACUUM).
    public func deleteSessions(startedBefore cutoff: Timestamp) throws -> RetentionResult {
        try retentionRun.withLock { _ throws -> RetentionResult in
            var total = RetentionResult()
            var progress = RetentionProgress(startedAt: .now())
            while !progress.isFinished {
                let (step, next) = try locked("deleting sessions started before \(cutoff)") { connection in
                    var progress = progress
                    let step = try connection.retentionStep(cutoff: cutoff, budget: options.retentionStepEvents, progress: &progress)
                    return (step, progress)
                }
                total += step
                progress = next
            }
            return total
        }
    }

    /// The database file plus its WAL as they are on disk, from `stat` alone: no SQLite call and no
    /// lock, so a metrics scrape never waits for a commit. Free pages count (the file keeps them).
    public func approximateSizeBytes() throws -> Int {
        guard let main = Self.fileSize(path) else {
            throw StoreError(.invalidArgument, "cannot stat the database file \(path): errno \(errno)")
        }
        return main + (Self.fileSize(path + "-wal") ?? 0)
    }

    static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }
}
