import Synchronization
import TraceModel

/// Tracks a workspace with snapshots: one at the start, a rescan whenever asked what changed
/// (the stat cache makes an unchanged tree cheap), and the last one kept for the end of the session.
public final class SnapshotWorkspaceTracker: WorkspaceTracker {
    private struct State {
        var snapshotter: Snapshotter
        var manifest: SnapshotManifest
        var digest: Digest
        var keptDigest: Digest
    }

    private let state: Mutex<State>
    private let blobs: any BlobSink
    private let forget: @Sendable (Digest) -> Void
    /// The snapshot digest at the start (its manifest is kept in the blob sink).
    public let startDigest: Digest
    /// What the first snapshot skipped (sockets, unreadable files) and why.
    public let startSkipped: [SnapshotSkip]

    /// Takes the first snapshot.
    /// - Parameter forget: called with the manifest digest of an intermediate rescan, which nothing
    ///   refers to, so the sink can drop it.
    public init(
        root: String, blobs: any BlobSink, cachePath: String?, options: SnapshotOptions = SnapshotOptions(),
        forget: @escaping @Sendable (Digest) -> Void = { _ in }
    ) throws {
        var snapshotter = Snapshotter(root: root, options: options, cacheFile: cachePath)
        let first = try snapshotter.snapshot(into: blobs)
        state = Mutex(State(snapshotter: snapshotter, manifest: first.manifest, digest: first.digest, keptDigest: first.digest))
        self.blobs = blobs
        self.forget = forget
        startDigest = first.digest
        startSkipped = first.skipped
    }

    public func changesSinceLastScan() throws -> [EventDraft] {
        try state.withLock { state throws -> [EventDraft] in
            let result = try state.snapshotter.snapshot(into: blobs)
            let diff = ManifestDiff(from: state.manifest, to: result.manifest)
            if result.digest != state.digest, state.digest != state.keptDigest { forget(state.digest) }
            state.manifest = result.manifest
            state.digest = result.digest
            return diff.eventDrafts(actor: .agent)
        }
    }

    /// The digest of the latest snapshot; its manifest stays in the blob sink.
    public func currentSnapshotDigest() -> Digest {
        state.withLock { state in
            state.keptDigest = state.digest
            return state.digest
        }
    }
}
