import TraceModel

/// Which headers cross the proxy and how they are recorded.
public enum ProxyHeaders {
    /// Connection-level headers (RFC 9110 §7.6.1) plus those the upstream connection sets itself:
    /// never forwarded to the upstream. `accept-encoding` is left to the upstream client, which
    /// decodes what it negotiates.
    static let notForwarded: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding",
        "upgrade", "host", "content-length", "accept-encoding", "expect",
    ]

    /// Response headers that describe the upstream connection's framing, not the body the client gets.
    static let notRelayed: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "trailer", "upgrade",
    ]

    /// Headers that carry credentials: recorded only as `«redacted:…»` markers.
    public static let credentials: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie", "x-goog-api-key",
    ]

    /// The request headers to send upstream, in order.
    static func forwarded(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        headers.filter { !notForwarded.contains($0.name.lowercased()) }
    }

    /// The upstream's response headers to relay to the client, sorted by name for a stable order.
    static func relayed(_ headers: [String: String]) -> [(name: String, value: String)] {
        headers.filter { !notRelayed.contains($0.key.lowercased()) }
            .sorted { $0.key.lowercased() < $1.key.lowercased() }
            .map { (name: $0.key, value: $0.value) }
    }

    /// Whether a header's value is a credential (listed above, or secret-named for `redactor`, except
    /// rate-limit counters such as `x-ratelimit-remaining-tokens`).
    public static func isCredential(_ name: String, redactor: Redactor = Redactor()) -> Bool {
        let lowered = name.lowercased()
        if credentials.contains(lowered) { return true }
        if lowered.contains("ratelimit") { return false }
        return redactor.isSecretName(lowered)
    }

    /// Headers as recorded: `[[name, value], …]` (a list, so repeats and order survive), credential values redacted.
    public static func recorded(_ headers: [(name: String, value: String)]) -> JSONValue {
        .array(headers.map { header in
            let value = isCredential(header.name) ? Redactor.marker(for: header.value) : header.value
            return .array([.string(header.name), .string(value)])
        })
    }

    /// Reads headers recorded by `recorded`; malformed items are skipped.
    public static func parseRecorded(_ value: JSONValue?) -> [(name: String, value: String)] {
        guard let items = value?.arrayValue else { return [] }
        return items.compactMap { item in
            guard let pair = item.arrayValue, pair.count == 2, let name = pair[0].stringValue, let value = pair[1].stringValue,
                  !name.isEmpty else { return nil }
            return (name, value)
        }
    }

    /// A URL as recorded: values of credential-named query parameters (Azure's `api-key`, `key`)
    /// replaced by redaction markers.
    public static func recordedURL(_ url: String) -> String {
        guard let mark = url.firstIndex(of: "?") else { return url }
        let query = url[url.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
            guard let eq = item.firstIndex(of: "=") else { return String(item) }
            let name = String(item[..<eq])
            guard isCredential(name) || name.lowercased() == "key" else { return String(item) }
            return name + "=" + Redactor.marker(for: item[item.index(after: eq)...])
        }
        return String(url[...mark]) + query.joined(separator: "&")
    }

    /// The secret values a request carries in its credential headers (`Bearer ` stripped), for scrubbing bodies.
    static func secrets(in headers: [(name: String, value: String)], target: String = "") -> [String] {
        var out: [String] = []
        if let mark = target.firstIndex(of: "?") {
            for item in target[target.index(after: mark)...].split(separator: "&") {
                guard let eq = item.firstIndex(of: "=") else { continue }
                let name = String(item[..<eq])
                let value = String(item[item.index(after: eq)...])
                if isCredential(name) || name.lowercased() == "key", value.utf8.count >= 8 { out.append(value) }
            }
        }
        for header in headers where isCredential(header.name) {
            var value = header.value.trimmingSpaces()
            for scheme in ["Bearer ", "bearer ", "Basic ", "basic "] where value.hasPrefix(scheme) {
                value = String(value.dropFirst(scheme.count)).trimmingSpaces()
            }
            if value.utf8.count >= 8 { out.append(value) }
        }
        return out
    }

    /// `bytes` with every occurrence of each secret replaced by its redaction marker.
    static func scrub(_ bytes: [UInt8], secrets: [String]) -> [UInt8] {
        var result = bytes
        for secret in secrets {
            let needle = Array(secret.utf8)
            guard needle.count <= result.count else { continue }
            let marker = Array(Redactor.marker(for: secret).utf8)
            var out: [UInt8] = []
            var i = 0
            var replaced = false
            while i < result.count {
                if result[i] == needle[0], i + needle.count <= result.count, result[i..<(i + needle.count)].elementsEqual(needle) {
                    out.append(contentsOf: marker)
                    i += needle.count
                    replaced = true
                } else {
                    out.append(result[i])
                    i += 1
                }
            }
            if replaced { result = out }
        }
        return result
    }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[first...last])
    }
}
