import Foundation
import TraceModel

/// One action of a session in a form two sessions can be compared by: paths relative to the
/// session's workspace, numbers and hashes masked (`git reset --hard HEAD~3` → `git reset --hard HEAD~<n>`).
public struct ActionStep: Sendable, Hashable, Codable {
    public var seq: UInt64
    /// Event kind, e.g. `process.exec`.
    public var kind: String
    /// The normalized text the alignment compares.
    public var text: String
    /// The text before masking, for display.
    public var original: String

    /// The action events of one session (process.exec, tool.call, file.write/delete, net.request)
    /// as steps; the workspace is the session's session.start `cwd` unless given.
    public static func steps(of events: [Event], workspace: String? = nil) -> [ActionStep] {
        let sorted = events.sorted { $0.seq < $1.seq }
        var root = workspace
        if root == nil {
            for e in sorted { if case .sessionStart(let s)? = try? e.payload() { root = s.cwd; break } }
        }
        let scope = PathScope(workspace: root, scratch: [])
        return sorted.compactMap { e in
            guard let original = describe(e) else { return nil }
            return ActionStep(seq: e.seq, kind: e.kind.rawValue, text: normalize(original, scope: scope), original: original)
        }
    }

    /// The step's raw text, or nil for events that are not actions.
    static func describe(_ e: Event) -> String? {
        guard let payload = try? e.payload() else { return nil }
        switch payload {
        case .processExec(let p): return "exec " + p.argv.joined(separator: " ")
        case .toolCall(let t):
            let input = t.input?.objectValue ?? [:]
            if let command = input["command"]?.stringValue { return "\(t.name) \(command)" }
            if let path = input["file_path"]?.stringValue ?? input["notebook_path"]?.stringValue ?? input["path"]?.stringValue {
                return "\(t.name) \(path)"
            }
            if let url = input["url"]?.stringValue { return "\(t.name) \(url)" }
            return t.name + (input.isEmpty ? "" : " {" + input.keys.sorted().joined(separator: ",") + "}")
        case .fileWrite(let f): return "write " + f.path
        case .fileDelete(let f): return "delete " + f.path
        case .netRequest(let n): return "\(n.method.uppercased()) \(n.url)"
        default: return nil
        }
    }

    /// Workspace-relative paths, `<hex>` for hash-like runs (7+ hex digits with a digit), `<n>` for numbers.
    public static func normalize(_ text: String, scope: PathScope) -> String {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map { word -> String in
            var w = String(word)
            if let root = scope.workspace, w.contains(root) {
                // Inside quotes or `--opt=/root/x` too: drop the root prefix wherever it appears.
                w = w.replacingOccurrences(of: root + "/", with: "").replacingOccurrences(of: root, with: ".")
            }
            return mask(w)
        }
        return words.joined(separator: " ")
    }

    static func mask(_ word: String) -> String {
        var out = "", run = ""
        func flush() {
            guard !run.isEmpty else { return }
            let isHex = run.count >= 7 && run.allSatisfy(\.isHexDigit) && run.contains(where: \.isNumber)
            if isHex { out += "<hex>" } else {
                var inDigits = false
                for c in run {
                    if c.isASCII && c.isNumber { if !inDigits { out += "<n>"; inDigits = true } }
                    else { out.append(c); inDigits = false }
                }
            }
            run = ""
        }
        for c in word {
            if c.isASCII && (c.isLetter || c.isNumber) { run.append(c) } else { flush(); out.append(c) }
        }
        flush()
        return out
    }
}
