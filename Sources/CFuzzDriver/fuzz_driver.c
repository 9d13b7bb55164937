#include "fuzz_driver.h"

// libFuzzer's entry for a program with its own main; weak, so that a plain build links.
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *, size_t)) __attribute__((weak));

// What libFuzzer calls with each input.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return stockrecon_fuzz_one(data, size); }

int stockrecon_run_fuzzer(int argc, char **argv) {
    if (!LLVMFuzzerRunDriver) return -1;
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
