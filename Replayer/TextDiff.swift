/// A short, readable line diff for reports: `-` lines only in the recording, `+` lines only in
/// the replay, a little context, long inputs cut.
enum TextDiff {
    static let maxLinesCompared = 400
    static let maxOutputLines = 24

    static func lines(recorded: String, replayed: String) -> String {
        let a = Array(split(recorded).prefix(maxLinesCompared))
        let b = Array(split(replayed).prefix(maxLinesCompared))
        // Longest common subsequence table, from the end, so the walk below goes forward.
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var output: [String] = []
        var i = 0, j = 0
        var pendingContext: String?
        func emit(_ line: String) {
            if let context = pendingContext { output.append("  " + context); pendingContext = nil }
            output.append(line)
        }
        while i < a.count || j < b.count, output.count < maxOutputLines {
            if i < a.count, j < b.count, a[i] == b[j] {
                pendingContext = clip(a[i])
                i += 1; j += 1
            } else if j < b.count, i == a.count || table[i][j + 1] >= table[i + 1][j] {
                emit("+ " + clip(b[j])); j += 1
            } else {
                emit("- " + clip(a[i])); i += 1
            }
        }
        if i < a.count || j < b.count { output.append("  …") }
        return output.joined(separator: "\n")
    }

    private static func split(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func clip(_ line: Substring) -> String {
        line.count > 160 ? String(line.prefix(160)) + "…" : String(line)
    }
}
