import Glibc
import Recorder
import Replayer
import Testing
import TraceModel

/// The two halves together: a snapshot materialized as a workspace, then read and changed in bubblewrap.
@Suite struct MaterializeAndRunTests {
    @Test func aCommandInTheSandboxSeesTheMaterializedSnapshot() throws {
        let sandbox = try BubblewrapSandbox()
        let source = TemporaryDirectory("source"), target = TemporaryDirectory("target")
        defer { source.remove(); target.remove() }
        try SnapshotFixture.generate(at: source.path, files: 30, seed: 3)
        let blobs = MemoryBlobStore()
        var snapshotter = Snapshotter(root: source.path)
        let taken = try snapshotter.snapshot(into: blobs)
        let workspace = target.path + "/ws"
        let result = try Materializer(blobs: blobs).materialize(taken.manifest, into: workspace)
        #expect(result.isComplete)

        let file = SnapshotFixture.path(ofFile: 7)
        let entry = try #require(taken.manifest[file])
        let run = try sandbox.run(SandboxCommand(argv: ["sh", "-c", "sha256sum \(file) | cut -d' ' -f1; rm -r pkg00/mod01; echo new > added"],
                                                 workspace: workspace, workspaceMount: "/src/project",
                                                 environment: ["PATH": "/usr/bin:/bin"]))
        #expect(run.termination == .exited(0), "\(run.stderrText)")
        #expect("sha256:" + run.stdoutText.trimmingSuffix() == entry.digest?.description)

        var after = Snapshotter(root: workspace)
        let changed = try after.snapshot(into: MemoryBlobStore())
        #expect(changed.manifest["added"] != nil)
        #expect(changed.manifest["pkg00/mod01"] == nil)
        #expect(changed.manifest["pkg00/mod00"] == taken.manifest["pkg00/mod00"])
    }
}
