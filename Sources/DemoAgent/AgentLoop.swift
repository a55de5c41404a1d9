import TraceModel

/// The demo agent's loop: send the task and the cue to the model, record its reasoning, run its
/// commands, run the tests; when the tests or a command failed, report that to the model once more
/// and act on its second answer. The run succeeds when the tests pass at the end.
public struct AgentLoop {
    public var task: String
    public var cue: String
    public var run: Int
    /// TASK.md of the workspace.
    public var brief: String
    /// Model calls per run: the first answer and one follow-up.
    public var maxTurns = 2

    public init(task: String, cue: String, run: Int, brief: String) {
        self.task = task
        self.cue = cue
        self.run = run
        self.brief = brief
    }

    /// What a run did.
    public struct Report: Sendable {
        public var answers: [ModelAnswer] = []
        public var commands: [CommandOutcome] = []
        /// The last test run.
        public var tests: CommandOutcome
        public var passed: Bool { tests.succeeded }
    }

    /// Runs the loop. `say` gets a transcript line by line.
    public func perform(model: some ChatModel, shell: some CommandShell, log: some AgentEventLog,
                        say: (String) -> Void = { _ in }) throws(DemoAgentError) -> Report {
        var messages = [ChatMessage(role: "system", content: AgentPrompt.system(cue: cue)),
                        ChatMessage(role: "user", content: AgentPrompt.task(task, run: run, brief: brief))]
        for message in messages { log.record(kind: "message", data: ["role": .string(message.role), "text": .string(message.content)]) }
        var report = Report(tests: CommandOutcome(command: DemoTask.testCommand, status: -1, output: ""))
        for turn in 1...maxTurns {
            let content = try model.complete(messages)
            let answer = try ModelAnswer.decode(content)
            report.answers.append(answer)
            say("model (turn \(turn)): \(answer.reasoning)")
            log.record(kind: "reasoning", data: ["text": .string(answer.reasoning)])
            if !answer.message.isEmpty { log.record(kind: "message", data: ["role": "assistant", "text": .string(answer.message)]) }
            var failed: [CommandOutcome] = []
            for command in answer.commands {
                let outcome = shell.run(command)
                say("$ \(command)  → exit \(outcome.status)")
                report.commands.append(outcome)
                if !outcome.succeeded { failed.append(outcome) }
            }
            report.tests = shell.run(DemoTask.testCommand)
            say("$ \(DemoTask.testCommand)  → exit \(report.tests.status)")
            guard !(report.tests.succeeded && failed.isEmpty), turn < maxTurns else { break }
            messages.append(ChatMessage(role: "assistant", content: content))
            messages.append(ChatMessage(role: "user", content: AgentPrompt.followUp(failedCommands: failed, tests: report.tests)))
        }
        return report
    }
}
