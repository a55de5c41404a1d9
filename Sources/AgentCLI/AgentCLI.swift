import CLIKit

/// The verbs an agent's process tree calls on every step. They live apart from the rest of the
/// command line so the `parallax` launcher can run them without loading Foundation.
public enum AgentCLI {
    public static let verbs: [Verb] = [EmitVerb.verb, HookVerb.verb]
    /// Plumbing only `parallax-agent` answers (not listed among `parallax`'s verbs).
    static let plumbing: [Verb] = [RelayVerb.verb]

    /// Runs `args` when its first word is an agent verb; nil means "not mine" (the launcher then
    /// hands the command line to `parallax-core`).
    public static func run(_ args: [String], console: Console) -> Int32? {
        guard let first = args.first, let verb = (verbs + plumbing).first(where: { $0.name == first }) else { return nil }
        defer { console.flush() }
        return verb.execute(Array(args.dropFirst()), console: console)
    }
}
