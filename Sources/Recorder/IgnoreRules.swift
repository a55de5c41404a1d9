/// One pattern line of a `.parallaxignore` file, read with gitignore's rules.
public struct IgnorePattern: Sendable, Hashable, CustomStringConvertible {
    /// The line as written, after trailing-space trimming.
    public let source: String
    /// `!pattern`: a match re-includes the path.
    public let isNegated: Bool
    /// `pattern/`: matches directories only.
    public let isDirectoryOnly: Bool
    /// The pattern has a `/` before its end, so it matches the path relative to the ignore file's
    /// directory instead of the last path component at any depth.
    public let isAnchored: Bool
    /// The glob without `!`, trailing `/` and leading `/`.
    let glob: Glob

    /// Reads one line; nil for blank lines, comments and patterns that are empty after `!` and `/`.
    public init?(line: String) {
        var bytes = Array(line.utf8)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        Self.trimTrailingSpaces(&bytes)
        guard let first = bytes.first, first != UInt8(ascii: "#") else { return nil }
        source = String(decoding: bytes, as: UTF8.self)
        isNegated = first == UInt8(ascii: "!")
        if isNegated { bytes.removeFirst() }
        isDirectoryOnly = bytes.last == UInt8(ascii: "/")
        if isDirectoryOnly { bytes.removeLast() }
        isAnchored = bytes.contains(UInt8(ascii: "/"))
        if bytes.first == UInt8(ascii: "/") { bytes.removeFirst() }
        guard !bytes.isEmpty else { return nil }
        glob = Glob(bytes)
    }

    public var description: String { source }

    /// Trailing spaces go unless the last one is escaped with a backslash.
    private static func trimTrailingSpaces(_ bytes: inout [UInt8]) {
        var end = bytes.count
        while end > 0 && bytes[end - 1] == UInt8(ascii: " ") {
            var backslashes = 0
            var i = end - 2
            while i >= 0 && bytes[i] == UInt8(ascii: "\\") { backslashes += 1; i -= 1 }
            if backslashes % 2 == 1 { break }
            end -= 1
        }
        bytes.removeLast(bytes.count - end)
    }

    /// Whether the pattern matches `path` (relative to the ignore file's directory); `nameStart` is
    /// where its last component begins.
    func matches(_ path: UnsafeBufferPointer<UInt8>, nameStart: Int, isDirectory: Bool) -> Bool {
        if isDirectoryOnly && !isDirectory { return false }
        return glob.matches(isAnchored ? path : UnsafeBufferPointer(rebasing: path[nameStart...]))
    }
}

/// The patterns of one ignore file and the directory they apply to.
public struct IgnoreFile: Sendable, Hashable {
    /// The directory holding the file, relative to the snapshot root ("" for the root).
    public let base: String
    public let patterns: [IgnorePattern]
    let baseBytes: [UInt8]
    let depth: Int

    public init(base: String, contents: some Sequence<UInt8>) {
        var patterns: [IgnorePattern] = []
        var line: [UInt8] = []
        var atStart = true
        func flush() {
            if let pattern = IgnorePattern(line: String(decoding: line, as: UTF8.self)) { patterns.append(pattern) }
            line.removeAll(keepingCapacity: true)
            atStart = false
        }
        for byte in contents {
            if byte == UInt8(ascii: "\n") { flush() } else { line.append(byte) }
            // A UTF-8 byte-order mark at the start is not part of the first pattern.
            if atStart && line.count == 3 {
                if line == [0xEF, 0xBB, 0xBF] { line.removeAll() }
                atStart = false
            }
        }
        flush()
        self.init(base: base, patterns: patterns)
    }

    public init(base: String, patterns: [IgnorePattern]) {
        var trimmed = Array(base.utf8)
        while trimmed.last == UInt8(ascii: "/") { trimmed.removeLast() }
        self.base = String(decoding: trimmed, as: UTF8.self)
        self.baseBytes = trimmed
        self.depth = trimmed.isEmpty ? 0 : trimmed.count { $0 == UInt8(ascii: "/") } + 1
        self.patterns = patterns
    }

    /// The verdict of the last pattern that matches, or nil when none does or the path is outside `base`.
    func verdict(_ path: UnsafeBufferPointer<UInt8>, nameStart: Int, isDirectory: Bool) -> Bool? {
        var start = 0
        if !baseBytes.isEmpty {
            guard path.count > baseBytes.count, path[baseBytes.count] == UInt8(ascii: "/"),
                  baseBytes.withUnsafeBufferPointer({ b in b.elementsEqual(path[0..<b.count]) }) else { return nil }
            start = baseBytes.count + 1
        }
        let relative = UnsafeBufferPointer(rebasing: path[start...])
        let name = nameStart - start
        for pattern in patterns.reversed() where pattern.matches(relative, nameStart: name, isDirectory: isDirectory) {
            return !pattern.isNegated
        }
        return nil
    }
}

/// Which paths a snapshot leaves out: fixed default patterns (`.git/` unless configured otherwise),
/// which always win, then `.parallaxignore` files, where a deeper file overrides a shallower one and,
/// within a file, the last matching pattern decides (gitignore semantics).
public struct IgnoreRules: Sendable, Hashable {
    public static let fileName = ".parallaxignore"
    public static let defaultIgnores: [String] = [".git/"]

    public let defaults: IgnoreFile
    /// Ignore files ordered from the shallowest directory to the deepest.
    public private(set) var files: [IgnoreFile] = []

    public init(defaults: [String] = IgnoreRules.defaultIgnores) {
        self.defaults = IgnoreFile(base: "", patterns: defaults.compactMap(IgnorePattern.init(line:)))
    }

    /// Adds an ignore file; it applies to its directory's subtree.
    public mutating func add(_ file: IgnoreFile) {
        let index = files.lastIndex { $0.depth <= file.depth }.map { $0 + 1 } ?? 0
        files.insert(file, at: index)
    }

    /// Adds the text of the ignore file found in directory `base` ("" for the root).
    public mutating func add(contents: String, base: String) {
        add(IgnoreFile(base: base, contents: contents.utf8))
    }

    /// Drops the files added after the first `count` (the walker leaves a subtree).
    mutating func removeFiles(from count: Int) {
        files.removeSubrange(count...)
    }

    /// The verdict for `path` itself (relative to the root, `/`-separated), without looking at its
    /// parent directories: true ignored, false re-included by a negation, nil no pattern matched.
    public func verdict(_ path: String, isDirectory: Bool) -> Bool? {
        var path = path
        return path.withUTF8 { bytes in
            let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
            return verdict(bytes, nameStart: nameStart, isDirectory: isDirectory)
        }
    }

    func verdict(_ path: UnsafeBufferPointer<UInt8>, nameStart: Int, isDirectory: Bool) -> Bool? {
        if defaults.verdict(path, nameStart: nameStart, isDirectory: isDirectory) == true { return true }
        for file in files.reversed() {
            if let verdict = file.verdict(path, nameStart: nameStart, isDirectory: isDirectory) { return verdict }
        }
        return nil
    }

    /// Whether `path` is left out, counting ignored parent directories (a file inside an ignored
    /// directory cannot be re-included, as in git).
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            var nameStart = 0
            for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "/") {
                if verdict(UnsafeBufferPointer(rebasing: bytes[0..<i]), nameStart: nameStart, isDirectory: true) == true { return true }
                nameStart = i + 1
            }
            return verdict(bytes, nameStart: nameStart, isDirectory: isDirectory) == true
        }
    }
}
