import Foundation

/// The result of a gap analysis: per condition, every metric against the baseline. Encodes to
/// the JSON documented by schemas/gap.schema.json (`jsonData()`).
public struct GapReport: Sendable, Hashable, Codable {
    public static let format = "parallax-gap"
    public static let formatVersion = 1

    public var format = GapReport.format
    public var formatVersion = GapReport.formatVersion
    public var baseline: String
    /// Confidence level of the intervals, e.g. 0.95.
    public var level: Double
    /// Family-wise significance level applied to Holm-adjusted p-values.
    public var alpha: Double
    /// Seed of the resampling; the same seed gives the same report.
    public var seed: UInt64
    public var rulesVersion: String
    public var tasks: [String]
    public var conditions: [ConditionSummary]
    public var comparisons: [Comparison]
    /// Per-session features, for drill-down (flagged actions, files, phrases).
    public var sessions: [SessionFeatures]

    public struct ConditionSummary: Sendable, Hashable, Codable {
        public var condition: String
        public var sessions: Int
        public var tasks: [String]
    }

    /// Baseline against one other condition.
    public struct Comparison: Sendable, Hashable, Codable {
        public var condition: String
        /// True when the comparison is paired by task (every session has a task and every task ran
        /// under both conditions).
        public var paired: Bool
        /// Tasks that contributed a pair (paired comparisons only).
        public var pairedTasks: [String]
        public var metrics: [MetricResult]
    }

    /// One group's value of a metric.
    public struct GroupValue: Sendable, Hashable, Codable {
        /// Sessions with a value.
        public var n: Int
        /// Rate or mean.
        public var value: Double?
        /// Sessions counted (rates only).
        public var count: Int?
        /// Wilson interval (rates only).
        public var interval: Interval?
        /// Sample standard deviation (means only).
        public var sd: Double?
    }

    /// A paired comparison's per-task values.
    public struct TaskDifference: Sendable, Hashable, Codable {
        public var task: String
        public var baseline: Double
        public var condition: Double
        /// condition − baseline.
        public var difference: Double
    }

    public struct MetricResult: Sendable, Hashable, Codable {
        public var metric: String
        public var kind: GapMetric.Kind
        public var description: String
        public var baseline: GroupValue
        public var condition: GroupValue
        /// `risk_difference` (rates) or `mean_difference` (means), always condition − baseline.
        public var effectName: String
        public var effect: Double?
        /// Hedges' g (means; for paired data, of the per-task differences).
        public var standardizedEffect: Double?
        public var interval: Interval?
        /// `newcombe`, `bootstrap_percentile`, `paired_bootstrap_percentile` (one run per task and
        /// condition) or `stratified_bootstrap_percentile`.
        public var intervalMethod: String
        public var pValue: Double?
        /// Holm-adjusted across the metrics of this comparison.
        public var adjustedP: Double?
        /// `fisher_exact`, `permutation`, `sign_flip_permutation` (one run per task and condition)
        /// or `stratified_permutation` (labels permuted within tasks).
        public var test: String
        public var significant: Bool
        /// Why the metric was not tested, when it was not (no values, no variation).
        public var note: String?
        public var perTask: [TaskDifference]?
    }

    /// Pretty, key-sorted JSON with snake_case keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> GapReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(GapReport.self, from: data)
    }

    public func comparison(_ condition: String) -> Comparison? { comparisons.first { $0.condition == condition } }
}

extension GapReport.Comparison {
    public func metric(_ id: String) -> GapReport.MetricResult? { metrics.first { $0.metric == id } }
}
