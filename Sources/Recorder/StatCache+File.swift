import Glibc
import TraceModel
import TraceWire

/// The cache on disk, so the next process can reuse it: `PXSTATC1`, the root, the entries (path, size,
/// mtime, ctime, inode, device, digest; little-endian, in no particular order), and a CRC32C of all of it.
extension StatCache {
    static let magic: [UInt8] = Array("PXSTATC1".utf8)
    /// Largest cache file `load` reads.
    public static let maxFileBytes = 1 << 30

    public func encoded() -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(16 + root.utf8.count + entries.count * 120)
        Self.append(string: root, to: &out)
        Self.append(UInt32(entries.count), to: &out)
        for (path, entry) in entries {
            Self.append(string: path, to: &out)
            Self.append(entry.stamp.size, to: &out)
            Self.append(UInt64(bitPattern: entry.stamp.mtimeNs), to: &out)
            Self.append(UInt64(bitPattern: entry.stamp.ctimeNs), to: &out)
            Self.append(entry.stamp.inode, to: &out)
            Self.append(entry.stamp.device, to: &out)
            out.append(contentsOf: entry.digest.bytes)
        }
        Self.append(CRC32C.checksum(out), to: &out)
        return out
    }

    /// Decodes `bytes`; `path` only names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws(StatCacheError) -> StatCache {
        var reader = Reader(bytes: bytes, path: path)
        guard bytes.count >= magic.count + 12, bytes.starts(with: magic) else {
            throw StatCacheError(.corrupt, path: path, offset: 0, reason: "not a stat cache (no PXSTATC1 header)")
        }
        let body = bytes.count - 4
        reader.end = body
        let stored = UInt32(bytes[body]) | UInt32(bytes[body + 1]) << 8 | UInt32(bytes[body + 2]) << 16 | UInt32(bytes[body + 3]) << 24
        guard CRC32C.checksum(bytes[0..<body]) == stored else {
            throw StatCacheError(.corrupt, path: path, offset: body, reason: "checksum mismatch (torn or altered file)")
        }
        reader.offset = magic.count
        let root = try reader.string()
        let count = Int(try reader.u32())
        // Each entry takes at least 76 bytes; a count beyond that is a lie, not a reason to allocate.
        guard count <= (body - reader.offset) / 76 else {
            throw StatCacheError(.corrupt, path: path, offset: reader.offset - 4, reason: "entry count \(count) exceeds the file")
        }
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let name = try reader.string()
            let stamp = FileStamp(size: try reader.u64(), mtimeNs: Int64(bitPattern: try reader.u64()),
                                  ctimeNs: Int64(bitPattern: try reader.u64()), inode: try reader.u64(), device: try reader.u64())
            let digest = Digest(bytes: try reader.bytes(32))!
            entries[name] = Entry(stamp: stamp, digest: digest)
        }
        guard reader.offset == body else {
            throw StatCacheError(.corrupt, path: path, offset: reader.offset, reason: "\(body - reader.offset) bytes after the last entry")
        }
        return StatCache(root: root, entries: entries)
    }

    /// Reads the cache file at `path`. A missing file, or a cache made for another root, gives an empty
    /// cache for `root`; an unreadable or damaged file is an error (callers usually start empty then).
    public static func load(from path: String, root: String) throws(StatCacheError) -> StatCache {
        guard let bytes = SnapshotDisk.readFile(path, limit: maxFileBytes) else {
            let code = errno
            if code == ENOENT { return StatCache(root: root) }
            throw StatCacheError(.io, path: path, reason: "cannot read: \(SnapshotDisk.errorText(code))")
        }
        let cache = try decode(bytes, path: path)
        return cache.root == root ? cache : StatCache(root: root)
    }

    /// Writes the cache to `path` atomically (temporary file, then rename).
    public func save(to path: String) throws(StatCacheError) {
        if let failure = SnapshotDisk.replaceFile(path, with: encoded()) {
            throw StatCacheError(.io, path: path, reason: "cannot \(failure.step): \(SnapshotDisk.errorText(failure.code))")
        }
    }

    private static func append(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func append(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func append(string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            append(UInt32(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    /// Bounds-checked little-endian reading.
    private struct Reader {
        let bytes: [UInt8]
        let path: String
        var offset = 0
        var end = 0

        init(bytes: [UInt8], path: String) {
            self.bytes = bytes
            self.path = path
        }

        /// The range of the next `count` bytes, consumed.
        mutating func take(_ count: Int) throws(StatCacheError) -> Range<Int> {
            guard count >= 0, count <= end - offset else {
                throw StatCacheError(.corrupt, path: path, offset: offset, reason: "truncated: \(count) bytes needed, \(end - offset) left")
            }
            defer { offset += count }
            return offset..<(offset + count)
        }

        mutating func bytes(_ count: Int) throws(StatCacheError) -> [UInt8] {
            Array(bytes[try take(count)])
        }

        mutating func u32() throws(StatCacheError) -> UInt32 {
            let range = try take(4)
            var value: UInt32 = 0
            for i in range.reversed() { value = value << 8 | UInt32(bytes[i]) }
            return value
        }

        mutating func u64() throws(StatCacheError) -> UInt64 {
            let range = try take(8)
            var value: UInt64 = 0
            for i in range.reversed() { value = value << 8 | UInt64(bytes[i]) }
            return value
        }

        mutating func string() throws(StatCacheError) -> String {
            let start = offset
            let range = try take(Int(try u32()))
            guard let text = String(validating: bytes[range], as: UTF8.self) else {
                throw StatCacheError(.corrupt, path: path, offset: start, reason: "a path is not valid UTF-8")
            }
            return text
        }
    }
}
