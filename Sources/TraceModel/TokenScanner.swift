/// Finds credential-shaped tokens in text without regular expressions (this runs on every event
/// the recorder writes): provider API keys, GitHub and Slack tokens, AWS access key ids, JWTs,
/// `Bearer` credentials and PEM private keys.
enum TokenScanner {
    struct Shape: Sendable {
        let prefix: [UInt8]
        let minBody: Int
        /// Characters allowed after the prefix.
        let body: @Sendable (UInt8) -> Bool
    }

    static func isAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    static func isKeyChar(_ c: UInt8) -> Bool { isAlnum(c) || c == 0x2D || c == 0x5F }
    static func isUpperAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) }
    static func isJWTChar(_ c: UInt8) -> Bool { isKeyChar(c) || c == 0x2E }
    static func isBearerChar(_ c: UInt8) -> Bool { isKeyChar(c) || c == 0x2E || c == 0x7E || c == 0x2B || c == 0x2F || c == 0x3D }

    static let shapes: [Shape] = [
        Shape(prefix: Array("sk-".utf8), minBody: 20, body: isKeyChar),  // OpenAI, Anthropic (sk-ant-…)
        Shape(prefix: Array("ghp_".utf8), minBody: 30, body: isAlnum),
        Shape(prefix: Array("gho_".utf8), minBody: 30, body: isAlnum),
        Shape(prefix: Array("ghs_".utf8), minBody: 30, body: isAlnum),
        Shape(prefix: Array("ghu_".utf8), minBody: 30, body: isAlnum),
        Shape(prefix: Array("github_pat_".utf8), minBody: 30, body: isKeyChar),
        Shape(prefix: Array("xoxb-".utf8), minBody: 10, body: isKeyChar),
        Shape(prefix: Array("xoxp-".utf8), minBody: 10, body: isKeyChar),
        Shape(prefix: Array("xapp-".utf8), minBody: 10, body: isKeyChar),
        Shape(prefix: Array("AKIA".utf8), minBody: 16, body: isUpperAlnum),
        Shape(prefix: Array("ASIA".utf8), minBody: 16, body: isUpperAlnum),
        Shape(prefix: Array("glpat-".utf8), minBody: 20, body: isKeyChar),
        Shape(prefix: Array("eyJ".utf8), minBody: 30, body: isJWTChar),
        Shape(prefix: Array("Bearer ".utf8), minBody: 8, body: isBearerChar),
        Shape(prefix: Array("bearer ".utf8), minBody: 8, body: isBearerChar),
    ]
    static let firstBytes: Set<UInt8> = Set(shapes.map { $0.prefix[0] } + [UInt8(ascii: "-")])
    static let pemBegin = Array("-----BEGIN ".utf8)
    static let pemEnd = Array("-----END ".utf8)
    static let privateKey = Array("PRIVATE KEY-----".utf8)

    static func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        // Fast exit: no byte that can start a token.
        guard bytes.contains(where: { firstBytes.contains($0) }) else { return text }
        var out: [UInt8] = []
        var i = 0
        var changed = false
        out.reserveCapacity(bytes.count)
        while i < bytes.count {
            let c = bytes[i]
            if firstBytes.contains(c), i == 0 || !isKeyChar(bytes[i - 1]) || c == UInt8(ascii: "-"), let end = match(bytes, at: i) {
                let secretStart = bytes[i...].starts(with: Array("Bearer ".utf8)) || bytes[i...].starts(with: Array("bearer ".utf8)) ? i + 7 : i
                out.append(contentsOf: bytes[i..<secretStart])
                out.append(contentsOf: Redactor.marker(for: String(decoding: bytes[secretStart..<end], as: UTF8.self)).utf8)
                i = end
                changed = true
            } else {
                out.append(c)
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// End index of a token starting at `start`, or nil.
    static func match(_ b: [UInt8], at start: Int) -> Int? {
        if b[start...].starts(with: pemBegin) {
            // A PEM private key block: redact through its END line.
            let headerEnd = b[start...].firstIndex(of: 0x0A) ?? b.count
            guard b[start..<headerEnd].count < 80, b[start..<headerEnd].containsSubsequence(privateKey) else { return nil }
            var j = headerEnd
            while j < b.count {
                if b[j...].starts(with: pemEnd) {
                    var k = j + pemEnd.count
                    while k < b.count, b[k] != 0x0A { k += 1 }
                    return k
                }
                j += 1
            }
            return b.count
        }
        for shape in shapes where b[start...].starts(with: shape.prefix) {
            var j = start + shape.prefix.count
            while j < b.count, shape.body(b[j]) { j += 1 }
            if j - start - shape.prefix.count >= shape.minBody { return j }
        }
        return nil
    }
}

extension ArraySlice where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        var i = startIndex
        while i + needle.count <= endIndex {
            if self[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
