/// How a spool writes and how large it may grow.
public struct SpoolOptions: Sendable, Equatable {
    public var fsync: FsyncPolicy
    /// A segment is sealed and a new one started once it would grow past this size.
    public var segmentBytes: Int
    /// The most bytes the spool may hold, segments and blobs of all sessions together; nil = unlimited.
    public var maxBytes: Int?
    public var full: SpoolFullPolicy
    /// How often a writer blocked on a full spool looks again for space another process freed.
    public var fullRecheckMilliseconds: Int

    public static let defaultSegmentBytes = 8 << 20

    public init(
        fsync: FsyncPolicy = .default, segmentBytes: Int = SpoolOptions.defaultSegmentBytes, maxBytes: Int? = nil,
        full: SpoolFullPolicy = .block, fullRecheckMilliseconds: Int = 250
    ) {
        self.fsync = fsync
        self.segmentBytes = max(1, segmentBytes)
        self.maxBytes = maxBytes
        self.full = full
        self.fullRecheckMilliseconds = max(1, fullRecheckMilliseconds)
    }
}
