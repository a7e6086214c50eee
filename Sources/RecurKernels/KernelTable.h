// The function table each ISA build fills (see Dispatch.c).
#ifndef RECUR_KERNEL_TABLE_H
#define RECUR_KERNEL_TABLE_H
#include "include/RecurKernels.h"
#include <stdint.h>

struct recur_kernel_table {
    void (*gemm_packed)(int m, int n, int k, const float *a, int lda, const float *packed, float *c,
                        int ldc, int accumulate);
    void (*lstm_forward_gates)(int rows, int H, float *z, const float *bias, const float *cPrev,
                               float *c, float *actC, float *h);
    void (*lstm_backward_gates)(int rows, int H, const float *z, const float *cPrev,
                                const float *actC, const float *dOut, const float *dh, float *dc,
                                float *dz);
    void (*gru_forward_gates)(int rows, int H, float *x, const float *q, const float *bx, const float *bh,
                              const float *hPrev, float *hr, float *h);
    void (*gru_backward_gates)(int rows, int H, const float *x, const float *hPrev, const float *hr,
                               const float *dOut, float *dh, float *dx, float *dq);
    void (*gru_reset_before_gates)(int rows, int H, float *x, const float *q, const float *bx, const float *hPrev,
                                   float *rh);
    void (*gru_reset_before_output)(int rows, int H, float *x, const float *q, const float *bx, const float *hPrev,
                                    float *h);
    void (*gru_reset_before_backward_zh)(int rows, int H, const float *x, const float *hPrev, const float *dOut,
                                         float *dh, float *dx);
    void (*gru_reset_before_backward_r)(int rows, int H, const float *x, const float *hPrev, const float *drh,
                                        float *dh, float *dx);
    void (*activate)(int kind, long n, float *x);
    void (*column_sums)(int rows, int cols, int ldm, const float *m, float *sums);
    void (*adam)(long n, float *w, const float *g, float *m, float *v, float alpha, float c1, float c2,
                 float eps);
    long (*first_nonfinite)(long n, const float *x);
    void (*dropout)(long n, long offset, uint32_t k0, uint32_t k1, float rate, float keep, const float *x,
                    float *mask, float *y);
    void (*pack_transposed)(const float *src, int ld, int k, int n, float *packed, int first, int end);
    void (*lstm_forward_step)(int rows, int H, const float *hPrev, int lda, const float *packed, float *z,
                              const float *bias, const float *cPrev, float *c, float *actC, float *h);
};

extern const struct recur_kernel_table *recur_table_generic(void);
#if defined(__x86_64__)
extern const struct recur_kernel_table *recur_table_avx2(void);
extern const struct recur_kernel_table *recur_table_avx512(void);
#endif
#endif
