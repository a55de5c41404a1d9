import Foundation

/// A regular expression from a rules file or phrase list (ICU syntax, as NSRegularExpression
/// reads it), kept with its source text. ICU is used rather than Swift Regex because it is many
/// times faster on the short texts rules see, and analysis runs every rule over every action.
public struct TextPattern: Sendable, Hashable {
    public let source: String
    private let regex: NSRegularExpression

    public init(_ source: String) throws {
        self.source = source
        self.regex = try NSRegularExpression(pattern: source)
    }

    /// The first match in `text`, as a string.
    public func firstMatch(in text: String) -> String? {
        guard let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(m.range, in: text) else { return nil }
        return String(text[range])
    }

    public static func == (a: TextPattern, b: TextPattern) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
