import TraceModel

/// A valid event line of a batch, with its 1-based line number and byte offset.
public typealias DecodedLine = NDJSONLine<Event>

extension NDJSONLine where Value == Event {
    public var event: Event { value }
}

/// The outcome of decoding an event batch: the valid events and the rejected lines, in line order.
public struct NDJSONDecodeResult: Equatable, Sendable {
    public var events: [DecodedLine]
    public var errors: [LineError]

    public init(events: [DecodedLine] = [], errors: [LineError] = []) {
        self.events = events
        self.errors = errors
    }
}
