import Glibc
import TraceWire

/// The system calls the spool is made of, each turning a failure into a `SpoolError` that names the file.
enum SpoolDisk {
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A `SpoolError(.io)` for the failed call, with the current `errno`.
    static func failure(_ path: String, _ doing: String, offset: Int? = nil) -> SpoolError {
        let code = errno
        return SpoolError(code: .io, path: path, offset: offset, message: "\(doing): \(errorText(code))", errno: code)
    }

    static func invalid(_ path: String, _ message: String, offset: Int? = nil) -> SpoolError {
        SpoolError(code: .invalid, path: path, offset: offset, message: message)
    }

    /// Creates `path` (mode 0700) unless a directory is already there.
    static func makeDirectory(_ path: String) throws(SpoolError) {
        if mkdir(path, 0o700) == 0 { return }
        let code = errno
        var info = stat()
        if code == EEXIST, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
        errno = code
        throw failure(path, "cannot create the directory")
    }

    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws(SpoolError) -> Int32 {
        while true {
            let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode)
            if descriptor >= 0 { return descriptor }
            if errno == EINTR { continue }
            throw failure(path, "cannot open")
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, _ path: String) throws(SpoolError) {
        var done = 0
        while done < bytes.count {
            let wrote = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if wrote < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot write \(bytes.count - done) bytes")
            }
            done += wrote
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], _ path: String) throws(SpoolError) {
        var failed: SpoolError?
        bytes.withUnsafeBytes { raw in
            do throws(SpoolError) { try writeAll(descriptor, raw, path) } catch { failed = error }
        }
        if let failed { throw failed }
    }

    static func sync(_ descriptor: Int32, _ path: String) throws(SpoolError) {
        guard fsync(descriptor) == 0 else { throw failure(path, "cannot fsync") }
    }

    /// Makes a name created, renamed or removed in `directory` durable.
    static func syncDirectory(_ directory: String) throws(SpoolError) {
        let descriptor = try openFile(directory, O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }
        try sync(descriptor, directory)
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file).
    static func read(_ descriptor: Int32, at offset: Int, count: Int, _ path: String) throws(SpoolError) -> [UInt8] {
        var failed: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
            filled = 0
            while filled < count {
                let got = pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
                if got < 0 && errno == EINTR { continue }
                if got < 0 { failed = errno; return }
                if got == 0 { return }
                filled += got
            }
        }
        guard failed == 0 else {
            errno = failed
            throw failure(path, "cannot read \(count) bytes", offset: offset)
        }
        return bytes
    }

    static func size(of descriptor: Int32, _ path: String) throws(SpoolError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path, "cannot stat") }
        return Int(info.st_size)
    }

    /// The whole of a small file, or nil when it does not exist. Longer than `limit` is an error.
    static func readSmallFile(_ path: String, limit: Int = 4096) throws(SpoolError) -> [UInt8]? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw failure(path, "cannot open")
        }
        defer { close(descriptor) }
        let bytes = try read(descriptor, at: 0, count: limit + 1, path)
        guard bytes.count <= limit else { throw invalid(path, "is larger than \(limit) bytes") }
        return bytes
    }

    /// Replaces `path` with `bytes` so a reader sees the old or the new content, never a mix:
    /// a temporary file in the same directory, fsynced, renamed over, then the directory fsynced.
    static func replace(_ path: String, with bytes: [UInt8], durable: Bool = true) throws(SpoolError) {
        var random = SystemRandomNumberGenerator()
        let temporary = "\(path).tmp-\(getpid())-\(String(random.next() as UInt64, radix: 36))"
        let descriptor = try openFile(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try writeAll(descriptor, bytes, temporary)
            if durable { try sync(descriptor, temporary) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let failed = failure(path, "cannot rename \(temporary) over it")
            unlink(temporary)
            throw failed
        }
        if durable { try syncDirectory(parent(of: path)) }
    }

    /// Names in a directory (without `.` and `..`); nil when the directory does not exist.
    static func list(_ directory: String) throws(SpoolError) -> [String]? {
        guard let stream = opendir(directory) else {
            if errno == ENOENT { return nil }
            throw failure(directory, "cannot list")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The size of a regular file, or nil when there is none at `path`.
    static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Removes a file; a file that is already gone is not an error.
    static func remove(_ path: String) throws(SpoolError) {
        if unlink(path) == 0 || errno == ENOENT { return }
        throw failure(path, "cannot remove")
    }

    /// Removes a directory holding only files (a session directory).
    static func removeFlatDirectory(_ path: String) throws(SpoolError) {
        for name in try list(path) ?? [] { try remove(path + "/" + name) }
        if rmdir(path) == 0 || errno == ENOENT { return }
        throw failure(path, "cannot remove the directory")
    }

    static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// CLOCK_MONOTONIC in nanoseconds: the clock `mono_ns` is measured on.
    static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Parses a file holding one decimal number and a newline (`acked`, `clock`).
    static func parseNumber(_ bytes: [UInt8]) -> UInt64? {
        var digits = bytes[...]
        if digits.last == 0x0A { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
