import CLIKit
import Foundation
import ModelTape
#if canImport(Glibc)
import Glibc
#endif

extension DemoAgentCommand {
    /// Serves the scripted model until SIGTERM or SIGINT.
    static func model(_ arguments: Arguments) throws -> Int32 {
        let listen = arguments.option("listen") ?? "127.0.0.1:0"
        let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "127.0.0.1" || parts[0] == "localhost", let port = UInt16(parts[1]) else {
            throw UsageError("model: --listen must be 127.0.0.1:PORT (the scripted model listens on loopback only), got \"\(listen)\"")
        }
        let seed = try arguments.integer("seed", range: 0...Int(Int32.max), verb: "demo-agent model") ?? 0
        // Blocked before the server's threads start, so only sigwait below sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let server = StreamingHTTPServer(handler: ScriptedModel(policy: ScriptedPolicy(seed: UInt64(seed))) { Int64(time(nil)) })
        do { try server.start(port: port) } catch { throw DemoAgentError(error.message) }
        if let file = arguments.option("port-file") {
            // Written whole, then renamed: a reader polling for the file never sees half a number.
            let partial = file + ".partial"
            do {
                try Data("\(server.port)\n".utf8).write(to: URL(fileURLWithPath: partial))
                try FileManager.default.moveItem(atPath: partial, toPath: file)
            } catch {
                server.stop()
                throw DemoAgentError("model: cannot write the port file \(file): \(error.localizedDescription)")
            }
        }
        FileHandle.standardOutput.write(Data("\(server.baseURL)/v1\n".utf8))
        var received: Int32 = 0
        sigwait(&signals, &received)
        server.stop()
        return 0
    }
}
