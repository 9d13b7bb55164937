#if os(Linux)
import CMalloc
#endif

/// How the C library's allocator is set for a run.
enum Allocator {
    /// Blocks of 1 MB and more are mapped each on its own, and given back when freed. glibc
    /// otherwise raises that threshold to the size of each such block freed, and served the
    /// next from its heap, which kept them (the first import after a catalog load: 146 or, as
    /// often, 180 MB). At 4 MB, a balance book's shards of 2-3 MB, each freed as it grew, were
    /// still kept in the heap (docs/performance.md).
    static func returnLargeBlocks() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 20)
        #endif
    }
}
