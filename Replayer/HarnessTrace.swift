import ModelTape
import Recorder
import TraceModel

/// Turns what a harness replay recorded into the session it is stored as: its `session.start`
/// (`replay_of` the original), the commands the replayed agent ran with the file changes they made
/// and the model calls the tape served (the recorded request and response events) in the order and
/// at the times they happened, one annotation per step, and a `session.end` with the fidelity.
struct HarnessTrace {
    let replay: ActionReplay
    let runtime: HarnessRuntime
    let blobs: any BlobSource

    func build(replayed: [Event], served: [TapeServedCall], tape: Tape, report: inout ReplayReport) -> ReplaySessionBuilder {
        let trace = ReplaySessionBuilder(id: runtime.recorder.session)
        trace.add(.sessionStart, actor: .recorder, data: replayed.first?.data ?? replay.startData(mode: "harness"), ts: replayed.first?.ts)
        var replaySeqs: [UInt64: UInt64] = [0: 0]
        var requestSeqs: [UInt64: UInt64] = [:]
        let recorded = Dictionary(replay.session.events.map { ($0.seq, $0) }, uniquingKeysWith: { first, _ in first })
        // The replay's events and the served calls, each in order, merged by when they happened.
        var events = replayed.dropFirst().filter { $0.kind != .sessionStart && $0.kind != .sessionEnd }[...]
        var calls = served.sorted { $0.requestIndex < $1.requestIndex }[...]
        while !events.isEmpty || !calls.isEmpty {
            if let call = calls.first, events.first.map({ call.receivedAt.microseconds <= $0.ts.microseconds }) ?? true {
                calls.removeFirst()
                let entry = tape.entries[call.entry]
                guard let request = recorded[entry.requestSeq] else { continue }
                copyBlobs(request, into: trace)
                let seq = trace.add(.modelRequest, actor: request.actor, data: request.data, blobs: request.blobs, ts: call.receivedAt)
                requestSeqs[entry.requestSeq] = seq
                if let responseSeq = entry.response?.responseSeq, let response = recorded[responseSeq] {
                    copyBlobs(response, into: trace)
                    trace.add(.modelResponse, actor: response.actor, cause: seq, data: response.data, blobs: response.blobs, ts: call.receivedAt)
                }
            } else if let event = events.popFirst() {
                for digest in event.blobs.values { if let bytes = runtime.blob(digest) { _ = try? trace.blobs.put(bytes) } }
                replaySeqs[event.seq] = trace.add(event.kind, actor: event.actor, cause: event.cause.flatMap { replaySeqs[$0] },
                                                  data: event.data, blobs: event.blobs, ts: event.ts)
            }
        }
        for index in report.steps.indices {
            let step = report.steps[index]
            if step.kind == "model" {
                report.steps[index].replaySeq = step.verdict == .match ? requestSeqs[step.seq] : nil
            } else {
                report.steps[index].replaySeq = step.replaySeq.flatMap { replaySeqs[$0] }
            }
        }
        for step in report.steps {
            trace.add(.annotation, actor: .system, data: replay.annotation(step, replaySeq: step.replaySeq))
        }
        report.replaySession = trace.id
        trace.add(.sessionEnd, actor: .recorder, data: [
            "status": .string("completed"),
            "fidelity": .number(JSONNumber(report.fidelity) ?? JSONNumber(0)),
            "matched": .number(JSONNumber(Int64(report.matched))),
            "steps": .number(JSONNumber(Int64(report.steps.count))),
        ])
        return trace
    }

    /// Keeps the recorded bodies with the replay, so it is complete wherever it is stored.
    private func copyBlobs(_ event: Event, into trace: ReplaySessionBuilder) {
        for digest in event.blobs.values {
            guard let bytes = try? blobs.read(digest), Digest.sha256(bytes) == digest else { continue }
            _ = try? trace.blobs.put(bytes)
        }
    }
}
