import Glibc

/// What a snapshot leaves out and how much content it keeps.
public struct SnapshotOptions: Sendable {
    /// Patterns always ignored, whatever `.parallaxignore` files say.
    public var ignoreDefaults: [String]
    /// Whether `.parallaxignore` files in the tree apply.
    public var readsIgnoreFiles: Bool
    /// When set, the `.parallaxignore` files to apply, by the directory they sit in ("" for the
    /// root), instead of the ones on disk now: a session keeps the rules its first snapshot saw,
    /// so an agent cannot hide later changes by editing them.
    public var frozenIgnoreFiles: [String: IgnoreFile]? = nil
    /// A file larger than this is recorded with its size and digest but its content is not kept.
    public var maxFileBytes: UInt64
    /// Content kept per snapshot, counted over files in walk order (siblings by name bytes, depth
    /// first); once a file would pass it, that file's content is not kept.
    public var maxTotalBytes: UInt64
    /// Directories nested deeper than this are recorded but not entered.
    public var maxDepth: Int
    /// A longer `.parallaxignore` is not applied (and reported).
    public var maxIgnoreFileBytes: Int
    /// Files whose ctime is within this many nanoseconds before the walk started are hashed again
    /// next time instead of trusted from the stat cache (0 = only files stamped after the start).
    public var racyWindowNs: Int64
    /// Wall-clock nanoseconds on the clock file systems stamp ctime from; tests inject their own.
    public var clock: @Sendable () -> Int64

    public init(ignoreDefaults: [String] = IgnoreRules.defaultIgnores, readsIgnoreFiles: Bool = true,
                maxFileBytes: UInt64 = 16 << 20, maxTotalBytes: UInt64 = 512 << 20, maxDepth: Int = 256,
                maxIgnoreFileBytes: Int = 1 << 20, racyWindowNs: Int64 = 0,
                clock: @escaping @Sendable () -> Int64 = SnapshotOptions.fileSystemClock) {
        self.ignoreDefaults = ignoreDefaults
        self.readsIgnoreFiles = readsIgnoreFiles
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxDepth = maxDepth
        self.maxIgnoreFileBytes = maxIgnoreFileBytes
        self.racyWindowNs = racyWindowNs
        self.clock = clock
    }

    /// Nanoseconds on the coarse wall clock, the clock file systems stamp mtime and ctime from.
    public static let fileSystemClock: @Sendable () -> Int64 = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
