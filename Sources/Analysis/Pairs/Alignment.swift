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

    /// Aligns two sessions' events (each normalized against its own workspace).
    public init(left: [Event], right: [Event], scoring: Scoring = Scoring()) {
        self.init(left: ActionStep.steps(of: left), right: ActionStep.steps(of: right), scoring: scoring)
    }

    /// Aligns two step lists. Time and memory are proportional to left.count × right.count.
    public init(left: [ActionStep], right: [ActionStep], scoring: Scoring = Scoring()) {
        self.left = left
        self.right = right
        let n = left.count, m = right.count, width = m + 1
        // Texts and (kind, first word) pairs become small integers, so the n × m loop compares ints.
        var ids: [String: Int] = [:]
        func id(_ key: String) -> Int {
            if let v = ids[key] { return v }
            ids[key] = ids.count
            return ids.count - 1
        }
        func head(_ s: ActionStep) -> String { s.kind + " " + (s.text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "") }
        let leftText = left.map { id($0.text) }, rightText = right.map { id($0.text) }
        let leftHead = left.map { id(head($0)) }, rightHead = right.map { id(head($0)) }
        func pairScore(_ i: Int, _ j: Int) -> Int {
            if leftText[i] == rightText[j] { return scoring.match }
            return leftHead[i] == rightHead[j] ? scoring.similar : scoring.mismatch
        }
        var table = [Int](repeating: 0, count: (n + 1) * width)
        // 0 = diagonal, 1 = up (left only), 2 = left (right only)
        var move = [UInt8](repeating: 0, count: (n + 1) * width)
        for i in stride(from: 1, through: n, by: 1) { table[i * width] = i * scoring.gap; move[i * width] = 1 }
        for j in stride(from: 1, through: m, by: 1) { table[j] = j * scoring.gap; move[j] = 2 }
        if n > 0 && m > 0 {
            for i in 1...n {
                for j in 1...m {
                    let diagonal = table[(i - 1) * width + j - 1] + pairScore(i - 1, j - 1)
                    let up = table[(i - 1) * width + j] + scoring.gap
                    let across = table[i * width + j - 1] + scoring.gap
                    // Ties prefer the diagonal, then a left-only step: one deterministic path.
                    if diagonal >= up && diagonal >= across { table[i * width + j] = diagonal; move[i * width + j] = 0 }
                    else if up >= across { table[i * width + j] = up; move[i * width + j] = 1 }
                    else { table[i * width + j] = across; move[i * width + j] = 2 }
                }
            }
        }
        score = table[n * width + m]
        var rows: [Row] = []
        var i = n, j = m
        while i > 0 || j > 0 {
            let step: UInt8 = i == 0 ? 2 : (j == 0 ? 1 : move[i * width + j])
            switch step {
            case 0:
                rows.append(Row(left: i - 1, right: j - 1, operation: leftText[i - 1] == rightText[j - 1] ? .match : .substitute))
                i -= 1; j -= 1
            case 1:
                rows.append(Row(left: i - 1, right: nil, operation: .leftOnly)); i -= 1
            default:
                rows.append(Row(left: nil, right: j - 1, operation: .rightOnly)); j -= 1
            }
        }
        self.rows = rows.reversed()
        firstDivergence = self.rows.firstIndex { $0.operation != .match }
    }

    /// The steps at the first divergence (either may be nil), or nil when there is none.
    public var divergence: (left: ActionStep?, right: ActionStep?)? {
        guard let d = firstDivergence else { return nil }
        return (rows[d].left.map { left[$0] }, rows[d].right.map { right[$0] })
    }
}
