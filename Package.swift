// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Parallax",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "parallax", targets: ["parallax"]),
        .executable(name: "parallax-agent", targets: ["parallax-agent"]),
        .executable(name: "parallax-core", targets: ["parallax-core"]),
        .executable(name: "parallax-demo-agent", targets: ["parallax-demo-agent"]),
        .library(name: "TraceModel", targets: ["TraceModel"]),
        .library(name: "TraceWire", targets: ["TraceWire"]),
        .library(name: "TraceStore", targets: ["TraceStore"]),
        .library(name: "Collector", targets: ["Collector"]),
        .library(name: "Recorder", targets: ["Recorder"]),
        .library(name: "Replayer", targets: ["Replayer"]),
        .library(name: "Analysis", targets: ["Analysis"]),
        .library(name: "ModelTape", targets: ["ModelTape"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // SHA-256 from OpenSSL's libcrypto, loaded on first use so commands that never hash start fast.
        .target(name: "CCrypto", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        // Wraps libmicrohttpd's variadic calls, which Swift cannot import.
        .target(name: "CMicroHTTPDShim", dependencies: ["CMicroHTTPD"]),

        .target(name: "TraceModel", dependencies: ["CCrypto"], swiftSettings: strict),
        .target(name: "TraceWire", dependencies: ["TraceModel", "CZstd"], swiftSettings: strict),
        .target(name: "TraceStore", dependencies: ["TraceModel", "TraceWire", "CSQLite", "CZstd"], swiftSettings: strict),
        .target(name: "Collector", dependencies: ["TraceModel", "TraceWire", "TraceStore", "CMicroHTTPD", "CMicroHTTPDShim"],
                path: "Collector", swiftSettings: strict),
        // Argument parsing, verbs and console output, free of Foundation so the fast launcher can use them.
        .target(name: "CLIKit", swiftSettings: strict),
        // syncfs(2), which Swift cannot see without _GNU_SOURCE: many spool blobs made durable in one call.
        .target(name: "CSpool"),
        .target(name: "Recorder", dependencies: ["TraceModel", "TraceWire", "CSpool"], swiftSettings: strict),
        // The verbs an agent's process tree calls on every step (emit, hook, the recording shell); no Foundation.
        .target(name: "AgentCLI", dependencies: ["CLIKit", "Recorder", "TraceModel"], swiftSettings: strict),
        // The HTTP client for the collector API and the shipper; the only recorder-side code that needs FoundationNetworking.
        .target(name: "Shipper", dependencies: ["Recorder", "TraceModel", "TraceWire"], swiftSettings: strict),
        .target(name: "ParallaxCLI", dependencies: ["TraceModel", "TraceWire", "TraceStore", "Collector", "Recorder", "Shipper", "CLIKit", "AgentCLI",
                                                   "Replayer", "Analysis", "ModelTape"],
                swiftSettings: strict),
        // `parallax` is a small C launcher: `emit` under a recorder is answered there in about a
        // millisecond; `emit`/`hook` otherwise go to `parallax-agent`, every other verb to `parallax-core`.
        .executableTarget(name: "parallax", linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--as-needed"])]),
        // The agent-side verbs and the recording shell, no Foundation, linked as a fully static executable: it
        // starts in about a millisecond instead of three (no dynamic loader, no relocations). SHA-256 then comes
        // from CCrypto's built-in code, not libcrypto. GNU ld is used because its warning about glibc's own
        // dlopen in static programs (from the Swift runtime; never reached here) can be turned off.
        .executableTarget(name: "parallax-agent", dependencies: ["AgentCLI", "CLIKit"], swiftSettings: strict,
                          linkerSettings: [.unsafeFlags(["-static-executable", "-use-ld=bfd", "-Xlinker", "--no-warnings"])]),
        .executableTarget(name: "parallax-core", dependencies: ["ParallaxCLI"], swiftSettings: strict),
        // Materializer and sandbox for replays; top-level like Collector/ (DESIGN §2).
        .target(name: "Replayer", dependencies: ["Recorder", "TraceModel", "TraceWire", "ModelTape"], path: "Replayer", swiftSettings: strict),
        // Behavior-gap analysis over `[Event]`: rules, per-session features, statistics, alignment.
        .target(name: "Analysis", dependencies: ["TraceModel"], swiftSettings: strict),
        // Model-API recording proxy, canonical request digests, and the tape server that replays model calls.
        .target(name: "ModelTape", dependencies: ["TraceModel", "Recorder", "CMicroHTTPD", "CMicroHTTPDShim"], swiftSettings: strict),
        // The scripted agent and model of `make demo`, and the task workspaces they work in.
        .target(name: "DemoAgent", dependencies: ["CLIKit", "ModelTape", "TraceModel"], swiftSettings: strict),
        .executableTarget(name: "parallax-demo-agent", dependencies: ["DemoAgent"], swiftSettings: strict),
        .executableTarget(name: "parallax-bench", dependencies: ["TraceModel", "TraceWire", "TraceStore", "Recorder", "Replayer", "CSQLite", "ModelTape"], swiftSettings: strict),

        .testTarget(name: "TraceModelTests", dependencies: ["TraceModel", "CCrypto"], swiftSettings: strict),
        .testTarget(name: "TraceWireTests", dependencies: ["TraceWire"], swiftSettings: strict),
        .testTarget(name: "TraceStoreTests", dependencies: ["TraceStore"], swiftSettings: strict),
        .testTarget(name: "CollectorTests", dependencies: ["Collector", "TraceStore", "TraceWire", "TraceModel"], swiftSettings: strict),
        .testTarget(name: "RecorderTests", dependencies: ["Recorder", "Shipper", "Collector", "TraceStore", "TraceWire", "TraceModel"],
                    swiftSettings: strict),
        .testTarget(name: "ReplayerTests", dependencies: ["Replayer", "Recorder", "TraceModel", "ModelTape"], swiftSettings: strict),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "TraceModel"], swiftSettings: strict),
        .testTarget(name: "ModelTapeTests", dependencies: ["ModelTape", "Recorder", "TraceModel"], swiftSettings: strict),
        .testTarget(name: "DemoAgentTests", dependencies: ["DemoAgent", "ModelTape", "Analysis", "Collector", "TraceStore", "TraceModel"],
                    swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["ParallaxCLI", "CLIKit", "Collector", "TraceStore", "TraceWire", "TraceModel",
                                                  "ModelTape", "Recorder"], swiftSettings: strict),
    ]
)
