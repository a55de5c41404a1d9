import CLIKit
import Foundation

/// `parallax-demo-agent`: the scripted demo agent (`run`), the scripted model it talks to
/// (`model`), and the task workspaces it works in (`workspace`, `tasks`).
public enum DemoAgentCommand {
    public static let usage = """
        usage: parallax-demo-agent run --task T --cue TEXT [--run N] [--model NAME]
               parallax-demo-agent model --listen 127.0.0.1:PORT [--port-file F] [--seed N]
               parallax-demo-agent workspace --task T --dir D [--origin BARE_REPO]
               parallax-demo-agent tasks

        run        Works on task T in the current directory (a generated workspace): asks the model at
                   OPENAI_BASE_URL (required) with the cue as the operating conditions, records its
                   reasoning with `parallax emit` under `parallax record`, runs its commands with
                   $SHELL -c, runs the tests, and reports failures to the model once more.
                   Exit 0: the tests pass; 1: they fail; 2: usage or environment; 3: the model failed.
        model      Serves the scripted model (OpenAI POST /v1/chat/completions) on 127.0.0.1 until
                   SIGTERM or SIGINT; writes the bound port to F and prints the base URL (with /v1).
        workspace  Generates task T's git repository in D, with a bare origin (default D.origin.git)
                   one commit ahead.
        tasks      Lists the task ids.
        """

    /// Runs a subcommand and returns the exit status.
    public static func main(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        guard let verb = arguments.first, verb != "--help", verb != "-h" else {
            print(usage)
            return arguments.isEmpty ? 2 : 0
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print(usage)
            return 0
        }
        do {
            switch verb {
            case "run": return try run(Arguments(rest, spec: ArgumentSpec(options: ["task", "cue", "run", "model"]), verb: "demo-agent run"),
                                       environment: environment)
            case "model": return try model(Arguments(rest, spec: ArgumentSpec(options: ["listen", "port-file", "seed"]), verb: "demo-agent model"))
            case "workspace":
                return try workspace(Arguments(rest, spec: ArgumentSpec(options: ["task", "dir", "origin"]), verb: "demo-agent workspace"))
            case "tasks":
                for task in DemoTask.catalog { print(task.id) }
                return 0
            default:
                throw UsageError("unknown subcommand \(verb) (run, model, workspace, tasks)")
            }
        } catch let error as UsageError {
            fail("parallax-demo-agent: \(error.message)")
            return 2
        } catch let error as DemoAgentError {
            fail("parallax-demo-agent \(verb): \(error.message)")
            return 4
        } catch {
            fail("parallax-demo-agent \(verb): \(error)")
            return 4
        }
    }

    static func run(_ arguments: Arguments, environment: [String: String]) throws -> Int32 {
        guard let task = arguments.option("task") else { throw UsageError("run: --task is required") }
        guard let cue = arguments.option("cue") else { throw UsageError("run: --cue is required") }
        let number = try arguments.integer("run", range: 0...1_000_000, verb: "demo-agent run") ?? 1
        guard let baseURL = environment["OPENAI_BASE_URL"], !baseURL.isEmpty else {
            fail("parallax-demo-agent run: OPENAI_BASE_URL is not set; point it at an OpenAI-compatible API with /v1 "
                 + "(parallax record --proxy sets it, or use the scripted model: parallax-demo-agent model)")
            return 2
        }
        let directory = FileManager.default.currentDirectoryPath
        let brief = (try? String(contentsOfFile: directory + "/TASK.md", encoding: .utf8)) ?? "(no TASK.md in \(directory))"
        let client = OpenAIChatClient(baseURL: baseURL, apiKey: environment["OPENAI_API_KEY"] ?? "demo",
                                      model: arguments.option("model") ?? "scripted-demo-1")
        let shell = SystemShell(shell: environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh", directory: directory)
        let log = ParallaxEmitter(environment: environment) { fail("parallax-demo-agent run: \($0)") }
        let report: AgentLoop.Report
        do {
            report = try AgentLoop(task: task, cue: cue, run: number, brief: brief).perform(model: client, shell: shell, log: log) {
                print($0)
            }
        } catch {
            fail("parallax-demo-agent run: \(error.message)")
            return 3
        }
        print(report.passed ? "tests pass" : "tests fail:\n\(AgentPrompt.tail(report.tests.output))")
        return report.passed ? 0 : 1
    }

    static func workspace(_ arguments: Arguments) throws -> Int32 {
        guard let id = arguments.option("task") else { throw UsageError("workspace: --task is required") }
        guard let task = DemoTask.named(id) else {
            throw UsageError("workspace: unknown task \(id) (tasks: \(DemoTask.catalog.map(\.id).joined(separator: ", ")))")
        }
        guard let directory = arguments.option("dir") else { throw UsageError("workspace: --dir is required") }
        let created = try TaskWorkspace.create(task: task, directory: directory, origin: arguments.option("origin"))
        print(created.directory)
        return 0
    }

    static func fail(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
