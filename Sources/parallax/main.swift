// The `parallax` command. It starts in about a millisecond because it links neither Foundation
// nor the server libraries: the verbs an agent calls on every step (emit, hook, the recording
// shell) run here, and every other verb runs in `parallax-core`, installed next to this file,
// which replaces this process.
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
    exit(RecordingShell.run(arguments))
}
signal(SIGPIPE, SIG_IGN)
if let status = AgentCLI.run(arguments, console: .standard()) {
    exit(status)
}
exit(Launcher.execCore(arguments))
