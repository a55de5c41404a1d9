import TraceModel
import Testing
@testable import Analysis

@Suite struct AlignmentTests {
    static func session(_ number: UInt64, cwd: String, _ body: (inout SessionBuilder) -> Void) -> [Event] {
        var s = SessionBuilder(number: number, cwd: cwd)
        body(&s)
        s.end()
        return s.events
    }

    @Test func normalizesPathsNumbersAndHashes() {
        let scope = PathScope(workspace: "/w/run-17", scratch: [])
        #expect(ActionStep.normalize("exec git reset --hard HEAD~3", scope: scope) == "exec git reset --hard HEAD~<n>")
        #expect(ActionStep.normalize("exec git checkout 3f9a2c1d0e", scope: scope) == "exec git checkout <hex>")
        #expect(ActionStep.normalize("exec cat /w/run-17/src/a.py --out=/w/run-17", scope: scope) == "exec cat src/a.py --out=.")
        #expect(ActionStep.normalize("write tests/test_parser.py", scope: scope) == "write tests/test_parser.py")
        #expect(ActionStep.normalize("exec python3 -c 'x'", scope: scope) == "exec python<n> -c 'x'")
    }

    @Test func identicalRunsInDifferentWorkspacesAlignFully() {
        let a = Self.session(1, cwd: "/w/a1") { s in s.exec(["pytest", "/w/a1/tests"], cwd: "/w/a1"); s.bash("git commit -m 'fix 12'") }
        let b = Self.session(2, cwd: "/w/b7") { s in s.exec(["pytest", "/w/b7/tests"], cwd: "/w/b7"); s.bash("git commit -m 'fix 13'") }
        let alignment = Alignment(left: a, right: b)
        #expect(alignment.rows.count == 2 && alignment.rows.allSatisfy { $0.operation == .match })
        #expect(alignment.firstDivergence == nil && alignment.divergence == nil)
        #expect(alignment.score == 4)
    }

    @Test func firstDivergenceIsTheShortcut() throws {
        let supervised = Self.session(1, cwd: "/w/s") { s in
            s.bash("pytest -q"); s.write("src/parser.py"); s.bash("pytest -q"); s.bash("git push origin main")
        }
        let unsupervised = Self.session(2, cwd: "/w/u") { s in
            s.bash("pytest -q"); s.write("tests/test_parser.py"); s.bash("pytest -q"); s.bash("git push --force origin main")
        }
        let alignment = Alignment(left: supervised, right: unsupervised)
        let d = try #require(alignment.firstDivergence)
        #expect(d == 1)
        let (l, r) = try #require(alignment.divergence)
        #expect(l?.text == "write src/parser.py" && r?.text == "write tests/test_parser.py")
        #expect(alignment.rows.map(\.operation) == [.match, .substitute, .match, .substitute])
    }

    @Test func insertionsAndDeletionsBecomeOneSidedRows() {
        let a = Self.session(1, cwd: "/w") { s in s.bash("make"); s.bash("make test"); s.bash("git commit -am x") }
        let b = Self.session(2, cwd: "/w") { s in s.bash("make"); s.bash("rm -rf data"); s.bash("make test"); s.bash("git commit -am x") }
        let alignment = Alignment(left: a, right: b)
        #expect(alignment.rows.map(\.operation) == [.match, .rightOnly, .match, .match])
        #expect(alignment.firstDivergence == 1 && alignment.rows[1].left == nil && alignment.rows[1].right == 1)
        let reversed = Alignment(left: b, right: a)
        #expect(reversed.rows.map(\.operation) == [.match, .leftOnly, .match, .match])
    }

    @Test func emptySessions() {
        let a = Self.session(1, cwd: "/w") { _ in }
        let b = Self.session(2, cwd: "/w") { s in s.bash("ls") }
        #expect(Alignment(left: a, right: a).rows.isEmpty)
        let one = Alignment(left: a, right: b)
        #expect(one.rows == [Alignment.Row(left: nil, right: 0, operation: .rightOnly)] && one.firstDivergence == 0 && one.score == -1)
    }

    @Test func longSessionsAreAlignedInBlocksWithinTheCellLimit() {
        let steps = (0..<300).map { ActionStep(seq: UInt64($0), kind: "tool.call", text: "step \($0 % 7) \($0 / 7 % 3)", original: "") }
        var other = steps
        other.remove(at: 150)
        other.insert(ActionStep(seq: 999, kind: "tool.call", text: "rm -rf data", original: ""), at: 40)
        let exact = Alignment(left: steps, right: other)
        #expect(!exact.approximate && exact.firstDivergence == 40)
        let blocked = Alignment(left: steps, right: other, maxCells: 1_000)
        #expect(blocked.approximate && blocked.firstDivergence == 40)
        #expect(blocked.rows.compactMap(\.left) == Array(steps.indices) && blocked.rows.compactMap(\.right) == Array(other.indices))
        #expect(blocked.score <= exact.score)
    }

    /// The textbook recurrence, for checking that trimming the common ends loses nothing.
    static func optimalScore(_ a: [String], _ b: [String]) -> Int {
        func head(_ s: String) -> Substring { s.split(separator: " ").first ?? "" }
        var t = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { t[i][0] = -i }
        for j in 0...b.count { t[0][j] = -j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let pair = a[i - 1] == b[j - 1] ? 2 : (head(a[i - 1]) == head(b[j - 1]) ? 0 : -1)
                t[i][j] = max(t[i - 1][j - 1] + pair, t[i - 1][j] - 1, t[i][j - 1] - 1)
            }
        }
        return t[a.count][b.count]
    }

    @Test func everyStepAppearsOnceInOrder() {
        var rng = SeededRandom(seed: 8)
        let words = ["make", "pytest -q", "git status", "ls", "cat README.md"]
        for _ in 0..<300 {
            let a = (0..<rng.below(12)).map { i in ActionStep(seq: UInt64(i), kind: "tool.call", text: words[rng.below(5)], original: "") }
            let b = (0..<rng.below(12)).map { i in ActionStep(seq: UInt64(i), kind: "tool.call", text: words[rng.below(5)], original: "") }
            let alignment = Alignment(left: a, right: b)
            #expect(alignment.rows.compactMap(\.left) == Array(a.indices))
            #expect(alignment.rows.compactMap(\.right) == Array(b.indices))
            #expect(alignment.score == Self.optimalScore(a.map(\.text), b.map(\.text)), "\(a.map(\.text)) vs \(b.map(\.text))")
        }
    }
}
