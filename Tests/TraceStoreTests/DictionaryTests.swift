import Testing
import TraceModel
@testable import TraceStore

@Suite("Chunk dictionaries")
struct DictionaryTests {
    static func count(_ sql: String, _ path: String) throws -> Int64 {
        let statement = try Database(path: path).prepare(sql)
        return try statement.use { s throws(SQLiteError) in _ = try s.step(); return s.int64(0) }
    }

    @Test("chunks written before and after dictionaries all read back identical, also after reopening")
    func mixedChunks() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("dict.sqlite")
        var options = SQLiteStore.Options.relaxedDurability
        options.dictionary = .init(firstAfterEvents: 150, refreshAfterEvents: 300, size: 8192)
        var trace = SyntheticTrace(seed: 11)
        var all: [Event] = []
        do {
            let store = try SQLiteStore(path: path, options: options)
            while all.count < 900 {
                let session = trace.session()
                _ = try store.append(session)
                all += session
            }
        }
        #expect(try Self.count("SELECT count(*) FROM dictionaries", path) >= 2)
        #expect(try Self.count("SELECT count(*) FROM chunks WHERE codec = 1", path) > 0)
        #expect(try Self.count("SELECT count(DISTINCT dictionary) FROM chunks WHERE codec = 2", path) >= 2)
        #expect(try Self.count("SELECT max(length(data)) FROM dictionaries", path) <= 8192)

        let store = try SQLiteStore(path: path, options: options)
        for id in Set(all.map(\.session)) {
            let mine = all.filter { $0.session == id }
            #expect(try store.events(session: id).map(\.bytes) == mine.map { $0.canonicalBytes() })
        }
    }

    @Test("with dictionaries off, none is made")
    func disabled() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("plain.sqlite")
        var options = SQLiteStore.Options.relaxedDurability
        options.dictionary = nil
        let store = try SQLiteStore(path: path, options: options)
        var trace = SyntheticTrace(seed: 12)
        for _ in 0..<40 { _ = try store.append(trace.session()) }
        #expect(try Self.count("SELECT count(*) FROM dictionaries", path) == 0)
        #expect(try Self.count("SELECT count(*) FROM chunks WHERE codec = 2", path) == 0)
    }

    @Test("dictionary content is the newest whole lines that fit")
    func content() {
        let bodies = [Array("aaaa\nbbbb\n".utf8), Array("cccccc\ndd\n".utf8)]
        #expect(ChunkDictionary.content(fromBodies: bodies, size: 100) == Array("aaaa\nbbbb\ncccccc\ndd\n".utf8))
        #expect(ChunkDictionary.content(fromBodies: bodies, size: 12) == Array("cccccc\ndd\n".utf8))
        #expect(ChunkDictionary.content(fromBodies: bodies, size: 9) == Array("dd\n".utf8))
        #expect(ChunkDictionary.content(fromBodies: bodies, size: 2).isEmpty)
        #expect(ChunkDictionary.content(fromBodies: [], size: 11).isEmpty)
    }
}
