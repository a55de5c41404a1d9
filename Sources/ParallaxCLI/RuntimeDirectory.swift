import AgentCLI
import CLIKit
import Foundation

/// A private directory for one recording: the recorder's socket and the recording-shell link.
/// Kept under /tmp because a Unix socket path must fit in 107 bytes.
struct RuntimeDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/parallax-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CommandFailure(.failure, "cannot create a private directory under /tmp: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    var socketPath: String { path + "/recorder.sock" }

    /// A link named `parallax-shell` to `parallax-agent`, installed beside this executable.
    func linkRecordingShell() throws -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let agent = executable.appendingPathComponent("parallax-agent").path
        guard FileManager.default.isExecutableFile(atPath: agent) else {
            throw CommandFailure(.failure, "--shell needs parallax-agent next to parallax-core, and \(agent) is missing")
        }
        let link = path + "/" + RecordingShell.linkName
        guard symlink(agent, link) == 0 else {
            throw CommandFailure(.failure, "cannot create the recording shell at \(link): \(String(cString: strerror(errno)))")
        }
        return link
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
