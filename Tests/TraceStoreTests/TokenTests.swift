import Foundation
import Testing
import TraceModel
@testable import TraceStore

@Suite("Tokens")
struct TokenTests {
    @Test("create, authenticate, revoke: a revoked token no longer authenticates")
    func lifecycle() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let issued = try store.createToken(project: "alpha", role: .ingest, name: "ci workers")
        #expect(issued.project == "alpha")
        #expect(issued.role == .ingest)
        let identity = try #require(try store.authenticate(issued.token))
        #expect(identity.id == issued.id)
        #expect(identity.project == "alpha")
        #expect(identity.role == .ingest)
        #expect(identity.name == "ci workers")
        // Served from the cache the second time; same answer.
        #expect(try store.authenticate(issued.token) == identity)

        let reader = try store.createToken(project: "beta", role: .read, name: nil)
        #expect(try store.tokens(project: nil).map(\.id) == [issued.id, reader.id])
        #expect(try store.tokens(project: "beta").map(\.role) == [.read])

        #expect(try store.revokeToken(id: issued.id))
        #expect(try store.authenticate(issued.token) == nil)
        #expect(try store.revokeToken(id: issued.id) == false)
        #expect(try store.revokeToken(id: 9999) == false)
        #expect(try store.tokens(project: nil).map(\.id) == [reader.id])
        #expect(try store.authenticate(reader.token)?.project == "beta")
        // Still refused after reopening.
        let reopened = try openStore(dir)
        #expect(try reopened.authenticate(issued.token) == nil)
        #expect(try reopened.authenticate(reader.token)?.id == reader.id)
    }

    @Test("a token is px_ and 43 base64url characters, different every time")
    func shape() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        var seen: Set<String> = []
        for role in TokenRole.allCases {
            let token = try store.createToken(project: "p", role: role, name: nil).token
            #expect(token.hasPrefix("px_"))
            #expect(token.utf8.count == 46)
            #expect(token.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(IssuedToken.isWellFormed(token))
            seen.insert(token)
        }
        #expect(seen.count == TokenRole.allCases.count)
    }

    @Test("base64url matches the RFC 4648 vectors, without padding")
    func base64url() {
        let vectors: [(String, String)] = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
                                           ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]
        for (input, output) in vectors { #expect(IssuedToken.base64url(Array(input.utf8)) == output) }
        #expect(IssuedToken.base64url([0xFB, 0xFF, 0xBF]) == "-_-_")
    }

    @Test("only the SHA-256 of a token is in the database file, never the token")
    func onlyHashStored() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let issued = try store.createToken(project: "alpha", role: .admin, name: "ops")
        try store.checkpoint()
        var bytes: [UInt8] = []
        for suffix in ["", "-wal", "-journal"] {
            if let data = FileManager.default.contents(atPath: dir.file("store.sqlite") + suffix) { bytes += data }
        }
        func contains(_ needle: [UInt8]) -> Bool {
            guard needle.count <= bytes.count else { return false }
            return (0...(bytes.count - needle.count)).contains { i in bytes[i..<(i + needle.count)].elementsEqual(needle) }
        }
        // The scan does find what is there: the hash and the name.
        #expect(contains(Digest.sha256(Array(issued.token.utf8)).bytes))
        #expect(contains(Array("ops".utf8)))
        #expect(!contains(Array(issued.token.utf8)))
        #expect(!contains(Array(issued.token.utf8.dropFirst(3))))
        #expect(!contains(Array(issued.token.utf8.dropFirst(3).prefix(16))))
    }

    @Test("wrong, altered and malformed tokens authenticate as nobody")
    func wrongTokens() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        let issued = try store.createToken(project: "alpha", role: .read, name: nil)
        var rng = SplitMix64(seed: 7)
        let unissued = IssuedToken.makeSecret(using: &rng)
        var altered = Array(issued.token.utf8)
        altered[20] = altered[20] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let wrong = [
            "", "px_", "Bearer " + issued.token, issued.token + " ", " " + issued.token, issued.token + "=",
            String(issued.token.dropLast()), issued.token.uppercased(), "PX_" + issued.token.dropFirst(3),
            String(decoding: altered, as: UTF8.self), unissued, String(repeating: "A", count: 46),
            "px_" + String(repeating: "é", count: 43), String(repeating: "px_", count: 10_000),
        ]
        for token in wrong { #expect(try store.authenticate(token) == nil, "\(token.prefix(60))") }
        #expect(try store.authenticate(issued.token)?.id == issued.id)
    }

    @Test("constant-time comparison: equal, different and different-length inputs")
    func constantTime() {
        let a: [UInt8] = Array(0..<32)
        #expect(constantTimeEquals(a, a))
        #expect(constantTimeEquals([], []))
        var last = a
        last[31] ^= 1
        var first = a
        first[0] ^= 0x80
        #expect(!constantTimeEquals(a, last))
        #expect(!constantTimeEquals(a, first))
        #expect(!constantTimeEquals(a, Array(a.prefix(31))))
        #expect(!constantTimeEquals(Array(a.prefix(31)), a))
        #expect(!constantTimeEquals([], [0]))
        #expect(!constantTimeEquals([0], []))
        // A longer input whose extra bytes are zero still differs.
        #expect(!constantTimeEquals(a, a + [0]))
    }

    @Test("what each role may do", arguments: TokenRole.allCases)
    func roles(role: TokenRole) {
        let allowed = Set(TokenAction.allCases.filter(role.allows))
        switch role {
        case .ingest: #expect(allowed == [.writeEvents, .writeBlobs])
        case .read: #expect(allowed == [.readSessions, .readBlobs])
        case .admin: #expect(allowed == Set(TokenAction.allCases))
        }
    }

    @Test("project and name are checked; the database refuses unknown roles")
    func validation() throws {
        let dir = TemporaryDirectory()
        let store = try openStore(dir)
        for project in ["a b", "alpha/..", "x\u{0}", String(repeating: "p", count: 65), "projé"] {
            let error = #expect(throws: StoreError.self) { try store.createToken(project: project, role: .read, name: nil) }
            #expect(error?.code == .invalidArgument)
        }
        #expect(throws: StoreError.self) { try store.createToken(project: "p", role: .read, name: "line\nbreak") }
        #expect(throws: StoreError.self) { try store.createToken(project: "p", role: .read, name: String(repeating: "n", count: 129)) }
        #expect(try store.createToken(project: "", role: .admin, name: nil).project == "")
        #expect(try store.createToken(project: "team-a.prod_2", role: .read, name: nil).project == "team-a.prod_2")

        let database = try Database(path: dir.file("store.sqlite"))
        #expect(throws: SQLiteError.self) {
            try database.execute("INSERT INTO tokens (project, role, hash, created_at) VALUES ('p', 'root', x'00', 0)")
        }
    }

    @Test("a token revoked through another store instance stops working once the cache is off")
    func revokedElsewhere() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("shared.sqlite")
        let server = try SQLiteStore(path: path, options: storeOptions { $0.tokenCacheLifetime = .zero })
        let cli = try SQLiteStore(path: path, options: .relaxedDurability)
        let issued = try cli.createToken(project: "alpha", role: .ingest, name: nil)
        #expect(try server.authenticate(issued.token)?.id == issued.id)
        #expect(try cli.revokeToken(id: issued.id))
        #expect(try server.authenticate(issued.token) == nil)
    }

    @Test("cache entries expire, and a revocation during a lookup keeps it out of the cache")
    func cache() {
        var cache = TokenCache(lifetime: .seconds(10), capacity: 2)
        let identity = TokenIdentity(id: 1, name: nil, project: "p", role: .read, createdAt: Timestamp(microseconds: 0))
        let hash = IssuedToken.hash("px_one")
        let t0 = ContinuousClock.now
        cache.insert(identity, storedHash: hash, for: hash, generation: cache.generation, now: t0)
        #expect(cache.lookup(hash, now: t0 + .seconds(9))?.identity == identity)
        #expect(cache.lookup(hash, now: t0 + .seconds(10)) == nil)
        #expect(cache.count == 0)

        let before = cache.generation
        cache.revoke(id: 1)
        cache.insert(identity, storedHash: hash, for: hash, generation: before, now: t0)
        #expect(cache.lookup(hash, now: t0) == nil)

        cache.insert(identity, storedHash: hash, for: hash, generation: cache.generation, now: t0)
        cache.revoke(id: 1)
        #expect(cache.lookup(hash, now: t0) == nil)

        for i in 0..<5 {
            let h = IssuedToken.hash("px_\(i)")
            cache.insert(identity, storedHash: h, for: h, generation: cache.generation, now: t0)
        }
        #expect(cache.count <= 2)
        var off = TokenCache(lifetime: .zero)
        off.insert(identity, storedHash: hash, for: hash, generation: off.generation, now: t0)
        #expect(off.lookup(hash, now: t0) == nil)
    }
}
