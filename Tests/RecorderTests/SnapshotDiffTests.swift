import Foundation
import Glibc
import Recorder
import Testing
import TraceModel

@Suite struct SnapshotDiffTests {
    static func digest(_ text: String) -> Digest { Digest.sha256(Array(text.utf8)) }

    static let before = SnapshotManifest(entries: [
        .file("kept.txt", size: 1, digest: digest("k")),
        .file("edited.txt", size: 3, digest: digest("old")),
        .file("gone.txt", size: 4, digest: digest("gone")),
        .file("chmod.sh", mode: 0o644, size: 2, digest: digest("sh")),
        .file("becomes-link", size: 1, digest: digest("f")),
        .file("becomes-dir", size: 1, digest: digest("d")),
        .dir("dir-becomes-file"),
        .dir("dir-mode", mode: 0o755),
        .symlink("link", target: "a"),
        .symlink("link-gone", target: "b"),
        .file("capped", size: 9, digest: digest("capped"), stored: true),
    ])

    static let after = SnapshotManifest(entries: [
        .file("kept.txt", size: 1, digest: digest("k")),
        .file("edited.txt", mode: 0o600, size: 4, digest: digest("new!")),
        .file("chmod.sh", mode: 0o755, size: 2, digest: digest("sh")),
        .symlink("becomes-link", target: "kept.txt"),
        .dir("becomes-dir"),
        .file("dir-becomes-file", size: 1, digest: digest("x")),
        .dir("dir-mode", mode: 0o700),
        .symlink("link", target: "c"),
        .file("new.txt", size: 3, digest: digest("new")),
        .dir("new-dir"),
        .file("capped", size: 9, digest: digest("capped"), stored: false),
    ])

    @Test func changesInPathOrder() {
        let diff = ManifestDiff(from: Self.before, to: Self.after)
        #expect(diff.changes.map(\.description) == [
            "type_changed becomes-dir", "type_changed becomes-link", "mode_changed chmod.sh", "type_changed dir-becomes-file",
            "mode_changed dir-mode", "modified edited.txt", "deleted gone.txt", "modified link", "deleted link-gone",
            "created new-dir", "created new.txt",
        ])
        #expect(ManifestDiff(from: Self.after, to: Self.after).isEmpty)
        #expect(ManifestDiff(from: SnapshotManifest(entries: []), to: Self.after).changes.allSatisfy { $0.kind == .created })
        #expect(ManifestDiff(from: Self.before, to: SnapshotManifest(entries: [])).changes.allSatisfy { $0.kind == .deleted })
    }

    @Test func draftsCarryPathDigestsModeAndSize() throws {
        let diff = ManifestDiff(from: Self.before, to: Self.after)
        let drafts = Dictionary(uniqueKeysWithValues: diff.changes.compactMap { change in
            change.eventDraft().map { (change.path, $0) }
        })
        #expect(Set(drafts.keys) == ["becomes-dir", "becomes-link", "chmod.sh", "dir-becomes-file", "edited.txt", "gone.txt", "link",
                                     "link-gone", "new.txt"])
        for draft in drafts.values {
            #expect(draft.actor == .recorder)
            _ = try EventPayload(kind: draft.kind, data: draft.data)  // valid against the v1 data rules
        }

        let created = try #require(drafts["new.txt"])
        #expect(created.kind == .fileWrite)
        #expect(created.data == ["path": "new.txt", "before": nil, "after": .string(Self.digest("new").description), "mode": 0o644, "size": 3])
        #expect(created.blobs == ["content": Self.digest("new")])

        let edited = try #require(drafts["edited.txt"])
        #expect(edited.data == ["path": "edited.txt", "before": .string(Self.digest("old").description),
                                "after": .string(Self.digest("new!").description), "mode": 0o600, "size": 4])

        let chmod = try #require(drafts["chmod.sh"])
        #expect(chmod.data["before"] == chmod.data["after"])
        #expect(chmod.data["mode"] == 0o755)

        let gone = try #require(drafts["gone.txt"])
        #expect(gone.kind == .fileDelete)
        #expect(gone.data == ["path": "gone.txt", "before": .string(Self.digest("gone").description)])

        let link = try #require(drafts["becomes-link"])
        #expect(link.kind == .fileWrite)
        #expect(link.data["after"] == .string(Self.digest("kept.txt").description))
        #expect(link.data["before"] == .string(Self.digest("f").description))
        #expect(link.data["type"] == "symlink")
        #expect(link.data["target"] == "kept.txt")
        #expect(link.blobs.isEmpty)

        let linkGone = try #require(drafts["link-gone"])
        #expect(linkGone.kind == .fileDelete)
        #expect(linkGone.data["before"] == .string(Self.digest("b").description))
        #expect(linkGone.data["type"] == "symlink")

        #expect(drafts["becomes-dir"]?.kind == .fileDelete)
        #expect(drafts["dir-becomes-file"]?.kind == .fileWrite)
        #expect(drafts["dir-becomes-file"]?.data["before"] == .null)
        #expect(diff.eventDrafts(actor: .agent).count == 9)
        #expect(diff.eventDrafts(actor: .agent).allSatisfy { $0.actor == .agent })
    }

    @Test func contentLeftOutByACapHasNoBlob() throws {
        let diff = ManifestDiff(from: SnapshotManifest(entries: []), to: SnapshotManifest(entries: [
            .file("big", size: 1 << 30, digest: Self.digest("big"), stored: false),
        ]))
        let draft = try #require(diff.changes.first?.eventDraft())
        #expect(draft.blobs.isEmpty)
        #expect(draft.data["size"] == .number(JSONNumber(1 << 30)))
    }

    @Test func subtractingAccountedChanges() {
        let diff = ManifestDiff(from: Self.before, to: Self.after)
        let accounted: Set<ManifestDiff.Accounted> = [
            ManifestDiff.Accounted(path: "new.txt", after: Self.digest("new")),
            ManifestDiff.Accounted(path: "gone.txt", after: nil),
            ManifestDiff.Accounted(path: "edited.txt", after: Self.digest("an earlier version")),
            ManifestDiff.Accounted(path: "unrelated", after: nil),
        ]
        let rest = diff.subtracting(accounted)
        #expect(rest.changes.map(\.path) == ["becomes-dir", "becomes-link", "chmod.sh", "dir-becomes-file", "dir-mode", "edited.txt",
                                             "link", "link-gone", "new-dir"])
        // Everything accounted for by the diff's own drafts leaves only directory changes.
        let own = Set(diff.eventDrafts().compactMap { ManifestDiff.Accounted($0) })
        #expect(diff.subtracting(own).changes.map(\.path) == ["dir-mode", "new-dir"])
        #expect(diff.subtracting(own).eventDrafts().isEmpty)
    }

    @Test func accountedChangesFromRecordedEvents() {
        let after = Self.digest("x")
        let write: [String: JSONValue] = ["path": "/work/repo/./src//a.c", "after": .string(after.description)]
        #expect(ManifestDiff.Accounted(kind: .fileWrite, data: write, root: "/work/repo/") ==
                ManifestDiff.Accounted(path: "src/a.c", after: after))
        #expect(ManifestDiff.Accounted(kind: .fileWrite, data: write, root: "/work/other")?.path == "/work/repo/src/a.c")
        #expect(ManifestDiff.Accounted(kind: .fileWrite, data: ["path": "./src/../b.c", "after": .string(after.description)])?.path == "b.c")
        #expect(ManifestDiff.Accounted(kind: .fileDelete, data: ["path": "/work/repo/old"], root: "/work/repo") ==
                ManifestDiff.Accounted(path: "old", after: nil))
        #expect(ManifestDiff.Accounted(kind: .fileWrite, data: ["path": "a"]) == nil)  // no after
        #expect(ManifestDiff.Accounted(kind: .fileWrite, data: ["path": "a", "after": "sha256:zz"]) == nil)
        #expect(ManifestDiff.Accounted(kind: .fileDelete, data: ["path": ""]) == nil)
        #expect(ManifestDiff.Accounted(kind: .processExec, data: ["path": "a"]) == nil)
    }

    @Test func diffOfTwoRealSnapshots() throws {
        let scratch = try SnapshotScratch()
        try scratch.write("keep.txt", "same")
        try scratch.write("edit.txt", "v1")
        try scratch.write("remove.txt", "bye")
        try scratch.write("tool.sh", "echo", mode: 0o644)
        let sink = MemoryBlobSink()
        var snapshotter = Snapshotter(root: scratch.root)
        let start = try snapshotter.snapshot(into: sink)

        try scratch.write("edit.txt", "v2")
        try FileManager.default.removeItem(atPath: scratch.root + "/remove.txt")
        chmod(scratch.root + "/tool.sh", 0o755)
        try scratch.write("sub/new.txt", "hello")
        let end = try snapshotter.snapshot(into: sink)

        let diff = ManifestDiff(from: start.manifest, to: end.manifest)
        #expect(diff.changes.map(\.description) == ["modified edit.txt", "deleted remove.txt", "created sub", "created sub/new.txt",
                                                    "mode_changed tool.sh"])
        // A command reported the edit; the rest is for the recorder to add.
        let reported = ManifestDiff.Accounted(kind: .fileWrite, data: ["path": .string(scratch.root + "/edit.txt"),
                                                                       "after": .string(Self.digest("v2").description)],
                                              root: scratch.root)
        let drafts = diff.subtracting(Set([reported].compactMap { $0 })).eventDrafts()
        #expect(drafts.map { $0.data["path"] } == ["remove.txt", "sub/new.txt", "tool.sh"])
        #expect(drafts.map(\.kind) == [.fileDelete, .fileWrite, .fileWrite])
        #expect(sink.contains(Self.digest("hello")))
    }
}
