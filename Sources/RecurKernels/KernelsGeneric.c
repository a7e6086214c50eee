// The portable build of KernelBody.h: 4 lanes (SSE2 on x86-64, NEON on arm64).
#include "KernelTable.h"
#define VW 4
#define MR 2
#define NAME(x) generic_##x
#include "KernelBody.h"
const struct recur_kernel_table *recur_table_generic(void) { return &generic_table; }
