/// Why one line of an NDJSON batch was rejected. The rest of the batch is unaffected.
public struct LineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number within the batch.
    public var line: Int
    /// Byte offset of the line's first byte within the (decompressed) batch.
    public var offset: Int
    public var reason: String

    public init(line: Int, offset: Int, reason: String) {
        self.line = line
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "line \(line) (byte \(offset)): \(reason)" }
}
