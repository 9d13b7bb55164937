#ifndef STOCKRECON_CPREFETCH_H
#define STOCKRECON_CPREFETCH_H

/// Asks for the cache line at `address` without waiting for it. Swift has no prefetch: a
/// load it issues early still holds up every instruction after it until it arrives.
static inline void stockrecon_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
