import Glibc
import TraceModel

/// Takes workspace snapshots: walks the root without following links, applies ignore rules and size
/// caps, keeps file contents and the manifest in a `BlobSink`, and reuses digests of files whose stamp
/// has not changed since the previous snapshot (the stat cache, optionally kept in a file between
/// processes).
public struct Snapshotter: Sendable {
    /// The root as given.
    public let root: String
    public var options: SnapshotOptions
    public var cache: StatCache
    /// Where the stat cache is loaded from and saved to after each snapshot; nil keeps it in memory only.
    public var cacheFile: String?
    /// Set when `cacheFile` existed but could not be used (the snapshotter then started empty).
    public private(set) var cacheLoadError: StatCacheError?

    public init(root: String, options: SnapshotOptions = SnapshotOptions(), cacheFile: String? = nil) {
        self.root = root
        self.options = options
        self.cacheFile = cacheFile
        let key = Self.canonicalPath(root)
        if let cacheFile {
            do {
                cache = try StatCache.load(from: cacheFile, root: key)
            } catch {
                cache = StatCache(root: key)
                cacheLoadError = error
            }
        } else {
            cache = StatCache(root: key)
        }
    }

    /// Snapshots the tree now, puts new contents and the manifest into `sink`, and replaces the stat
    /// cache with what this walk saw.
    /// - Parameter keepManifest: false leaves the manifest out of the sink (its digest is still
    ///   computed), for intermediate scans nothing will refer to.
    public mutating func snapshot(into sink: some BlobSink, keepManifest: Bool = true) throws(SnapshotError) -> SnapshotResult {
        let started = options.clock()
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SnapshotError(.root, path: root, reason: "cannot open the directory: \(SnapshotDisk.errorText(errno))")
        }
        let walk = SnapshotWalk(options: options, sink: sink, cache: cache, trustedBefore: started - options.racyWindowNs)
        try walk.walk(directory: descriptor, prefix: [], depth: 0)

        let manifest = SnapshotManifest(entries: walk.entries)
        let digest: Digest
        do {
            digest = keepManifest ? try manifest.store(in: sink) : manifest.digest
        } catch {
            throw SnapshotError(.sink, path: root, reason: "cannot keep the manifest: \(error)")
        }
        var result = SnapshotResult(manifest: manifest, digest: digest)
        result.filesHashed = walk.filesHashed
        result.filesReused = walk.filesReused
        result.bytesHashed = walk.bytesHashed
        result.bytesStored = walk.bytesStored
        result.filesNotStored = walk.filesNotStored
        result.ignored = walk.ignored
        result.skipped = walk.skipped
        result.ignoreFiles = walk.ignoreFiles
        cache = walk.nextCache
        if let cacheFile {
            do { try cache.save(to: cacheFile) } catch { result.cacheError = error }
        }
        return result
    }

    /// The resolved absolute path when it exists, so one tree reached by two spellings shares a cache.
    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
