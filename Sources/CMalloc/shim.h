/* The C library's allocator (glibc's malloc_trim, which gives the heap's free pages back). */
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
