/// A regular expression from a rules file, kept with its source text.
public struct TextPattern: Sendable, Hashable {
    public let source: String
    // Regex is not Sendable; this one is built once, never mutated, and only read through
    // `firstMatch`, which does not change it.
    private nonisolated(unsafe) let regex: Regex<AnyRegexOutput>

    public init(_ source: String) throws {
        self.source = source
        let regex = try Regex(source)
        // Matching once compiles the pattern now, before the value is shared between threads.
        _ = try? regex.firstMatch(in: "")
        self.regex = regex
    }

    /// The first match in `text`, as a string.
    public func firstMatch(in text: String) -> String? {
        guard let m = try? regex.firstMatch(in: text) else { return nil }
        return String(text[m.range])
    }

    public static func == (a: TextPattern, b: TextPattern) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
