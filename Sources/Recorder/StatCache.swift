import Glibc
import TraceModel

/// What `lstat` says about a file, as far as deciding whether its content may have changed.
public struct FileStamp: Sendable, Hashable {
    public var size: UInt64
    public var mtimeNs: Int64
    public var ctimeNs: Int64
    public var inode: UInt64
    public var device: UInt64

    public init(size: UInt64, mtimeNs: Int64, ctimeNs: Int64, inode: UInt64, device: UInt64) {
        self.size = size
        self.mtimeNs = mtimeNs
        self.ctimeNs = ctimeNs
        self.inode = inode
        self.device = device
    }

    init(_ info: stat) {
        size = UInt64(max(0, info.st_size))
        mtimeNs = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        ctimeNs = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        inode = UInt64(info.st_ino)
        device = UInt64(info.st_dev)
    }
}

/// Remembers the digest of each file with the stamp it had when hashed, so a snapshot of an unchanged
/// tree reads no file content. An entry counts only while every field of the stamp is the same.
///
/// Content changes always move ctime forward, so the snapshotter only records files whose ctime is
/// older than the moment the walk started: a write in the same clock tick as the hash could otherwise
/// leave an identical stamp over different bytes.
public struct StatCache: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var stamp: FileStamp
        public var digest: Digest
        public init(stamp: FileStamp, digest: Digest) { self.stamp = stamp; self.digest = digest }
    }

    /// The root the paths are relative to; a cache for another root is not used.
    public var root: String
    public private(set) var entries: [String: Entry]

    public init(root: String, entries: [String: Entry] = [:]) {
        self.root = root
        self.entries = entries
    }

    public var count: Int { entries.count }

    /// The digest recorded for `path` when its stamp is still `stamp`.
    public func digest(for path: String, stamp: FileStamp) -> Digest? {
        guard let entry = entries[path], entry.stamp == stamp else { return nil }
        return entry.digest
    }

    public mutating func record(_ path: String, stamp: FileStamp, digest: Digest) {
        entries[path] = Entry(stamp: stamp, digest: digest)
    }

    public mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
    }

    public mutating func remove(_ path: String) {
        entries[path] = nil
    }
}

/// Why a stat cache file could not be read or written.
public struct StatCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case io
        /// Not a stat cache, a torn write, or flipped bits.
        case corrupt
    }

    public var code: Code
    public var path: String
    /// Byte offset where decoding failed.
    public var offset: Int?
    public var reason: String

    public init(_ code: Code, path: String, offset: Int? = nil, reason: String) {
        self.code = code
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        "stat cache \(path)\(offset.map { " at byte \($0)" } ?? ""): \(reason)"
    }
}
