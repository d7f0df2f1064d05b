#define KERNEL_NAMESPACE instrumented
#include "kernel.inc"
