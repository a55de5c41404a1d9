import Foundation
import Glibc
import Recorder
import Testing
import TraceModel

/// A temporary directory for one snapshot test, removed at the end.
final class SnapshotScratch {
    let path: String
    let root: String

    init() throws {
        path = NSTemporaryDirectory() + "parallax-snapshot-" + UUID().uuidString
        root = path + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws {
        let full = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        chmod(full, mode_t(mode))
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + relative, withDestinationPath: target)
    }

    func stamp(_ relative: String) -> stat {
        var info = stat()
        lstat(root + "/" + relative, &info)
        return info
    }

    /// Sets mtime (and atime) of `relative` to `time`.
    func setMtime(_ relative: String, _ time: timespec) {
        var times = [time, time]
        utimensat(AT_FDCWD, root + "/" + relative, &times, AT_SYMLINK_NOFOLLOW)
    }
}

/// Runs `body` on this thread with file permission checks made as user `nobody` when the tests run as
/// root (the file-system uid is per thread, and root would read a mode-000 file regardless).
func asUnprivilegedFileSystemUser<T>(_ body: () throws -> T) rethrows -> T {
    guard geteuid() == 0, let libc = dlopen(nil, RTLD_NOW), let symbol = dlsym(libc, "setfsuid") else { return try body() }
    let setfsuid = unsafeBitCast(symbol, to: (@convention(c) (UInt32) -> Int32).self)
    _ = setfsuid(65534)
    defer { _ = setfsuid(0) }
    return try body()
}

/// A clock far in the future: every file is older than the walk, so every hashed file enters the cache.
let afterEverything: @Sendable () -> Int64 = { Int64.max / 2 }

@Suite struct SnapshotterTests {
    @Test func snapshotOfAMixedTree() throws {
        let scratch = try SnapshotScratch()
        try scratch.write("a.txt", "alpha")
        try scratch.write("nested/deeper/b.txt", "bravo", mode: 0o444)
        try scratch.write("run.sh", "#!/bin/sh\n", mode: 0o755)
        try scratch.mkdir("empty")
        try scratch.symlink("inside", to: "a.txt")
        try scratch.symlink("nested/outside", to: "../../outside.txt")
        try scratch.symlink("absolute", to: "/etc/passwd")
        try scratch.write("secret.txt", "hidden", mode: 0o000)
        #expect(mkfifo(scratch.root + "/pipe", 0o644) == 0)

        let sink = MemoryBlobSink()
        var snapshotter = Snapshotter(root: scratch.root)
        let result = try asUnprivilegedFileSystemUser { try snapshotter.snapshot(into: sink) }
        let m = result.manifest

        #expect(m.entries.map(\.path) == ["a.txt", "absolute", "empty", "inside", "nested", "nested/deeper", "nested/deeper/b.txt",
                                          "nested/outside", "run.sh"])
        #expect(m["a.txt"] == .file("a.txt", mode: 0o644, size: 5, digest: Digest.sha256(Array("alpha".utf8))))
        #expect(m["nested/deeper/b.txt"]?.mode == 0o444)
        #expect(m["run.sh"]?.mode == 0o755)
        #expect(m["empty"]?.kind == .dir)
        #expect(m["inside"] == .symlink("inside", target: "a.txt"))
        #expect(m["nested/outside"]?.target == "../../outside.txt")
        #expect(m["absolute"]?.target == "/etc/passwd")
        #expect(sink.bytes(Digest.sha256(Array("bravo".utf8))) == Array("bravo".utf8))

        let reasons = Dictionary(uniqueKeysWithValues: result.skipped.map { ($0.path, $0.reason) })
        #expect(reasons == ["pipe": .fifo, "secret.txt": .unreadable])
        #expect(result.skipped.first { $0.path == "secret.txt" }?.message.contains("Permission denied") == true)

        #expect(result.digest == m.digest)
        #expect(try SnapshotManifest.parse(try #require(sink.bytes(result.digest))) == m)
        #expect(result.filesHashed == 3)
        #expect(result.filesReused == 0)
        #expect(result.bytesHashed == 5 + 5 + 10)
    }

    @Test func ignoreRulesApplyDuringTheWalk() throws {
        let scratch = try SnapshotScratch()
        try scratch.write(".git/config", "[core]")
        try scratch.write(".parallaxignore", "*.log\nbuild/\n")
        try scratch.write("app.log", "x")
        try scratch.write("build/out.o", "x")
        try scratch.write("src/keep.log", "x")
        try scratch.write("src/.parallaxignore", "!keep.log\n/generated\n")
        try scratch.write("src/generated", "x")
        try scratch.write("src/main.c", "x")
        try scratch.write("src/x/generated", "x")

        var snapshotter = Snapshotter(root: scratch.root)
        let result = try snapshotter.snapshot(into: MemoryBlobSink())
        #expect(result.manifest.entries.map(\.path) == [".parallaxignore", "src", "src/.parallaxignore", "src/keep.log", "src/main.c",
                                                        "src/x", "src/x/generated"])
        #expect(result.ignored == 4)  // .git, app.log, build, src/generated
        #expect(result.skipped.isEmpty)
    }

    @Test func ignoreFilesCanBeTurnedOffButDefaultsStay() throws {
        let scratch = try SnapshotScratch()
        try scratch.write(".git/HEAD", "ref")
        try scratch.write(".parallaxignore", "*\n")
        try scratch.write("a", "x")
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(readsIgnoreFiles: false))
        #expect(try snapshotter.snapshot(into: MemoryBlobSink()).manifest.entries.map(\.path) == [".parallaxignore", "a"])
        var withGit = Snapshotter(root: scratch.root, options: SnapshotOptions(ignoreDefaults: [], readsIgnoreFiles: false))
        #expect(try withGit.snapshot(into: MemoryBlobSink()).manifest.entries.map(\.path) == [".git", ".git/HEAD", ".parallaxignore", "a"])
    }

    @Test func anIgnoreFileThatIsALinkIsNotFollowed() throws {
        let scratch = try SnapshotScratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/elsewhere", withIntermediateDirectories: true)
        try Data("*\n".utf8).write(to: URL(fileURLWithPath: scratch.path + "/elsewhere/rules"))
        try scratch.symlink(".parallaxignore", to: scratch.path + "/elsewhere/rules")
        try scratch.write("a", "x")
        var snapshotter = Snapshotter(root: scratch.root)
        let result = try snapshotter.snapshot(into: MemoryBlobSink())
        #expect(result.manifest.entries.map(\.path) == [".parallaxignore", "a"])
        #expect(result.skipped.map(\.reason) == [.ignoreFileUnreadable])
    }

    @Test func unchangedTreeIsNotHashedAgain() throws {
        let scratch = try SnapshotScratch()
        let summary = try SnapshotFixture.generate(at: scratch.root, files: 60, seed: 7)
        let sink = MemoryBlobSink()
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(clock: afterEverything))
        let first = try snapshotter.snapshot(into: sink)
        #expect(first.filesHashed == 60)
        #expect(first.bytesHashed == summary.bytes)
        #expect(first.bytesStored == summary.bytes)
        let second = try snapshotter.snapshot(into: sink)
        #expect(second.filesHashed == 0)
        #expect(second.filesReused == 60)
        #expect(second.bytesStored == 0)
        #expect(second.digest == first.digest)
    }

    @Test func touchingOneFileRehashesExactlyThatFile() throws {
        let scratch = try SnapshotScratch()
        try SnapshotFixture.generate(at: scratch.root, files: 30, seed: 1)
        let sink = MemoryBlobSink()
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(clock: afterEverything))
        let first = try snapshotter.snapshot(into: sink)
        let path = SnapshotFixture.path(ofFile: 11)
        // Same content, new mtime: hashed again, same digest.
        scratch.setMtime(path, timespec(tv_sec: 1_000_000, tv_nsec: 5))
        let touched = try snapshotter.snapshot(into: sink)
        #expect(touched.filesHashed == 1)
        #expect(touched.digest == first.digest)
    }

    @Test func sameSizeSameMtimeRewriteIsCaught() throws {
        let scratch = try SnapshotScratch()
        try scratch.write("a.txt", "aaaa")
        try scratch.write("b.txt", "bbbb")
        let sink = MemoryBlobSink()
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(clock: afterEverything))
        _ = try snapshotter.snapshot(into: sink)

        // Replaced by a new inode with the same size and mtime.
        let before = scratch.stamp("a.txt")
        try Data("AAAA".utf8).write(to: URL(fileURLWithPath: scratch.path + "/new"))
        rename(scratch.path + "/new", scratch.root + "/a.txt")
        scratch.setMtime("a.txt", before.st_mtim)
        #expect(scratch.stamp("a.txt").st_ino != before.st_ino)
        let replaced = try snapshotter.snapshot(into: sink)
        #expect(replaced.filesHashed == 1)
        #expect(replaced.manifest["a.txt"]?.digest == Digest.sha256(Array("AAAA".utf8)))

        // Rewritten in place, mtime put back: only ctime tells.
        let inPlace = scratch.stamp("b.txt")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.root + "/b.txt"))
        handle.write(Data("BBBB".utf8))
        try handle.close()
        scratch.setMtime("b.txt", inPlace.st_mtim)
        #expect(scratch.stamp("b.txt").st_ino == inPlace.st_ino)
        let rewritten = try snapshotter.snapshot(into: sink)
        #expect(rewritten.filesHashed == 1)
        #expect(rewritten.manifest["b.txt"]?.digest == Digest.sha256(Array("BBBB".utf8)))
    }

    @Test func filesChangedAfterTheWalkStartedAreNotTrusted() throws {
        let scratch = try SnapshotScratch()
        try SnapshotFixture.generate(at: scratch.root, files: 10)
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(clock: { 0 }))
        _ = try snapshotter.snapshot(into: MemoryBlobSink())
        #expect(snapshotter.cache.count == 0)
        #expect(try snapshotter.snapshot(into: MemoryBlobSink()).filesHashed == 10)
    }

    @Test func realClockTrustsFilesOnceTheClockHasMovedOn() throws {
        let scratch = try SnapshotScratch()
        try SnapshotFixture.generate(at: scratch.root, files: 20)
        let newest = (0..<20).map { i -> Int64 in
            let info = scratch.stamp(SnapshotFixture.path(ofFile: i))
            return Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        }.max()!
        // Wait (bounded) until the file-system clock has left the tick of the last write.
        let deadline = ContinuousClock.now + .seconds(5)
        while SnapshotOptions.fileSystemClock() <= newest && ContinuousClock.now < deadline { sched_yield() }
        var snapshotter = Snapshotter(root: scratch.root)
        let sink = MemoryBlobSink()
        #expect(try snapshotter.snapshot(into: sink).filesHashed == 20)
        #expect(try snapshotter.snapshot(into: sink).filesHashed == 0)
    }

    @Test func contentMissingFromTheSinkIsReadAgain() throws {
        let scratch = try SnapshotScratch()
        try SnapshotFixture.generate(at: scratch.root, files: 12)
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(clock: afterEverything))
        _ = try snapshotter.snapshot(into: MemoryBlobSink())
        let fresh = MemoryBlobSink()
        let result = try snapshotter.snapshot(into: fresh)
        #expect(result.filesHashed == 12)
        #expect(fresh.count == 12 + 1)  // every content plus the manifest
    }

    @Test func cacheFileIsReusedByANewSnapshotter() throws {
        let scratch = try SnapshotScratch()
        try SnapshotFixture.generate(at: scratch.root, files: 25)
        let cacheFile = scratch.path + "/stat-cache"
        let sink = MemoryBlobSink()
        let options = SnapshotOptions(clock: afterEverything)
        var first = Snapshotter(root: scratch.root, options: options, cacheFile: cacheFile)
        let one = try first.snapshot(into: sink)
        #expect(one.cacheError == nil)
        var second = Snapshotter(root: scratch.root + "/", options: options, cacheFile: cacheFile)
        #expect(second.cacheLoadError == nil)
        #expect(second.cache.count == 25)
        let two = try second.snapshot(into: sink)
        #expect(two.filesHashed == 0)
        #expect(two.digest == one.digest)

        // A damaged cache file is reported and replaced.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: cacheFile)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: cacheFile))
        var third = Snapshotter(root: scratch.root, options: options, cacheFile: cacheFile)
        #expect(third.cacheLoadError?.code == .corrupt)
        #expect(try third.snapshot(into: sink).filesHashed == 25)
        #expect(try StatCache.load(from: cacheFile, root: third.cache.root).count == 25)
    }

    @Test func perFileCapRecordsTheDigestWithoutTheContent() throws {
        let scratch = try SnapshotScratch()
        let big = String(repeating: "x", count: 5000)
        try scratch.write("big.bin", big)
        try scratch.write("small.txt", "tiny")
        let sink = MemoryBlobSink()
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(maxFileBytes: 4096, clock: afterEverything))
        let result = try snapshotter.snapshot(into: sink)
        let entry = try #require(result.manifest["big.bin"])
        #expect(entry.digest == Digest.sha256(Array(big.utf8)))
        #expect(entry.size == 5000)
        #expect(!entry.stored)
        #expect(!sink.contains(entry.digest!))
        #expect(result.manifest["small.txt"]?.stored == true)
        #expect(result.filesNotStored == 1)
        #expect(result.bytesStored == 4)
        // The cache vouches for the digest without reading the big file again.
        let again = try snapshotter.snapshot(into: sink)
        #expect(again.filesHashed == 0)
        #expect(again.manifest == result.manifest)
    }

    @Test func totalCapKeepsContentInWalkOrderUntilFull() throws {
        let scratch = try SnapshotScratch()
        try scratch.write("a", String(repeating: "a", count: 400))
        try scratch.write("b", String(repeating: "b", count: 400))
        try scratch.write("c", String(repeating: "c", count: 300))
        try scratch.write("d", String(repeating: "d", count: 100))
        let sink = MemoryBlobSink()
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(maxTotalBytes: 900))
        let result = try snapshotter.snapshot(into: sink)
        #expect(result.manifest.entries.map(\.stored) == [true, true, false, true])
        #expect(result.bytesStored == 900)
        #expect(result.filesNotStored == 1)
        #expect(sink.count == 3 + 1)
    }

    @Test func deepTreesStopAtTheDepthLimit() throws {
        let scratch = try SnapshotScratch()
        try scratch.write("1/2/3/4/f", "x")
        var snapshotter = Snapshotter(root: scratch.root, options: SnapshotOptions(maxDepth: 2))
        let result = try snapshotter.snapshot(into: MemoryBlobSink())
        #expect(result.manifest.entries.map(\.path) == ["1", "1/2", "1/2/3"])
        #expect(result.skipped == [SnapshotSkip(path: "1/2/3", reason: .tooDeep, message: "deeper than 2 directories; contents not recorded")])
    }

    @Test func namesThatAreNotUTF8AreSkipped() throws {
        let scratch = try SnapshotScratch()
        let name: [CChar] = [0x62, 0x61, CChar(bitPattern: 0xFF), 0x64, 0]
        let descriptor = (scratch.root + "/").withCString { root in
            var full = Array(UnsafeBufferPointer(start: root, count: strlen(root)))
            full.append(contentsOf: name)
            return open(full, O_WRONLY | O_CREAT, 0o644)
        }
        #expect(descriptor >= 0)
        close(descriptor)
        try scratch.write("ok", "x")
        var snapshotter = Snapshotter(root: scratch.root)
        let result = try snapshotter.snapshot(into: MemoryBlobSink())
        #expect(result.manifest.entries.map(\.path) == ["ok"])
        #expect(result.skipped.map(\.reason) == [.nameNotUTF8])
    }

    @Test func aMissingRootIsAnError() throws {
        var snapshotter = Snapshotter(root: "/nonexistent/parallax-snapshot-root")
        #expect(throws: SnapshotError.self) { try snapshotter.snapshot(into: MemoryBlobSink()) }
    }

    @Test func fixtureIsDeterministic() throws {
        let one = try SnapshotScratch(), two = try SnapshotScratch(), three = try SnapshotScratch()
        let summary = try SnapshotFixture.generate(at: one.root, files: 57, seed: 3)
        try SnapshotFixture.generate(at: two.root, files: 57, seed: 3)
        try SnapshotFixture.generate(at: three.root, files: 57, seed: 4)
        #expect(summary.files == 57)
        #expect(summary.directories == 4)  // pkg00 and mod00, mod01, mod02
        var a = Snapshotter(root: one.root), b = Snapshotter(root: two.root), c = Snapshotter(root: three.root)
        let first = try a.snapshot(into: MemoryBlobSink())
        #expect(first.manifest.entries.filter { $0.kind == .file }.count == 57)
        #expect(first.manifest[SnapshotFixture.path(ofFile: 56)] != nil)
        #expect(try b.snapshot(into: MemoryBlobSink()).digest == first.digest)
        #expect(try c.snapshot(into: MemoryBlobSink()).digest != first.digest)
    }
}
