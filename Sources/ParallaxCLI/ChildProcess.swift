import CLIKit
import Dispatch
import Foundation

/// The agent process `parallax record` runs: spawned with its own environment, sent the signals
/// the recorder receives, and waited for.
final class ChildProcess: @unchecked Sendable {
    // @unchecked: `pid` is written once before any signal source starts.
    let pid: pid_t
    private var signalSources: [DispatchSourceSignal] = []

    enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)

        /// The status a shell reports for it: the exit code, or 128 + the signal number.
        var shellStatus: Int32 {
            switch self {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        }
    }

    /// Spawns `argv` (searched in PATH) in the current directory.
    init(argv: [String], environment: [String: String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default dispositions even though the recorder ignores some signals.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in Self.forwarded + [SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        guard result == 0 else {
            throw CommandFailure(.failure, "cannot run \(argv[0]): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    static let forwarded: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Passes SIGINT, SIGTERM, SIGHUP and SIGQUIT on to the child instead of dying of them.
    func forwardSignals() {
        for number in Self.forwarded {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let pid = self.pid
            source.setEventHandler { kill(pid, number) }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Waits for the child to end.
    func wait() -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(127) }
        }
        for source in signalSources { source.cancel() }
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }
}
