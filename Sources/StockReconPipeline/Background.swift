import Foundation

/// A value worked out on a thread of its own while the caller goes on; `value()` waits for it.
/// A file's SHA-256 (70 ms for a million rows) is taken while its transaction begins and its
/// catalog loads.
final class Background<Value>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            result = Result(catching: work)
            finished.signal()
        }
        thread.start()
    }

    /// The value, or what working it out threw; waits until it is done.
    func value() throws -> Value {
        finished.wait()
        defer { finished.signal() }
        guard let result else { preconditionFailure("a background value finished without a result") }
        return try result.get()
    }
}
