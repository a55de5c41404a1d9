#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

/// What a session ran on, kept as a blob beside `session.start` so a replay can rebuild it: the
/// OS and distribution, host name, user and group ids, umask, working directory, time zone, locale
/// and the (redacted) environment. The fingerprint is the digest of the parts that identify the
/// machine image (OS, distribution, architecture), so sessions on the same image compare equal.
public struct EnvironmentFingerprint: Sendable, Hashable {
    public var document: [String: JSONValue]

    public init(document: [String: JSONValue]) { self.document = document }

    /// Reads the running process's environment.
    public static func capture(
        cwd: String, environment: [String: String], redactor: Redactor = Redactor()
    ) -> EnvironmentFingerprint {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        let mask = umask(0o022)
        umask(mask)
        var document: [String: JSONValue] = [
            "os": .object([
                "sysname": .string(field(name.sysname)), "release": .string(field(name.release)),
                "machine": .string(field(name.machine)),
            ]),
            "hostname": .string(field(name.nodename)),
            "uid": .number(JSONNumber(Int64(getuid()))),
            "gid": .number(JSONNumber(Int64(getgid()))),
            "umask": .number(JSONNumber(Int64(mask))),
            "cwd": .string(cwd),
            "env": redactor.redact(.object(environment.mapValues(JSONValue.string))),
        ]
        if let release = osRelease() { document["distribution"] = .object(release.mapValues(JSONValue.string)) }
        if let tz = environment["TZ"] { document["tz"] = .string(tz) }
        if let locale = environment["LC_ALL"] ?? environment["LANG"] { document["locale"] = .string(locale) }
        return EnvironmentFingerprint(document: document)
    }

    /// The canonical bytes stored as the `environment` blob.
    public var bytes: [UInt8] { JSONValue.object(document).canonicalBytes() }

    /// The digest `session.start` carries as `env_fingerprint`.
    public var fingerprint: Digest {
        var image: [String: JSONValue] = [:]
        for key in ["os", "distribution"] { image[key] = document[key] }
        return Digest.sha256(JSONValue.object(image).canonicalBytes())
    }

    /// ID, VERSION_ID and PRETTY_NAME from /etc/os-release.
    static func osRelease() -> [String: String]? {
        let descriptor = open("/etc/os-release", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 16 {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[..<n])
        }
        var result: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq])
            guard ["ID", "VERSION_ID", "PRETTY_NAME"].contains(key) else { continue }
            var value = line[line.index(after: eq)...]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            result[key.lowercased()] = String(value)
        }
        return result.isEmpty ? nil : result
    }
}
