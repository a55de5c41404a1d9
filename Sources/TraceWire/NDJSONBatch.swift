#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Newline-delimited JSON batches: one JSON value per line, `\n` (or `\r\n`) separated.
/// Decoding never fails as a whole: each bad line becomes a `LineError` and the others go on.
public enum NDJSONBatch {
    /// Default cap on one line (1 MiB), excluding its line terminator.
    public static let defaultMaxLineBytes = 1 << 20

    /// Splits `bytes` into lines and parses each non-blank one with `parse`.
    /// Blank lines (empty or only spaces/tabs) are skipped; a last line without `\n` counts;
    /// a line over `maxLineBytes` is rejected without being parsed or copied.
    public static func decodeLines<Value>(
        _ bytes: [UInt8], maxLineBytes: Int = defaultMaxLineBytes,
        parse: (ArraySlice<UInt8>) throws -> Value
    ) -> NDJSONLines<Value> {
        var result = NDJSONLines<Value>()
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let count = buffer.count
            var start = 0
            var line = 1
            while start < count {
                let newline: Int
                if let found = memchr(base + start, 0x0A, count - start) {
                    newline = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                } else {
                    newline = count
                }
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let length = end - start
                if length > maxLineBytes {
                    result.errors.append(LineError(
                        line: line, offset: start,
                        reason: "line is \(length) bytes, over the \(maxLineBytes)-byte limit"))
                } else if !isBlank(buffer, start, end) {
                    do {
                        let value = try parse(bytes[start..<end])
                        result.lines.append(NDJSONLine(line: line, offset: start, value: value))
                    } catch {
                        result.errors.append(LineError(line: line, offset: start, reason: String(describing: error)))
                    }
                }
                start = newline + 1
                line += 1
            }
        }
        return result
    }

    private static func isBlank(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var index = start
        while index < end {
            let byte = buffer[index]
            if byte != 0x20 && byte != 0x09 && byte != 0x0D { return false }
            index += 1
        }
        return true
    }
}
