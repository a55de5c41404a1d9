/// How frames are laid out. `magicless` drops the 4-byte magic number, which only pays off for
/// many tiny frames stored where the format is known (for example per-event payloads in a store).
public enum ZstdFrameFormat: Sendable {
    case standard
    case magicless
}

/// Compression settings for `ZstdCompressor`.
public struct ZstdCompressionOptions: Sendable {
    /// zstd level; 3 is the library default. Negative levels trade ratio for speed.
    public var level: Int32
    /// log2 of the window size; nil lets zstd choose from the level and input size.
    public var windowLog: Int32?
    /// Long-distance matching (finds repeats far back in big inputs; implies a big window).
    public var longDistanceMatching: Bool
    /// Append a 4-byte content checksum to each frame.
    public var checksum: Bool
    /// Write the decompressed size in the frame header when it is known.
    public var contentSize: Bool
    /// Write the dictionary id in the frame header when a dictionary is used.
    public var dictionaryID: Bool
    public var format: ZstdFrameFormat

    public init(
        level: Int32 = 3, windowLog: Int32? = nil, longDistanceMatching: Bool = false, checksum: Bool = false,
        contentSize: Bool = true, dictionaryID: Bool = true, format: ZstdFrameFormat = .standard
    ) {
        self.level = level
        self.windowLog = windowLog
        self.longDistanceMatching = longDistanceMatching
        self.checksum = checksum
        self.contentSize = contentSize
        self.dictionaryID = dictionaryID
        self.format = format
    }
}
