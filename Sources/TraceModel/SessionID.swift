/// A session id: a ULID (48-bit millisecond time + 80 random bits) in Crockford base32, 26 characters,
/// so ids sort by session start time.
public struct SessionID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let string: String

    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// Validates the canonical (uppercase) spelling; the first character must be 0–7 (128 bits).
    public init?(_ text: String) {
        let utf8 = text.utf8
        guard utf8.count == 26 else { return nil }
        for (i, c) in utf8.enumerated() {
            let v = Self.decodeTable[Int(c)]
            if v < 0 || (i == 0 && v > 7) { return nil }
        }
        string = text
    }

    /// Builds an id from a millisecond timestamp and 10 random bytes.
    public init(milliseconds: UInt64, randomness: [UInt8]) {
        precondition(randomness.count == 10, "a ULID needs 80 random bits")
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: milliseconds >> (8 * UInt64(5 - i))) }
        for i in 0..<10 { bytes[6 + i] = randomness[i] }
        // 128 bits → 26 base32 digits, most significant first (the first digit carries 3 bits).
        var value = (hi: UInt64(0), lo: UInt64(0))
        for i in 0..<8 { value.hi = value.hi << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { value.lo = value.lo << 8 | UInt64(bytes[i]) }
        var out = [UInt8](repeating: 0, count: 26)
        for i in stride(from: 25, through: 0, by: -1) {
            out[i] = Self.alphabet[Int(value.lo & 31)]
            value.lo = value.lo >> 5 | (value.hi & 31) << 59
            value.hi >>= 5
        }
        string = String(decoding: out, as: UTF8.self)
    }

    /// A fresh id for a session starting now.
    public static func generate(now: Timestamp = .now(), using generator: inout some RandomNumberGenerator) -> SessionID {
        var random = [UInt8](repeating: 0, count: 10)
        for i in 0..<10 { random[i] = UInt8.random(in: 0...255, using: &generator) }
        let ms = UInt64(max(0, now.microseconds / 1000))
        return SessionID(milliseconds: ms, randomness: random)
    }

    public static func generate(now: Timestamp = .now()) -> SessionID {
        var rng = SystemRandomNumberGenerator()
        return generate(now: now, using: &rng)
    }

    /// The millisecond timestamp encoded in the first 10 characters.
    public var milliseconds: UInt64 {
        var ms: UInt64 = 0
        for c in string.utf8.prefix(10) { ms = ms << 5 | UInt64(Self.decodeTable[Int(c)]) }
        return ms
    }

    public var description: String { string }
    public static func < (a: SessionID, b: SessionID) -> Bool { a.string.utf8.lexicographicallyPrecedes(b.string.utf8) }
}
