import CPrefetch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// For the tables probed at random on every row (a file's keys, the balances), which outgrow
// the cache: memory in huge pages, and prefetching a probe a few rows ahead.

/// Asks for the cache line at `address` without waiting for it: a lookup a few rows later
/// then finds it cached. (A load issued early instead holds up everything after it.)
@inlinable
public func prefetchCacheLine(_ address: UnsafeRawPointer) {
    stockrecon_prefetch(address)
}

/// Arrays for the tables probed at random on every row (the key index, the balances). A
/// table of megabytes in 4 KB pages costs each probe a TLB miss as well as a cache miss;
/// asked for huge pages before its memory is first touched, it does not. Where the kernel gives
/// huge pages only on request (`madvise` mode), this is the request; elsewhere it is harmless.
public enum HugePageArray {
    /// Below this, a table fits the TLB's reach anyway.
    static let threshold = 2 << 20

    public static func filled<Element>(_ value: Element, count: Int) -> [Element] {
        guard count * MemoryLayout<Element>.stride >= threshold else { return Array(repeating: value, count: count) }
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            adviseHugePages(UnsafeMutableRawPointer(base), bytes: count * MemoryLayout<Element>.stride)
            base.initialize(repeating: value, count: count)
            initialized = count
        }
    }

    /// The whole pages inside the range.
    private static func adviseHugePages(_ start: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let page = 4096
        let first = (Int(bitPattern: start) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: start) + bytes) & ~(page - 1)
        guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(aligned, end - first, MADV_HUGEPAGE)
        #endif
    }
}
