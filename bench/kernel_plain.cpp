#define KERNEL_NAMESPACE plain
#include "kernel.inc"
