/* The C library's allocator: glibc's malloc_trim (gives the heap's free pages back) and mallopt. */
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
