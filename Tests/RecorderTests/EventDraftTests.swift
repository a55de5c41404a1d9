import Recorder
import Testing
import TraceModel

@Suite struct EventDraftTests {
    @Test func draftKeepsWhatTheIntegrationSaid() {
        let draft = EventDraft(kind: "annotation", actor: .user, data: ["label": .string("checked")], cause: 4)
        #expect(draft.kind == "annotation")
        #expect(draft.cause == 4)
        #expect(draft.ts == nil)
        #expect(draft.blobs.isEmpty)
    }

    @Test func memorySinkIsContentAddressed() throws {
        let sink = MemoryBlobSink()
        let digest = try sink.put(Array("hello".utf8))
        try sink.put(Array("hello".utf8))
        #expect(digest == Digest.sha256(Array("hello".utf8)))
        #expect(sink.contains(digest))
        #expect(sink.count == 1)
    }
}
