import Glibc
import Recorder
import Replayer
import Testing
import TraceModel

@Suite struct MaterializerTests {
    @Test func materializesASnapshotWithItsBytesAndModes() throws {
        let source = TemporaryDirectory("source"), target = TemporaryDirectory("target")
        defer { source.remove(); target.remove() }
        try SnapshotFixture.generate(at: source.path, files: 60, seed: 7)
        mkdir(source.path + "/bin", 0o750)
        Disk.write(source.path + "/bin/run.sh", "#!/bin/sh\necho hi\n", mode: 0o755)
        chmod(source.path + "/bin/run.sh", 0o751)
        Disk.write(source.path + "/secret", "s", mode: 0o600)
        chmod(source.path + "/secret", 0o600)
        symlink("bin/run.sh", source.path + "/run")
        symlink("../pkg00", source.path + "/bin/up")

        let blobs = MemoryBlobStore()
        var snapshotter = Snapshotter(root: source.path)
        let taken = try snapshotter.snapshot(into: blobs)
        let destination = target.path + "/tree"
        let result = try Materializer(blobs: blobs).materialize(taken.manifest, into: destination)

        #expect(result.isComplete)
        #expect(result.files == taken.manifest.entries.filter { $0.kind == .file }.count)
        #expect(result.symlinks == 2)
        var again = Snapshotter(root: destination)
        let copy = try again.snapshot(into: MemoryBlobStore())
        #expect(copy.manifest == taken.manifest)
        #expect(copy.digest == taken.digest)
        for entry in taken.manifest.entries where entry.kind == .file {
            #expect(Disk.read(destination + "/" + entry.path) == Disk.read(source.path + "/" + entry.path))
            #expect(Disk.status(destination + "/" + entry.path)!.st_mode & 0o7777 == entry.mode)
        }
        #expect(Disk.status(destination + "/bin")!.st_mode & 0o7777 == 0o750)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink(destination + "/run", &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(0, length)].map { UInt8(bitPattern: $0) }, as: UTF8.self) == "bin/run.sh")
    }

    @Test func refusesADestinationThatIsNotEmpty() throws {
        let target = TemporaryDirectory("busy")
        defer { target.remove() }
        Disk.write(target.path + "/already", "x")
        #expect(throws: MaterializeError.self) {
            try Materializer(blobs: MemoryBlobStore()).materialize(SnapshotManifest(entries: []), into: target.path)
        }
        let link = target.path + "/link"
        let empty = target.path + "/empty"
        mkdir(empty, 0o755)
        symlink(empty, link)
        let error = try #require(throws: MaterializeError.self) {
            try Materializer(blobs: MemoryBlobStore()).materialize(SnapshotManifest(entries: []), into: link)
        }
        #expect(error.code == .root)
    }

    @Test func reportsFilesWhoseContentWasNotKeptAsMissing() throws {
        let target = TemporaryDirectory("missing")
        defer { target.remove() }
        let blobs = MemoryBlobStore()
        let kept = try blobs.put(Array("kept".utf8))
        let manifest = SnapshotManifest(entries: [
            .file("a", size: 4, digest: kept),
            .file("big", size: 9, digest: Digest.sha256(Array("not kept!".utf8)), stored: false),
            .file("lost", size: 4, digest: Digest.sha256(Array("lost".utf8))),
        ])
        let result = try Materializer(blobs: blobs).materialize(manifest, into: target.path + "/t")
        #expect(result.files == 1)
        #expect(result.missing.map(\.path) == ["big", "lost"])
        #expect(result.refused.isEmpty)
        #expect(Disk.text(target.path + "/t/a") == "kept")
        #expect(!Disk.exists(target.path + "/t/big"))
    }
}
