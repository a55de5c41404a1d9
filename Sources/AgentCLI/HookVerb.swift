import CLIKit
import Recorder
import TraceModel

/// `parallax hook claude-code`: a Claude Code hook payload on stdin becomes events in the spool.
enum HookVerb {
    static let verb = Verb(
        name: "hook",
        summary: "turn an agent's hook payload (Claude Code) on stdin into session events",
        help: """
        Usage: parallax hook claude-code [--spool DIR] [--json]

        Reads one Claude Code hook payload (JSON) on standard input and appends its events to the
        session keyed by the payload's session_id, in the spool on this machine. It never touches
        the network (`parallax ship` delivers the spool) and exits 0 quickly so the agent is not
        held up. A payload it cannot use is reported on standard error with exit code 1, which
        Claude Code shows without blocking the tool call.

        Mapping: SessionStart → session.start; UserPromptSubmit → message (user);
        PreToolUse → tool.call; PostToolUse and PostToolUseFailure → tool.result (linked to its
        call by cause; the call is recorded first when no PreToolUse was seen); Stop,
        SubagentStop and Notification → annotation; SessionEnd → session.end. Other hook names are
        kept as annotations, never dropped. Large values go to blobs. A payload that names its
        session but is otherwise unusable is recorded there as a recorder.notice.

        Options:
          --spool DIR   the spool (default: $PARALLAX_SPOOL, else ~/.local/state/parallax/spool)
          --json        print {"session":…,"seqs":[…]} for the events recorded

        Nothing is printed on standard output unless --json is given (Claude Code adds a hook's
        output to the model's context). The exit code is never 2 for a payload, because Claude
        Code blocks the tool call on 2; only a wrong command line exits 2.

        Exit codes: 0 recorded; 1 the payload was refused; 2 bad arguments; 4 the spool failed.

        Claude Code settings.json (every event runs the same command):
          {"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [{"type": "command",
                                     "command": "parallax hook claude-code"}]}], …}}
        (the README lists all eight events)
        """,
        spec: ArgumentSpec(flags: ["json"], options: ["spool"], positionals: (1, 1), positionalName: "AGENT (claude-code)"),
        run: run)

    static func run(_ arguments: Arguments, _ console: Console) throws -> ExitCode {
        guard arguments.positionals == ["claude-code"] else {
            throw UsageError("hook: the only agent supported is claude-code, got \"\(arguments.positionals.joined(separator: " "))\"")
        }
        let spoolPath = arguments.option("spool") ?? SpoolLocation.defaultPath(ProcessEnvironment.current())
        let input: [UInt8]
        let outcome: ClaudeCodeHook.Outcome
        do {
            input = try ClaudeCodeHook.readInput()
            outcome = try ClaudeCodeHook.run(input: input, spoolPath: spoolPath)
        } catch let error as ClaudeCodeHookError {
            throw CommandFailure(.problems, "claude-code payload refused: \(error)")
        } catch {
            throw CommandFailure(.failure, "cannot record into the spool \(spoolPath): \(error)")
        }
        if let refused = outcome.refused {
            console.error("parallax hook: claude-code payload refused (recorded as a notice in session \(outcome.session)): \(refused)")
        }
        if arguments.flag("json") {
            console.print(JSONValue.object([
                "session": .string(outcome.session.string),
                "seqs": .array(outcome.events.map { .number(JSONNumber($0.seq)) }),
            ]).canonicalString)
        }
        return outcome.refused == nil ? .ok : .problems
    }
}
