import TraceModel

extension StoreConnection {
    static let tokenColumns = "id, name, project, role, created_at, hash"

    /// Stores the hash of `secret` and returns the new token's id.
    func insertToken(hash: [UInt8], project: String, role: TokenRole, name: String?,
                     createdAt: Timestamp) throws(SQLiteError) -> Int64 {
        try statement("INSERT INTO tokens (name, project, role, hash, created_at) VALUES (?, ?, ?, ?, ?)")
            .run(name.map(SQLiteValue.text) ?? .null, .text(project), .text(role.rawValue), .blob(hash),
                 .integer(createdAt.microseconds))
        return database.lastInsertRowID
    }

    /// The unrevoked token whose hash is `hash`, with the hash as stored.
    func token(hash: [UInt8]) throws -> (identity: TokenIdentity, storedHash: [UInt8])? {
        let select = try statement("SELECT \(Self.tokenColumns) FROM tokens WHERE hash = ? AND revoked_at IS NULL")
        return try select.use { s throws -> (TokenIdentity, [UInt8])? in
            try s.bind(1, hash)
            guard try s.step() else { return nil }
            return (try tokenIdentity(s), s.blob(5) ?? [])
        }
    }

    func tokens(project: String?) throws -> [TokenIdentity] {
        let filter = project == nil ? "" : " AND project = ?"
        let select = try statement("SELECT \(Self.tokenColumns) FROM tokens WHERE revoked_at IS NULL\(filter) ORDER BY id")
        return try select.use { s throws -> [TokenIdentity] in
            if let project { try s.bind(1, project) }
            var out: [TokenIdentity] = []
            while try s.step() { out.append(try tokenIdentity(s)) }
            return out
        }
    }

    func revokeToken(id: Int64, at time: Timestamp) throws(SQLiteError) -> Bool {
        try statement("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .run(.integer(time.microseconds), .integer(id))
        return database.changes > 0
    }

    private func tokenIdentity(_ s: Statement) throws(StoreError) -> TokenIdentity {
        let text = s.text(3) ?? ""
        guard let role = TokenRole(rawValue: text) else {
            throw StoreError(.corrupt, "token \(s.int64(0)) has role \"\(text.prefix(20))\", which this version does not know")
        }
        return TokenIdentity(id: s.int64(0), name: s.text(1), project: s.text(2) ?? "", role: role,
                             createdAt: Timestamp(microseconds: s.int64(4)))
    }
}
