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
        // The newest chunks, enough of them to fill the dictionary.
        let recent = try statement("SELECT id FROM chunks ORDER BY id DESC")
        let bodies = try recent.use { s throws -> [[UInt8]] in
            var bodies: [[UInt8]] = []
            var total = 0
            while total < size, try s.step() {
                bodies.append(try chunkBody(s.int64(0), session: nil).body)
                total += bodies[bodies.count - 1].count
            }
            return bodies
        }
        let content = ChunkDictionary.content(fromBodies: bodies.reversed(), size: size)
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
