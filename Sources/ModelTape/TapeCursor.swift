import TraceModel

/// How strictly replayed requests must follow the recorded order.
public struct TapePolicy: Sendable, Hashable {
    /// How many unused entries a request may skip to find its digest (0: strictly in order). A few
    /// allow concurrent calls to arrive in another order than they were recorded.
    public var reorderWindow: Int

    public init(reorderWindow: Int = 4) {
        self.reorderWindow = max(0, reorderWindow)
    }
}

/// What the cursor decided for one request.
public enum TapeMatch: Sendable, Equatable {
    /// Serve this entry (index on the tape).
    case entry(Int)
    /// Do not serve anything: the request is not where the tape expects it.
    case divergence(TapeDivergence.Reason, expected: Int?)
}

/// The tape's matching policy as a value-type state machine: the next unused entry whose digest
/// matches, within `reorderWindow` unused entries of the first unused one. Anything else is a
/// divergence and consumes nothing.
public struct TapeCursor: Sendable {
    public let digests: [Digest]
    public let policy: TapePolicy
    public private(set) var used: [Bool]
    /// Requests matched so far (served or not).
    public private(set) var requests = 0

    public init(digests: [Digest], policy: TapePolicy = TapePolicy()) {
        self.digests = digests
        self.policy = policy
        self.used = Array(repeating: false, count: digests.count)
    }

    /// The first entry not served yet.
    public var firstUnused: Int? { used.firstIndex(of: false) }

    /// Whether every entry has been served.
    public var isExhausted: Bool { firstUnused == nil }

    public mutating func match(_ digest: Digest) -> TapeMatch {
        requests += 1
        guard let first = firstUnused else { return .divergence(.tapeExhausted, expected: nil) }
        var skipped = 0
        for index in first..<digests.count where !used[index] {
            if digests[index] == digest {
                guard skipped <= policy.reorderWindow else { return .divergence(.outOfOrder, expected: first) }
                used[index] = true
                return .entry(index)
            }
            skipped += 1
        }
        return .divergence(.notOnTape, expected: first)
    }
}
