import TraceModel

extension SQLiteStore {
    /// Longest project name, in UTF-8 bytes.
    public static let maxProjectLength = 64
    /// Longest token name, in UTF-8 bytes.
    public static let maxTokenNameLength = 128

    public func createToken(project: String, role: TokenRole, name: String?) throws -> IssuedToken {
        var random = SystemRandomNumberGenerator()
        return try createToken(project: project, role: role, name: name, using: &random)
    }

    /// `createToken` with the secret drawn from `random` (tests pass a seeded generator).
    func createToken(project: String, role: TokenRole, name: String?,
                     using random: inout some RandomNumberGenerator) throws -> IssuedToken {
        try Self.validate(project: project)
        if let name {
            guard name.utf8.count <= Self.maxTokenNameLength, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw StoreError(.invalidArgument, "a token name is at most \(Self.maxTokenNameLength) bytes without control characters")
            }
        }
        let secret = IssuedToken.makeSecret(using: &random)
        let hash = IssuedToken.hash(secret)
        let id = try locked("creating a \(role) token for project \"\(project)\"") {
            try $0.insertToken(hash: hash, project: project, role: role, name: name, createdAt: .now())
        }
        return IssuedToken(id: id, token: secret, project: project, role: role, name: name)
    }

    public func authenticate(_ token: String) throws -> TokenIdentity? {
        // Malformed text never reaches SQLite; its shape says nothing about any real token.
        guard IssuedToken.isWellFormed(token) else { return nil }
        let hash = IssuedToken.hash(token)
        let now = ContinuousClock.now
        let (cached, generation) = tokenCache.withLock { cache in (cache.lookup(hash, now: now), cache.generation) }
        if let cached {
            return constantTimeEquals(cached.storedHash, hash) ? cached.identity : nil
        }
        guard let found = try locked("checking a token", { try $0.token(hash: hash) }),
              constantTimeEquals(found.storedHash, hash) else { return nil }
        tokenCache.withLock { $0.insert(found.identity, storedHash: found.storedHash, for: hash, generation: generation, now: now) }
        return found.identity
    }

    public func tokens(project: String?) throws -> [TokenIdentity] {
        try locked("listing tokens") { try $0.tokens(project: project) }
    }

    public func revokeToken(id: Int64) throws -> Bool {
        let revoked = try locked("revoking token \(id)") { try $0.revokeToken(id: id, at: .now()) }
        // Dropped even when nothing changed here: another process may have revoked it.
        tokenCache.withLock { $0.revoke(id: id) }
        return revoked
    }

    /// Projects are names people type: 0…64 bytes of `A–Z a–z 0–9 . _ -` ("" is the default project).
    static func validate(project: String) throws(StoreError) {
        let ok = project.utf8.count <= maxProjectLength && project.utf8.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard ok else {
            throw StoreError(.invalidArgument, "\"\(project.prefix(80))\" is not a project name: use at most \(maxProjectLength) of A-Z a-z 0-9 . _ -")
        }
    }
}
