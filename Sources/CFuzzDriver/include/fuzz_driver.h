#include <stddef.h>
#include <stdint.h>

/// One input for the fuzz target, in Swift (`stockrecon-fuzz`).
int stockrecon_fuzz_one(const uint8_t *data, size_t size);

/// Runs libFuzzer's driver when the binary is linked with libFuzzer (-sanitize=fuzzer);
/// returns -1 when it is not.
int stockrecon_run_fuzzer(int argc, char **argv);
