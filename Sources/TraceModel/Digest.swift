import CCrypto

/// A SHA-256 digest, written `sha256:<64 lowercase hex>` everywhere Parallax shows or stores one.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let prefix = "sha256:"
    /// The 32 raw bytes.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Parses `sha256:<hex>`; nil when the prefix, length or case is wrong.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 71, text.hasPrefix(Self.prefix) else { return nil }
        guard let raw = Self.decodeHex(utf8[7...]) else { return nil }
        self.bytes = raw
    }

    /// Parses a bare 64-hex-digit string (the form used in blob URLs).
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64, let raw = Self.decodeHex(utf8[...]) else { return nil }
        self.bytes = raw
    }

    private static func decodeHex(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(32)
        var high: UInt8? = nil
        for c in text {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x61 + 10
            default: return nil  // uppercase is rejected: one spelling per digest
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out.count == 32 ? out : nil
    }

    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in bytes {
            out.append(JSONValue.hexDigits[Int(b >> 4)])
            out.append(JSONValue.hexDigits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { Self.prefix + hex }

    public static func < (a: Digest, b: Digest) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// SHA-256 of `data`.
    public static func sha256(_ data: some Collection<UInt8>) -> Digest {
        let hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }
}

/// The SHA-256 algorithm fetched once; EVP_MD objects are immutable and safe to share across threads.
nonisolated(unsafe) private let sha256Algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

/// Incremental SHA-256 (OpenSSL EVP) for content too large to hold at once.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        context = EVP_MD_CTX_new()!
        EVP_DigestInit_ex(context, sha256Algorithm, nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ data: some Collection<UInt8>) {
        let done: Void? = data.withContiguousStorageIfAvailable { buffer in
            _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }
        if done == nil { Array(data).withUnsafeBufferPointer { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) } }
    }

    /// The digest of everything passed to `update`; the hasher must not be used afterwards.
    public func finalize() -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        out.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return Digest(bytes: out)!
    }
}

@available(*, unavailable, message: "SHA256Hasher holds mutable hashing state; use one per task")
extension SHA256Hasher: Sendable {}
