import Glibc
import Recorder
import TraceModel

/// The host side of one harness replay: a private directory holding the tape and recorder sockets
/// and the recording-shell link (bound read-only into the sandbox), and a scratch spool (bound
/// writable, for the shell's output blobs) where the replayed commands are recorded as a session.
final class HarnessRuntime {
    static let tapeSocketName = "tape.sock"
    static let recorderSocketName = "recorder.sock"

    let root: String
    let spool: Spool
    let recorder: SessionRecorder
    let host: SessionHost

    var runtimeDirectory: String { root + "/run" }
    var spoolDirectory: String { root + "/spool" }
    var tapeSocket: String { runtimeDirectory + "/" + Self.tapeSocketName }
    var recorderSocket: String { runtimeDirectory + "/" + Self.recorderSocketName }

    /// Creates the directory (under /tmp: socket paths must stay short), the link, the spool and a
    /// session in it, and starts tracking the materialized workspace's files.
    init(workspace: String, session: SessionID, startData: [String: JSONValue], baseEnvironment: [String: String]) throws(ReplayError) {
        var template = Array("/tmp/parallax-harness-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ReplayError(.workspace, "cannot create a directory under /tmp: \(String(cString: strerror(errno)))")
        }
        root = String(cString: made)
        do {
            guard mkdir(root + "/run", 0o700) == 0 else { throw ReplayError(.workspace, "cannot create \(root)/run") }
            let link = root + "/run/" + RecordingShellName.link
            guard symlink(HarnessReplay.binariesMount + "/parallax-agent", link) == 0 else {
                throw ReplayError(.workspace, "cannot create the recording-shell link \(link): \(String(cString: strerror(errno)))")
            }
            spool = try Spool(path: root + "/spool", options: SpoolOptions(fsync: .never))
            recorder = try SessionRecorder.create(spool: spool, start: EventDraft(kind: .sessionStart, actor: .recorder, data: startData),
                                                  session: session)
            let tracker = try SnapshotWorkspaceTracker(root: workspace, blobs: spool.blobs, cachePath: nil)
            host = SessionHost(recorder: recorder, workspace: tracker, baseEnvironment: baseEnvironment)
        } catch let error as ReplayError {
            Self.removeTree(root)
            throw error
        } catch {
            Self.removeTree(root)
            throw ReplayError(.workspace, "cannot prepare the replay's recorder in \(root): \(error)")
        }
    }

    /// Records the changes no command accounted for and returns the replay's events, in seq order.
    func finish() throws(ReplayError) -> [Event] {
        do {
            try host.recordChanges(cause: nil)
            try recorder.sync()
            let events = try spool.records(of: recorder.session, after: nil, limit: .max).map { try Event.decode($0.bytes) }
            recorder.close()
            return events
        } catch {
            recorder.close()
            throw ReplayError(.workspace, "cannot read back what the replay recorded: \(error)")
        }
    }

    /// Reads a blob the replay stored (a command's large output, a file's content).
    func blob(_ digest: Digest) -> [UInt8]? {
        guard let bytes = try? spool.blobs.read(digest), Digest.sha256(bytes) == digest else { return nil }
        return bytes
    }

    func remove() {
        recorder.close()
        Self.removeTree(root)
    }

    /// Removes a tree without following links, making directories writable first.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            chmod(path, 0o700)
            if let directory = opendir(path) {
                var names: [String] = []
                while let item = readdir(directory) {
                    let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if name != ".", name != ".." { names.append(name) }
                }
                closedir(directory)
                for name in names { removeTree(path + "/" + name) }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
