/// Tells the likely cause of a diverged step from what it ran and what the replay printed.
/// Each rule names the evidence it found, so a reader can check the guess.
enum CauseInference {
    /// Messages that mean the command tried to reach the network (the sandbox has none).
    static let networkMessages = [
        "could not resolve host", "temporary failure in name resolution", "name or service not known",
        "network is unreachable", "connection refused", "failed to connect", "no address associated with hostname",
        "could not resolve", "unable to access", "connection timed out", "urlopen error", "max retries exceeded",
    ]
    static let networkPrograms: Set<String> = ["curl", "wget", "nc", "ncat", "netcat", "ssh", "scp", "rsync", "ping", "dig",
                                               "nslookup", "host", "telnet", "ftp", "http", "https", "aria2c"]
    static let networkWords = ["http://", "https://", "ftp://", "git clone", "git fetch", "git pull", "git push", "pip install",
                               "npm install", "apt-get", "apt install", "urllib", "requests.get", "requests.post", "socket.", "/dev/tcp/"]
    static let randomWords = ["$random", "${random", "$srandom", "random", "uuid", "urandom", "/dev/random", "mktemp", "shuf",
                              "openssl rand", "secrets.", "getrandom", "nanoid"]
    static let timeWords = ["date", "time.time", "datetime", "now()", "$seconds", "epochrealtime", "epochseconds", "clock",
                            "timestamp", "strftime", "sleep", "uptime"]
    static let environmentWords = ["/proc/", "/sys/", "uptime", "hostname", "uname", "whoami", "$user", "$home", "$ppid", "$$",
                                   "getpid", "os.getpid", "printenv", "nproc", "free ", "df ", "ps ", "ifconfig", "ip addr", "id -", "lscpu", "who"]

    /// The cause and the evidence for it.
    static func infer(argv: [String], replayStderr: String, differences: [StepDifference],
                      missingContent: Bool, workspaceDiverged: Bool) -> (DivergenceCause, String) {
        let text = argv.joined(separator: " ").lowercased()
        let stderr = replayStderr.lowercased()
        if stderr.contains("not a git repository") {
            return (.environment, "git found no repository: workspace snapshots leave .git/ out, so the replay has no history")
        }
        if let message = networkMessages.first(where: stderr.contains) {
            return (.network, "the replay printed \"\(message)\": the sandbox has no network")
        }
        let words = Set(text.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" && $0 != "_" }).map(String.init))
        if let program = networkPrograms.first(where: words.contains) {
            return (.network, "the command runs \(program), which uses the network")
        }
        if let word = networkWords.first(where: text.contains) {
            return (.network, "the command mentions \"\(word)\"")
        }
        if missingContent {
            return (.missingBlob, "content the step needs was not kept in the recording")
        }
        if let word = environmentWords.first(where: { $0.hasPrefix("/") || $0.hasPrefix("$") || $0.contains(" ") ? text.contains($0) : words.contains($0) }) {
            if word == "uptime" || word.hasPrefix("/proc") || word.hasPrefix("/sys") || !timeOrRandom(text, words) {
                return (.environment, "the command reads \(word.trimmingSuffix()), which depends on the host")
            }
        }
        if let word = randomWords.first(where: { $0.contains(where: { !$0.isLetter }) ? text.contains($0) : words.contains($0) || text.contains($0) }) {
            return (.randomness, "the command uses \(word), which the recording did not seed")
        }
        if let word = timeWords.first(where: { $0.contains(where: { !$0.isLetter }) ? text.contains($0) : words.contains($0) }) {
            return (.time, "the command reads the clock (\(word)); the pinned clock starts at the recorded time but runs on")
        }
        if workspaceDiverged {
            return (.earlierDivergence, "an earlier step left the workspace different from the recording")
        }
        if let field = onlyNumbersDiffer(differences) {
            return (.time, "the \(field) differs only in numbers (durations, timestamps or counters)")
        }
        let fields = differences.map(\.field).joined(separator: ", ")
        return (.unknown, "the \(fields) differ\(differences.count == 1 ? "s" : "") and nothing in the command points to a cause")
    }

    /// The first output field whose two sides are the same text once every digit run is masked,
    /// when every differing field is like that (and the exit status and files agree).
    static func onlyNumbersDiffer(_ differences: [StepDifference]) -> String? {
        guard !differences.isEmpty, differences.allSatisfy({ $0.field == "stdout" || $0.field == "stderr" }) else { return nil }
        for difference in differences {
            guard let diff = difference.diff else { return nil }
            let removed = diff.split(separator: "\n").filter { $0.hasPrefix("- ") }.map { maskDigits($0.dropFirst(2)) }
            let added = diff.split(separator: "\n").filter { $0.hasPrefix("+ ") }.map { maskDigits($0.dropFirst(2)) }
            guard !removed.isEmpty, removed == added else { return nil }
        }
        return differences[0].field
    }

    static func maskDigits(_ line: Substring) -> String {
        var out = ""
        var inNumber = false
        for character in line {
            if character.isNumber || (inNumber && character == ".") {
                if !inNumber { out.append("#") }
                inNumber = true
            } else {
                inNumber = false
                out.append(character)
            }
        }
        return out
    }

    private static func timeOrRandom(_ text: String, _ words: Set<String>) -> Bool {
        randomWords.contains(where: text.contains) || timeWords.contains(where: { words.contains($0) || text.contains($0) })
    }
}
