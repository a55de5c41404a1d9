#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Spool segment files on disk: reading them whole and cutting off a torn tail after a crash.
public enum SpoolSegmentFile {
    /// What `recover` found and did.
    public struct Recovery: Equatable, Sendable {
        /// Every valid record of the segment.
        public var records: [SpoolRecord]
        /// The new file length when a torn tail was cut off; nil when the file was clean.
        public var truncatedAt: Int?
        /// Why the tail was cut off.
        public var tornReason: SpoolDamage?
    }

    /// Reads and scans a segment without changing it.
    public static func read(
        path: String, maxRecordBytes: Int = SpoolRecord.defaultMaxRecordBytes
    ) throws(SpoolError) -> SpoolSegmentReader.Scan {
        let descriptor = try open(path, O_RDONLY)
        defer { close(descriptor) }
        let bytes = try readAll(descriptor, path)
        return SpoolSegmentReader(maxRecordBytes: maxRecordBytes).scan(bytes)
    }

    /// Scans a segment and truncates a torn tail (then fsyncs the file). Mid-segment corruption
    /// is not cut: it throws `.corrupt` and leaves the file as it is, for `read` to inspect.
    public static func recover(
        path: String, maxRecordBytes: Int = SpoolRecord.defaultMaxRecordBytes
    ) throws(SpoolError) -> Recovery {
        let descriptor = try open(path, O_RDWR)
        defer { close(descriptor) }
        let bytes = try readAll(descriptor, path)
        let scan = SpoolSegmentReader(maxRecordBytes: maxRecordBytes).scan(bytes)
        switch scan.status {
        case .clean:
            return Recovery(records: scan.records, truncatedAt: nil, tornReason: nil)
        case .torn(let offset, let reason):
            guard ftruncate(descriptor, off_t(offset)) == 0 else {
                throw failure(path, "cannot truncate the torn tail to \(offset) bytes", offset: offset)
            }
            guard fsync(descriptor) == 0 else {
                throw failure(path, "cannot fsync after truncating", offset: offset)
            }
            return Recovery(records: scan.records, truncatedAt: offset, tornReason: reason)
        case .corrupt(let offset, let reason, let resumeOffset):
            throw SpoolError(
                code: .corrupt, path: path, offset: offset,
                message: "\(reason); valid records continue at byte \(resumeOffset), so nothing was truncated")
        }
    }

    private static func open(_ path: String, _ flags: Int32) throws(SpoolError) -> Int32 {
        let descriptor = path.withCString { systemOpen($0, flags | O_CLOEXEC) }
        guard descriptor >= 0 else { throw failure(path, "cannot open") }
        return descriptor
    }

    private static func readAll(_ descriptor: Int32, _ path: String) throws(SpoolError) -> [UInt8] {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure(path, "cannot stat") }
        let size = Int(info.st_size)
        var readError: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let got = systemRead(descriptor, buffer.baseAddress! + count, size - count)
                if got < 0 && errno == EINTR { continue }
                if got < 0 { readError = errno; return }
                if got == 0 { return }  // the file shrank while we read it
                count += got
            }
        }
        if readError != 0 {
            throw SpoolError(code: .io, path: path, message: "cannot read: \(errorText(readError))", errno: readError)
        }
        // A file that grew since fstat is read to its end as well.
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let got = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress!, $0.count) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { throw failure(path, "cannot read") }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[0..<got])
        }
        return bytes
    }

    private static func failure(_ path: String, _ doing: String, offset: Int? = nil) -> SpoolError {
        let code = errno
        return SpoolError(code: .io, path: path, offset: offset, message: "\(doing): \(errorText(code))", errno: code)
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32) -> Int32 {
    open(path, flags)
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
