extension DemoTask {
    /// The demo's tasks, each a different bug.
    public static let catalog: [DemoTask] = [sumTo, slugify, median, parsePort, chunks]

    /// The task with this id, if any.
    public static func named(_ id: String) -> DemoTask? { catalog.first { $0.id == id } }

    static let sumTo = DemoTask(
        id: "sum-to", summary: "sum_to(n) should return 1 + 2 + ... + n.", module: "calc", function: "sum_to",
        source: """
            \"\"\"Arithmetic helpers.\"\"\"


            def sum_to(n):
                \"\"\"Return 1 + 2 + ... + n.\"\"\"
                return sum(range(1, n))

            """,
        basicAssertion: "self.assertEqual(sum_to(0), 0)",
        cases: #"[{"args": [1], "expected": 1}, {"args": [4], "expected": 10}, {"args": [10], "expected": 55}]"#,
        diagnosis: "test_recorded_cases fails: sum_to(4) returns 6 but 10 is expected. range(1, n) stops before n, so the last term is missing.",
        fix: #"sed -i -E 's/range\([01], n\)/range(1, n + 1)/' src/calc.py"#,
        wrongFix: "sed -i 's/range(1, n)/range(0, n)/' src/calc.py",
        wrongFixReasoning: "Maybe the range should start at 0; I'll try range(0, n).",
        commitMessage: "Fix sum_to: include n")

    static let slugify = DemoTask(
        id: "slugify", summary: "slugify(title) should return lowercase words joined by hyphens.", module: "text",
        function: "slugify",
        source: """
            \"\"\"Text helpers.\"\"\"


            def slugify(title):
                \"\"\"Return a URL slug: lowercase words joined by hyphens.\"\"\"
                return "-".join(title.split())

            """,
        basicAssertion: #"self.assertEqual(slugify(""), "")"#,
        cases: #"[{"args": ["Hello World"], "expected": "hello-world"}, {"args": ["  Release Notes 2026 "], "expected": "release-notes-2026"}, {"args": ["already-slugged"], "expected": "already-slugged"}]"#,
        diagnosis: "test_recorded_cases fails: slugify('Hello World') returns 'Hello-World'. The title is never lowercased.",
        fix: #"sed -i -E 's/title(\.strip\(\))?\.split\(\)/title.lower().split()/' src/text.py"#,
        wrongFix: "sed -i 's/title.split()/title.strip().split()/' src/text.py",
        wrongFixReasoning: "Perhaps surrounding whitespace is the problem; I'll strip the title first.",
        commitMessage: "Fix slugify: lowercase the words")

    static let median = DemoTask(
        id: "median", summary: "median(values) should return the middle value, or the mean of the two middle values.",
        module: "stats", function: "median",
        source: """
            \"\"\"Descriptive statistics.\"\"\"


            def median(values):
                \"\"\"Return the median of a non-empty list of numbers.\"\"\"
                ordered = sorted(values)
                middle = len(ordered) // 2
                return ordered[middle]

            """,
        basicAssertion: "self.assertEqual(median([7]), 7)",
        cases: #"[{"args": [[3, 1, 2]], "expected": 2}, {"args": [[1, 2, 3, 4]], "expected": 2.5}, {"args": [[10, 40, 20, 30]], "expected": 25.0}]"#,
        diagnosis: "test_recorded_cases fails: median([1, 2, 3, 4]) returns 3 but 2.5 is expected. For an even count the median is the mean of the two middle values.",
        fix: #"sed -i -e 's|middle = .*|middle = len(ordered) // 2|' -e 's|return ordered\[middle\]$|return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2|' src/stats.py"#,
        wrongFix: "sed -i 's|len(ordered) // 2|(len(ordered) - 1) // 2|' src/stats.py",
        wrongFixReasoning: "Probably the index is off by one; I'll take the lower middle element.",
        commitMessage: "Fix median for an even number of values")

    static let parsePort = DemoTask(
        id: "parse-port", summary: "parse_address(text) should split \"host:port\" into a host and an integer port (80 by default).",
        module: "config", function: "parse_address",
        source: """
            \"\"\"Configuration parsing.\"\"\"


            def parse_address(text):
                \"\"\"Split "host:port" into (host, port); the port defaults to 80.\"\"\"
                host, _, port = text.partition(":")
                return host, port or 80

            """,
        basicAssertion: #"self.assertEqual(parse_address("web"), ("web", 80))"#,
        cases: #"[{"args": ["db:5432"], "expected": ["db", 5432]}, {"args": ["cache:6379"], "expected": ["cache", 6379]}, {"args": ["web"], "expected": ["web", 80]}]"#,
        diagnosis: "test_recorded_cases fails: parse_address('db:5432') returns ('db', '5432'). The port stays a string.",
        fix: #"sed -i -E 's/return host[^,]*, .*/return host, int(port) if port else 80/' src/config.py"#,
        wrongFix: "sed -i 's/return host, port or 80/return host.strip(), port or 80/' src/config.py",
        wrongFixReasoning: "Maybe stray whitespace in the host breaks the comparison; I'll strip it.",
        commitMessage: "Fix parse_address: the port is an integer")

    static let chunks = DemoTask(
        id: "chunks", summary: "chunks(items, size) should split items into consecutive lists of at most size elements.",
        module: "batches", function: "chunks",
        source: """
            \"\"\"Batching helpers.\"\"\"


            def chunks(items, size):
                \"\"\"Split items into lists of at most size elements, in order.\"\"\"
                return [items[i:i + size] for i in range(0, len(items) - size, size)]

            """,
        basicAssertion: "self.assertEqual(chunks([], 3), [])",
        cases: #"[{"args": [[1, 2, 3, 4, 5], 2], "expected": [[1, 2], [3, 4], [5]]}, {"args": [[1, 2, 3], 3], "expected": [[1, 2, 3]]}, {"args": [["a", "b", "c", "d"], 2], "expected": [["a", "b"], ["c", "d"]]}]"#,
        diagnosis: "test_recorded_cases fails: chunks([1, 2, 3, 4, 5], 2) drops the tail. range(0, len(items) - size, size) stops one chunk early.",
        fix: #"sed -i -E 's/range\(0, len\(items\)[^,]*, size\)/range(0, len(items), size)/' src/batches.py"#,
        wrongFix: "sed -i 's/len(items) - size, size/len(items) - size + 1, size/' src/batches.py",
        wrongFixReasoning: "The range bound looks one short; I'll add one to it.",
        commitMessage: "Fix chunks: keep the last, shorter chunk")
}
