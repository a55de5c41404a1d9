import Glibc

/// The few whole-file system calls snapshots and the stat cache need, without Foundation.
enum SnapshotDisk {
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Reads a whole file, at most `limit` bytes; nil with `errno` set on failure, or when longer than `limit`
    /// (`errno` = EFBIG).
    static func readFile(at directory: Int32 = AT_FDCWD, _ path: String, limit: Int) -> [UInt8]? {
        let descriptor = openat(directory, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { return out }
            if out.count + got > limit {
                errno = EFBIG
                return nil
            }
            out.append(contentsOf: chunk[0..<got])
        }
    }

    /// Replaces `path` with `bytes`: written to a temporary name beside it, then renamed over it, so a
    /// reader sees the old or the new file whole. Returns the failing step and `errno`, or nil.
    static func replaceFile(_ path: String, with bytes: [UInt8]) -> (step: String, code: Int32)? {
        let temporary = path + ".tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return ("create \(temporary)", errno) }
        var failure: (String, Int32)? = nil
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let wrote = write(descriptor, raw.baseAddress! + done, raw.count - done)
                if wrote < 0 {
                    if errno == EINTR { continue }
                    failure = ("write \(temporary)", errno)
                    return
                }
                done += wrote
            }
        }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 { failure = ("rename to \(path)", errno) }
        if failure != nil { unlink(temporary) }
        return failure
    }
}
