import Glibc
import Recorder
import TraceModel

/// The host side of one harness replay, in a private directory: `run/` holds the tape and recorder
/// sockets and the recording-shell link (bound read-only into the sandbox); `drop/` is where the
/// recording shell leaves large outputs as blobs (bound writable, so the host only ever reads it,
/// without following links); `spool/` is where the host records the replayed commands as a
/// session and keeps file contents — never visible to the sandbox, so nothing the agent does can
/// redirect a host write.
final class HarnessRuntime {
    static let tapeSocketName = "tape.sock"
    static let recorderSocketName = "recorder.sock"

    let root: String
    let spool: Spool
    let recorder: SessionRecorder
    let host: SessionHost

    var runtimeDirectory: String { root + "/run" }
    var dropDirectory: String { root + "/drop" }
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
            for name in ["run", "drop"] where mkdir(root + "/" + name, 0o700) != 0 {
                throw ReplayError(.workspace, "cannot create \(root)/\(name): \(String(cString: strerror(errno)))")
            }
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

    /// The largest blob read back from the sandbox's drop directory.
    static let maxDroppedBlobBytes = 64 << 20

    /// Reads a blob of the replay: a file's content the host kept, or a command's large output the
    /// recording shell left in the drop directory (`blobs/sha256/<hex>`, as a spool lays them out).
    func blob(_ digest: Digest) -> [UInt8]? {
        if let bytes = try? spool.blobs.read(digest), Digest.sha256(bytes) == digest { return bytes }
        guard let bytes = Self.readUntrusted(dropDirectory, ["blobs", "sha256", digest.hex], limit: Self.maxDroppedBlobBytes),
              Digest.sha256(bytes) == digest else { return nil }
        return bytes
    }

    /// Reads a regular file below `root` that a sandboxed process could have replaced: no link is
    /// followed at any level, nothing but a regular file is read (a FIFO or device would block or
    /// never end), and not beyond `limit` bytes.
    static func readUntrusted(_ root: String, _ components: [String], limit: Int) -> [UInt8]? {
        var directory = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else { return nil }
        for name in components.dropLast() {
            let next = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(directory)
            guard next >= 0 else { return nil }
            directory = next
        }
        let file = openat(directory, components.last ?? "", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        close(directory)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= limit else { return nil }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count <= limit {
            let count = read(file, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes.count <= limit ? bytes : nil
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
