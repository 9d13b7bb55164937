#if os(Linux)
import CMalloc
#endif

/// How the C library's allocator is set for a run.
enum Allocator {
    /// Blocks of 4 MB and more are mapped each on its own, and given back when freed. glibc
    /// otherwise raises that threshold to the size of each such block freed, and served the
    /// next from its heap, which kept them: the first import after a catalog load took 146 MB
    /// or, as often, 180 MB (a 32 MB table kept); so, 131 to 134 MB.
    static func returnLargeBlocks() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 4 << 20)
        #endif
    }
}
