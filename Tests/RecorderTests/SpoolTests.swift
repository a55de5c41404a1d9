import Foundation
import Recorder
import Testing
import TraceModel
import TraceWire

@Suite struct SpoolTests {
    @Test func setAckedDeletesAcknowledgedSealedSegmentsOnly() throws {
        let fixture = try SpoolFixture(SpoolOptions(segmentBytes: 1024))
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        for i in 0..<100 { try recorder.record(SpoolFixture.message("ack me \(i)")) }
        try recorder.sync()
        let id = recorder.session
        let before = try fixture.segmentNames(id)
        #expect(before.count > 5)
        #expect(try fixture.spool.ackedSeq(of: id) == nil)

        try fixture.spool.setAcked(50, of: id)
        #expect(try fixture.spool.ackedSeq(of: id) == 50)
        let after = try fixture.segmentNames(id)
        #expect(after.count < before.count)
        #expect(after.last == before.last)
        // Every event after the watermark is still there, and the first kept segment starts at or before 51.
        let rest = try fixture.spool.records(of: id, after: 50, limit: .max)
        #expect(rest.map(\.seq) == Array(51...100))
        let kept = try fixture.spool.records(of: id, after: nil, limit: 1)
        #expect(try #require(kept.first).seq <= 51)
        #expect(try #require(kept.first).seq > 0)

        // The watermark never goes down.
        try fixture.spool.setAcked(10, of: id)
        #expect(try fixture.spool.ackedSeq(of: id) == 50)

        // Everything acknowledged: only the current segment is left while the session runs.
        try fixture.spool.setAcked(100, of: id)
        #expect(try fixture.segmentNames(id) == [before.last!])
        try recorder.end(SpoolFixture.end)
        recorder.close()
        #expect(fixture.spool.isEnded(id))
        try fixture.spool.setAcked(100, of: id)
        #expect(try fixture.spool.sessionIDs() == [id], "the session.end event is not acknowledged yet")
        try fixture.spool.setAcked(101, of: id)
        #expect(try fixture.spool.sessionIDs() == [])
        #expect(try fixture.spool.records(of: id, after: nil, limit: 10).isEmpty)
        #expect(try fixture.spool.usedBytes() == 0)
    }

    @Test func recoverIfAbandonedLeavesALiveWriterAlone() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        try recorder.record(SpoolFixture.message("alive"))
        try recorder.sync()
        let id = recorder.session
        let path = fixture.segmentPath(id, try #require(try fixture.segmentNames(id).last))
        // A half-written record a live writer might be in the middle of.
        try fixture.append([0x30, 0, 0, 0, 1, 2], to: path)
        #expect(try fixture.spool.recoverIfAbandoned(id) == nil)
        // A second open file description of the lock conflicts too, even in this process.
        let second = open(fixture.spool.sessionDirectory(id) + "/lock", O_RDWR)
        #expect(flock(second, LOCK_EX | LOCK_NB) != 0)
        recorder.close()
        #expect(flock(second, LOCK_EX | LOCK_NB) == 0)
        #expect(try fixture.spool.recoverIfAbandoned(id) == nil, "held through the second descriptor now")
        close(second)

        let recovery = try #require(try fixture.spool.recoverIfAbandoned(id))
        #expect(recovery.tornTail?.bytesCut == 6)
        #expect(recovery.notices.count == 1)
        let events = try fixture.events(id)
        #expect(events.last?.notice?.code == "torn_tail")
        #expect(ChainVerifier.verify(events).isIntact)
        // A clean abandoned session needs nothing.
        let again = try #require(try fixture.spool.recoverIfAbandoned(id))
        #expect(again.tornTail == nil && again.notices.isEmpty)
        #expect(again.lastSeq == events.last?.seq)
    }

    @Test func corruptRecordInTheMiddleIsReportedNotSkipped() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        for i in 0..<9 { try recorder.record(SpoolFixture.message("record \(i)")) }
        recorder.close()
        let id = recorder.session
        let path = fixture.segmentPath(id, "seg-0000000001.log")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let scan = SpoolSegmentReader().scan(bytes)
        let damaged = scan.records[3]
        bytes[damaged.offset + SpoolRecord.headerSize + 2] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        // The records before the damage are handed out; then the damage is an error with its place.
        #expect(try fixture.spool.records(of: id, after: nil, limit: 100).map(\.seq) == [0, 1, 2])
        do {
            _ = try fixture.spool.records(of: id, after: 2, limit: 100)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.offset == damaged.offset)
            #expect(error.path == path)
        }
        // A writer cannot resume over it either, and says why.
        #expect(throws: SpoolError.self) { try SessionRecorder.open(spool: fixture.spool, session: id) }
    }

    @Test func hostileSpoolEntriesAreSkippedOrRefusedWithAReason() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        recorder.close()
        let id = recorder.session
        let sessions = fixture.spool.path + "/sessions"
        try FileManager.default.createDirectory(atPath: sessions + "/not-a-ulid", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: sessions + "/01j0000000000000000000000u", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: sessions + "/stray-file"))
        #expect(try fixture.spool.sessionIDs() == [id])
        let scan = try fixture.spool.sessionScan()
        #expect(scan.skipped.map(\.name) == ["01j0000000000000000000000u", "not-a-ulid", "stray-file"])
        #expect(scan.skipped.allSatisfy { !$0.reason.isEmpty })

        // A garbage watermark is an error naming the file; setAcked replaces it.
        let acked = fixture.spool.sessionDirectory(id) + "/acked"
        try Data("garbage\u{0}\n".utf8).write(to: URL(fileURLWithPath: acked))
        do {
            _ = try fixture.spool.ackedSeq(of: id)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalid)
            #expect(error.path == acked)
        }
        try fixture.spool.setAcked(0, of: id)
        #expect(try fixture.spool.ackedSeq(of: id) == 0)
        try Data(String(repeating: "9", count: 40).utf8).write(to: URL(fileURLWithPath: acked))
        #expect(throws: SpoolError.self) { try fixture.spool.ackedSeq(of: id) }

        // Stray files next to the segments are ignored.
        try Data("junk".utf8).write(to: URL(fileURLWithPath: fixture.spool.sessionDirectory(id) + "/seg-abc.log"))
        #expect(try fixture.spool.records(of: id, after: nil, limit: 10).map(\.seq) == [0])

        // A session directory without events cannot be opened, and recovery leaves it alone.
        let empty = SessionID.generate()
        try FileManager.default.createDirectory(atPath: fixture.spool.sessionDirectory(empty), withIntermediateDirectories: true)
        #expect(throws: SpoolError.self) { try SessionRecorder.open(spool: fixture.spool, session: empty) }
        #expect(try fixture.spool.recoverIfAbandoned(empty) == SpoolRecovery(session: empty))
        // Acknowledging a session that is not there (another shipper finished it) changes nothing.
        let gone = SessionID.generate()
        try fixture.spool.setAcked(1, of: gone)
        #expect(!FileManager.default.fileExists(atPath: fixture.spool.sessionDirectory(gone)))
    }

    @Test func aRecordThatIsNotAnEventIsRefused() throws {
        let fixture = try SpoolFixture()
        let recorder = try SessionRecorder.create(spool: fixture.spool, start: SpoolFixture.start)
        recorder.close()
        let id = recorder.session
        // Valid framing, valid checksum, but not an event.
        try fixture.append(SpoolRecord.frame(Array("{\"hello\":\"world\"}".utf8)), to: fixture.segmentPath(id, "seg-0000000001.log"))
        do {
            _ = try SessionRecorder.open(spool: fixture.spool, session: id)
            Issue.record("expected an error")
        } catch let error as SpoolError {
            #expect(error.code == .invalid)
            #expect(error.message.contains("not a valid event"))
        }
        #expect(try fixture.spool.records(of: id, after: nil, limit: 10).map(\.seq) == [0])
        #expect(throws: SpoolError.self) { try fixture.spool.records(of: id, after: 0, limit: 10) }
    }

    @Test func blobsAreContentAddressedAndStreamed() throws {
        let fixture = try SpoolFixture()
        let blobs = fixture.spool.blobs
        let digest = try blobs.put(Array("hello blob".utf8))
        #expect(digest == Digest.sha256(Array("hello blob".utf8)))
        #expect(blobs.contains(digest))
        #expect(blobs.path(for: digest) == fixture.spool.path + "/blobs/sha256/" + digest.hex)
        #expect(try blobs.put(Array("hello blob".utf8)) == digest)
        #expect(try blobs.read(digest) == Array("hello blob".utf8))

        var large = [UInt8](repeating: 0, count: 3 << 20)
        for i in large.indices { large[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 11) }
        let source = fixture.root + "/large.bin"
        try Data(large).write(to: URL(fileURLWithPath: source))
        let streamed = try blobs.putFile(path: source)
        #expect(streamed == Digest.sha256(large))
        #expect(try blobs.read(streamed) == large)
        #expect(try blobs.putFile(path: source) == streamed)
        #expect(try blobs.digests() == [digest, streamed].sorted())
        #expect(try fixture.spool.usedBytes() == large.count + 10)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.spool.path + "/blobs/sha256").count == 2)

        try blobs.remove(digest)
        #expect(!blobs.contains(digest))
        try blobs.remove(digest)
        #expect(throws: SpoolError.self) { try blobs.putFile(path: fixture.root + "/missing") }
    }

    @Test func insecureSpoolDirectoriesAreNamed() throws {
        let fixture = try SpoolFixture(subdirectory: "guarded/spool")
        // The agent's user owns the spool: as root, hand it to a made-up user first.
        let agent: UInt32 = getuid() == 0 ? 4243 : getuid()
        if getuid() == 0 { chown(fixture.spool.path, agent, getgid()) }
        let other = agent &+ 1
        let parent = fixture.root + "/guarded"
        chmod(parent, 0o755)
        chmod(fixture.spool.path, 0o700)
        let own = try #require(fixture.spool.insecurityWarning(agentUID: agent))
        #expect(own.contains("uid \(agent)"))
        #expect(fixture.spool.insecurityWarning(agentUID: other) == nil)
        chmod(fixture.spool.path, 0o770)
        #expect(try #require(fixture.spool.insecurityWarning(agentUID: other)).contains("group"))
        chmod(fixture.spool.path, 0o700)
        chmod(parent, 0o777)
        #expect(try #require(fixture.spool.insecurityWarning(agentUID: other)).contains("every user"))
        chmod(parent, 0o1777)
        #expect(fixture.spool.insecurityWarning(agentUID: other) == nil, "a sticky parent like /tmp is fine")
        #expect(fixture.spool.insecurityWarning(agentUID: 0) != nil)
    }

    @Test func policiesParseTheirCommandLineSpelling() {
        #expect(FsyncPolicy("always") == .always)
        #expect(FsyncPolicy("interval") == .interval(milliseconds: 100))
        #expect(FsyncPolicy("interval:250") == .interval(milliseconds: 250))
        #expect(FsyncPolicy("never") == .never)
        #expect(FsyncPolicy("interval:0") == nil)
        #expect(FsyncPolicy("sometimes") == nil)
        #expect(SpoolFullPolicy("drop-oldest") == .dropOldest)
        #expect(SpoolFullPolicy("block") == .block)
        #expect(SpoolFullPolicy("drop") == nil)
        #expect(SpoolOptions().fsync == .interval(milliseconds: 100))
        #expect(SpoolOptions().segmentBytes == 8 << 20)
        #expect(SpoolOptions().full == .block)
    }
}
