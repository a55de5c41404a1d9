import Foundation
import Testing
import TraceModel
import TraceStore
import TraceWire
@testable import Collector

/// Authentication, roles and tenancy for every endpoint that needs a token.
@Suite("Collector API: auth and tenancy")
struct CollectorAPIAuthTests {
    /// A protected endpoint and the roles that may call it.
    struct Endpoint: Sendable, CustomTestStringConvertible {
        enum Target: Sendable { case events, blob, sessions, session, sessionEvents, sessionVerify, metrics }
        var method: String
        var target: Target
        var roles: Set<TokenRole>
        var testDescription: String { "\(method) \(target)" }
    }

    static let endpoints: [Endpoint] = [
        Endpoint(method: "POST", target: .events, roles: [.ingest, .admin]),
        Endpoint(method: "HEAD", target: .blob, roles: [.ingest, .read, .admin]),
        Endpoint(method: "PUT", target: .blob, roles: [.ingest, .admin]),
        Endpoint(method: "GET", target: .blob, roles: [.read, .admin]),
        Endpoint(method: "GET", target: .sessions, roles: [.read, .admin]),
        Endpoint(method: "GET", target: .session, roles: [.read, .admin]),
        Endpoint(method: "GET", target: .sessionEvents, roles: [.read, .admin]),
        Endpoint(method: "GET", target: .sessionVerify, roles: [.read, .admin]),
        Endpoint(method: "GET", target: .metrics, roles: [.admin]),
    ]

    /// Project alpha's data the requests point at: one session and one blob.
    struct Seed {
        static let session = syntheticSessions(1, seed: 21)[0]
        static let blob = Array("a blob only project alpha uploaded\n".utf8)
        static var blobPath: String { "/v1/blobs/sha256/\(Digest.sha256(blob).hex)" }
    }

    static func seeded() throws -> CollectorFixture {
        let fixture = try CollectorFixture()
        #expect(try fixture.post(Seed.session).status == 200)
        #expect(try fixture.request("PUT", Seed.blobPath, token: fixture.ingest.token, body: Seed.blob).status == 201)
        return fixture
    }

    /// Calls `endpoint` with the given Authorization header value (nil: none).
    static func call(_ endpoint: Endpoint, on fixture: CollectorFixture, authorization: String?) throws -> RawResponse {
        let id = Seed.session[0].session
        var headers = authorization.map { ["Authorization: \($0)"] } ?? []
        var body: [UInt8] = []
        let target: String
        switch endpoint.target {
        case .events:
            target = "/v1/events"
            headers += ["Content-Type: application/x-ndjson"]
            body = NDJSONBatch.encode(Seed.session)
        case .blob:
            target = Seed.blobPath
            if endpoint.method == "PUT" { body = Seed.blob }
        case .sessions: target = "/v1/sessions"
        case .session: target = "/v1/sessions/\(id)"
        case .sessionEvents: target = "/v1/sessions/\(id)/events"
        case .sessionVerify: target = "/v1/sessions/\(id)/verify"
        case .metrics: target = "/metrics"
        }
        return try fixture.request(endpoint.method, target, token: nil, headers: headers, body: body)
    }

    @Test(arguments: endpoints)
    func missingWrongMalformedAndRevokedTokensGet401(endpoint: Endpoint) throws {
        let fixture = try Self.seeded()
        defer { fixture.stop() }
        let revocable = try fixture.store.createToken(project: "alpha", role: .admin, name: "soon revoked")
        // Works first (and sits in the token cache), then is revoked through the store.
        let before = try Self.call(endpoint, on: fixture, authorization: "Bearer \(revocable.token)")
        #expect((200...299).contains(before.status), "\(before.status)")
        #expect(try fixture.store.revokeToken(id: revocable.id))

        let unknown = "px_" + String(repeating: "A", count: 43)
        let cases: [(String, String?)] = [
            ("missing", nil), ("unknown", "Bearer \(unknown)"), ("garbage", "Bearer not-a-token"), ("empty", "Bearer "),
            ("basic scheme", "Basic \(fixture.admin.token)"), ("bare token", fixture.admin.token),
            ("revoked", "Bearer \(revocable.token)"),
        ]
        for (name, authorization) in cases {
            let response = try Self.call(endpoint, on: fixture, authorization: authorization)
            #expect(response.status == 401, "\(name): \(response.status) \(response.text)")
            #expect(response.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(name)")
        }
        fixture.expectServing()
    }

    @Test(arguments: endpoints)
    func rolesDecideWhoMayCall(endpoint: Endpoint) throws {
        let fixture = try Self.seeded()
        defer { fixture.stop() }
        for token in [fixture.ingest, fixture.read, fixture.admin] {
            let response = try Self.call(endpoint, on: fixture, authorization: "Bearer \(token.token)")
            if endpoint.roles.contains(token.role) {
                #expect((200...299).contains(response.status), "\(token.role): \(response.status) \(response.text)")
            } else {
                #expect(response.status == 403, "\(token.role): \(response.status) \(response.text)")
                #expect(response.json?["error"] != nil)
            }
        }
    }

    @Test func wrongRoleIsRefusedBeforeTheBodyIsRead() throws {
        let fixture = try Self.seeded()
        defer { fixture.stop() }
        let client = try fixture.client()
        // Only the head: a reply proves the server did not wait for the announced megabyte.
        client.send(requestHead("POST", "/v1/events", ["Authorization: Bearer \(fixture.read.token)", "Content-Length: \(1 << 20)"]))
        #expect(client.readResponse()?.status == 403)
        fixture.expectServing()
    }

    @Test func anotherProjectSeesNotFoundNeverForbidden() throws {
        let fixture = try Self.seeded()
        defer { fixture.stop() }
        let id = Seed.session[0].session
        let beta = fixture.betaRead.token
        for target in ["/v1/sessions/\(id)", "/v1/sessions/\(id)/events", "/v1/sessions/\(id)/verify", Seed.blobPath] {
            let response = try fixture.request("GET", target, token: beta)
            #expect(response.status == 404, "\(target): \(response.status)")
        }
        #expect(try fixture.request("HEAD", Seed.blobPath, token: beta).status == 404)
        #expect(try fixture.request("HEAD", Seed.blobPath, token: fixture.betaIngest.token).status == 404)

        // Beta's own session is visible to beta only; alpha's list does not show it either.
        let betaSession = syntheticSessions(1, seed: 22)[0]
        #expect(try fixture.post(betaSession, token: fixture.betaIngest.token).status == 200)
        let betaIDs = try #require(try fixture.json("/v1/sessions", token: beta)["sessions"]?.arrayValue).compactMap { $0["id"]?.stringValue }
        #expect(betaIDs == [betaSession[0].session.string])
        let alphaIDs = try #require(try fixture.json("/v1/sessions")["sessions"]?.arrayValue).compactMap { $0["id"]?.stringValue }
        #expect(alphaIDs == [id.string])
        #expect(try fixture.request("GET", "/v1/sessions/\(betaSession[0].session)", token: fixture.read.token).status == 404)
        #expect(try fixture.request("GET", "/v1/sessions/\(betaSession[0].session)", token: fixture.admin.token).status == 404)
    }

    @Test func anotherProjectCannotWriteIntoASession() throws {
        let fixture = try Self.seeded()
        defer { fixture.stop() }
        let id = Seed.session[0].session
        var forged = Seed.session[2]
        forged.ts = Timestamp(microseconds: forged.ts.microseconds + 1)
        // An edited event and an exact copy of a stored one: neither may touch alpha's session.
        let response = try fixture.post([forged, Seed.session[1]], token: fixture.betaIngest.token)
        #expect(response.status == 200)
        let reply = try #require(response.json)
        #expect(reply["accepted"]?.int64Value == 0)
        let rejected = try #require(reply["rejected"]?.arrayValue)
        #expect(rejected.map { $0["line"]?.int64Value } == [1, 2])
        #expect(rejected.allSatisfy { $0["session"]?.stringValue == id.string })
        #expect(reply["acked"]?[id.string] == nil)
        #expect(try fixture.storedEvents(id) == canonicalNDJSON(Seed.session))
        #expect(try fixture.json("/v1/sessions/\(id)")["conflicts"]?.int64Value == 0)
    }

    @Test func healthAndReadinessNeedNoToken() throws {
        let fixture = try CollectorFixture()
        defer { fixture.stop() }
        for target in ["/healthz", "/readyz"] {
            #expect(try fixture.request("GET", target, token: nil).status == 200)
            #expect(try fixture.request("GET", target, token: "px_wrong").status == 200)
        }
    }

    @Test(arguments: ["0.0.0.0", "10.1.2.3", "192.168.0.1"])
    func insecureModeRefusesANonLoopbackAddress(host: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("coltests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("c.sqlite").path)
        var configuration = CollectorConfiguration()
        configuration.host = host
        configuration.port = 0
        configuration.insecureNoAuth = true
        #expect(throws: CollectorError.self) { try CollectorServer(store: store, configuration: configuration) }
    }

    @Test func insecureModeOnLoopbackServesWithoutTokens() throws {
        let fixture = try CollectorFixture { $0.insecureNoAuth = true }
        defer { fixture.stop() }
        let session = syntheticSessions(1, seed: 23)[0]
        let posted = try fixture.request("POST", "/v1/events", token: nil, headers: ["Content-Type: application/x-ndjson"],
                                         body: NDJSONBatch.encode(session))
        #expect(posted.status == 200)
        #expect(try fixture.request("GET", "/v1/sessions/\(session[0].session)/events", token: nil).body == canonicalNDJSON(session))
        #expect(try fixture.request("GET", "/metrics", token: nil).status == 200)
    }
}
