/// A successfully parsed line of an NDJSON batch.
public struct NDJSONLine<Value> {
    /// 1-based line number within the batch.
    public var line: Int
    /// Byte offset of the line's first byte within the batch.
    public var offset: Int
    public var value: Value

    public init(line: Int, offset: Int, value: Value) {
        self.line = line
        self.offset = offset
        self.value = value
    }
}

extension NDJSONLine: Sendable where Value: Sendable {}
extension NDJSONLine: Equatable where Value: Equatable {}

/// The parsed lines of a batch and the per-line errors, both in line order.
public struct NDJSONLines<Value> {
    public var lines: [NDJSONLine<Value>]
    public var errors: [LineError]

    public init(lines: [NDJSONLine<Value>] = [], errors: [LineError] = []) {
        self.lines = lines
        self.errors = errors
    }
}

extension NDJSONLines: Sendable where Value: Sendable {}
extension NDJSONLines: Equatable where Value: Equatable {}
