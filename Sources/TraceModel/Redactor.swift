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
        let upper = name.uppercased()
        return secretNameFragments.contains { upper.contains($0) }
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
