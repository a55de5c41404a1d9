/// Holm's step-down adjustment (Holm 1979): controls the family-wise error rate across metrics
/// without assuming independence.
public enum Holm {
    /// Adjusted p-values in the input order: with p sorted ascending, adj(i) = max over j ≤ i of
    /// min(1, (m − j + 1) · p(j)). NaN inputs (untested metrics) stay NaN and do not count toward m.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let tested = pValues.indices.filter { !pValues[$0].isNaN }.sorted { pValues[$0] < pValues[$1] }
        var out = [Double](repeating: .nan, count: pValues.count)
        let m = tested.count
        var running = 0.0
        for (rank, index) in tested.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            out[index] = running
        }
        return out
    }
}
