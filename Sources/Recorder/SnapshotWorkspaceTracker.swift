import Synchronization
import TraceModel

/// Tracks a workspace with snapshots: one at the start, a rescan whenever asked what changed
/// (the stat cache makes an unchanged tree cheap), and the last one kept for the end of the session.
public final class SnapshotWorkspaceTracker: WorkspaceTracker {
    private struct State {
        var snapshotter: Snapshotter
        var manifest: SnapshotManifest
        var digest: Digest
        /// Whether the latest manifest is in the sink.
        var manifestKept: Bool
        /// Where the stat cache is saved when the session's last snapshot is taken.
        var cacheFile: String?
    }

    private let state: Mutex<State>
    private let blobs: any BlobSink
    /// The snapshot digest at the start (its manifest is kept in the blob sink).
    public let startDigest: Digest
    /// What the first snapshot skipped (sockets, unreadable files) and why.
    public let startSkipped: [SnapshotSkip]

    /// Takes the first snapshot. Rescans keep file contents in `blobs` but not their manifests,
    /// which nothing refers to unless `currentSnapshotDigest()` is asked for.
    public init(
        root: String, blobs: any BlobSink, cachePath: String?, options: SnapshotOptions = SnapshotOptions()
    ) throws {
        let blobs = RememberingBlobSink(blobs)
        var snapshotter = Snapshotter(root: root, options: options, cacheFile: cachePath)
        let first = try snapshotter.snapshot(into: blobs)
        // Rescans between commands keep the cache in memory; it is saved again at the end.
        snapshotter.cacheFile = nil
        // The ignore rules stay those of the start: editing .parallaxignore (itself recorded as a
        // file.write) cannot hide what the agent does afterwards.
        snapshotter.options.frozenIgnoreFiles = first.ignoreFiles
        state = Mutex(State(snapshotter: snapshotter, manifest: first.manifest, digest: first.digest,
                            manifestKept: true, cacheFile: cachePath))
        self.blobs = blobs
        startDigest = first.digest
        startSkipped = first.skipped
    }

    public func changesSinceLastScan() throws -> [EventDraft] {
        try state.withLock { state throws -> [EventDraft] in
            let result = try state.snapshotter.snapshot(into: blobs, keepManifest: false)
            let diff = ManifestDiff(from: state.manifest, to: result.manifest)
            if result.digest != state.digest {
                state.manifestKept = false
            }
            state.manifest = result.manifest
            state.digest = result.digest
            return diff.eventDrafts(actor: .agent)
        }
    }

    /// The digest of the latest snapshot, its manifest now kept in the blob sink.
    public func currentSnapshotDigest() throws -> Digest {
        try state.withLock { state throws -> Digest in
            if !state.manifestKept {
                _ = try state.manifest.store(in: blobs)
                state.manifestKept = true
            }
            if let cacheFile = state.cacheFile { try? state.snapshotter.cache.save(to: cacheFile) }
            return state.digest
        }
    }
}

/// A blob sink that remembers what it has kept or seen kept, so a rescan does not look each
/// unchanged file's blob up on disk again — nor re-read the file when the shipper has already
/// delivered its blob and removed the spool's copy.
final class RememberingBlobSink: BlobSink {
    private let base: any BlobSink
    private let known = Mutex<Set<Digest>>([])

    init(_ base: any BlobSink) { self.base = base }

    func contains(_ digest: Digest) -> Bool {
        if known.withLock({ $0.contains(digest) }) { return true }
        guard base.contains(digest) else { return false }
        known.withLock { _ = $0.insert(digest) }
        return true
    }

    @discardableResult
    func put(_ bytes: [UInt8]) throws -> Digest {
        let digest = try base.put(bytes)
        known.withLock { _ = $0.insert(digest) }
        return digest
    }

    func flush() throws { try base.flush() }
}
