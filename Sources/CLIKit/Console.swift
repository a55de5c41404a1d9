#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Where a verb writes: buffered standard output for results, standard error for progress and
/// diagnostics. Tests pass a capturing console.
public final class Console: @unchecked Sendable {
    // @unchecked: a Console is used by one verb run on one thread at a time.
    private var outBuffer: [UInt8] = []
    private let writeOut: ([UInt8]) -> Void
    private let writeErr: ([UInt8]) -> Void
    /// True when standard error is a terminal (progress lines then redraw in place).
    public let interactive: Bool

    public init(writeOut: @escaping ([UInt8]) -> Void, writeErr: @escaping ([UInt8]) -> Void, interactive: Bool = false) {
        self.writeOut = writeOut
        self.writeErr = writeErr
        self.interactive = interactive
    }

    /// The process's own standard output and error.
    public static func standard() -> Console {
        Console(writeOut: { Console.writeAll(1, $0) }, writeErr: { Console.writeAll(2, $0) }, interactive: isatty(2) == 1)
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    public func print(_ text: String) {
        outBuffer.append(contentsOf: text.utf8)
        outBuffer.append(0x0A)
        if outBuffer.count >= 1 << 16 { flush() }
    }

    public func write(bytes: [UInt8]) {
        outBuffer.append(contentsOf: bytes)
        if outBuffer.count >= 1 << 16 { flush() }
    }

    /// A diagnostic or progress line on standard error (unbuffered).
    public func error(_ text: String) {
        flush()
        writeErr(Array((text + "\n").utf8))
    }

    public func flush() {
        guard !outBuffer.isEmpty else { return }
        writeOut(outBuffer)
        outBuffer.removeAll(keepingCapacity: true)
    }
}

/// Exit codes shared by every verb (also listed in `parallax --help`).
public enum ExitCode: Int32, Sendable {
    /// Done, nothing wrong.
    case ok = 0
    /// Done, but problems were found: rejected lines, conflicts, a broken chain, invalid files.
    case problems = 1
    /// The command line was wrong.
    case usage = 2
    /// A named session or file does not exist.
    case notFound = 3
    /// The work could not be done: unreadable input, store or I/O failure.
    case failure = 4
}
