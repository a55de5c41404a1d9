/// A gitignore glob compiled to a small automaton, so matching takes time proportional to the path
/// length times the pattern length whatever the pattern (ignore files may be written by the agent).
///
/// Pathname rules as in git's wildmatch: `*`, `?` and classes never match `/`; a `**` that forms a
/// whole path component spans directories (`**/` also matches no directory at all); any other run of
/// stars is a single `*`; `\` escapes the next character.
struct Glob: Sendable, Hashable {
    enum Step: Sendable, Hashable {
        case byte(UInt8)
        /// `?` or a class: one byte other than `/` from the set (bit i of word i/64).
        case oneOf(ByteSet)
        /// `*`: any run of bytes other than `/`.
        case star
        /// A trailing `**` (or `**` before an escaped slash): any run of bytes.
        case anything
        /// `**/`: this step may be skipped over (no directory) …
        case directoriesEntry
        /// … or runs over any bytes up to and including a `/`.
        case directories
    }

    struct ByteSet: Sendable, Hashable {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        static func == (a: ByteSet, b: ByteSet) -> Bool { a.words == b.words }
        func hash(into h: inout Hasher) { h.combine(words.0); h.combine(words.1); h.combine(words.2); h.combine(words.3) }
        func contains(_ b: UInt8) -> Bool {
            let bit = UInt64(1) << UInt64(b & 63)
            switch b >> 6 {
            case 0: return words.0 & bit != 0
            case 1: return words.1 & bit != 0
            case 2: return words.2 & bit != 0
            default: return words.3 & bit != 0
            }
        }
        mutating func insert(_ b: UInt8) {
            let bit = UInt64(1) << UInt64(b & 63)
            switch b >> 6 {
            case 0: words.0 |= bit
            case 1: words.1 |= bit
            case 2: words.2 |= bit
            default: words.3 |= bit
            }
        }
        mutating func invert() { words = (~words.0, ~words.1, ~words.2, ~words.3) }
    }

    /// nil when the pattern can match nothing (an unterminated class, an unknown `[:name:]`, a
    /// trailing backslash), as git's matcher aborts on those.
    let steps: [Step]?
    /// The fewest bytes a matching path has (one per literal, `?` or class).
    let minimumLength: Int

    init(_ p: [UInt8]) {
        steps = Self.compile(p)
        minimumLength = steps?.count { step in
            switch step {
            case .byte, .oneOf: true
            default: false
            }
        } ?? 0
    }

    func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let steps, text.count >= minimumLength else { return false }
        return steps.count < 64 ? Self.run64(steps, text) : Self.runWide(steps, text)
    }

    // MARK: Compiling

    private static let slash = UInt8(ascii: "/")
    private static let backslash = UInt8(ascii: "\\")

    private static func compile(_ p: [UInt8]) -> [Step]? {
        var steps: [Step] = []
        var i = 0
        while i < p.count {
            let c = p[i]
            switch c {
            case backslash:
                guard i + 1 < p.count else { return nil }
                steps.append(.byte(p[i + 1]))
                i += 2
            case UInt8(ascii: "?"):
                var any = ByteSet()
                any.invert()
                steps.append(.oneOf(any.removingSlash))
                i += 1
            case UInt8(ascii: "["):
                guard let (set, end) = compileClass(p, i + 1) else { return nil }
                steps.append(.oneOf(set.removingSlash))
                i = end + 1
            case UInt8(ascii: "*"):
                var j = i
                while j < p.count && p[j] == UInt8(ascii: "*") { j += 1 }
                let startsComponent = i == 0 || p[i - 1] == slash
                let atEnd = j == p.count
                let beforeSlash = !atEnd && p[j] == slash
                let beforeEscapedSlash = !atEnd && p[j] == backslash && j + 1 < p.count && p[j + 1] == slash
                if j - i >= 2 && startsComponent && (atEnd || beforeSlash || beforeEscapedSlash) {
                    if beforeSlash {
                        // `**/**/` is the same as `**/`.
                        if steps.last != .directories {
                            steps.append(.directoriesEntry)
                            steps.append(.directories)
                        }
                        j += 1  // the slash belongs to the step
                    } else {
                        steps.append(.anything)
                    }
                } else if steps.last != .star {
                    steps.append(.star)
                }
                i = j
            default:
                steps.append(.byte(c))
                i += 1
            }
        }
        return steps
    }

    /// A bracket expression after `[`: `!`/`^` negate, `]` first is literal, `a-z` ranges,
    /// `[:class:]` names, `\` escapes. Returns the set and the index of the closing `]`.
    private static func compileClass(_ p: [UInt8], _ start: Int) -> (ByteSet, Int)? {
        var i = start
        guard i < p.count else { return nil }
        let negated = p[i] == UInt8(ascii: "!") || p[i] == UInt8(ascii: "^")
        if negated { i += 1 }
        var set = ByteSet()
        var previous: UInt8? = nil
        var first = true
        while i < p.count {
            var c = p[i]
            if c == UInt8(ascii: "]") && !first {
                if negated { set.invert() }
                return (set, i)
            }
            first = false
            if c == backslash {
                i += 1
                guard i < p.count else { return nil }
                c = p[i]
                set.insert(c)
                previous = c
            } else if c == UInt8(ascii: "-"), let low = previous, i + 1 < p.count, p[i + 1] != UInt8(ascii: "]") {
                i += 1
                var high = p[i]
                if high == backslash {
                    i += 1
                    guard i < p.count else { return nil }
                    high = p[i]
                }
                if low <= high { for b in low...high { set.insert(b) } }
                previous = nil
            } else if c == UInt8(ascii: "["), i + 1 < p.count, p[i + 1] == UInt8(ascii: ":"), let close = posixClassEnd(p, i + 2) {
                let name = String(decoding: p[(i + 2)..<close], as: UTF8.self)
                guard let test = posixClasses[name] else { return nil }
                for b in 0...255 where test(UInt8(b)) { set.insert(UInt8(b)) }
                previous = nil
                i = close + 1  // the `]` of `:]`
            } else {
                set.insert(c)
                previous = c
            }
            i += 1
        }
        return nil
    }

    /// Index of the `:` of the `:]` closing a class name that starts at `from`, if any before a `]`.
    private static func posixClassEnd(_ p: [UInt8], _ from: Int) -> Int? {
        var i = from
        while i + 1 < p.count {
            if p[i] == UInt8(ascii: ":") && p[i + 1] == UInt8(ascii: "]") { return i }
            if p[i] == UInt8(ascii: "]") { return nil }
            i += 1
        }
        return nil
    }

    private static let posixClasses: [String: @Sendable (UInt8) -> Bool] = [
        "alnum": { isAlpha($0) || isDigit($0) },
        "alpha": { isAlpha($0) },
        "blank": { $0 == 0x20 || $0 == 0x09 },
        "cntrl": { $0 < 0x20 || $0 == 0x7F },
        "digit": { isDigit($0) },
        "graph": { $0 > 0x20 && $0 < 0x7F },
        "lower": { $0 >= 0x61 && $0 <= 0x7A },
        "print": { $0 >= 0x20 && $0 < 0x7F },
        "punct": { $0 > 0x20 && $0 < 0x7F && !isAlpha($0) && !isDigit($0) },
        "space": { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) },
        "upper": { $0 >= 0x41 && $0 <= 0x5A },
        "xdigit": { isDigit($0) || ($0 >= 0x41 && $0 <= 0x46) || ($0 >= 0x61 && $0 <= 0x66) },
    ]

    private static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    // MARK: Running

    /// The automaton with its live states in one word (patterns of fewer than 64 steps).
    private static func run64(_ steps: [Step], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let accept = steps.count
        func close(_ state: inout UInt64, _ i: Int) {
            state |= 1 << UInt64(i)
            guard i < accept else { return }
            switch steps[i] {
            case .star, .anything: close(&state, i + 1)
            case .directoriesEntry: close(&state, i + 1); close(&state, i + 2)
            default: break
            }
        }
        var live: UInt64 = 0
        close(&live, 0)
        for c in text {
            var next: UInt64 = 0
            var rest = live
            while rest != 0 {
                let i = rest.trailingZeroBitCount
                rest &= rest - 1
                guard i < accept else { continue }
                switch steps[i] {
                case .byte(let b): if c == b { close(&next, i + 1) }
                case .oneOf(let set): if set.contains(c) { close(&next, i + 1) }
                case .star: if c != slash { close(&next, i) }
                case .anything: close(&next, i)
                case .directoriesEntry: break
                case .directories:
                    close(&next, i)
                    if c == slash { close(&next, i + 1) }
                }
            }
            if next == 0 { return false }
            live = next
        }
        return live & (1 << UInt64(accept)) != 0
    }

    /// The same automaton with a flag per state, for long patterns. Epsilon moves only go forward, so
    /// one pass in index order closes a state set.
    private static func runWide(_ steps: [Step], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let accept = steps.count
        func close(_ state: inout [Bool]) {
            for i in 0..<accept where state[i] {
                switch steps[i] {
                case .star, .anything: state[i + 1] = true
                case .directoriesEntry: state[i + 1] = true; state[i + 2] = true
                default: break
                }
            }
        }
        var live = [Bool](repeating: false, count: accept + 1)
        var next = live
        live[0] = true
        close(&live)
        for c in text {
            for k in next.indices { next[k] = false }
            var any = false
            for i in 0..<accept where live[i] {
                switch steps[i] {
                case .byte(let b): if c == b { next[i + 1] = true; any = true }
                case .oneOf(let set): if set.contains(c) { next[i + 1] = true; any = true }
                case .star: if c != slash { next[i] = true; any = true }
                case .anything: next[i] = true; any = true
                case .directoriesEntry: break
                case .directories:
                    next[i] = true; any = true
                    if c == slash { next[i + 1] = true }
                }
            }
            if !any { return false }
            close(&next)
            swap(&live, &next)
        }
        return live[accept]
    }
}

extension Glob.ByteSet {
    var removingSlash: Glob.ByteSet {
        var copy = self
        copy.words.0 &= ~(UInt64(1) << 47)  // "/" is 0x2F
        return copy
    }
}
