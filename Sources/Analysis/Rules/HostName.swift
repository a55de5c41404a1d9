/// Host names out of URLs, and whether a host is this machine.
public enum HostName {
    /// The host of `url` (`https://user@Host:8443/x` → `host`), lowercased; also for `host/path`
    /// and `host:port` without a scheme.
    public static func of(url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close]).lowercased()
        }
        if let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return String(rest).lowercased()
    }

    /// Loopback only: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`, `0.0.0.0`. Private
    /// networks are other machines, so writes to them are outbound.
    public static func isLocal(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h.hasSuffix(".localhost") || h == "::1" || h == "0.0.0.0" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
