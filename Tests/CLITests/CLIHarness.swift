import CLIKit
import Foundation
@testable import ParallaxCLI
import TraceModel

/// Runs the CLI in-process and captures what it prints.
struct CLIRun {
    var code: Int32
    var out: String
    var err: String
    var outBytes: [UInt8]
}

final class Capture: @unchecked Sendable {
    // @unchecked: written by one CLI run on the test's own thread, read after it returns.
    var out: [UInt8] = []
    var err: [UInt8] = []
}

func cli(_ args: String...) -> CLIRun { cli(args) }

func cli(_ args: [String]) -> CLIRun {
    let capture = Capture()
    let console = Console(writeOut: { capture.out += $0 }, writeErr: { capture.err += $0 })
    let code = CLI.run(args, console: console)
    return CLIRun(code: code, out: String(decoding: capture.out, as: UTF8.self), err: String(decoding: capture.err, as: UTF8.self), outBytes: capture.out)
}

/// A fresh temporary directory, removed when the value is released.
final class TempDir: @unchecked Sendable {
    // @unchecked: immutable after init.
    let path: String
    init() {
        path = NSTemporaryDirectory() + "parallax-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        precondition(FileManager.default.createFile(atPath: file(name), contents: Data(bytes)), "cannot write \(file(name))")
        return file(name)
    }
}

enum Sample {
    static func sessions(_ count: Int, seed: UInt64 = 9, rounds: ClosedRange<Int> = 3...5) -> [[Event]] {
        var generator = SyntheticTrace(seed: seed)
        generator.rounds = rounds
        return (0..<count).map { _ in generator.session() }
    }

    static func ndjson(_ events: [Event]) -> [UInt8] {
        events.flatMap { $0.canonicalBytes() + [0x0A] }
    }
}
