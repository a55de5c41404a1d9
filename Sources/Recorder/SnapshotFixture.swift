import Glibc

/// A deterministic workspace for benchmarks and tests: `files` text files in nested directories
/// (`pkgNN/modNN/`, 25 files each), sizes mostly under 2 KiB with a tail up to 128 KiB; the same seed
/// always writes the same bytes.
public enum SnapshotFixture {
    public struct Summary: Sendable, Hashable {
        public var files: Int
        public var directories: Int
        public var bytes: UInt64
    }

    public static let filesPerDirectory = 25

    /// The path (relative to the root) of file number `index`.
    public static func path(ofFile index: Int) -> String {
        let directory = index / filesPerDirectory
        let extensions = ["swift", "txt", "json", "md", "c"]
        return "\(directoryPath(directory))/file\(pad(index, 5)).\(extensions[index % extensions.count])"
    }

    /// Writes the tree under `root` (created if missing; existing files with the same names are replaced).
    @discardableResult
    public static func generate(at root: String, files: Int, seed: UInt64 = 1) throws(SnapshotError) -> Summary {
        var random = SplitMix64(seed: seed)
        var summary = Summary(files: 0, directories: 0, bytes: 0)
        try makeDirectory(root)
        var content: [UInt8] = []
        for index in 0..<files {
            let directory = index / filesPerDirectory
            if index % filesPerDirectory == 0 {
                if directory % 20 == 0 {
                    try makeDirectory(root + "/pkg" + pad(directory / 20, 2))
                    summary.directories += 1
                }
                try makeDirectory(root + "/" + directoryPath(directory))
                summary.directories += 1
            }
            let roll = random.next() % 1000
            let size = roll < 900 ? 16 + Int(random.next() % 2032)
                : roll < 995 ? 2048 + Int(random.next() % 14336)
                : 16384 + Int(random.next() % 114_688)
            fill(&content, size: size, random: &random)
            try write(content, to: root + "/" + path(ofFile: index))
            summary.files += 1
            summary.bytes += UInt64(size)
        }
        return summary
    }

    private static func directoryPath(_ directory: Int) -> String {
        "pkg\(pad(directory / 20, 2))/mod\(pad(directory % 20, 2))"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static let words: [[UInt8]] = ["let", "value", "return", "func", "snapshot", "record", "agent", "file", "true",
                                           "false", "=", "{", "}", "(", ")", "42", "session", "import", "trace", "blob"].map { Array($0.utf8) }

    /// Lines of pseudo-random words, exactly `size` bytes.
    private static func fill(_ out: inout [UInt8], size: Int, random: inout SplitMix64) {
        out.removeAll(keepingCapacity: true)
        var column = 0
        while out.count < size {
            let word = words[Int(random.next() % UInt64(words.count))]
            out.append(contentsOf: word)
            column += word.count + 1
            if column > 60 { out.append(UInt8(ascii: "\n")); column = 0 } else { out.append(UInt8(ascii: " ")) }
        }
        out.removeLast(out.count - size)
    }

    private static func makeDirectory(_ path: String) throws(SnapshotError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        throw SnapshotError(.io, path: path, reason: "cannot create the directory: \(SnapshotDisk.errorText(errno))")
    }

    private static func write(_ bytes: [UInt8], to path: String) throws(SnapshotError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SnapshotError(.io, path: path, reason: "cannot create: \(SnapshotDisk.errorText(errno))") }
        defer { close(descriptor) }
        var done = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let wrote = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if wrote < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += wrote
            }
        }
        if failure != 0 { throw SnapshotError(.io, path: path, reason: "cannot write: \(SnapshotDisk.errorText(failure))") }
    }
}

/// Steele, Lea and Flood's SplitMix64: small, fast and the same on every platform.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
