/// Hard limits applied while decompressing untrusted input, so a bomb fails early and cheaply.
public struct ZstdLimits: Equatable, Sendable {
    /// Total decompressed bytes allowed across all frames of one input. Default 64 MiB.
    public var maxDecompressedBytes: Int
    /// Largest back-reference window a frame may ask for, as a power of two. Default 23 (8 MiB).
    public var maxWindowLog: Int32

    public init(maxDecompressedBytes: Int = 64 << 20, maxWindowLog: Int32 = 23) {
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxWindowLog = maxWindowLog
    }

    /// The defaults of the wire protocol (DESIGN §4): 64 MiB out, 8 MiB window.
    public static let wire = ZstdLimits()
}
