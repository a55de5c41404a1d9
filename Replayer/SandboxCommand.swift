/// What the recording fixed about a command's surroundings, pinned again when it is replayed.
public struct SandboxPins: Sendable, Hashable {
    /// Wall-clock start, seconds since the epoch: libfaketime starts the clock there and lets it run.
    public var time: Int64?
    /// Microseconds past `time` (0..<1_000_000), so a pinned clock starts where the recorded one was.
    public var timeMicroseconds: Int64 = 0
    /// Stops the pinned clock at `time` instead of letting it run (some programs wait on it forever).
    public var frozenClock: Bool
    /// Turns address-space randomization off (`setarch -R`); with a frozen clock and the sandbox's
    /// fixed PIDs this makes bash's `$RANDOM` repeat.
    public var fixedAddresses: Bool
    /// `TZ`.
    public var timeZone: String?
    /// `LANG` and `LC_ALL`.
    public var locale: String?
    /// libfaketime's `FAKERANDOM_SEED`: `getrandom()` and `/dev/urandom`-style reads become repeatable.
    public var randomSeed: UInt64?
    public var sourceDateEpoch: Int64?
    public var hostname: String?
    /// The file-creation mask, permission bits only.
    public var umask: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?

    public init(time: Int64? = nil, frozenClock: Bool = false, fixedAddresses: Bool = false, timeZone: String? = nil, locale: String? = nil, randomSeed: UInt64? = nil,
                sourceDateEpoch: Int64? = nil, hostname: String? = nil, umask: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil) {
        self.time = time
        self.frozenClock = frozenClock
        self.fixedAddresses = fixedAddresses
        self.timeZone = timeZone
        self.locale = locale
        self.randomSeed = randomSeed
        self.sourceDateEpoch = sourceDateEpoch
        self.hostname = hostname
        self.umask = umask
        self.uid = uid
        self.gid = gid
    }
}

/// A host directory made visible inside the sandbox besides the workspace.
public struct SandboxMount: Sendable, Hashable {
    /// The directory on the host.
    public var source: String
    /// Where it appears in the sandbox (absolute, outside the workspace).
    public var target: String
    /// Whether the sandbox may write it (and create sockets in it).
    public var writable: Bool

    public init(source: String, target: String, writable: Bool = false) {
        self.source = source
        self.target = target
        self.writable = writable
    }
}

/// One command to run in a sandbox over a materialized workspace.
public struct SandboxCommand: Sendable, Hashable {
    /// The program and its arguments; a name without `/` is looked up in the environment's `PATH`.
    public var argv: [String]
    /// The workspace on the host (the only place the command can write that outlives it).
    public var workspace: String
    /// Where the workspace appears to the command: its recorded path, or `/workspace`.
    public var workspaceMount: String
    /// The working directory as the command sees it: the mount or a directory below it.
    public var cwd: String
    /// The whole environment (nothing is inherited); pins override it.
    public var environment: [String: String]
    public var pins: SandboxPins
    /// How long the command may run before it is killed (`SandboxResult.timedOut`); nil waits forever.
    public var timeout: Duration?
    /// How many bytes of each output stream the result keeps; the rest is counted and hashed only.
    public var outputLimit: Int = SandboxCommand.defaultOutputLimit
    /// Further host directories to bind (a harness replay's parallax binaries and sockets).
    public var mounts: [SandboxMount] = []
    public static let defaultOutputLimit = 16 << 20

    public init(argv: [String], workspace: String, workspaceMount: String = "/workspace", cwd: String? = nil,
                environment: [String: String] = [:], pins: SandboxPins = SandboxPins(), timeout: Duration? = nil) {
        self.argv = argv
        self.workspace = workspace
        self.workspaceMount = workspaceMount
        self.cwd = cwd ?? workspaceMount
        self.environment = environment
        self.pins = pins
        self.timeout = timeout
    }
}
