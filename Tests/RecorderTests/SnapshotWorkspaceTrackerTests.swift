import Foundation
import Recorder
import Testing
import TraceModel

@Suite struct SnapshotWorkspaceTrackerTests {
    func workspace() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        return root
    }

    func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func paths(_ drafts: [EventDraft]) -> [String] { drafts.compactMap { $0.data["path"]?.stringValue } }

    @Test func changesBetweenScansAreReportedOnceAndTheEndManifestIsKept() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(root + "/a.txt", "one")
        let sink = MemoryBlobSink()
        let tracker = try SnapshotWorkspaceTracker(root: root, blobs: sink, cachePath: nil)
        #expect(sink.contains(tracker.startDigest))
        #expect(try tracker.changesSinceLastScan().isEmpty)
        try write(root + "/b.txt", "two")
        try FileManager.default.removeItem(atPath: root + "/a.txt")
        let changes = try tracker.changesSinceLastScan()
        #expect(changes.map(\.kind) == [.fileDelete, .fileWrite])
        #expect(paths(changes) == ["a.txt", "b.txt"])
        #expect(try tracker.changesSinceLastScan().isEmpty, "a change is reported once")
        let end = try tracker.currentSnapshotDigest()
        #expect(end != tracker.startDigest)
        #expect(sink.contains(end), "the end manifest is kept for session.end")
    }

    /// An agent that rewrites .parallaxignore to hide a file still has the file recorded: the rules
    /// of the first snapshot stay in force, and the edit itself is recorded too.
    @Test func ignoreRulesAreFrozenAtTheStart() throws {
        let root = try workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write(root + "/.parallaxignore", "*.log\n")
        try write(root + "/sub/.parallaxignore", "cache/\n")
        let tracker = try SnapshotWorkspaceTracker(root: root, blobs: MemoryBlobSink(), cachePath: nil)
        try write(root + "/.parallaxignore", "*.log\nsecret.txt\nsub/\n")
        try write(root + "/secret.txt", "exfiltrated")
        try write(root + "/debug.log", "still ignored")
        try write(root + "/sub/notes.md", "visible")
        try FileManager.default.createDirectory(atPath: root + "/sub/cache", withIntermediateDirectories: true)
        try write(root + "/sub/cache/blob", "still ignored")
        let changed = paths(try tracker.changesSinceLastScan())
        #expect(changed == [".parallaxignore", "secret.txt", "sub/notes.md"])
    }
}
