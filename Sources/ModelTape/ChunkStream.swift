import Dispatch
import Synchronization

/// A response body that arrives piece by piece: a producer (the upstream connection, the tape)
/// pushes chunks, the server thread writing to the client takes them in order, each as one write.
/// Safe to use from any thread; `next` blocks, so it is called only from server threads.
public final class ChunkStream: Sendable {
    /// What `next` hands out.
    public enum Item: Sendable, Equatable {
        case chunk([UInt8])
        /// The body is complete.
        case end
        /// The body broke off (the client's connection is then cut, so it sees an incomplete body).
        case failed(String)
    }

    private struct State {
        var items: [Item] = []
        var head = 0
        var closed = false
        var abandoned = false
    }

    private let state = Mutex(State())
    /// Counts items ready to take.
    private let ready = DispatchSemaphore(value: 0)

    public init() {}

    /// Appends a chunk; ignored once the stream is closed or the reader is gone. Empty chunks are skipped.
    public func push(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        enqueue(.chunk(chunk), closing: false)
    }

    /// Marks the body complete.
    public func finish() { enqueue(.end, closing: true) }

    /// Breaks the body off with a reason.
    public func fail(_ reason: String) { enqueue(.failed(reason), closing: true) }

    private func enqueue(_ item: Item, closing: Bool) {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed, !state.abandoned else { return false }
            state.items.append(item)
            if closing { state.closed = true }
            return true
        }
        if accepted { ready.signal() }
    }

    /// Waits for the next item.
    public func next() -> Item {
        ready.wait()
        return state.withLock { state in
            let item = state.items[state.head]
            state.items[state.head] = .end
            state.head += 1
            if state.head > 64, state.head * 2 > state.items.count {
                state.items.removeFirst(state.head)
                state.head = 0
            }
            return item
        }
    }

    /// The reader is gone (the client disconnected or the server stopped): later pushes are dropped.
    public func abandon() {
        state.withLock { state in
            state.abandoned = true
            state.items.removeAll()
            state.head = 0
        }
    }

    /// Whether the reader is gone.
    public var isAbandoned: Bool { state.withLock { $0.abandoned } }
}
