import Glibc
import TraceModel

/// One walk of a snapshot: lists each directory once, sorts its names, applies ignore rules, stats each
/// kept entry once (relative to the open directory), and hashes files the cache cannot vouch for.
/// Single-use and single-threaded.
final class SnapshotWalk {
    private let options: SnapshotOptions
    private let sink: any BlobSink
    private let cache: StatCache
    /// Files whose ctime is before this may enter the next cache.
    private let trustedBefore: Int64
    private var rules: IgnoreRules

    private(set) var entries: [SnapshotEntry] = []
    private(set) var skipped: [SnapshotSkip] = []
    private(set) var nextCache: StatCache
    private(set) var filesHashed = 0
    private(set) var filesReused = 0
    private(set) var bytesHashed: UInt64 = 0
    private(set) var bytesStored: UInt64 = 0
    private(set) var filesNotStored = 0
    private(set) var ignored = 0
    /// The ignore files this walk applied, by directory ("" for the root).
    private(set) var ignoreFiles: [String: IgnoreFile] = [:]
    /// Content bytes the manifest marks as stored so far, for the total cap.
    private var keptBytes: UInt64 = 0

    /// Reused for every read.
    private var chunk = [UInt8](repeating: 0, count: 256 << 10)
    private var content: [UInt8] = []
    private var linkBuffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)

    private static let ignoreFileName = Array(IgnoreRules.fileName.utf8)

    init(options: SnapshotOptions, sink: some BlobSink, cache: StatCache, trustedBefore: Int64) {
        self.options = options
        self.sink = sink
        self.cache = cache
        self.trustedBefore = trustedBefore
        self.rules = IgnoreRules(defaults: options.ignoreDefaults)
        self.nextCache = StatCache(root: cache.root)
        nextCache.reserveCapacity(cache.count)
    }

    private struct Child {
        /// The name with a terminating NUL, ready for system calls.
        var terminated: [UInt8]
        var type: UInt8
        var name: ArraySlice<UInt8> { terminated.dropLast() }
    }

    /// Walks the directory open at `descriptor` (and closes it); `prefix` is its path from the root.
    func walk(directory descriptor: Int32, prefix: [UInt8], depth: Int) throws(SnapshotError) {
        guard let stream = fdopendir(descriptor) else {
            skip(prefix, .unreadable, "cannot list: \(SnapshotDisk.errorText(errno))")
            close(descriptor)
            return
        }
        defer { closedir(stream) }
        let children = list(stream, prefix)
        let rulesBefore = rules.files.count
        defer { rules.removeFiles(from: rulesBefore) }
        if let frozen = options.frozenIgnoreFiles {
            if let file = frozen[String(decoding: prefix, as: UTF8.self)] {
                rules.add(file)
                ignoreFiles[file.base] = file
            }
        } else if options.readsIgnoreFiles, children.contains(where: { $0.name.elementsEqual(Self.ignoreFileName) }) {
            readIgnoreFile(in: descriptor, prefix)
        }
        for child in children {
            try visit(child, in: descriptor, prefix: prefix, depth: depth)
        }
    }

    private func list(_ stream: OpaquePointer, _ prefix: [UInt8]) -> [Child] {
        var children: [Child] = []
        while true {
            errno = 0
            guard let item = readdir(stream) else {
                if errno != 0 { skip(prefix, .unreadable, "cannot list: \(SnapshotDisk.errorText(errno))") }
                break
            }
            var name: [UInt8] = withUnsafeBytes(of: &item.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            name.append(0)
            children.append(Child(terminated: name, type: item.pointee.d_type))
        }
        children.sort { $0.terminated.lexicographicallyPrecedes($1.terminated) }
        return children
    }

    private func readIgnoreFile(in directory: Int32, _ prefix: [UInt8]) {
        let path = join(prefix, Self.ignoreFileName)
        guard let bytes = SnapshotDisk.readFile(at: directory, IgnoreRules.fileName, limit: options.maxIgnoreFileBytes) else {
            let code = errno
            let why = code == EFBIG ? "larger than \(options.maxIgnoreFileBytes) bytes" : SnapshotDisk.errorText(code)
            skip(path, .ignoreFileUnreadable, "patterns not applied: \(why)")
            return
        }
        let file = IgnoreFile(base: String(decoding: prefix, as: UTF8.self), contents: bytes)
        rules.add(file)
        ignoreFiles[file.base] = file
    }

    private func visit(_ child: Child, in directory: Int32, prefix: [UInt8], depth: Int) throws(SnapshotError) {
        let path = join(prefix, child.name)
        let name = child.terminated
        let nameStart = prefix.isEmpty ? 0 : prefix.count + 1
        var info = stat()
        var haveStat = false
        var isDirectory = Int32(child.type) == Int32(DT_DIR)
        if Int32(child.type) == Int32(DT_UNKNOWN) {
            guard statEntry(name, in: directory, path, &info) else { return }
            haveStat = true
            isDirectory = info.st_mode & S_IFMT == S_IFDIR
        }
        if isIgnored(path, nameStart, isDirectory) { return }
        if !haveStat {
            guard statEntry(name, in: directory, path, &info) else { return }
            // The entry changed type since it was listed: decide again with the real type.
            let actuallyDirectory = info.st_mode & S_IFMT == S_IFDIR
            if actuallyDirectory != isDirectory && isIgnored(path, nameStart, actuallyDirectory) { return }
        }
        guard let pathText = String(validating: path, as: UTF8.self) else {
            skip(path, .nameNotUTF8, "no manifest path can name it")
            return
        }
        let mode = UInt32(info.st_mode & 0o7777)
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            try visitFile(name, in: directory, pathText, mode: mode, stamp: FileStamp(info))
        case S_IFDIR:
            entries.append(.dir(pathText, mode: mode))
            guard depth + 1 <= options.maxDepth else {
                skip(path, .tooDeep, "deeper than \(options.maxDepth) directories; contents not recorded")
                return
            }
            let sub = withCName(name) { openat(directory, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            guard sub >= 0 else {
                skip(path, .unreadable, "cannot open the directory: \(SnapshotDisk.errorText(errno))")
                return
            }
            try walk(directory: sub, prefix: path, depth: depth + 1)
        case S_IFLNK:
            visitLink(name, in: directory, pathText, mode: mode, size: Int(info.st_size))
        case S_IFIFO:
            skip(path, .fifo, "a named pipe has no content to record")
        case S_IFSOCK:
            skip(path, .socket, "a socket has no content to record")
        case S_IFCHR, S_IFBLK:
            skip(path, .device, "device files are not recorded")
        default:
            skip(path, .unknownType, "file type \(String(info.st_mode & S_IFMT, radix: 8)) is not recorded")
        }
    }

    private func visitFile(_ name: [UInt8], in directory: Int32, _ path: String, mode: UInt32, stamp: FileStamp) throws(SnapshotError) {
        let fits = stamp.size <= options.maxFileBytes && keptBytes + stamp.size <= options.maxTotalBytes
        if let digest = cache.digest(for: path, stamp: stamp), !fits || sink.contains(digest) {
            filesReused += 1
            keep(.file(path, mode: mode, size: stamp.size, digest: digest, stored: fits))
            nextCache.record(path, stamp: stamp, digest: digest)
            return
        }
        guard let (digest, size, kept) = read(name, in: directory, path, keeping: fits) else { return }
        filesHashed += 1
        bytesHashed += size
        let stored = kept && keptBytes + size <= options.maxTotalBytes
        if stored && !sink.contains(digest) {
            do {
                try sink.put(content)
            } catch {
                throw SnapshotError(.sink, path: path, reason: "cannot keep the content: \(error)")
            }
            bytesStored += size
        }
        keep(.file(path, mode: mode, size: size, digest: digest, stored: stored))
        // Only a stamp that cannot recur over other bytes may vouch for this digest next time.
        if size == stamp.size && stamp.ctimeNs < trustedBefore {
            nextCache.record(path, stamp: stamp, digest: digest)
        }
    }

    private func keep(_ entry: SnapshotEntry) {
        if entry.stored { keptBytes += entry.size } else { filesNotStored += 1 }
        entries.append(entry)
    }

    /// Hashes the file's content in chunks, keeping it in `content` while `keeping` and under the
    /// per-file cap; nil (with a skip recorded) when it cannot be opened or read.
    private func read(_ name: [UInt8], in directory: Int32, _ path: String, keeping: Bool) -> (Digest, UInt64, Bool)? {
        let descriptor = withCName(name) { openat(directory, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard descriptor >= 0 else {
            skip(Array(path.utf8), errno == ENOENT ? .vanished : .unreadable, "cannot open: \(SnapshotDisk.errorText(errno))")
            return nil
        }
        defer { close(descriptor) }
        let hasher = SHA256Hasher()
        var keeping = keeping
        var total: UInt64 = 0
        content.removeAll(keepingCapacity: true)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                skip(Array(path.utf8), .unreadable, "cannot read: \(SnapshotDisk.errorText(errno))")
                return nil
            }
            if got == 0 { break }
            chunk.withUnsafeBufferPointer { hasher.update(UnsafeBufferPointer(rebasing: $0[0..<got])) }
            total += UInt64(got)
            if keeping {
                if total > options.maxFileBytes {
                    keeping = false  // grew past the cap while being read
                    content.removeAll(keepingCapacity: true)
                } else {
                    content.append(contentsOf: chunk[0..<got])
                }
            }
        }
        return (hasher.finalize(), total, keeping)
    }

    private func visitLink(_ name: [UInt8], in directory: Int32, _ path: String, mode: UInt32, size: Int) {
        if linkBuffer.count <= size { linkBuffer = [UInt8](repeating: 0, count: size + 1) }
        let length = withCName(name) { name in
            linkBuffer.withUnsafeMutableBytes { readlinkat(directory, name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        }
        guard length >= 0 else {
            skip(Array(path.utf8), errno == ENOENT ? .vanished : .unreadable, "cannot read the link: \(SnapshotDisk.errorText(errno))")
            return
        }
        guard let target = String(validating: linkBuffer[0..<length], as: UTF8.self) else {
            skip(Array(path.utf8), .targetNotUTF8, "no manifest can hold the target")
            return
        }
        entries.append(.symlink(path, target: target, mode: mode))
    }

    /// `fstatat` without following links; false (with a skip recorded) when the entry cannot be stat'd.
    private func statEntry(_ name: [UInt8], in directory: Int32, _ path: [UInt8], _ info: inout stat) -> Bool {
        let status = withCName(name) { fstatat(directory, $0, &info, AT_SYMLINK_NOFOLLOW) }
        guard status == 0 else {
            skip(path, errno == ENOENT ? .vanished : .unreadable, "cannot stat: \(SnapshotDisk.errorText(errno))")
            return false
        }
        return true
    }

    private func isIgnored(_ path: [UInt8], _ nameStart: Int, _ isDirectory: Bool) -> Bool {
        let verdict = path.withUnsafeBufferPointer { rules.verdict($0, nameStart: nameStart, isDirectory: isDirectory) }
        if verdict == true { ignored += 1 }
        return verdict == true
    }

    private func skip(_ path: [UInt8], _ reason: SnapshotSkip.Reason, _ message: String) {
        skipped.append(SnapshotSkip(path: String(decoding: path, as: UTF8.self), reason: reason, message: message))
    }

    private func join(_ prefix: [UInt8], _ name: some Collection<UInt8>) -> [UInt8] {
        var path = prefix
        path.reserveCapacity(prefix.count + name.count + 1)
        if !prefix.isEmpty { path.append(UInt8(ascii: "/")) }
        path.append(contentsOf: name)
        return path
    }
}

/// Calls `body` with a NUL-terminated name as a C string.
private func withCName<R>(_ terminated: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
    terminated.withUnsafeBytes { body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
}
