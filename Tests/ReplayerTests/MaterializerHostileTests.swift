import Glibc
import Recorder
import Replayer
import Testing
import TraceModel

/// Manifests built to escape the root: each entry is refused and canaries outside stay as they were.
@Suite struct MaterializerHostileTests {
    /// A scratch area: `outside/` holds canaries, `deep/er/root` is where the tree goes, so `../..`
    /// from the root lands in the scratch area.
    struct Arena {
        let base = TemporaryDirectory("hostile")
        var root: String { base.path + "/deep/er/root" }
        var canary: String { base.path + "/canary" }

        init() {
            mkdir(base.path + "/deep", 0o755)
            mkdir(base.path + "/deep/er", 0o755)
            Disk.write(canary, "canary")
        }

        func untouched() -> Bool {
            Disk.text(canary) == "canary" && Disk.names(base.path) == ["canary", "deep"]
                && Disk.names(base.path + "/deep") == ["er"] && Disk.names(base.path + "/deep/er") == ["root"]
        }
    }

    func run(_ entries: [SnapshotEntry], blobs: MemoryBlobStore = MemoryBlobStore()) throws -> (Arena, MaterializeResult) {
        let arena = Arena()
        let result = try Materializer(blobs: blobs).materialize(SnapshotManifest(entries: entries), into: arena.root)
        return (arena, result)
    }

    static let content = Array("owned\n".utf8)
    static func blobs() throws -> MemoryBlobStore {
        let store = MemoryBlobStore()
        try store.put(content)
        return store
    }
    static func file(_ path: String) -> SnapshotEntry {
        .file(path, size: UInt64(content.count), digest: Digest.sha256(content))
    }

    @Test(arguments: ["../../x", "../canary", "/etc/passwd", "a/../../../x", "./x", "a//b", "", "a\u{0}b", "x/"])
    func refusesPathsThatLeaveTheRoot(_ path: String) throws {
        let (arena, result) = try run([Self.file(path), Self.file("fine")], blobs: try Self.blobs())
        defer { arena.base.remove() }
        #expect(result.refused.map(\.path) == [path])
        #expect(result.files == 1)
        #expect(arena.untouched())
        #expect(Disk.names(arena.root) == ["fine"])
    }

    @Test func refusesEntriesBelowALinkToTheRoot() throws {
        let (arena, result) = try run([.symlink("l", target: "/"), Self.file("l/tmp/owned"), .dir("l/etc")], blobs: try Self.blobs())
        defer { arena.base.remove() }
        #expect(result.refused.map(\.path) == ["l", "l/etc", "l/tmp/owned"])
        #expect(result.refused[0].reason.contains("absolute"))
        #expect(!Disk.exists("/tmp/owned"))
        #expect(arena.untouched())
        #expect(Disk.names(arena.root).isEmpty)
    }

    @Test func aLinkThatWasWrittenIsNeverFollowedByALaterEntry() throws {
        // `up -> ..` escapes and is refused; `in -> sub` is fine, but `in/x` must not go through it.
        let (arena, result) = try run([.dir("sub"), .symlink("in", target: "sub"), Self.file("in/x"), .symlink("up", target: ".."),
                                       Self.file("up/x")], blobs: try Self.blobs())
        defer { arena.base.remove() }
        #expect(result.refused.map(\.path) == ["in/x", "up", "up/x"])
        #expect(result.refused[0].reason.contains("link or a file"))
        #expect(Disk.names(arena.root + "/sub").isEmpty)
        #expect(arena.untouched())
    }

    @Test(arguments: ["../..", "../../canary", "a/../../..", "sub/../x", "../../../x", "/"])
    func refusesLinksThatEscape(_ target: String) throws {
        let (arena, result) = try run([.symlink("d/l", target: target)])
        defer { arena.base.remove() }
        #expect(result.refused.map(\.path) == ["d/l"])
        #expect(arena.untouched())
    }

    @Test func allowsLinksThatStayInside() throws {
        let (arena, result) = try run([.symlink("d/l", target: "../x"), .symlink("d/m", target: "./n/o"), .symlink("top", target: "d")])
        defer { arena.base.remove() }
        #expect(result.refused.isEmpty)
        #expect(result.symlinks == 3)
    }

    @Test func refusesAFileBelowAFile() throws {
        let (arena, result) = try run([Self.file("f"), Self.file("f/g")], blobs: try Self.blobs())
        defer { arena.base.remove() }
        #expect(result.refused.map(\.path) == ["f/g"])
        #expect(result.refused[0].reason.contains("f is a link or a file"))
    }

    @Test func refusesABlobWhoseBytesDoNotMatchItsDigest() throws {
        let blobs = MemoryBlobStore()
        let claimed = Digest.sha256(Array("expected".utf8))
        blobs.put(Array("tampered".utf8), as: claimed)
        let (arena, result) = try run([.file("f", size: 8, digest: claimed)], blobs: blobs)
        defer { arena.base.remove() }
        #expect(result.refused.map(\.path) == ["f"])
        #expect(result.refused[0].reason.contains("has digest"))
        #expect(!Disk.exists(arena.root + "/f"))
    }

    @Test func refusesHostileJSONWhenParsing() throws {
        let digest = Digest.sha256(Self.content)
        for path in ["../../x", "/etc/passwd"] {
            let json = #"{"entries":[{"digest":"\#(digest)","mode":420,"path":"\#(path)","size":6,"type":"file"}],"v":1}"#
            #expect(throws: SnapshotManifestError.self) { try SnapshotManifest.parse(Array(json.utf8)) }
        }
        let device = #"{"entries":[{"mode":420,"path":"null","type":"chardev"}],"v":1}"#
        #expect(throws: SnapshotManifestError.self) { try SnapshotManifest.parse(Array(device.utf8)) }
    }

    @Test func stripsSetuidSetgidAndSticky() throws {
        let (arena, result) = try run([.file("s", mode: 0o6755, size: 6, digest: Digest.sha256(Self.content)), .dir("t", mode: 0o1777)],
                                      blobs: try Self.blobs())
        defer { arena.base.remove() }
        #expect(result.isComplete)
        #expect(Disk.status(arena.root + "/s")!.st_mode & 0o7777 == 0o755)
        #expect(Disk.status(arena.root + "/t")!.st_mode & 0o7777 == 0o777)
    }
}
