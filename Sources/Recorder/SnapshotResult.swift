import TraceModel

/// What one snapshot produced and what it cost.
public struct SnapshotResult: Sendable {
    public var manifest: SnapshotManifest
    /// The digest of the manifest blob: the snapshot digest.
    public var digest: Digest
    /// Files whose content was read and hashed.
    public var filesHashed = 0
    /// Files whose digest came from the stat cache without reading them.
    public var filesReused = 0
    public var bytesHashed: UInt64 = 0
    /// Content bytes newly put into the blob sink (blobs it already had are not counted).
    public var bytesStored: UInt64 = 0
    /// Files recorded without their content because of a size cap.
    public var filesNotStored = 0
    /// Entries left out by ignore rules (an ignored directory counts once).
    public var ignored = 0
    public var skipped: [SnapshotSkip] = []
    /// The `.parallaxignore` files applied, by directory ("" for the root).
    public var ignoreFiles: [String: IgnoreFile] = [:]
    /// Set when the stat cache could not be saved (the snapshot itself is complete).
    public var cacheError: StatCacheError?

    public init(manifest: SnapshotManifest, digest: Digest) {
        self.manifest = manifest
        self.digest = digest
    }
}
