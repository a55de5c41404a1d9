/// A two-sided confidence interval for an estimate.
public struct Interval: Sendable, Hashable, Codable {
    public var lower: Double
    public var upper: Double
    /// Confidence level, e.g. 0.95.
    public var level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
    /// True when the interval lies entirely on one side of zero.
    public var excludesZero: Bool { lower > 0 || upper < 0 }
}
