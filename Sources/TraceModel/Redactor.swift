/// Worker-side secret redaction (DESIGN §3): values of secret-named fields (environment variables,
/// headers, JSON keys) and token-shaped substrings anywhere are replaced by
/// `«redacted:<12 hex of SHA-256>»`, so equal secrets still compare equal and none leaves the worker.
public struct Redactor: Sendable {
    /// Upper-cased fragments that mark a field name as secret. `TOKEN` alone would also match
    /// `input_tokens`, which is why only string values are redacted.
    public var secretNameFragments: [String]
    /// Extra literal values to redact wherever they appear (e.g. the collector token itself).
    public var literals: [String]

    public static let defaultSecretNameFragments = [
        "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "API_KEY", "APIKEY", "API-KEY", "ACCESS_KEY",
        "PRIVATE_KEY", "CREDENTIAL", "AUTHORIZATION", "COOKIE", "SESSION_KEY", "CLIENT_SECRET",
    ]

    public init(secretNameFragments: [String] = Redactor.defaultSecretNameFragments, literals: [String] = []) {
        self.secretNameFragments = secretNameFragments.map { $0.uppercased() }
        self.literals = literals.filter { $0.utf8.count >= 4 }
    }

    /// The replacement for `secret`.
    public static func marker(for secret: some StringProtocol) -> String {
        "«redacted:\(Digest.sha256(Array(secret.utf8)).hex.prefix(12))»"
    }

    public func isSecretName(_ name: String) -> Bool {
        // A byte-wise ASCII search: String.contains(String) builds a search table on every call,
        // which made this the most expensive step of recording an event.
        var name = name
        return name.withUTF8 { bytes in
            secretNameFragments.contains { fragment in
                var fragment = fragment
                return fragment.withUTF8 { Self.containsUppercased(bytes, $0) }
            }
        }
    }

    /// Whether `haystack`, with a–z read as A–Z, contains `needle` (already upper-case).
    private static func containsUppercased(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        @inline(__always) func upper(_ c: UInt8) -> UInt8 { c >= 0x61 && c <= 0x7A ? c - 0x20 : c }
        outer: for start in 0...(haystack.count - needle.count) {
            for k in 0..<needle.count where upper(haystack[start + k]) != needle[k] { continue outer }
            return true
        }
        return false
    }

    /// Redacts an event's `data` (recursively) and returns whether anything changed.
    @discardableResult
    public func redact(_ event: inout Event) -> Bool {
        var changed = false
        for (key, value) in event.data {
            let redacted = redact(value, key: key)
            if redacted != value { event.data[key] = redacted; changed = true }
        }
        return changed
    }

    public func redact(_ value: JSONValue, key: String? = nil) -> JSONValue {
        switch value {
        case .string(let s):
            if let key, isSecretName(key), !s.isEmpty, !s.hasPrefix("«redacted:") { return .string(Self.marker(for: s)) }
            return .string(redact(text: s))
        case .array(let items):
            return .array(items.map { redact($0) })
        case .object(let object):
            var out: [String: JSONValue] = [:]
            out.reserveCapacity(object.count)
            for (k, v) in object { out[k] = redact(v, key: k) }
            return .object(out)
        default:
            return value
        }
    }

    /// Replaces token-shaped substrings and configured literals in free text.
    public func redact(text: String) -> String {
        var result = text
        for literal in literals where result.contains(literal) {
            result = result.replacingAll(literal, with: Self.marker(for: literal))
        }
        return TokenScanner.redact(result)
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard let first = target.first else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i] == first, self[i...].hasPrefix(target) {
                return i..<index(i, offsetBy: target.count)
            }
            i = index(after: i)
        }
        return nil
    }
}
