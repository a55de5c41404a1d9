// `parallax-agent`: the verbs an agent's process tree calls (emit, hook) and, when invoked through
// a link named `parallax-shell`, the recording shell. It links neither Foundation nor the server
// libraries, so it starts in a few milliseconds; any other verb is handed to `parallax-core`,
// installed next to this file, which replaces this process. Users run `parallax`, the launcher.
import AgentCLI
import CLIKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
let invokedAs = CommandLine.arguments.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
if invokedAs == RecordingShell.linkName {
    // Everything the wrapper prints goes out through write(2) as it arrives: nothing to flush.
    _exit(RecordingShell.run(arguments))
}
signal(SIGPIPE, SIG_IGN)
if let status = AgentCLI.run(arguments, console: .standard()) {
    exit(status)
}
exit(Launcher.execCore(arguments))
