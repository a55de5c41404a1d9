#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ClaudeCodeHook {
    /// Reads a payload from `descriptor` (stdin by default) until end of file, but never more than
    /// one byte past `ClaudeCodeHookPayload.maxBytes`, so an endless writer cannot exhaust memory
    /// (the parser then refuses the payload as too large).
    public static func readInput(from descriptor: Int32 = 0) throws(ClaudeCodeHookError) -> [UInt8] {
        let limit = ClaudeCodeHookPayload.maxBytes + 1
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
            if count == 0 { break }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw ClaudeCodeHookError(code: .unreadable, message: "cannot read the payload: " + String(cString: strerror(code)))
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
}
