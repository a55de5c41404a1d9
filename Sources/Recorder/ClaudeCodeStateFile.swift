#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX file operations behind `ClaudeCodeSessionMap`: no symlinks followed below the spool,
/// owner-only modes, atomic replace (temp file, fsync, rename, fsync of the directory).
enum ClaudeCodeStateFile {
    static func failure(_ operation: String, _ path: String, _ code: Int32 = errno) -> ClaudeCodeSessionMapError {
        ClaudeCodeSessionMapError(operation: operation, path: path, code: code)
    }

    /// Creates `path` (0700) unless it exists; an existing one must be a directory, and with
    /// `followLinks: false` not a symlink to one.
    static func makeDirectory(_ path: String, followLinks: Bool) throws(ClaudeCodeSessionMapError) {
        if mkdir(path, 0o700) == 0 { return }
        let code = errno
        guard code == EEXIST else { throw failure("mkdir", path, code) }
        var info = stat()
        let status = followLinks ? stat(path, &info) : lstat(path, &info)
        guard status == 0 else { throw failure("stat", path) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw ClaudeCodeSessionMapError(operation: "mkdir", path: path, code: ENOTDIR, detail: "exists and is not a directory")
        }
    }

    /// Opens (creating) the lock file and takes an exclusive flock; closing the descriptor releases it.
    static func lock(_ path: String) throws(ClaudeCodeSessionMapError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open", path) }
        while flock(fd, LOCK_EX) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            throw failure("flock", path, code)
        }
        return fd
    }

    /// The file's bytes, at most `limit + 1` of them (more means "too large"); nil when it does not exist.
    static func read(_ path: String, limit: Int) throws(ClaudeCodeSessionMapError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw failure("open", path, code)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw failure("read", path, code)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Replaces `path` with `bytes` so readers see the old or the new content, never a mix.
    static func replace(_ path: String, with bytes: [UInt8], temporary: String, directory: String) throws(ClaudeCodeSessionMapError) {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open", temporary) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                close(fd)
                throw failure("write", temporary, code)
            }
            written += count
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw failure("fsync", temporary, code)
        }
        close(fd)
        try rename(temporary, to: path)
        try syncDirectory(directory)
    }

    static func rename(_ from: String, to: String) throws(ClaudeCodeSessionMapError) {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename", from) }
    }

    static func remove(_ path: String) throws(ClaudeCodeSessionMapError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
    }

    static func syncDirectory(_ path: String) throws(ClaudeCodeSessionMapError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("fsync", path) }
    }
}
