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
        var text = text
        let raw: [UInt8]? = text.withUTF8 { utf8 in
            guard utf8.count == 71, utf8[0] == 0x73, utf8[1] == 0x68, utf8[2] == 0x61, utf8[3] == 0x32, utf8[4] == 0x35,
                  utf8[5] == 0x36, utf8[6] == 0x3A else { return nil }
            return Self.decodeHex(UnsafeBufferPointer(rebasing: utf8[7...]))
        }
        guard let raw else { return nil }
        self.bytes = raw
    }

    /// Parses a bare 64-hex-digit string (the form used in blob URLs).
    public init?(hex: String) {
        var hex = hex
        guard let raw = hex.withUTF8({ Self.decodeHex($0) }) else { return nil }
        self.bytes = raw
    }

    /// 64 lowercase hex digits → 32 bytes; uppercase is rejected (one spelling per digest).
    private static func decodeHex(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count == 64 else { return nil }
        @inline(__always) func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            guard let h = nibble(text[2 * i]), let l = nibble(text[2 * i + 1]) else { return nil }
            out[i] = h << 4 | l
        }
        return out
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

    /// `sha256:<hex>` appended as UTF-8 bytes.
    public func write(into out: inout [UInt8]) {
        out.append(contentsOf: [0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0x3A])  // "sha256:"
        for b in bytes {
            out.append(JSONValue.hexDigits[Int(b >> 4)])
            out.append(JSONValue.hexDigits[Int(b & 0xF)])
        }
    }

    public static func < (a: Digest, b: Digest) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// SHA-256 of `data`.
    public static func sha256(_ data: some Collection<UInt8>) -> Digest {
        let hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }
}

/// Incremental SHA-256 (OpenSSL EVP, loaded on first use) for content too large to hold at once.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        guard let context = parallax_sha256_new() else {
            let reason = parallax_crypto_error().map { String(cString: $0) } ?? "unknown error"
            fatalError("SHA-256 is unavailable: \(reason)")
        }
        self.context = context
    }

    deinit { parallax_sha256_free(context) }

    public func update(_ data: some Collection<UInt8>) {
        let done: Void? = data.withContiguousStorageIfAvailable { buffer in
            parallax_sha256_update(context, buffer.baseAddress, buffer.count)
        }
        if done == nil { Array(data).withUnsafeBufferPointer { parallax_sha256_update(context, $0.baseAddress, $0.count) } }
    }

    /// The digest of everything passed to `update`; the hasher must not be used afterwards.
    public func finalize() -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { parallax_sha256_final(context, $0.baseAddress) }
        return Digest(bytes: out)!
    }
}

@available(*, unavailable, message: "SHA256Hasher holds mutable hashing state; use one per task")
extension SHA256Hasher: Sendable {}
