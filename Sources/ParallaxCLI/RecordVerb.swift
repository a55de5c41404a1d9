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

        Exit codes: CMD's exit status (128+N when a signal N ended it); 2 bad arguments;
        4 the session could not be started (unwritable spool, unreadable workspace).

        Examples:
          parallax record --task fix-login --condition unsupervised -- claude -p "fix the login test"
          parallax record --shell --collector http://collector:7437 -- bash -c 'make test'
        """,
        spec: ArgumentSpec(
            flags: ["shell"],
            options: ["task", "condition", "cue", "label", "agent", "workspace", "spool", "collector", "token", "fsync",
                      "spool-max", "spool-full", "id-file"],
            multiple: ["cue", "label", "collector"], positionals: (1, nil), positionalName: "-- CMD"),
        run: { arguments, console in try RecordSession(arguments, console).run() })
}
