// The header declares libFuzzer's driver, which -sanitize=fuzzer links in; nothing to define.
#include "CLibFuzzer.h"
