/// Exponential backoff with jitter (wire.md §9): before retry `attempt` (0-based) wait a random time
/// in `[ceiling × (1 − jitter), ceiling]` where `ceiling = min(max, base × 2^attempt)`; `jitter` 1 is
/// "full jitter". Deterministic for a seeded generator.
public struct Backoff: Sendable, Equatable {
    /// Seconds before the first retry's ceiling.
    public var base: Double
    /// The largest wait, in seconds.
    public var max: Double
    /// The fraction of the ceiling that is random, 0...1.
    public var jitter: Double

    public init(base: Double = 1, max: Double = 60, jitter: Double = 1) {
        self.base = Swift.max(0, base)
        self.max = Swift.max(self.base, max)
        self.jitter = Swift.min(1, Swift.max(0, jitter))
    }

    /// The longest wait before retry `attempt`.
    public func ceiling(attempt: Int) -> Double {
        let exponent = Swift.min(Swift.max(0, attempt), 62)
        let grown = base * Double(UInt64(1) << UInt64(exponent))
        return Swift.min(max, grown)
    }

    /// The wait before retry `attempt`.
    public func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Double {
        let top = ceiling(attempt: attempt)
        let bottom = top * (1 - jitter)
        guard top > bottom else { return top }
        return Double.random(in: bottom...top, using: &generator)
    }

    /// The wait before retry `attempt`, never shorter than a `Retry-After` the collector asked for.
    public func delay(attempt: Int, retryAfter: Double?, using generator: inout some RandomNumberGenerator) -> Double {
        let own = delay(attempt: attempt, using: &generator)
        guard let retryAfter, retryAfter > own else { return own }
        return retryAfter
    }
}
