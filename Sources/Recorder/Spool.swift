import Glibc
import Synchronization
import TraceModel
import TraceWire

/// One spool directory: the per-session segment files the recorder appends to and the shipper
/// drains, and the blobs waiting to be uploaded. Layout: `sessions/<ULID>/{lock,clock,seg-*.log,acked,ended}`
/// and `blobs/sha256/<hex>`. Any number of processes may use one spool; writers of a session
/// serialize on its `lock` file.
public final class Spool: Sendable {
    public let path: String
    public let options: SpoolOptions
    public let blobs: SpoolBlobStore
    let capacity: SpoolCapacity
    let cursors = Mutex<[SessionID: SpoolReadCursor]>([:])

    /// Opens the spool at `path`, creating its directories (mode 0700) when they are missing.
    public init(path: String, options: SpoolOptions = .init()) throws(SpoolError) {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.path = path
        self.options = options
        try Spool.makeDirectories(path)
        try SpoolDisk.makeDirectory(path + "/sessions")
        try SpoolDisk.makeDirectory(path + "/blobs")
        try SpoolDisk.makeDirectory(path + "/blobs/sha256")
        let measuredPath = path
        capacity = SpoolCapacity(maxBytes: options.maxBytes) { () throws(SpoolError) in
            try Spool.measure(measuredPath)
        }
        blobs = SpoolBlobStore(directory: path + "/blobs/sha256", options: options, capacity: capacity)
    }

    var sessionsDirectory: String { path + "/sessions" }

    public func sessionDirectory(_ id: SessionID) -> String { sessionsDirectory + "/" + id.string }

    /// The sessions in the spool, oldest first. Entries that are not sessions are skipped
    /// (`sessionScan()` says which and why).
    public func sessionIDs() throws(SpoolError) -> [SessionID] {
        try sessionScan().sessions
    }

    /// The sessions in the spool, and the entries under `sessions/` that are not sessions.
    public func sessionScan() throws(SpoolError) -> SpoolSessionScan {
        var scan = SpoolSessionScan()
        for name in try SpoolDisk.list(sessionsDirectory) ?? [] {
            var info = stat()
            let entry = sessionsDirectory + "/" + name
            guard lstat(entry, &info) == 0 else { continue }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                scan.skipped.append(.init(name: name, reason: "not a directory"))
                continue
            }
            guard let id = SessionID(name) else {
                scan.skipped.append(.init(name: name, reason: "not a session id (a 26-character ULID)"))
                continue
            }
            scan.sessions.append(id)
        }
        scan.sessions.sort()
        scan.skipped.sort { $0.name < $1.name }
        return scan
    }

    /// Whether the session's `session.end` event is on disk.
    public func isEnded(_ id: SessionID) -> Bool {
        SpoolDisk.exists(sessionDirectory(id) + "/ended")
    }

    /// Bytes the spool holds: every session's segments plus every blob (what `maxBytes` limits).
    public func usedBytes() throws(SpoolError) -> Int {
        try Spool.measure(path)
    }

    static func measure(_ path: String) throws(SpoolError) -> Int {
        var total = 0
        let sessions = path + "/sessions"
        for name in try SpoolDisk.list(sessions) ?? [] {
            let directory = sessions + "/" + name
            for segment in (try? SpoolSegments.list(directory)) ?? [] {
                total += SpoolDisk.fileSize(directory + "/" + segment.name) ?? 0
            }
        }
        let blobs = path + "/blobs/sha256"
        for name in try SpoolDisk.list(blobs) ?? [] {
            total += SpoolDisk.fileSize(blobs + "/" + name) ?? 0
        }
        return total
    }

    /// `mkdir -p` with mode 0700 for what it creates.
    static func makeDirectories(_ path: String) throws(SpoolError) {
        if mkdir(path, 0o700) == 0 { return }
        if errno == ENOENT {
            let parent = SpoolDisk.parent(of: path)
            if parent != path && parent != "/" && parent != "." { try makeDirectories(parent) }
            if mkdir(path, 0o700) == 0 { return }
        }
        try SpoolDisk.makeDirectory(path)
    }
}
