// The AVX-512F + FMA build of KernelBody.h: 16 lanes, 8-row GEMM tiles (16 accumulators).
#include "KernelTable.h"
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#define VW 16
#define MR 8
#define NAME(x) avx512_##x
#include "KernelBody.h"
#pragma clang attribute pop
const struct recur_kernel_table *recur_table_avx512(void) { return &avx512_table; }
#endif
