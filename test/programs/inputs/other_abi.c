// Stands for a program with a module instrumented by another version of the pass: it registers
// a module for runtime ABI version 999, which the runtime refuses at startup.
#include <stdint.h>
#include <stddef.h>

void __interlace_register_module(uint32_t abi_version, const void *sites, uint64_t count,
                                 const void *globals, uint64_t global_count,
                                 const char *module_name);

__attribute__((constructor)) static void register_old_module(void) {
  __interlace_register_module(999, NULL, 0, NULL, 0, "old_module.c");
}

int main(void) { return 0; }
