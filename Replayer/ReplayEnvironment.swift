import TraceModel

/// The surroundings a session was recorded in, read from its environment fingerprint, turned into
/// what each replayed command gets: the environment and the sandbox pins.
public struct ReplayEnvironment: Sendable, Hashable {
    /// The agent's environment at the start (secret values already redacted by the recorder).
    public var variables: [String: String]
    public var basePins: SandboxPins
    /// Fingerprint fields that could not be used, for the report.
    public var notes: [String] = []

    /// Variables that tie a command to the recorder of the original run; a replay has none.
    public static let recorderVariables: Set<String> = ["PARALLAX_SESSION", "PARALLAX_SOCKET", "PARALLAX_SPOOL", "PARALLAX_REAL_SHELL"]

    public init(variables: [String: String] = ["PATH": "/usr/local/bin:/usr/bin:/bin"], basePins: SandboxPins = SandboxPins()) {
        self.variables = variables
        self.basePins = basePins
    }

    /// Reads a fingerprint document (`EnvironmentFingerprint`'s JSON); `seed` becomes the random pin.
    public init(fingerprint: JSONValue, seed: UInt64) {
        var variables: [String: String] = [:]
        for (name, value) in fingerprint["env"]?.objectValue ?? [:] {
            if let text = value.stringValue { variables[name] = Self.replayable(text) }
        }
        var pins = SandboxPins(randomSeed: seed)
        pins.fixedAddresses = true
        pins.timeZone = fingerprint["tz"]?.stringValue ?? variables["TZ"] ?? "UTC"
        pins.locale = fingerprint["locale"]?.stringValue ?? variables["LC_ALL"] ?? variables["LANG"] ?? "C.UTF-8"
        pins.hostname = fingerprint["hostname"]?.stringValue
        if let mask = fingerprint["umask"]?.int64Value, (0...0o777).contains(mask) { pins.umask = UInt32(mask) }
        if let uid = fingerprint["uid"]?.int64Value, let gid = fingerprint["gid"]?.int64Value,
           let u = UInt32(exactly: uid), let g = UInt32(exactly: gid) {
            pins.uid = u
            pins.gid = g
        }
        self.init(variables: variables, basePins: pins)
        if variables.isEmpty { notes.append("the fingerprint has no environment; commands get only PATH") }
        if self.variables["PATH"] == nil { self.variables["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
    }

    /// A recorded value with each redaction marker (`«redacted:<hex>»`) made plain ASCII
    /// (`redacted-<hex>`): the secret itself never left the worker, and clients such as HTTP
    /// libraries refuse non-ASCII header values, so a replayed agent would fail before its first call.
    public static func replayable(_ value: String) -> String {
        guard value.contains("«redacted:") else { return value }
        var out = ""
        var rest = Substring(value)
        while let start = rest.range(of: "«redacted:") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "»") else { out += rest[start.lowerBound...]; return out }
            out += "redacted-" + after[..<end]
            rest = after[after.index(after: end)...]
        }
        return out + rest
    }

    /// The environment and pins for one recorded command: its delta applied over the start
    /// environment, the clock started at the command's own start.
    public func command(_ exec: ProcessExec, startedAt start: Timestamp) -> (environment: [String: String], pins: SandboxPins) {
        var environment = variables
        for (name, value) in exec.env ?? [:] {
            environment[name] = value.map(Self.replayable)
        }
        // The recording shell's wrapper is not in the sandbox; commands that run $SHELL get the real one.
        let realShell = environment["PARALLAX_REAL_SHELL"] ?? "/bin/bash"
        if let shell = environment["SHELL"], shell.hasSuffix("/parallax-shell") { environment["SHELL"] = realShell }
        for name in Self.recorderVariables { environment[name] = nil }
        var pins = basePins
        let seconds = start.microseconds >= 0 ? start.microseconds / 1_000_000 : (start.microseconds - 999_999) / 1_000_000
        pins.time = seconds
        pins.timeMicroseconds = start.microseconds - seconds * 1_000_000
        pins.sourceDateEpoch = pins.time
        return (environment, pins)
    }
}
