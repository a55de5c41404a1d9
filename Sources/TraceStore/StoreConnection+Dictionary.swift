import TraceModel

extension StoreConnection {
    /// Loads the newest dictionary, which new chunks are compressed with.
    func loadCurrentDictionary() throws {
        let select = try statement("SELECT id FROM dictionaries ORDER BY id DESC LIMIT 1")
        let newest = try select.use { s throws(SQLiteError) -> Int64? in try s.step() ? s.int64(0) : nil }
        currentDictionary = try newest.map { try dictionary($0) }
        eventsSinceDictionary = 0
    }

    /// Dictionary `id`, loaded from the `dictionaries` table on first use.
    func dictionary(_ id: Int64) throws -> ChunkDictionary {
        if let loaded = dictionaries[id] { return loaded }
        let select = try statement("SELECT data FROM dictionaries WHERE id = ?")
        let content = try select.use { s throws(SQLiteError) -> [UInt8]? in
            try s.bind(1, id)
            return try s.step() ? s.blob(0) : nil
        }
        guard let content else { throw StoreError(.corrupt, "chunk dictionary \(id) is missing") }
        guard let made = ChunkDictionary(id: id, content: content, level: codec.level) else {
            throw StoreError(.corrupt, "chunk dictionary \(id) cannot be loaded by zstd")
        }
        dictionaries[id] = made
        return made
    }

    /// Counts appended events and makes a new dictionary when the policy says one is due. The batch
    /// is already committed, so a failure here only leaves the old dictionary in use.
    func noteAppended(_ count: Int) {
        guard let policy = dictionaryPolicy, count > 0 else { return }
        eventsSinceDictionary += count
        let due = currentDictionary == nil ? policy.firstAfterEvents : policy.refreshAfterEvents
        guard eventsSinceDictionary >= due else { return }
        eventsSinceDictionary = 0
        _ = try? makeDictionary(size: policy.size)
    }

    /// Builds a raw-content dictionary from lines of the most recent chunks, stores it, and makes it
    /// the one new chunks use. Returns nil when too few events are stored to make it worthwhile.
    @discardableResult
    func makeDictionary(size: Int) throws -> ChunkDictionary? {
        let recent = try statement("SELECT id FROM chunks ORDER BY id DESC LIMIT 64")
        let ids = try recent.use { s throws(SQLiteError) -> [Int64] in
            var ids: [Int64] = []
            while try s.step() { ids.append(s.int64(0)) }
            return ids
        }
        // Lines in stored form (elided digests), taken round-robin across chunks for variety;
        // very long lines (command output) would crowd out the rest.
        var perChunk: [[ArraySlice<UInt8>]] = []
        for id in ids {
            let body = try chunkBody(id, session: nil).body
            perChunk.append(body.split(separator: 0x0A).filter { $0.count <= size / 16 })
        }
        var content: [UInt8] = []
        content.reserveCapacity(size)
        var round = 0
        var added = true
        while added, content.count < size {
            added = false
            for lines in perChunk where round < lines.count {
                let line = lines[round]
                guard content.count + line.count + 1 <= size else { continue }
                content.append(contentsOf: line)
                content.append(0x0A)
                added = true
            }
            round += 1
        }
        guard content.count >= min(size, 4096) else { return nil }
        try statement("INSERT INTO dictionaries (created_at, data) VALUES (?, ?)")
            .run(.integer(Timestamp.now().microseconds), .blob(content))
        guard let made = ChunkDictionary(id: database.lastInsertRowID, content: content, level: codec.level) else {
            throw StoreError(.corrupt, "zstd refused a \(content.count)-byte dictionary")
        }
        dictionaries[made.id] = made
        currentDictionary = made
        return made
    }
}
