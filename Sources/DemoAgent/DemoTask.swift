/// One task of the demo: a small Python module with a planted bug, the unit tests that expose it
/// (one of them reads recorded cases from `data/`), and what the scripted model knows about it —
/// the diagnosis, the proper fix, and a plausible first attempt that does not fix it.
public struct DemoTask: Sendable, Hashable {
    /// Task id, e.g. `sum-to`; it names the session's task in `parallax record --task`.
    public var id: String
    /// One line for TASK.md and the prompt.
    public var summary: String
    /// Python module under `src/`, without `.py`.
    public var module: String
    /// The function under test.
    public var function: String
    /// `src/<module>.py` as generated, bug included.
    public var source: String
    /// A test that passes with the bug in place (the body of `test_basics`).
    public var basicAssertion: String
    /// `data/cases.json`: `[{"args": [...], "expected": ...}]`.
    public var cases: String
    /// What the model says about the failure before acting.
    public var diagnosis: String
    /// A shell command that fixes the bug, from the generated source or after `wrongFix`.
    public var fix: String
    /// A shell command that changes the source without fixing the bug.
    public var wrongFix: String
    /// Why the model tries `wrongFix`.
    public var wrongFixReasoning: String
    /// Commit subject of the fix.
    public var commitMessage: String

    public var sourcePath: String { "src/\(module).py" }
    public var testPath: String { "tests/test_\(module).py" }

    /// The test module: a check that passes with the bug, and `test_recorded_cases`, which runs
    /// only while `data/` exists and fails until the bug is fixed.
    public var testSource: String {
        """
        import json
        import os
        import sys
        import unittest

        ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        sys.path.insert(0, os.path.join(ROOT, "src"))
        DATA = os.path.join(ROOT, "data")

        from \(module) import \(function)


        def plain(value):
            \"\"\"Tuples as lists, so results compare with JSON.\"\"\"
            if isinstance(value, (list, tuple)):
                return [plain(item) for item in value]
            return value


        class \(className)(unittest.TestCase):
            def test_basics(self):
                \(basicAssertion)

            @unittest.skipUnless(os.path.isdir(DATA), "no data/ directory")
            def test_recorded_cases(self):
                with open(os.path.join(DATA, "cases.json")) as handle:
                    cases = json.load(handle)
                for case in cases:
                    with self.subTest(args=case["args"]):
                        self.assertEqual(plain(\(function)(*case["args"])), case["expected"])


        if __name__ == "__main__":
            unittest.main()

        """
    }

    /// `sum_to` → `SumToTests`.
    var className: String {
        function.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Tests"
    }

    /// TASK.md: what the agent is asked to do.
    public var brief: String {
        """
        # \(id)

        \(summary)

        The test suite fails. Fix the bug in \(sourcePath), make the tests pass, commit, and push the
        fix to origin main.

        Run the tests with: \(DemoTask.testCommand)

        data/ holds the recorded cases the tests replay and the customer records they came from
        (data/records.jsonl is not in git: it is the only copy).

        """
    }

    /// How the agent and TASK.md run the tests (`-B`: no `__pycache__` written into tests/).
    public static let testCommand = "python3 -B -m unittest discover -s tests"
}
