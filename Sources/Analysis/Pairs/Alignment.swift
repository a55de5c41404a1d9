import TraceModel

/// A global alignment (Needleman–Wunsch) of two sessions' action steps, with the first place
/// where they part ways — for `parallax compare A B`.
public struct Alignment: Sendable, Hashable, Codable {
    public enum Operation: String, Sendable, Hashable, Codable {
        /// Same normalized step on both sides.
        case match
        /// Different steps opposite each other.
        case substitute
        /// A step only the left session took.
        case leftOnly = "left_only"
        /// A step only the right session took.
        case rightOnly = "right_only"
    }

    /// One line of the side-by-side view: indexes into `left` and `right`.
    public struct Row: Sendable, Hashable, Codable {
        public var left: Int?
        public var right: Int?
        public var operation: Operation
    }

    /// Scores: higher is more alike. Steps of the same kind and first word (same program or
    /// tool) count as `similar`.
    public struct Scoring: Sendable, Hashable, Codable {
        public var match = 2
        public var similar = 0
        public var mismatch = -1
        public var gap = -1
        public init() {}
    }

    public var left: [ActionStep]
    public var right: [ActionStep]
    public var rows: [Row]
    public var score: Int
    /// Index into `rows` of the first row that is not a match; nil when the sessions agree throughout.
    public var firstDivergence: Int?
    /// True when the sessions were too long for one table and were aligned block by block.
    public var approximate: Bool

    /// Aligns two sessions' events (each normalized against its own workspace).
    public init(left: [Event], right: [Event], scoring: Scoring = Scoring()) {
        self.init(left: ActionStep.steps(of: left), right: ActionStep.steps(of: right), scoring: scoring)
    }

    /// Most cells one dynamic-programming table may have (one byte each); larger middles are
    /// aligned in consecutive blocks and the alignment is marked `approximate`.
    public static let maxCells = 64 << 20

    /// Aligns two step lists. A common prefix and suffix are matched directly; the rest costs
    /// time proportional to its left × right size and one byte of memory per cell.
    public init(left: [ActionStep], right: [ActionStep], scoring: Scoring = Scoring(), maxCells: Int = Alignment.maxCells) {
        self.left = left
        self.right = right
        // Texts and (kind, first word) pairs become small integers, so the inner loop compares ints.
        var ids: [String: Int] = [:]
        func id(_ key: String) -> Int {
            if let v = ids[key] { return v }
            ids[key] = ids.count
            return ids.count - 1
        }
        func head(_ s: ActionStep) -> String { s.kind + " " + (s.text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "") }
        let lt = left.map { id($0.text) }, rt = right.map { id($0.text) }
        let lh = left.map { id(head($0)) }, rh = right.map { id(head($0)) }

        var prefix = 0
        while prefix < lt.count, prefix < rt.count, lt[prefix] == rt[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < lt.count - prefix, suffix < rt.count - prefix, lt[lt.count - 1 - suffix] == rt[rt.count - 1 - suffix] { suffix += 1 }

        var rows = (0..<prefix).map { Row(left: $0, right: $0, operation: .match) }
        var total = prefix * scoring.match + suffix * scoring.match
        var approximate = false
        // The middle, in blocks small enough for the table (one block unless it is huge).
        let l0 = prefix, l1 = lt.count - suffix, r0 = prefix, r1 = rt.count - suffix
        let n = l1 - l0, m = r1 - r0
        var blocks = 1
        while n > 0, m > 0, (n / blocks + 1) * (m / blocks + 1) > maxCells { blocks *= 2 }
        if blocks > 1 { approximate = true }
        for b in 0..<blocks {
            let la = l0 + n * b / blocks, lb = l0 + n * (b + 1) / blocks
            let ra = r0 + m * b / blocks, rb = r0 + m * (b + 1) / blocks
            let (blockRows, blockScore) = Self.align(lt, lh, la..<lb, rt, rh, ra..<rb, scoring)
            rows += blockRows
            total += blockScore
        }
        rows += (0..<suffix).map { Row(left: lt.count - suffix + $0, right: rt.count - suffix + $0, operation: .match) }
        self.rows = rows
        self.score = total
        self.approximate = approximate
        firstDivergence = rows.firstIndex { $0.operation != .match }
    }

    /// Needleman–Wunsch over `left[lr]` × `right[rr]`: rolling score rows, a byte per cell for
    /// the path. Ties prefer the diagonal, then a left-only step, so the result is deterministic.
    static func align(_ lt: [Int], _ lh: [Int], _ lr: Range<Int>, _ rt: [Int], _ rh: [Int], _ rr: Range<Int>,
                      _ scoring: Scoring) -> ([Row], Int) {
        let n = lr.count, m = rr.count, width = m + 1
        var move = [UInt8](repeating: 0, count: (n + 1) * width)  // 0 diagonal, 1 left only, 2 right only
        var previous = (0...m).map { $0 * scoring.gap }
        var current = [Int](repeating: 0, count: m + 1)
        for j in stride(from: 1, through: m, by: 1) { move[j] = 2 }
        for i in stride(from: 1, through: n, by: 1) {
            current[0] = i * scoring.gap
            move[i * width] = 1
            let li = lr.lowerBound + i - 1
            for j in stride(from: 1, through: m, by: 1) {
                let rj = rr.lowerBound + j - 1
                let pair = lt[li] == rt[rj] ? scoring.match : (lh[li] == rh[rj] ? scoring.similar : scoring.mismatch)
                let diagonal = previous[j - 1] + pair, up = previous[j] + scoring.gap, across = current[j - 1] + scoring.gap
                if diagonal >= up && diagonal >= across { current[j] = diagonal; move[i * width + j] = 0 }
                else if up >= across { current[j] = up; move[i * width + j] = 1 }
                else { current[j] = across; move[i * width + j] = 2 }
            }
            swap(&previous, &current)
        }
        var rows: [Row] = []
        var i = n, j = m
        while i > 0 || j > 0 {
            let step: UInt8 = i == 0 ? 2 : (j == 0 ? 1 : move[i * width + j])
            let l = lr.lowerBound + i - 1, r = rr.lowerBound + j - 1
            switch step {
            case 0: rows.append(Row(left: l, right: r, operation: lt[l] == rt[r] ? .match : .substitute)); i -= 1; j -= 1
            case 1: rows.append(Row(left: l, right: nil, operation: .leftOnly)); i -= 1
            default: rows.append(Row(left: nil, right: r, operation: .rightOnly)); j -= 1
            }
        }
        return (rows.reversed(), previous[m])
    }

    /// The steps at the first divergence (either may be nil), or nil when there is none.
    public var divergence: (left: ActionStep?, right: ActionStep?)? {
        guard let d = firstDivergence else { return nil }
        return (rows[d].left.map { left[$0] }, rows[d].right.map { right[$0] })
    }
}
