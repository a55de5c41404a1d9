import TraceModel

/// One path in a workspace snapshot.
public struct SnapshotEntry: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case file, dir, symlink
    }

    /// Relative to the snapshot root, `/`-separated, no `.` or `..` components.
    public var path: String
    public var kind: Kind
    /// Permission bits (0...0o7777).
    public var mode: UInt32
    /// Content size of a file; 0 for directories and links.
    public var size: UInt64
    /// Content digest of a file; nil for directories and links.
    public var digest: Digest?
    /// Where a link points, as stored in the link (never followed).
    public var target: String?
    /// Whether a file's content was kept as a blob; false when a size cap left it out.
    public var stored: Bool

    public init(path: String, kind: Kind, mode: UInt32, size: UInt64 = 0, digest: Digest? = nil, target: String? = nil,
                stored: Bool = true) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.size = size
        self.digest = digest
        self.target = target
        self.stored = stored
    }

    public static func file(_ path: String, mode: UInt32 = 0o644, size: UInt64, digest: Digest, stored: Bool = true) -> SnapshotEntry {
        SnapshotEntry(path: path, kind: .file, mode: mode, size: size, digest: digest, stored: stored)
    }

    public static func dir(_ path: String, mode: UInt32 = 0o755) -> SnapshotEntry {
        SnapshotEntry(path: path, kind: .dir, mode: mode)
    }

    public static func symlink(_ path: String, target: String, mode: UInt32 = 0o777) -> SnapshotEntry {
        SnapshotEntry(path: path, kind: .symlink, mode: mode, target: target)
    }

    /// What a `file.write` / `file.delete` names as the content: a file's digest, or the digest of a
    /// link's target text; nil for directories.
    public var contentDigest: Digest? {
        switch kind {
        case .file: digest
        case .symlink: target.map { Digest.sha256(Array($0.utf8)) }
        case .dir: nil
        }
    }

    public var description: String {
        switch kind {
        case .file: "\(path) file \(String(mode, radix: 8)) \(size) \(digest.map(\.description) ?? "-")\(stored ? "" : " (not stored)")"
        case .dir: "\(path)/ dir \(String(mode, radix: 8))"
        case .symlink: "\(path) -> \(target ?? "")"
        }
    }
}
