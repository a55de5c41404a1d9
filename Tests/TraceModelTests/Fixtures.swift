import Foundation
import TraceModel

enum Fixtures {
    /// The repository root, found from this file's path.
    static let repoRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Tests/TraceModelTests/Fixtures.swift
        return parts.joined(separator: "/")
    }()

    /// Third-party samples beside the repository (present on developer machines and in CI).
    static let sharedTestdata = repoRoot + "/../shared/testdata"
    static let sharedTestdataAvailable = FileManager.default.fileExists(atPath: sharedTestdata)

    static func session(seed: UInt64 = 1, rounds: ClosedRange<Int> = 3...3) -> [Event] {
        var generator = SyntheticTrace(seed: seed)
        generator.rounds = rounds
        return generator.session()
    }
}
