#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TraceWire

@Suite("Spool segment files")
struct SpoolSegmentFileTests {
    /// A fresh file under a private temp directory, removed afterwards.
    private func withSegment(_ bytes: [UInt8], _ body: (String) throws -> Void) throws {
        var template = Array("/tmp/wire-spool-XXXXXX".utf8CString)
        let directory = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
        let path = directory + "/segment-000001.spool"
        defer {
            unlink(path)
            rmdir(directory)
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        try #require(written == bytes.count)
        try body(path)
    }

    private func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : -1
    }

    @Test("a clean segment is left untouched")
    func clean() throws {
        let bytes = SpoolSegmentReaderTests.segment()
        try withSegment(bytes) { path in
            let recovery = try SpoolSegmentFile.recover(path: path)
            #expect(recovery.truncatedAt == nil)
            #expect(recovery.records.map { Array($0.payload) } == SpoolSegmentReaderTests.payloads)
            #expect(fileSize(path) == bytes.count)
        }
    }

    @Test("a torn tail is cut off on disk, and recovery is then clean", arguments: [1, 9, 300])
    func tornTail(cut: Int) throws {
        let clean = SpoolSegmentReaderTests.segment()
        let next = SpoolRecord.frame([UInt8](repeating: 7, count: 1000))
        try withSegment(clean + next.prefix(cut)) { path in
            let recovery = try SpoolSegmentFile.recover(path: path)
            #expect(recovery.truncatedAt == clean.count)
            #expect(recovery.tornReason != nil)
            #expect(recovery.records.count == SpoolSegmentReaderTests.payloads.count)
            #expect(fileSize(path) == clean.count)
            let again = try SpoolSegmentFile.recover(path: path)
            #expect(again.truncatedAt == nil)
            #expect(again.records.count == SpoolSegmentReaderTests.payloads.count)
        }
    }

    @Test("mid-segment corruption throws and truncates nothing")
    func corruption() throws {
        var bytes = SpoolSegmentReaderTests.segment()
        let damaged = SpoolSegmentReaderTests.offsets[1]
        bytes[damaged + SpoolRecord.headerSize] ^= 0x01
        try withSegment(bytes) { path in
            do throws(SpoolError) {
                _ = try SpoolSegmentFile.recover(path: path)
                Issue.record("corruption was not reported")
            } catch {
                #expect(error.code == .corrupt)
                #expect(error.offset == damaged)
                #expect(error.description.contains("CRC32C mismatch"))
            }
            #expect(fileSize(path) == bytes.count)
            let scan = try SpoolSegmentFile.read(path: path)
            #expect(scan.records.count == 1)
        }
    }

    @Test("a missing file is an I/O error naming the file")
    func missing() {
        do {
            _ = try SpoolSegmentFile.recover(path: "/nonexistent/wire/segment.spool")
            Issue.record("opened a missing file")
        } catch {
            #expect(error.code == .io)
            #expect(error.errno == ENOENT)
            #expect(error.description.contains("/nonexistent/wire/segment.spool"))
        }
    }

    @Test("an empty segment is clean")
    func empty() throws {
        try withSegment([]) { path in
            let recovery = try SpoolSegmentFile.recover(path: path)
            #expect(recovery.records.isEmpty)
            #expect(recovery.truncatedAt == nil)
        }
    }
}
