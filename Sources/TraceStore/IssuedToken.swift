import TraceModel

/// A token just created: the only time its secret exists outside the caller's hands.
public struct IssuedToken: Sendable, Hashable {
    public var id: Int64
    /// `px_` and 43 base64url characters (32 random bytes). Show it once; the store keeps only its SHA-256.
    public var token: String
    public var project: String
    public var role: TokenRole
    public var name: String?

    public init(id: Int64, token: String, project: String, role: TokenRole, name: String? = nil) {
        self.id = id
        self.token = token
        self.project = project
        self.role = role
        self.name = name
    }

    static let prefix = "px_"
    static let secretBytes = 32
    /// Base64url of 32 bytes without padding.
    static let encodedLength = 43
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A fresh secret from `random` (the system's cryptographic generator in production).
    static func makeSecret(using random: inout some RandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(secretBytes)
        while bytes.count < secretBytes {
            let word = random.next() as UInt64
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return prefix + base64url(bytes)
    }

    /// Base64url (RFC 4648 §5) without padding.
    static func base64url(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var group = UInt32(bytes[i]) << 16
            if n > 1 { group |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { group |= UInt32(bytes[i + 2]) }
            for k in 0...n { out.append(alphabet[Int((group >> UInt32(18 - 6 * k)) & 0x3F)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` has the shape of a token this store issues (checked before any lookup).
    static func isWellFormed(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == prefix.utf8.count + encodedLength, utf8.starts(with: prefix.utf8) else { return false }
        return utf8.dropFirst(prefix.utf8.count).allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x5F
        }
    }

    /// What the store keeps instead of the secret.
    static func hash(_ text: String) -> [UInt8] { Digest.sha256(Array(text.utf8)).bytes }
}

/// Who a valid token speaks for.
public struct TokenIdentity: Sendable, Hashable {
    public var id: Int64
    public var name: String?
    public var project: String
    public var role: TokenRole
    public var createdAt: Timestamp

    public init(id: Int64, name: String?, project: String, role: TokenRole, createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.project = project
        self.role = role
        self.createdAt = createdAt
    }
}
