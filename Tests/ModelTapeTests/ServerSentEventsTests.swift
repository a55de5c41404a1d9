import ModelTape
import Testing

@Suite struct ServerSentEventsTests {
    @Test func eventsAndDataLines() {
        let body = bytes("event: message_start\ndata: {\"a\":1}\n\n: a comment\ndata: one\ndata: two\n\ndata:x\n\n")
        #expect(ServerSentEvents.parse(body) == [
            ServerSentEvent(event: "message_start", data: "{\"a\":1}"),
            ServerSentEvent(event: nil, data: "one\ntwo"),
            ServerSentEvent(event: nil, data: "x"),
        ])
    }

    @Test func lineEndings() {
        for ending in ["\r\n", "\r", "\n"] {
            let body = bytes("data: a" + ending + ending + "event: e" + ending + "data: b" + ending + ending)
            #expect(ServerSentEvents.parse(body) == [ServerSentEvent(event: nil, data: "a"), ServerSentEvent(event: "e", data: "b")],
                    "line ending \(Array(ending.utf8))")
        }
    }

    @Test func truncatedAndOddInput() {
        // An event not closed by a blank line is dropped, as is an unterminated line.
        #expect(ServerSentEvents.parse(bytes("data: done\n\ndata: cut")) == [ServerSentEvent(event: nil, data: "done")])
        #expect(ServerSentEvents.parse(bytes("data: cut\n")) == [])
        #expect(ServerSentEvents.parse([]) == [])
        // Events without data are not dispatched; fields without a colon have empty values.
        #expect(ServerSentEvents.parse(bytes("event: ping\n\ndata\n\n")) == [ServerSentEvent(event: nil, data: "")])
        // Only one leading space is removed; a BOM is ignored; unknown fields are ignored.
        #expect(ServerSentEvents.parse([0xEF, 0xBB, 0xBF] + bytes("id: 7\nretry: 5\ndata:  two\n\n")) == [ServerSentEvent(event: nil, data: " two")])
        // Invalid UTF-8 is replaced, not trusted.
        #expect(ServerSentEvents.parse([0x64, 0x61, 0x74, 0x61, 0x3A, 0xFF, 0x0A, 0x0A]) == [ServerSentEvent(event: nil, data: "\u{FFFD}")])
        // Hostile: a huge run of blank lines and colons yields nothing, quickly.
        #expect(ServerSentEvents.parse([UInt8](repeating: 0x0A, count: 1 << 20)).isEmpty)
        #expect(ServerSentEvents.parse(bytes(String(repeating: ":\n", count: 100_000))).isEmpty)
    }
}
