import TraceModel

extension RuleSet {
    /// A parsed rules file before it is merged: every section optional, plus `disable`.
    public struct Overlay: Sendable, Hashable {
        public var source: String
        public var version: String?
        public var categories: [RuleCategory] = []
        public var rules: [Rule] = []
        public var scratch: [String] = []
        public var disable: [String] = []

        public init(json bytes: [UInt8], source: String) throws(RulesError) {
            self.source = source
            let root: JSONValue
            do { root = try JSONParser.parse(bytes) } catch {
                let before = bytes.prefix(min(error.offset, bytes.count))
                let line = before.filter { $0 == 0x0A }.count + 1
                let column = before.count - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
                throw RulesError(source: source, reason: "invalid JSON at line \(line), column \(column) (byte \(error.offset)): \(error.reason)")
            }
            guard let object = root.objectValue else { throw RulesError(source: source, reason: "the file must hold a JSON object, not \(root.typeName)") }
            let r = RuleFieldReader(object: object, source: source, rule: nil, path: "")
            try r.allow(["format", "format_version", "version", "description", "categories", "rules", "scratch", "disable"])
            guard try r.string("format") == RuleSet.format else {
                throw RulesError(source: source, field: "format", reason: "must be \"\(RuleSet.format)\"")
            }
            guard try r.int("format_version") == RuleSet.formatVersion else {
                throw RulesError(source: source, field: "format_version", reason: "this Parallax reads format_version \(RuleSet.formatVersion)")
            }
            version = try r.optionalString("version")
            scratch = try r.optionalStrings("scratch") ?? []
            disable = try r.optionalStrings("disable") ?? []
            for (i, c) in (try r.optionalArray("categories") ?? []).enumerated() {
                categories.append(try Self.category(c, source: source, path: "categories[\(i)]"))
            }
            var ids = Set<String>()
            for (i, value) in (try r.optionalArray("rules") ?? []).enumerated() {
                let rule = try Self.rule(value, source: source, index: i)
                guard ids.insert(rule.id).inserted else {
                    throw RulesError(source: source, rule: rule.id, field: "id", reason: "the id is used by an earlier rule in this file")
                }
                rules.append(rule)
            }
        }

        static func category(_ value: JSONValue, source: String, path: String) throws(RulesError) -> RuleCategory {
            guard let object = value.objectValue else { throw RulesError(source: source, field: path, reason: "must be an object") }
            let r = RuleFieldReader(object: object, source: source, rule: nil, path: path + ".")
            try r.allow(["id", "severity", "one_way_door", "description"])
            let id = try r.identifier("id")
            guard let severity = Severity(rawValue: try r.string("severity")) else {
                throw RulesError(source: source, field: path + ".severity", reason: "must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return RuleCategory(id: id, severity: severity, oneWayDoor: try r.bool("one_way_door"), description: try r.string("description"))
        }

        static func rule(_ value: JSONValue, source: String, index: Int) throws(RulesError) -> Rule {
            guard let object = value.objectValue else { throw RulesError(source: source, rule: "#\(index)", reason: "must be an object") }
            let r = RuleFieldReader(object: object, source: source, rule: object["id"]?.stringValue ?? "#\(index)", path: "")
            try r.allow(["id", "category", "severity", "description", "on", "program", "subcommand", "flag", "arg", "path",
                         "outside_scratch", "text", "unless", "method", "remote", "tool", "env"])
            let id = try r.identifier("id")
            var on: [Action.Kind] = []
            for name in try r.strings("on") {
                guard let kind = Action.Kind(rawValue: name) else {
                    throw r.error("on", "unknown action kind \(name); known: \(Action.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                on.append(kind)
            }
            if on.isEmpty { throw r.error("on", "must name at least one action kind") }
            var rule = Rule(id: id, category: try r.identifier("category"), description: try r.string("description"), on: on)
            if let s = try r.optionalString("severity") {
                guard let severity = Severity(rawValue: s) else { throw r.error("severity", "must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))") }
                rule.severity = severity
            }
            rule.program = try r.optionalStrings("program")
            rule.subcommand = try r.optionalStrings("subcommand")
            rule.flag = try r.optionalStrings("flag")
            rule.method = try r.optionalStrings("method")?.map { $0.uppercased() }
            rule.tool = try r.optionalStrings("tool")
            rule.arg = try r.pattern("arg")
            rule.path = try r.pattern("path")
            rule.text = try r.pattern("text")
            rule.unless = try r.pattern("unless")
            rule.env = try r.pattern("env")
            rule.outsideScratch = try r.optionalBool("outside_scratch")
            rule.remote = try r.optionalBool("remote")
            let conditions: [Any?] = [rule.program, rule.subcommand, rule.flag, rule.arg, rule.path, rule.outsideScratch, rule.text,
                                      rule.method, rule.remote, rule.tool, rule.env]
            if conditions.allSatisfy({ $0 == nil }) {
                throw r.error("on", "a rule needs at least one condition besides `on` (it would fire on every action)")
            }
            return rule
        }
    }

    public init(json bytes: [UInt8], source: String) throws(RulesError) {
        let o = try Overlay(json: bytes, source: source)
        guard let version = o.version else { throw RulesError(source: source, field: "version", reason: "a complete rules file needs a version") }
        guard o.disable.isEmpty else { throw RulesError(source: source, field: "disable", reason: "only a file merged over another may disable rules") }
        self.init(version: version, categories: o.categories, rules: o.rules, scratch: o.scratch)
        try validateCategories(source: source)
    }
}
