import CLIKit

/// `parallax record -- CMD…`: one session around any agent process.
enum RecordVerb {
    static let verb = Verb(
        name: "record",
        summary: "run an agent command as a recorded session (spool on disk, shipped to a collector)",
        help: """
        Usage: parallax record [--task ID] [--condition LABEL] [--cue TEXT]… [--label K=V]… [--agent NAME]
                               [--workspace DIR] [--spool DIR] [--collector URL]… [--token T] [--shell]
                               [--fsync always|interval|never] [--spool-max BYTES] [--spool-full block|drop-oldest]
                               [--proxy [--upstream-openai URL] [--upstream-anthropic URL]]
                               [--id-file FILE] -- CMD [ARG…]

        Starts a session, runs CMD inside it and exits with CMD's exit status. The session starts
        with a snapshot of the workspace and a fingerprint of the environment, and ends with the
        exit status, a second snapshot, and a file.write or file.delete for every change no other
        event described. Events go to the spool on this machine first; the agent never waits on
        the network. With --collector they are also shipped while CMD runs; whatever is left when
        CMD ends is delivered by `parallax ship`.

        CMD runs with PARALLAX_SESSION (the session id), PARALLAX_SOCKET (where `parallax emit`
        and the recording shell reach this recorder) and PARALLAX_SPOOL set. SIGINT, SIGTERM,
        SIGHUP and SIGQUIT sent to the recorder are passed on to CMD.

        With --shell, SHELL points to the recording shell: every `$SHELL -c …` the agent runs is
        recorded as a process.exec (argv, cwd, environment changes, exit code or signal, duration,
        stdout and stderr — inline up to 4 KiB, larger as blobs), followed by the files that
        command changed. When CMD itself is `bash|sh|dash|zsh -c …`, it runs through the
        recording shell too.

        With --proxy, a model-API proxy listens on 127.0.0.1 and CMD gets OPENAI_BASE_URL
        (http://127.0.0.1:PORT/v1) and ANTHROPIC_BASE_URL (http://127.0.0.1:PORT) pointing at it.
        It forwards every request to the real API and passes answers back unchanged, streams
        chunk by chunk as they arrive. Each POST to /v1/chat/completions, /v1/responses or
        /v1/messages is recorded as a model.request (provider, model, digest of the request
        without volatile fields, body as a blob) and a model.response (status, usage, stop
        reason, latency, the timing of every streamed chunk, body as a blob). Authorization,
        x-api-key and api-key values are never stored in clear. An upstream that cannot be
        reached is answered with 502 and a JSON error.

        Options:
          --task ID            the task this run works on (analysis pairs runs by task)
          --condition LABEL    experimental condition, e.g. supervised or unsupervised
          --cue TEXT           a cue of being watched (or not) shown to the agent; repeatable
          --label K=V          a free-form label; repeatable
          --agent NAME         the agent's name (default: CMD's program name)
          --workspace DIR      the directory to snapshot (default: the current directory); files
                               matching .parallaxignore (gitignore syntax) and .git/ are left out
          --spool DIR          where events wait for shipping (default: $PARALLAX_SPOOL, else
                               ~/.local/state/parallax/spool)
          --collector URL      ship to this collector while CMD runs; repeat for failover
          --token T            the collector token (default: $PARALLAX_TOKEN)
          --fsync POLICY       always, interval (default, ≤100 ms) or never
          --spool-max BYTES    cap the spool's size (segments and blobs)
          --spool-full POLICY  when the cap is reached: block (default: the agent waits, nothing
                               is dropped) or drop-oldest (a recorder.notice says how many)
          --id-file FILE       write the session id to FILE once the session has started
          --proxy              record model-API calls through a local proxy (see above)
          --upstream-openai URL     where the proxy sends OpenAI calls, with /v1 (default:
                               $PARALLAX_UPSTREAM_OPENAI, else https://api.openai.com/v1)
          --upstream-anthropic URL  where the proxy sends Anthropic calls (default:
                               $PARALLAX_UPSTREAM_ANTHROPIC, else https://api.anthropic.com)

        Exit codes: CMD's exit status (128+N when a signal N ended it); 2 bad arguments;
        4 the session could not be started (unwritable spool, unreadable workspace).

        Examples:
          parallax record --task fix-login --condition unsupervised -- claude -p "fix the login test"
          parallax record --shell --collector http://collector:7437 -- bash -c 'make test'
        """,
        spec: ArgumentSpec(
            flags: ["shell", "proxy"],
            options: ["task", "condition", "cue", "label", "agent", "workspace", "spool", "collector", "token", "fsync",
                      "spool-max", "spool-full", "id-file", "upstream-openai", "upstream-anthropic"],
            multiple: ["cue", "label", "collector"], positionals: (1, nil), positionalName: "-- CMD"),
        run: { arguments, console in try RecordSession(arguments, console).run() })
}
