import Foundation

/// A bounded hand-off of batches from one producer thread to one consumer: the producer
/// waits while `capacity` batches are queued, so memory stays flat however long the file.
final class BatchQueue<Batch>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [Batch] = []
    private var isFinished = false
    private var isCancelled = false
    private var failure: Error?
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
}
