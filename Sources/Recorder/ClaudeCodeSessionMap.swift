#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

/// Claude session id → hook state (the Parallax session and its unanswered calls), one file per
/// Claude session in `SPOOL/hooks/claude-code/`. Every hook invocation is its own short-lived
/// process, so each update holds an flock on the entry and replaces the file atomically.
public struct ClaudeCodeSessionMap: Sendable {
    /// Longest Claude session id used as a file name as it is; longer ones are hashed.
    public static let maxPlainNameBytes = 128
    /// Larger state files are treated as unreadable.
    public static let maxFileBytes = 8 << 20

    /// `SPOOL/hooks/claude-code`.
    public let directory: String
    private let spoolPath: String

    public init(spoolPath: String) {
        var root = spoolPath
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.spoolPath = root
        directory = (root == "/" ? "" : root) + "/hooks/claude-code"
    }

    /// One entry while its lock is held.
    public struct Entry: Sendable {
        /// nil when the Claude session has no entry yet (or it was unreadable).
        public var state: ClaudeCodeHookState?
        /// Why the stored entry could not be used; the file was moved aside as `.corrupt-<name>`.
        public let unreadable: String?
        let file: ClaudeCodeSessionMap.File
        /// What the file holds now.
        var stored: ClaudeCodeHookState?

        /// Stores `state` now, before work that must not be repeated under another session id if
        /// the process dies (the rest is stored when `update` returns).
        public mutating func save() throws {
            guard state != stored else { return }
            if let state {
                try ClaudeCodeStateFile.replace(file.path, with: state.encoded(), temporary: file.temporary, directory: file.directory)
            } else {
                try ClaudeCodeStateFile.remove(file.path)
            }
            stored = state
        }
    }

    struct File: Sendable {
        var path: String
        var temporary: String
        var directory: String
    }

    /// The entry's file name: the id itself when it is a plain name (`[A-Za-z0-9][A-Za-z0-9._-]*`, at
    /// most 128 bytes), else `_` and the SHA-256 of the id. Lock, temp and corrupt files start with
    /// `.`, so no id can name them.
    public static func fileName(for claudeSessionID: String) -> String {
        let bytes = Array(claudeSessionID.utf8)
        if !bytes.isEmpty, bytes.count <= maxPlainNameBytes, isAlphanumeric(bytes[0]),
           bytes.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) {
            return claudeSessionID
        }
        return "_" + Digest.sha256(bytes).hex
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    public func path(for claudeSessionID: String) -> String { directory + "/" + Self.fileName(for: claudeSessionID) }

    /// Locks the Claude session's entry, hands it to `body`, and stores the state `body` leaves
    /// (removing the file when it leaves nil). Nothing more is stored when `body` throws.
    public func update<R>(_ claudeSessionID: String, _ body: (inout Entry) throws -> R) throws -> R {
        try ensureDirectory()
        let name = Self.fileName(for: claudeSessionID)
        let lock = try ClaudeCodeStateFile.lock(directory + "/.lock-" + name)
        defer { close(lock) }
        let path = directory + "/" + name
        let loaded: ClaudeCodeHookState?
        var unreadable: String?
        switch try read(path, expecting: claudeSessionID) {
        case .missing: loaded = nil
        case .state(let state): loaded = state
        case .unreadable(let reason):
            loaded = nil
            unreadable = reason
            try ClaudeCodeStateFile.rename(path, to: directory + "/.corrupt-" + name)
        }
        let file = File(path: path, temporary: directory + "/.tmp-" + name, directory: directory)
        var entry = Entry(state: loaded, unreadable: unreadable, file: file, stored: loaded)
        let result = try body(&entry)
        try entry.save()
        return result
    }

    /// The stored state without taking the lock (for inspection); nil when there is none.
    public func load(_ claudeSessionID: String) throws -> ClaudeCodeHookState? {
        switch try read(path(for: claudeSessionID), expecting: claudeSessionID) {
        case .missing: return nil
        case .state(let state): return state
        case .unreadable(let reason):
            throw ClaudeCodeSessionMapError(operation: "read", path: path(for: claudeSessionID), code: EINVAL, detail: reason)
        }
    }

    private enum Stored {
        case missing, state(ClaudeCodeHookState), unreadable(String)
    }

    private func read(_ path: String, expecting claudeSessionID: String) throws -> Stored {
        guard let bytes = try ClaudeCodeStateFile.read(path, limit: Self.maxFileBytes) else { return .missing }
        guard bytes.count <= Self.maxFileBytes else { return .unreadable("larger than \(Self.maxFileBytes) bytes") }
        let state: ClaudeCodeHookState
        do {
            state = try ClaudeCodeHookState(decoding: bytes)
        } catch {
            return .unreadable(error.description)
        }
        guard state.claudeSessionID == claudeSessionID else { return .unreadable("it belongs to another Claude session") }
        return .state(state)
    }

    private func ensureDirectory() throws {
        let hooks = String(directory.dropLast("/claude-code".count))
        try ClaudeCodeStateFile.makeDirectory(spoolPath, followLinks: true)
        try ClaudeCodeStateFile.makeDirectory(hooks, followLinks: false)
        try ClaudeCodeStateFile.makeDirectory(directory, followLinks: false)
    }
}

/// A session-map file operation that failed.
public struct ClaudeCodeSessionMapError: Error, Sendable, Hashable, CustomStringConvertible {
    public var operation: String
    public var path: String
    /// The errno value.
    public var code: Int32
    public var detail: String?

    public init(operation: String, path: String, code: Int32, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.code = code
        self.detail = detail
    }

    public var description: String {
        "hook session map: \(operation) \(path): " + (detail ?? String(cString: strerror(code)))
    }
}
