#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver for programs with a main of their own (compiler-rt's FuzzerInterface.h).
/// SwiftPM links every Linux executable with `main` aliased to the module's own entry point,
/// so the targets call this from `@main` instead of relying on libFuzzer's `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
