import CLIKit

/// `parallax-agent relay --port PORT --socket PATH -- CMD…`: runs CMD with 127.0.0.1:PORT relayed to
/// a Unix socket. Plumbing for harness replays (the sandbox's way to the tape server), not a verb of
/// `parallax` itself.
enum RelayVerb {
    static let verb = Verb(
        name: "relay",
        summary: "run a command with a loopback port relayed to a Unix socket (used inside harness replays)",
        help: """
        Usage: parallax-agent relay --port PORT --socket PATH -- CMD [ARG…]

        Listens on 127.0.0.1:PORT, then runs CMD. Every connection to the port is forwarded, byte
        for byte and in both directions, to the Unix-domain socket PATH; a connection the socket
        refuses is answered with HTTP 502 naming the reason. The relay ends when CMD does and exits
        with CMD's status (128+N, or the same signal, when a signal N ended it).

        `parallax replay --mode harness` runs the agent this way inside its sandbox, which has a
        loopback but no network, so the agent's OPENAI_BASE_URL and ANTHROPIC_BASE_URL reach the
        host's tape server through a socket in a bind-mounted directory.

        Exit codes: CMD's exit status; 2 bad arguments; 4 the port or CMD could not be set up.
        """,
        spec: ArgumentSpec(options: ["port", "socket"], positionals: (1, nil), positionalName: "-- CMD"),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        guard let text = args.option("port") else { throw UsageError("relay: --port is required") }
        guard let port = UInt16(text), port > 0 else { throw UsageError("relay: --port must be 1...65535, got \"\(text)\"") }
        guard let path = args.option("socket"), !path.isEmpty else { throw UsageError("relay: --socket is required") }
        guard path.utf8.count < 108, path.hasPrefix("/") else {
            throw UsageError("relay: --socket must be an absolute path shorter than 108 bytes")
        }
        console.flush()
        throw PassThroughExit(try LoopbackRelay.run(port: port, socketPath: path, argv: args.positionals))
    }
}
