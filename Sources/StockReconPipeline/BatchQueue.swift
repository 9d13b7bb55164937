import Foundation

/// A bounded hand-off of batches from one producer thread to one consumer: the producer
/// waits while `capacity` batches are queued, so memory stays flat however long the file.
final class BatchQueue<Batch>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [Batch] = []
    private var isFinished = false
    private var isCancelled = false
    private var failure: Error?
    /// Signalled when a producer started by `produce` has returned.
    private let produced = DispatchSemaphore(value: 0)
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Queues a batch; false when the consumer has stopped listening.
    func push(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity, !isCancelled { condition.wait() }
        guard !isCancelled else { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// No more batches; `error` is rethrown to the consumer after the queued ones.
    func finish(throwing error: Error? = nil) {
        condition.lock()
        isFinished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, nil at the end, or the producer's error.
    func pop() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty, !isFinished { condition.wait() }
        if !batches.isEmpty {
            condition.broadcast()
            return batches.removeFirst()
        }
        if let failure { throw failure }
        return nil
    }

    /// The consumer gives up: a waiting producer returns from `push` with false.
    func cancel() {
        condition.lock()
        isCancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body` as this queue's producer, on a thread of its own (an 8 MB stack), and
    /// finishes the queue with what it throws. `stopProducing` ends it.
    func produce(_ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            do {
                try body()
                finish()
            } catch {
                finish(throwing: error)
            }
            produced.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Stops the producer (if still running: its next `push` returns false) and waits for it.
    func stopProducing() {
        cancel()
        produced.wait()
    }
}
