/// What most likely made a replayed step differ from its recording.
public enum DivergenceCause: String, Sendable, Hashable, CaseIterable {
    /// The step read the clock (pins fix the start; a time read later, or a sub-second race, can still differ).
    case time
    /// The step used randomness the recording did not pin (`$RANDOM`, an unseeded generator, `/dev/urandom`).
    case randomness
    /// The step used the network, which the sandbox does not have.
    case network
    /// The step read something of the host the recording did not capture (`/proc`, users, processes, ...).
    case environment
    /// Content the replay needed was not kept (a snapshot file or an output blob).
    case missingBlob = "missing_blob"
    /// An earlier divergence left the workspace different, and this step read it.
    case earlierDivergence = "earlier_divergence"
    /// None of the above could be told from the step.
    case unknown
}

/// One way a replayed step differs from the recording.
public struct StepDifference: Sendable, Hashable {
    /// `exit`, `stdout`, `stderr`, `workspace` or `content`.
    public var field: String
    public var recorded: String
    public var replayed: String
    /// A readable diff of the two, when both sides are text.
    public var diff: String?

    public init(field: String, recorded: String, replayed: String, diff: String? = nil) {
        self.field = field
        self.recorded = recorded
        self.replayed = replayed
        self.diff = diff
    }
}

/// The outcome of one replayed step.
public struct StepReport: Sendable, Hashable {
    public enum Verdict: String, Sendable, Hashable {
        case match
        case diverged
        case skipped
        /// Recorded, but the replayed agent never did it (harness mode).
        case missing
        /// Done by the replayed agent, but not in the recording (harness mode).
        case extra

        /// Whether the step departs from the recording (diverged, missing or extra).
        public var isDivergence: Bool { self == .diverged || self == .missing || self == .extra }
    }

    /// The recorded event's seq; for an `extra` step, the recorded step it came after (0 if none).
    public var seq: UInt64
    /// `exec`, `edit`, or `model` (a model call in harness mode).
    public var kind: String
    /// The command line, or the edit (`write src/a.txt`), shortened for display.
    public var summary: String
    public var verdict: Verdict
    public var cause: DivergenceCause?
    /// What pointed to the cause.
    public var evidence: String?
    public var differences: [StepDifference] = []
    /// Why the step was skipped.
    public var reason: String?
    /// How long the replayed command ran.
    public var durationMs: Double?
    /// Whether the recorded file changes were applied after a divergence, so later steps start
    /// from the recorded workspace.
    public var resynced = false
    /// The seq of what the replay did, in the session the replay was stored as (harness mode).
    public var replaySeq: UInt64?

    public init(seq: UInt64, kind: String, summary: String, verdict: Verdict) {
        self.seq = seq
        self.kind = kind
        self.summary = summary
        self.verdict = verdict
    }
}
