// The `parallax` command. It starts in about a millisecond because it links neither Foundation
// nor the server libraries: the verbs an agent calls on every step run here, and every other verb
// runs in `parallax-core`, installed next to this file, which replaces this process.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
exit(Launcher.execCore(arguments))
