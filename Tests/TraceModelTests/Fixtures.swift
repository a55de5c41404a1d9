import TraceModel

enum Fixtures {
    /// The repository root, found from this file's path.
    static let repoRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/TraceModelTests/Fixtures.swift
        return parts.joined(separator: "/")
    }()

    static func session(seed: UInt64 = 1, rounds: ClosedRange<Int> = 3...3) -> [Event] {
        var generator = SyntheticTrace(seed: seed)
        generator.rounds = rounds
        return generator.session()
    }
}
