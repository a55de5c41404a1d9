#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds `parallax-core` beside the running executable and replaces this process with it.
enum Launcher {
    static let coreName = "parallax-core"

    /// Returns only when the exec failed, with the exit code to use.
    static func execCore(_ arguments: [String]) -> Int32 {
        guard let directory = executableDirectory() else {
            printError("parallax: cannot find where this executable lives (/proc/self/exe is unreadable)")
            return 4
        }
        let core = directory + "/" + coreName
        let argv = ["parallax"] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        execv(core, cArguments)
        let reason = String(cString: strerror(errno))
        printError("parallax: cannot run \(core): \(reason). Install \(coreName) next to parallax.")
        return 4
    }

    static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    private static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }
}
