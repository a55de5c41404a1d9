import CCrypto
import Testing
import TraceModel

/// The built-in SHA-256 that a fully static executable (parallax-agent) uses instead of libcrypto:
/// the FIPS 180-4 test vectors, and agreement with libcrypto at every length around the block edges.
@Suite("Built-in SHA-256", .serialized)
struct BuiltinSHA256Tests {
    static func withBuiltin<T>(_ body: () throws -> T) rethrows -> T {
        parallax_sha256_force_builtin(1)
        defer { parallax_sha256_force_builtin(0) }
        return try body()
    }

    @Test func matchesTheStandardVectors() {
        Self.withBuiltin {
            #expect(Digest.sha256(Array("".utf8)).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            #expect(Digest.sha256(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            #expect(Digest.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hex
                    == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
            #expect(Digest.sha256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex
                    == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        }
    }

    @Test func agreesWithLibcryptoAtEveryLengthNearTheBlockEdges() {
        var bytes: [UInt8] = []
        var state: UInt32 = 12345
        for _ in 0..<300 {
            state = state &* 1_103_515_245 &+ 12_345
            bytes.append(UInt8(truncatingIfNeeded: state >> 16))
        }
        for length in 0...bytes.count {
            let input = Array(bytes[0..<length])
            let library = Digest.sha256(input)
            let builtin = Self.withBuiltin { Digest.sha256(input) }
            #expect(builtin == library, "length \(length)")
        }
    }
}
