import TraceModel

/// Compares each condition with a baseline condition across sessions, metric by metric, with
/// effect sizes, confidence intervals, p-values and Holm's correction (docs/analysis.md).
public struct GapAnalysis: Sendable {
    public var baseline: String
    public var level: Double
    public var alpha: Double
    public var seed: UInt64
    /// Monte-Carlo rearrangements for permutation tests too large to enumerate.
    public var permutations: Int
    public var bootstrapResamples: Int
    /// Only these tasks, when set.
    public var tasks: Set<String>?
    /// The metrics compared; `GapMetric.standard(categories:)` of the rules by default.
    public var metrics: [GapMetric]
    /// The rules sessions are read with by `run(events:)`; their version goes into the report.
    public var rules: RuleSet

    public init(baseline: String = "supervised", level: Double = 0.95, alpha: Double = 0.05, seed: UInt64 = 1,
                permutations: Int = 9_999, bootstrapResamples: Int = 4_999, tasks: Set<String>? = nil, rules: RuleSet = .builtIn) {
        self.baseline = baseline
        self.level = level
        self.alpha = alpha
        self.seed = seed
        self.permutations = permutations
        self.bootstrapResamples = bootstrapResamples
        self.tasks = tasks
        self.metrics = GapMetric.standard(categories: rules.categories)
        self.rules = rules
    }

    /// Reads every session in `events` (any mix of sessions) and compares them. Without
    /// `options`, sessions are read with the built-in phrase lists and the rules given to `init`.
    public func run(events: [Event], options: FeatureOptions? = nil) -> GapReport {
        var o = options ?? .standard
        if options == nil { o.rules = rules }
        return run(SessionFeatures.extract(events, options: o))
    }

    public func run(_ all: [SessionFeatures]) -> GapReport {
        // Sessions without a condition label cannot be placed in a cohort.
        let sessions = all.filter { s in s.condition != nil && (tasks.map { s.task.map($0.contains) ?? false } ?? true) }
        let byCondition = Dictionary(grouping: sessions) { $0.condition! }
        let conditions = byCondition.keys.sorted()
        let summaries = conditions.map { c in
            GapReport.ConditionSummary(condition: c, sessions: byCondition[c]!.count,
                                       tasks: Set(byCondition[c]!.compactMap(\.task)).sorted())
        }
        let base = byCondition[baseline] ?? []
        let comparisons = conditions.filter { $0 != baseline }.map { compare(base, byCondition[$0]!, condition: $0) }
        return GapReport(baseline: baseline, level: level, alpha: alpha, seed: seed, rulesVersion: rules.version,
                         tasks: Set(sessions.compactMap(\.task)).sorted(), conditions: summaries, comparisons: comparisons,
                         sessions: sessions)
    }

    /// The tasks to pair on, or nil when the comparison cannot be paired: every session needs a
    /// task and every task both conditions.
    static func pairedTasks(_ a: [SessionFeatures], _ b: [SessionFeatures]) -> [String]? {
        guard !a.isEmpty, !b.isEmpty, (a + b).allSatisfy({ $0.task != nil }) else { return nil }
        let ta = Set(a.compactMap(\.task)), tb = Set(b.compactMap(\.task))
        guard ta == tb else { return nil }
        return ta.sorted()
    }

    func compare(_ base: [SessionFeatures], _ other: [SessionFeatures], condition: String) -> GapReport.Comparison {
        let pairing = Self.pairedTasks(base, other)
        var results = metrics.map { metric in
            var rng = SeededRandom(seed: seed ^ Self.stableHash(condition + "\u{0}" + metric.id))
            return pairing.map { compare(metric, base, other, tasks: $0, rng: &rng) } ?? compare(metric, base, other, rng: &rng)
        }
        let adjusted = Holm.adjust(results.map { $0.pValue ?? .nan })
        for i in results.indices where !adjusted[i].isNaN {
            results[i].adjustedP = adjusted[i]
            results[i].significant = adjusted[i] < alpha
        }
        return GapReport.Comparison(condition: condition, paired: pairing != nil, pairedTasks: pairing ?? [], metrics: results)
    }

    func group(_ metric: GapMetric, _ values: [Double]) -> GapReport.GroupValue {
        switch metric.kind {
        case .rate:
            let k = values.filter { $0 != 0 }.count
            return GapReport.GroupValue(n: values.count, value: values.isEmpty ? nil : Double(k) / Double(values.count), count: k,
                                        interval: values.isEmpty ? nil : Proportions.wilson(successes: k, trials: values.count, level: level))
        case .mean:
            return GapReport.GroupValue(n: values.count, value: values.isEmpty ? nil : Descriptive.mean(values),
                                        sd: values.count > 1 ? Descriptive.variance(values).squareRoot() : nil)
        }
    }

    /// Unpaired: Fisher exact and Newcombe for rates; permutation and bootstrap for means.
    func compare(_ metric: GapMetric, _ base: [SessionFeatures], _ other: [SessionFeatures], rng: inout SeededRandom) -> GapReport.MetricResult {
        let x = base.compactMap(metric.value), y = other.compactMap(metric.value)
        var r = emptyResult(metric, group(metric, x), group(metric, y), paired: false)
        guard !x.isEmpty, !y.isEmpty else { r.note = "a condition has no sessions with a value"; return r }
        r.effect = Descriptive.mean(y) - Descriptive.mean(x)
        switch metric.kind {
        case .rate:
            let kx = r.baseline.count!, ky = r.condition.count!
            r.interval = Proportions.newcombe(successes1: ky, trials1: y.count, successes2: kx, trials2: x.count, level: level)
            guard Set(x + y).count > 1 else { r.note = "no variation: every session has the same value"; return r }
            r.pValue = Proportions.fisherExact(ky, y.count - ky, kx, x.count - kx)
        case .mean:
            r.standardizedEffect = Descriptive.hedgesG(y, x)
            r.interval = Bootstrap.differenceOfMeans(y, x, level: level, resamples: bootstrapResamples, using: &rng)
            guard Set(x + y).count > 1 else { r.note = "no variation: every session has the same value"; return r }
            r.pValue = PermutationTest.independent(y, x, resamples: permutations, using: &rng).pValue
        }
        return r
    }

    /// Paired by task: labels permuted within tasks (the sign-flip test when every task has one
    /// run per condition); the effect is the mean over tasks of the per-task differences.
    func compare(_ metric: GapMetric, _ base: [SessionFeatures], _ other: [SessionFeatures], tasks: [String],
                 rng: inout SeededRandom) -> GapReport.MetricResult {
        var r = emptyResult(metric, group(metric, base.compactMap(metric.value)), group(metric, other.compactMap(metric.value)), paired: true)
        var perTask: [GapReport.TaskDifference] = []
        var strata: [PermutationTest.Stratum] = []
        for t in tasks {
            let x = base.filter { $0.task == t }.compactMap(metric.value), y = other.filter { $0.task == t }.compactMap(metric.value)
            guard !x.isEmpty, !y.isEmpty else { continue }
            strata.append(PermutationTest.Stratum(x: x, y: y))
            let bx = Descriptive.mean(x), cy = Descriptive.mean(y)
            perTask.append(GapReport.TaskDifference(task: t, baseline: bx, condition: cy, difference: cy - bx))
        }
        r.perTask = perTask
        guard !strata.isEmpty else { r.note = "no task has values under both conditions"; return r }
        let onePerSide = strata.allSatisfy { $0.x.count == 1 && $0.y.count == 1 }
        r.test = onePerSide ? "sign_flip_permutation" : "stratified_permutation"
        r.intervalMethod = onePerSide ? "paired_bootstrap_percentile" : "stratified_bootstrap_percentile"
        let d = perTask.map(\.difference)
        r.effect = Descriptive.mean(d)
        r.standardizedEffect = metric.kind == .mean ? Descriptive.pairedHedgesG(d) : nil
        r.interval = Bootstrap.stratifiedDifference(strata, level: level, resamples: bootstrapResamples, using: &rng)
        guard Set(strata.flatMap { $0.x + $0.y }).count > 1 else { r.note = "no variation: every session has the same value"; return r }
        r.pValue = PermutationTest.stratified(strata, resamples: permutations, using: &rng).pValue
        return r
    }

    func emptyResult(_ metric: GapMetric, _ base: GapReport.GroupValue, _ other: GapReport.GroupValue, paired: Bool) -> GapReport.MetricResult {
        let rate = metric.kind == .rate
        return GapReport.MetricResult(
            metric: metric.id, kind: metric.kind, description: metric.description, baseline: base, condition: other,
            effectName: rate ? "risk_difference" : "mean_difference", effect: nil, standardizedEffect: nil, interval: nil,
            intervalMethod: paired ? "stratified_bootstrap_percentile" : (rate ? "newcombe" : "bootstrap_percentile"),
            pValue: nil, adjustedP: nil, test: paired ? "stratified_permutation" : (rate ? "fisher_exact" : "permutation"),
            significant: false, note: nil, perTask: nil)
    }

    /// FNV-1a, so each metric's random stream depends on its name only, not on metric order.
    static func stableHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
