extension Materializer {
    /// Why `path` cannot name an entry inside the root, or nil when it can.
    static func pathProblem(_ path: String) -> String? {
        if path.isEmpty { return "the path is empty" }
        if path.utf8.contains(0) { return "the path contains a NUL byte" }
        if path.utf8.first == UInt8(ascii: "/") { return "the path is absolute" }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            switch component {
            case "": return "the path has an empty component"
            case ".": return "the path has a \".\" component"
            case "..": return "the path has a \"..\" component"
            default: continue
            }
        }
        return nil
    }

    /// The proper ancestors of `path`, nearest last: `a`, `a/b` for `a/b/c`.
    static func ancestors(of path: String) -> [String] {
        var out: [String] = []
        var index = path.startIndex
        while let slash = path[index...].firstIndex(of: "/") {
            out.append(String(path[..<slash]))
            index = path.index(after: slash)
        }
        return out
    }

    /// Why a link at `path` pointing to `target` could lead outside the root, or nil when it cannot.
    /// The target is resolved lexically against the link's directory. `..` is allowed only before the
    /// first name component: after a name it would climb out of wherever that name leads, which may be
    /// a link, so the lexical answer would not be the real one.
    static func linkProblem(path: String, target: String) -> String? {
        if target.isEmpty { return "the link target is empty" }
        if target.utf8.contains(0) { return "the link target contains a NUL byte" }
        if target.utf8.first == UInt8(ascii: "/") { return "the link target \"\(target)\" is absolute" }
        var depth = path.split(separator: "/").count - 1
        var sawName = false
        for component in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                if sawName { return "the link target \"\(target)\" has \"..\" after a name, which cannot be checked without following links" }
                depth -= 1
                if depth < 0 { return "the link target \"\(target)\" escapes the root" }
            default:
                sawName = true
            }
        }
        return nil
    }
}
