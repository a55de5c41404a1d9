/// Deterministic pseudo-random bytes for tests (xorshift64*), so failures reproduce.
struct TestBytes {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
    }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// Incompressible bytes.
    mutating func random(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count { bytes[index] = UInt8(truncatingIfNeeded: next() >> 24) }
        return bytes
    }

    /// Text-like bytes that compress a few times over, like event streams.
    mutating func text(_ count: Int) -> [UInt8] {
        let words = ["tool.call", "\"name\":", "model", "sha256:", "exit_code", "{\"v\":1,", "stdout", " ", "\n", "cwd"]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 16)
        while bytes.count < count {
            let pick = Int(next() % UInt64(words.count + 4))
            if pick < words.count {
                bytes.append(contentsOf: words[pick].utf8)
            } else {
                bytes.append(UInt8(truncatingIfNeeded: 0x61 + next() % 26))
            }
        }
        return Array(bytes.prefix(count))
    }
}
