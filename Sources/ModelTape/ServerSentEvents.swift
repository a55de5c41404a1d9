/// One server-sent event: its `event:` name (nil when absent) and its `data:` lines joined by "\n".
public struct ServerSentEvent: Sendable, Hashable {
    public var event: String?
    public var data: String

    public init(event: String?, data: String) {
        self.event = event
        self.data = data
    }
}

/// Splits a `text/event-stream` body into events (WHATWG HTML §9.2.6): lines end in CRLF, LF or CR;
/// a blank line dispatches the event; `:` starts a comment; a field without a colon has an empty
/// value; one leading space after the colon is dropped. An event not closed by a blank line before
/// the end is discarded, as a browser does. Invalid UTF-8 is replaced, never trusted.
public enum ServerSentEvents {
    public static func parse(_ body: [UInt8]) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var name: String?
        var data: [UInt8] = []
        var hasData = false
        var index = 0
        // A UTF-8 byte order mark before the first field is ignored.
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while index < body.count {
            var end = index
            while end < body.count, body[end] != 0x0A, body[end] != 0x0D { end += 1 }
            guard end < body.count else { break }  // an unterminated last line belongs to no event
            let line = body[index..<end]
            index = end + 1
            if body[end] == 0x0D, index < body.count, body[index] == 0x0A { index += 1 }
            if line.isEmpty {
                if hasData {
                    events.append(ServerSentEvent(event: name, data: String(decoding: data, as: UTF8.self)))
                }
                name = nil
                data = []
                hasData = false
                continue
            }
            if line.first == UInt8(ascii: ":") { continue }
            let colon = line.firstIndex(of: UInt8(ascii: ":"))
            let field = line[line.startIndex..<(colon ?? line.endIndex)]
            var value = colon.map { line[($0 + 1)...] } ?? line[line.endIndex...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
            if field.elementsEqual("data".utf8) {
                if hasData { data.append(0x0A) }
                data.append(contentsOf: value)
                hasData = true
            } else if field.elementsEqual("event".utf8) {
                name = String(decoding: value, as: UTF8.self)
            }
        }
        return events
    }
}
