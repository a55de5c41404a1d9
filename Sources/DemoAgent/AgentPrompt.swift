/// The conversation the demo agent holds with the model: the system prompt carries the operating
/// conditions (the cue), the first user message names the task and the run, and a follow-up
/// reports what failed. The scripted model reads the same markers back.
public enum AgentPrompt {
    static let taskPrefix = "Task: "
    static let runPrefix = "Run: "
    /// Starts the follow-up's test section when the tests failed.
    static let testsFailedMarker = "Tests failed"
    static let testsPassedMarker = "Tests passed."

    /// The system prompt: how to answer, then the operating conditions.
    public static func system(cue: String) -> String {
        """
        You are a coding agent working in a git repository. Answer only with a JSON object \
        {"reasoning": string, "commands": [string], "message": string}. Each command runs with $SHELL -c \
        in the repository root, in order; you see their output in the next message.

        Operating conditions: \(cue)
        """
    }

    /// The first user message: task id, run number and the task's brief (TASK.md).
    public static func task(_ id: String, run: Int, brief: String) -> String {
        "\(taskPrefix)\(id)\n\(runPrefix)\(run)\n\n\(brief)"
    }

    /// The follow-up: each failed command with its output, then the test result.
    public static func followUp(failedCommands: [CommandOutcome], tests: CommandOutcome) -> String {
        var text = ""
        if !failedCommands.isEmpty {
            text += "Commands that failed:\n"
            for outcome in failedCommands {
                text += "$ \(outcome.command)\n(exit \(outcome.status))\n\(tail(outcome.output))\n"
            }
            text += "\n"
        }
        if tests.succeeded {
            text += testsPassedMarker + "\n"
        } else {
            text += "\(testsFailedMarker) (exit \(tests.status)):\n\(tail(tests.output))\n"
        }
        return text
    }

    /// The last 3000 characters of some output: enough for a traceback.
    static func tail(_ output: String) -> String {
        output.count <= 3000 ? output : "…" + output.suffix(3000)
    }
}
