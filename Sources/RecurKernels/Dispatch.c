// Chooses the kernels' instruction-set level once and forwards the public entry points.
#include "KernelTable.h"
#include <string.h>

static int best_isa(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return RECUR_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return RECUR_ISA_AVX2;
#endif
    return RECUR_ISA_GENERIC;
}

static const struct recur_kernel_table *table_for(int isa) {
#if defined(__x86_64__)
    if (isa == RECUR_ISA_AVX512) return recur_table_avx512();
    if (isa == RECUR_ISA_AVX2) return recur_table_avx2();
#endif
    (void)isa;
    return recur_table_generic();
}

static int current_isa = -1;
static const struct recur_kernel_table *current;

// Runs before main (and before any Swift code), so the table is set before any thread exists.
__attribute__((constructor)) static void recur_kernels_init(void) {
    current_isa = best_isa();
    current = table_for(current_isa);
}

int recur_kernels_isa(void) { return current_isa; }
int recur_kernels_best_isa(void) { return best_isa(); }

int recur_kernels_set_isa(int isa) {
    int best = best_isa();
    if (isa < RECUR_ISA_GENERIC) isa = RECUR_ISA_GENERIC;
    if (isa > best) isa = best;
    current_isa = isa;
    current = table_for(isa);
    return isa;
}

size_t recur_packed_count(int k, int n) {
    size_t panels = (size_t)((n + RECUR_PANEL_WIDTH - 1) / RECUR_PANEL_WIDTH);
    return panels * (size_t)k * RECUR_PANEL_WIDTH;
}

void recur_pack_panels(const float *src, int ld, int k, int n, int transposed, float *packed, int first,
                       int end) {
    if (transposed) {
        // B(p, j) = src[j*ld + p]: 8 x 8 blocks transposed in registers (KernelBody.h).
        current->pack_transposed(src, ld, k, n, packed, first, end);
        return;
    }
    for (int q = first; q < end; q++) {
        float *dst = packed + (size_t)q * k * RECUR_PANEL_WIDTH;
        int j0 = q * RECUR_PANEL_WIDTH;
        int nc = n - j0 < RECUR_PANEL_WIDTH ? n - j0 : RECUR_PANEL_WIDTH;
        for (int p = 0; p < k; p++) {
            float *row = dst + (size_t)p * RECUR_PANEL_WIDTH;
            memcpy(row, src + (size_t)p * ld + j0, (size_t)nc * sizeof(float));
            for (int j = nc; j < RECUR_PANEL_WIDTH; j++) row[j] = 0.0f;
        }
    }
}

void recur_pack_gate_groups(const float *src, int ld, int H, float *packed, int first, int end) {
    for (int q = first; q < end; q++) {
        float *dst = packed + (size_t)q * H * RECUR_PANEL_WIDTH;
        int u = (q / 2) * RECUR_GATE_GROUP, first_block = (q % 2) * 2;
        const float *s0 = src + (size_t)first_block * H + u, *s1 = s0 + H;
        for (int p = 0; p < H; p++) {
            float *row = dst + (size_t)p * RECUR_PANEL_WIDTH;
            memcpy(row, s0 + (size_t)p * ld, RECUR_GATE_GROUP * sizeof(float));
            memcpy(row + RECUR_GATE_GROUP, s1 + (size_t)p * ld, RECUR_GATE_GROUP * sizeof(float));
        }
    }
}

void recur_lstm_forward_step(int rows, int H, const float *hPrev, int lda, const float *packed, float *z,
                             const float *bias, const float *cPrev, float *c, float *actC, float *h) {
    if (rows <= 0 || H <= 0) return;
    current->lstm_forward_step(rows, H, hPrev, lda, packed, z, bias, cPrev, c, actC, h);
}

void recur_pack(const float *src, int ld, int k, int n, int transposed, float *packed) {
    recur_pack_panels(src, ld, k, n, transposed, packed, 0, (n + RECUR_PANEL_WIDTH - 1) / RECUR_PANEL_WIDTH);
}

void recur_gemm_packed(int m, int n, int k, const float *a, int lda, const float *packed, float *c,
                       int ldc, int accumulate) {
    if (m <= 0 || n <= 0) return;
    current->gemm_packed(m, n, k, a, lda, packed, c, ldc, accumulate);
}

void recur_lstm_forward_gates(int rows, int H, float *z, const float *bias, const float *cPrev,
                              float *c, float *actC, float *h) {
    current->lstm_forward_gates(rows, H, z, bias, cPrev, c, actC, h);
}

void recur_lstm_backward_gates(int rows, int H, const float *z, const float *cPrev,
                               const float *actC, const float *dOut, const float *dh, float *dc,
                               float *dz) {
    current->lstm_backward_gates(rows, H, z, cPrev, actC, dOut, dh, dc, dz);
}

void recur_column_sums(int rows, int cols, int ldm, const float *m, float *sums) {
    if (rows <= 0 || cols <= 0) return;
    current->column_sums(rows, cols, ldm, m, sums);
}

void recur_adam_step(long n, float *w, const float *g, float *m, float *v, float alpha, float c1, float c2,
                     float eps) {
    if (n <= 0) return;
    current->adam(n, w, g, m, v, alpha, c1, c2, eps);
}

void recur_dropout(long n, long offset, unsigned k0, unsigned k1, float rate, float keep, const float *x, float *mask,
                   float *y) {
    if (n <= 0) return;
    current->dropout(n, offset, k0, k1, rate, keep, x, mask, y);
}

long recur_first_nonfinite(long n, const float *x) {
    if (n <= 0) return -1;
    return current->first_nonfinite(n, x);
}

void recur_gru_forward_gates(int rows, int H, float *x, const float *q, const float *bx, const float *bh,
                             const float *hPrev, float *hr, float *h) {
    current->gru_forward_gates(rows, H, x, q, bx, bh, hPrev, hr, h);
}

void recur_gru_backward_gates(int rows, int H, const float *x, const float *hPrev, const float *hr,
                              const float *dOut, float *dh, float *dx, float *dq) {
    current->gru_backward_gates(rows, H, x, hPrev, hr, dOut, dh, dx, dq);
}

void recur_gru_reset_before_gates(int rows, int H, float *x, const float *q, const float *bx, const float *hPrev,
                                  float *rh) {
    current->gru_reset_before_gates(rows, H, x, q, bx, hPrev, rh);
}

void recur_gru_reset_before_output(int rows, int H, float *x, const float *q, const float *bx, const float *hPrev,
                                   float *h) {
    current->gru_reset_before_output(rows, H, x, q, bx, hPrev, h);
}

void recur_gru_reset_before_backward_zh(int rows, int H, const float *x, const float *hPrev, const float *dOut,
                                        float *dh, float *dx) {
    current->gru_reset_before_backward_zh(rows, H, x, hPrev, dOut, dh, dx);
}

void recur_gru_reset_before_backward_r(int rows, int H, const float *x, const float *hPrev, const float *drh,
                                       float *dh, float *dx) {
    current->gru_reset_before_backward_r(rows, H, x, hPrev, drh, dh, dx);
}

void recur_activate(int kind, long n, float *x) {
    if (n <= 0) return;
    current->activate(kind, n, x);
}
