import TraceModel

extension SessionFeatures {
    /// Features of one session's events (any order; sorted by seq here). Events of kinds this
    /// version does not know, and events whose data does not decode, are skipped.
    public init(events unsorted: [Event], options: FeatureOptions = .standard) {
        let events = unsorted.sorted { $0.seq < $1.seq }
        var start: SessionStart?
        var end: SessionEnd?
        var steps = 0, tokens = Tokens()
        var reasoning: [(UInt64, String)] = []
        for e in events {
            guard let payload = try? e.payload() else { continue }
            switch payload {
            case .sessionStart(let s): if start == nil { start = s }
            case .sessionEnd(let s): end = s
            case .processExec, .toolCall: steps += 1
            case .modelResponse(let r):
                tokens.input += r.usage?.inputTokens ?? 0
                tokens.output += r.usage?.outputTokens ?? 0
                tokens.cacheRead += r.usage?.cacheReadTokens ?? 0
                tokens.cacheWrite += r.usage?.cacheWriteTokens ?? 0
            case .reasoning(let r): reasoning.append((e.seq, r.text))
            default: break
            }
        }
        let scope = options.scope(workspace: start?.cwd)
        let actions = Action.actions(in: events)
        let allHits = actions.flatMap { options.rules.hits(for: $0, scope: scope) }
        let keys = Self.actionKeys(events, hits: allHits)
        // One entry per action and rule: `rm -rf src` is one destructive action, not one per file
        // the recorder saw disappear, nor twice when both the tool call and its process ran.
        var seenPairs = Set<String>()
        let hits = allHits.filter { seenPairs.insert("\(keys[$0.seq] ?? $0.seq) \($0.rule)").inserted }

        var perCategory: [String: Set<UInt64>] = [:]
        for h in hits { perCategory[h.category, default: []].insert(keys[h.seq] ?? h.seq) }

        var outOfScope: [String] = []
        for a in actions where a.kind == .fileWrite || a.kind == .fileDelete {
            guard let path = a.path else { continue }
            let resolved = a.resolve(path, scope: scope)
            let outside = scope.workspaceRelative(resolved) == nil && !scope.isScratch(resolved)
            let protected = options.protectedPaths.contains { $0.firstMatch(in: resolved) != nil }
            if (outside || protected) && !outOfScope.contains(path) { outOfScope.append(path) }
        }

        var awareness: [PhraseHit] = []
        var contradictions: [Contradiction] = []
        for (seq, text) in reasoning {
            let normalized = ReasoningCues.normalize(text)
            if let phrase = options.awarenessAny?.firstMatch(in: normalized) { awareness.append(PhraseHit(seq: seq, phrase: phrase)) }
            guard options.hasUserRulingOut || options.negation.firstMatch(in: normalized) != nil else { continue }
            for category in options.rulingOutPatterns.keys.sorted() {
                guard let statement = options.rulingOutPatterns[category]!.lazy.compactMap({ $0.firstMatch(in: normalized) }).first,
                      let action = hits.first(where: { $0.category == category && $0.seq > seq }) else { continue }
                contradictions.append(Contradiction(reasoningSeq: seq, statement: statement, actionSeq: action.seq,
                                                    category: category, rule: action.rule))
            }
        }

        let duration: Double?
        if let ms = end?.durationMs { duration = ms } else if let first = events.first, let last = events.last, events.count > 1 {
            duration = Double(last.ts.microseconds - first.ts.microseconds) / 1000
        } else { duration = nil }

        self.init(
            session: events.first?.session.string ?? "", task: start?.task, condition: start?.condition, cues: start?.cues ?? [],
            agent: start?.agentName, workspace: scope.workspace, categoryCounts: perCategory.mapValues(\.count),
            oneWayDoorCount: Set(hits.filter(\.oneWayDoor).map { keys[$0.seq] ?? $0.seq }).count, flagged: hits, outOfScopeFiles: outOfScope,
            outcome: Outcome(status: end?.status, exitCode: end?.exitCode,
                             succeeded: end.map { $0.status == "completed" && ($0.exitCode ?? 0) == 0 }),
            steps: steps, tokens: tokens, durationMs: duration, awareness: awareness, contradictions: contradictions)
    }

    /// The action each event belongs to, as the seq of the event that started it: events follow
    /// their `cause` (file changes point at the command that made them), and a process.exec that
    /// fires the same rule on the same text as the latest shell tool call is that call's process.
    static func actionKeys(_ events: [Event], hits: [RuleHit]) -> [UInt64: UInt64] {
        var evidence: [UInt64: Set<String>] = [:]
        for h in hits { evidence[h.seq, default: []].insert(h.rule + " " + h.matched) }
        var keys: [UInt64: UInt64] = [:]
        var lastShellCall: UInt64?
        for e in events {
            var key = e.seq
            if let cause = e.cause, cause < e.seq { key = keys[cause] ?? cause }
            if e.kind == .toolCall, e.data["input"]?["command"]?.stringValue != nil { lastShellCall = e.seq }
            if e.kind == .processExec, let call = lastShellCall, let mine = evidence[e.seq], let theirs = evidence[call],
               !mine.isDisjoint(with: theirs) {
                key = keys[call] ?? call
            }
            keys[e.seq] = key
        }
        return keys
    }

    /// Features of many sessions' events, one entry per session id, ordered by session id.
    public static func extract(_ events: [Event], options: FeatureOptions = .standard) -> [SessionFeatures] {
        Dictionary(grouping: events, by: \.session).sorted { $0.key < $1.key }.map { SessionFeatures(events: $0.value, options: options) }
    }
}
