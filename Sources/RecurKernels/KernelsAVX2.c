// The AVX2 + FMA build of KernelBody.h: 8 lanes, 3-row GEMM tiles (12 accumulators).
#include "KernelTable.h"
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define VW 8
#define MR 3
#define NAME(x) avx2_##x
#include "KernelBody.h"
#pragma clang attribute pop
const struct recur_kernel_table *recur_table_avx2(void) { return &avx2_table; }
#endif
