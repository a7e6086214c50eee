// The kernels, written once on clang vector types of VW lanes; each ISA file defines VW, MR
// (rows per GEMM micro-tile), NAME(x) and pushes its target attribute before including this.
// Every function here is static: only the ISA file's exported entry points leave it.
#include <stdint.h>
#include <string.h>

typedef float vf __attribute__((ext_vector_type(VW), aligned(4)));
typedef int32_t vi __attribute__((ext_vector_type(VW), aligned(4)));

#define NV (RECUR_PANEL_WIDTH / VW)

static inline __attribute__((always_inline)) vf NAME(splat)(float x) {
    return (vf)x;
}
static inline __attribute__((always_inline)) vf NAME(load)(const float *p) {
    vf v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline __attribute__((always_inline)) void NAME(store)(float *p, vf v) { memcpy(p, &v, sizeof v); }
/// The first n (< VW) floats, the rest zero.
static inline __attribute__((always_inline)) vf NAME(loadn)(const float *p, int n) {
    vf v = {0};
    memcpy(&v, p, (size_t)n * 4);
    return v;
}
static inline __attribute__((always_inline)) void NAME(storen)(float *p, vf v, int n) {
    memcpy(p, &v, (size_t)n * 4);
}
static inline __attribute__((always_inline)) vf NAME(ld)(const float *p, int n) {
    return n >= VW ? NAME(load)(p) : NAME(loadn)(p, n);
}
static inline __attribute__((always_inline)) void NAME(st)(float *p, vf v, int n) {
    if (n >= VW) NAME(store)(p, v); else NAME(storen)(p, v, n);
}

// e^x: the same range reduction and polynomial as FastMath (Swift), relative error <= 1e-7.
static inline __attribute__((always_inline)) vf NAME(exp)(vf x) {
    const float magic = 12582912.0f;  // 1.5 * 2^23
    x = __builtin_elementwise_max(x, NAME(splat)(-87.3f));
    x = __builtin_elementwise_min(x, NAME(splat)(88.7f));
    vf shifted = x * 1.44269504088896341f + magic;
    vf nf = shifted - magic;
    vf r = (x - nf * 0.693359375f) - nf * -2.12194440e-4f;
    vf p = NAME(splat)(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    vf e = p * (r * r) + r + 1.0f;
    vi bits = (vi)shifted - (vi)NAME(splat)(magic);
    vi half = bits >> 1;
    vf s1 = (vf)((half + 127) << 23);
    vf s2 = (vf)((bits - half + 127) << 23);
    return e * s1 * s2;
}

static inline __attribute__((always_inline)) vf NAME(sigmoid)(vf x) {
    return 1.0f / (1.0f + NAME(exp)(-x));
}

static inline __attribute__((always_inline)) vf NAME(select)(vi mask, vf a, vf b) {
    return (vf)(((vi)a & mask) | ((vi)b & ~mask));
}

// tanh: Cephes's odd polynomial below |x| = 0.625, else 1 - 2 / (e^{2|x|} + 1) with the sign.
static inline __attribute__((always_inline)) vf NAME(tanh)(vf x) {
    vf a = __builtin_elementwise_abs(x);
    vf z = x * x;
    vf p = NAME(splat)(-5.70498872745e-3f);
    p = p * z + 2.06390887954e-2f;
    p = p * z + -5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z + -3.33332819422e-1f;
    vf small = p * z * x + x;
    vf e = NAME(exp)(2.0f * __builtin_elementwise_min(a, NAME(splat)(9.5f)));
    vf large = 1.0f - 2.0f / (e + 1.0f);
    vi signBit = (vi)x & (vi)NAME(splat)(-0.0f);
    vf signedLarge = (vf)((vi)large | signBit);
    return NAME(select)(a < 0.625f, small, signedLarge);
}

// MARK: packed GEMM

// One micro-tile: rows 0..<mr of A against one 32-column panel; `nc` valid columns.
static inline __attribute__((always_inline)) void NAME(tile)(int mr, int k, const float *a, int lda,
                                                           const float *bp, float *c, int ldc,
                                                           int nc, int accumulate) {
    vf acc[MR][NV];
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) acc[i][v] = NAME(splat)(0.0f);
    for (int p = 0; p < k; p++) {
        vf b[NV];
        for (int v = 0; v < NV; v++) b[v] = NAME(load)(bp + (size_t)p * RECUR_PANEL_WIDTH + v * VW);
        for (int i = 0; i < MR; i++) {
            if (i < mr) {
                vf av = NAME(splat)(a[(size_t)i * lda + p]);
                for (int v = 0; v < NV; v++) acc[i][v] = av * b[v] + acc[i][v];
            }
        }
    }
    for (int i = 0; i < MR; i++) {
        if (i >= mr) break;
        float *ci = c + (size_t)i * ldc;
        if (nc == RECUR_PANEL_WIDTH) {
            for (int v = 0; v < NV; v++) {
                vf out = accumulate ? NAME(load)(ci + v * VW) + acc[i][v] : acc[i][v];
                NAME(store)(ci + v * VW, out);
            }
        } else {
            float tmp[RECUR_PANEL_WIDTH];
            for (int v = 0; v < NV; v++) NAME(store)(tmp + v * VW, acc[i][v]);
            for (int j = 0; j < nc; j++) ci[j] = accumulate ? ci[j] + tmp[j] : tmp[j];
        }
    }
}

static void NAME(gemm_packed)(int m, int n, int k, const float *a, int lda, const float *packed,
                              float *c, int ldc, int accumulate) {
    int panels = (n + RECUR_PANEL_WIDTH - 1) / RECUR_PANEL_WIDTH;
    for (int q = 0; q < panels; q++) {
        const float *bp = packed + (size_t)q * k * RECUR_PANEL_WIDTH;
        int j0 = q * RECUR_PANEL_WIDTH;
        int nc = n - j0 < RECUR_PANEL_WIDTH ? n - j0 : RECUR_PANEL_WIDTH;
        int i = 0;
        for (; i + MR <= m; i += MR)
            NAME(tile)(MR, k, a + (size_t)i * lda, lda, bp, c + (size_t)i * ldc + j0, ldc, nc, accumulate);
        int rest = m - i;
        if (rest > 0) {
            switch (rest) {
#define REST_CASE(r) case r: NAME(tile)(r, k, a + (size_t)i * lda, lda, bp, c + (size_t)i * ldc + j0, ldc, nc, accumulate); break;
                REST_CASE(1)
#if MR > 2
                REST_CASE(2)
#endif
#if MR > 3
                REST_CASE(3)
#endif
#if MR > 4
                REST_CASE(4)
#endif
#if MR > 5
                REST_CASE(5)
#endif
#if MR > 6
                REST_CASE(6)
#endif
#if MR > 7
                REST_CASE(7)
#endif
#undef REST_CASE
                default: break;
            }
        }
    }
}

// MARK: transposed packing

// 8 floats whatever the ISA's width (the 8 x 8 block transpose of the transposed packing).
typedef float v8 __attribute__((ext_vector_type(8), aligned(4)));

// recur_pack_panels with `transposed` for panels first..<end: B(p, j) = src[j*ld + p] lands at
// packed[q*k*32 + p*32 + (j - 32q)]. Full 8 x 8 blocks (8 source rows by 8 consecutive p) are
// transposed in registers; ragged edges (columns past n, k not a multiple of 8) element by
// element. A copy: the same floats as the scalar loop, bit for bit.
static void NAME(pack_transposed)(const float *src, int ld, int k, int n, float *packed, int first, int end) {
    for (int q = first; q < end; q++) {
        float *dst = packed + (size_t)q * k * RECUR_PANEL_WIDTH;
        int j0 = q * RECUR_PANEL_WIDTH;
        int nc = n - j0 < RECUR_PANEL_WIDTH ? n - j0 : RECUR_PANEL_WIDTH;
        int k8 = k & ~7;
        for (int jb = 0; jb < RECUR_PANEL_WIDTH; jb += 8) {
            if (jb + 8 <= nc) {
                const float *s = src + (size_t)(j0 + jb) * ld;
                for (int p = 0; p < k8; p += 8) {
                    v8 r[8];
                    for (int i = 0; i < 8; i++) memcpy(&r[i], s + (size_t)i * ld + p, sizeof(v8));
                    v8 t0 = __builtin_shufflevector(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);
                    v8 t1 = __builtin_shufflevector(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);
                    v8 t2 = __builtin_shufflevector(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);
                    v8 t3 = __builtin_shufflevector(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);
                    v8 t4 = __builtin_shufflevector(r[4], r[5], 0, 8, 1, 9, 4, 12, 5, 13);
                    v8 t5 = __builtin_shufflevector(r[4], r[5], 2, 10, 3, 11, 6, 14, 7, 15);
                    v8 t6 = __builtin_shufflevector(r[6], r[7], 0, 8, 1, 9, 4, 12, 5, 13);
                    v8 t7 = __builtin_shufflevector(r[6], r[7], 2, 10, 3, 11, 6, 14, 7, 15);
                    v8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
                    v8 u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
                    v8 u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
                    v8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
                    v8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
                    v8 u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
                    v8 u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
                    v8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
                    v8 o[8];
                    o[0] = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
                    o[1] = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
                    o[2] = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
                    o[3] = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
                    o[4] = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
                    o[5] = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
                    o[6] = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
                    o[7] = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
                    for (int i = 0; i < 8; i++)
                        memcpy(dst + (size_t)(p + i) * RECUR_PANEL_WIDTH + jb, &o[i], sizeof(v8));
                }
                for (int p = k8; p < k; p++)
                    for (int j = jb; j < jb + 8; j++) dst[(size_t)p * RECUR_PANEL_WIDTH + j] = src[(size_t)(j0 + j) * ld + p];
            } else {
                for (int p = 0; p < k; p++)
                    for (int j = jb; j < jb + 8; j++)
                        dst[(size_t)p * RECUR_PANEL_WIDTH + j] = j < nc ? src[(size_t)(j0 + j) * ld + p] : 0.0f;
            }
        }
    }
}

// MARK: LSTM gate passes

// One chunk of units j..<j+n (n <= VW) of one row of the LSTM forward gate pass: the
// pre-activations in z (row stride 4H, no bias yet) become i, f, g, o; c, actC, h at offset o.
static inline __attribute__((always_inline)) void NAME(lstm_forward_chunk)(int H, float *z, const float *bias,
                                                                         const float *cPrev, float *c, float *actC,
                                                                         float *h, size_t o, int j, int n) {
    vf ig = NAME(sigmoid)(NAME(ld)(z + j, n) + NAME(ld)(bias + j, n));
    vf fg = NAME(sigmoid)(NAME(ld)(z + H + j, n) + NAME(ld)(bias + H + j, n));
    vf gg = NAME(tanh)(NAME(ld)(z + 2 * H + j, n) + NAME(ld)(bias + 2 * H + j, n));
    vf og = NAME(sigmoid)(NAME(ld)(z + 3 * H + j, n) + NAME(ld)(bias + 3 * H + j, n));
    vf cv = fg * NAME(ld)(cPrev + o + j, n) + ig * gg;
    vf ac = NAME(tanh)(cv);
    NAME(st)(z + j, ig, n);
    NAME(st)(z + H + j, fg, n);
    NAME(st)(z + 2 * H + j, gg, n);
    NAME(st)(z + 3 * H + j, og, n);
    NAME(st)(c + o + j, cv, n);
    NAME(st)(actC + o + j, ac, n);
    NAME(st)(h + o + j, og * ac, n);
}

static void NAME(lstm_forward_gates)(int rows, int H, float *gt, const float *bias, const float *cPrev,
                                     float *c, float *actC, float *h) {
    int G = 4 * H;
    for (int r = 0; r < rows; r++) {
        float *z = gt + (size_t)r * G;
        size_t o = (size_t)r * H;
        for (int j = 0; j < H; j += VW) {
            int n = H - j < VW ? H - j : VW;
            NAME(lstm_forward_chunk)(H, z, bias, cPrev, c, actC, h, o, j, n);
        }
    }
}

// MARK: LSTM forward step with the gate pass fused into the packed product

// One micro-tile of z += A · panel whose NV vectors of VW columns land at z + off[v] in each
// row (the gate-grouped packing scatters a panel's columns over the four gate blocks). The
// same sums, in the same order, as NAME(tile) with `accumulate`.
static inline __attribute__((always_inline)) void NAME(tile_to)(int mr, int k, const float *a, int lda,
                                                              const float *bp, float *c, int ldc,
                                                              const int *off) {
    vf acc[MR][NV];
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) acc[i][v] = NAME(splat)(0.0f);
    for (int p = 0; p < k; p++) {
        vf b[NV];
        for (int v = 0; v < NV; v++) b[v] = NAME(load)(bp + (size_t)p * RECUR_PANEL_WIDTH + v * VW);
        for (int i = 0; i < MR; i++) {
            if (i < mr) {
                vf av = NAME(splat)(a[(size_t)i * lda + p]);
                for (int v = 0; v < NV; v++) acc[i][v] = av * b[v] + acc[i][v];
            }
        }
    }
    for (int i = 0; i < MR; i++) {
        if (i >= mr) break;
        float *ci = c + (size_t)i * ldc;
        for (int v = 0; v < NV; v++) NAME(store)(ci + off[v], NAME(load)(ci + off[v]) + acc[i][v]);
    }
}

// One LSTM time step for `rows` rows, H a multiple of RECUR_GATE_GROUP: z [rows, 4H] (row
// stride 4H) holds the input projections; for each group of 16 units and each block of MR rows,
// z += hPrev · U for the group's columns of all four gates (two panels of the gate-grouped
// packing), then the gate pass for those rows and units while z is in L1. The same floats as
// recur_gemm_packed (accumulate) followed by recur_lstm_forward_gates, bit for bit.
static void NAME(lstm_forward_step)(int rows, int H, const float *hPrev, int lda, const float *packed, float *z,
                                    const float *bias, const float *cPrev, float *c, float *actC, float *h) {
    int G = 4 * H, k = H;
    for (int u = 0; u < H; u += RECUR_GATE_GROUP) {
        int offA[NV], offB[NV];
        for (int v = 0; v < NV; v++) {
            int col = v * VW;
            offA[v] = (col < RECUR_GATE_GROUP ? col : H + col - RECUR_GATE_GROUP) + u;
            offB[v] = (col < RECUR_GATE_GROUP ? 2 * H + col : 3 * H + col - RECUR_GATE_GROUP) + u;
        }
        const float *pa = packed + (size_t)(u / RECUR_GATE_GROUP) * 2 * k * RECUR_PANEL_WIDTH;
        const float *pb = pa + (size_t)k * RECUR_PANEL_WIDTH;
        // Panel by panel over all rows (the panel stays in L1, as in NAME(gemm_packed)), then the
        // gate pass over the group's z, which the two panels have just written.
        for (int half = 0; half < 2; half++) {
            const float *bp = half ? pb : pa;
            const int *off = half ? offB : offA;
            int i = 0;
            for (; i + MR <= rows; i += MR) NAME(tile_to)(MR, k, hPrev + (size_t)i * lda, lda, bp, z + (size_t)i * G, G, off);
            switch (rows - i) {
#define STEP_CASE(r) case r: NAME(tile_to)(r, k, hPrev + (size_t)i * lda, lda, bp, z + (size_t)i * G, G, off); break;
                STEP_CASE(1)
#if MR > 2
                STEP_CASE(2)
#endif
#if MR > 3
                STEP_CASE(3)
#endif
#if MR > 4
                STEP_CASE(4)
#endif
#if MR > 5
                STEP_CASE(5)
#endif
#if MR > 6
                STEP_CASE(6)
#endif
#if MR > 7
                STEP_CASE(7)
#endif
#undef STEP_CASE
                default: break;
            }
        }
        for (int r = 0; r < rows; r++) {
            float *zr = z + (size_t)r * G;
            size_t o = (size_t)r * H;
            for (int j = u; j < u + RECUR_GATE_GROUP; j += VW)
                NAME(lstm_forward_chunk)(H, zr, bias, cPrev, c, actC, h, o, j, VW);
        }
    }
}

static void NAME(lstm_backward_gates)(int rows, int H, const float *gt, const float *cPrev,
                                      const float *actC, const float *dOut, const float *dh,
                                      float *dc, float *dgt) {
    int G = 4 * H;
    for (int r = 0; r < rows; r++) {
        const float *z = gt + (size_t)r * G;
        float *dz = dgt + (size_t)r * G;
        size_t o = (size_t)r * H;
        for (int j = 0; j < H; j += VW) {
            int n = H - j < VW ? H - j : VW;
            vf dhv = NAME(ld)(dh + o + j, n);
            if (dOut) dhv = dhv + NAME(ld)(dOut + o + j, n);
            vf ig = NAME(ld)(z + j, n), fg = NAME(ld)(z + H + j, n);
            vf gg = NAME(ld)(z + 2 * H + j, n), og = NAME(ld)(z + 3 * H + j, n);
            vf a = NAME(ld)(actC + o + j, n);
            vf dct = NAME(ld)(dc + o + j, n) + dhv * og * (1.0f - a * a);
            NAME(st)(dz + j, dct * gg * (ig * (1.0f - ig)), n);
            NAME(st)(dz + H + j, dct * NAME(ld)(cPrev + o + j, n) * (fg * (1.0f - fg)), n);
            NAME(st)(dz + 2 * H + j, dct * ig * (1.0f - gg * gg), n);
            NAME(st)(dz + 3 * H + j, dhv * a * (og * (1.0f - og)), n);
            NAME(st)(dc + o + j, dct * fg, n);
        }
    }
}



// MARK: GRU gate passes (reset gate after the recurrent product; tanh / sigmoid)

static void NAME(gru_forward_gates)(int rows, int H, float *xt, const float *qt, const float *bx,
                                    const float *bh, const float *hPrev, float *hr, float *h) {
    int G = 3 * H;
    for (int r = 0; r < rows; r++) {
        float *x = xt + (size_t)r * G;
        const float *q = qt + (size_t)r * G;
        size_t o = (size_t)r * H;
        for (int j = 0; j < H; j += VW) {
            int n = H - j < VW ? H - j : VW;
            vf zg = NAME(sigmoid)(NAME(ld)(x + j, n) + NAME(ld)(bx + j, n) + NAME(ld)(q + j, n) + NAME(ld)(bh + j, n));
            vf rg = NAME(sigmoid)(NAME(ld)(x + H + j, n) + NAME(ld)(bx + H + j, n) + NAME(ld)(q + H + j, n) +
                                  NAME(ld)(bh + H + j, n));
            vf hrv = NAME(ld)(q + 2 * H + j, n) + NAME(ld)(bh + 2 * H + j, n);
            vf hh = NAME(tanh)(NAME(ld)(x + 2 * H + j, n) + NAME(ld)(bx + 2 * H + j, n) + rg * hrv);
            vf hp = NAME(ld)(hPrev + o + j, n);
            NAME(st)(x + j, zg, n);
            NAME(st)(x + H + j, rg, n);
            NAME(st)(x + 2 * H + j, hh, n);
            NAME(st)(hr + o + j, hrv, n);
            NAME(st)(h + o + j, zg * hp + (1.0f - zg) * hh, n);
        }
    }
}

static void NAME(gru_backward_gates)(int rows, int H, const float *xt, const float *hPrev, const float *hr,
                                     const float *dOut, float *dh, float *dxt, float *dqt) {
    int G = 3 * H;
    for (int r = 0; r < rows; r++) {
        const float *x = xt + (size_t)r * G;
        float *dx = dxt + (size_t)r * G, *dq = dqt + (size_t)r * G;
        size_t o = (size_t)r * H;
        for (int j = 0; j < H; j += VW) {
            int n = H - j < VW ? H - j : VW;
            vf dhv = NAME(ld)(dh + o + j, n);
            if (dOut) dhv = dhv + NAME(ld)(dOut + o + j, n);
            vf zg = NAME(ld)(x + j, n), rg = NAME(ld)(x + H + j, n), hh = NAME(ld)(x + 2 * H + j, n);
            vf hrv = NAME(ld)(hr + o + j, n);
            vf dz = dhv * (NAME(ld)(hPrev + o + j, n) - hh) * (zg * (1.0f - zg));
            vf da = dhv * (1.0f - zg) * (1.0f - hh * hh);
            vf dr = da * hrv * (rg * (1.0f - rg));
            NAME(st)(dx + j, dz, n);
            NAME(st)(dx + H + j, dr, n);
            NAME(st)(dx + 2 * H + j, da, n);
            NAME(st)(dq + j, dz, n);
            NAME(st)(dq + H + j, dr, n);
            NAME(st)(dq + 2 * H + j, da * rg, n);
            NAME(st)(dh + o + j, dhv * zg, n);
        }
    }
}

// MARK: GRU gate passes (reset gate before the recurrent product, Keras's reset_after false;
// tanh / sigmoid). A step has two recurrent products, z and r from h_{t-1}·U[:, 0..<2H] and
// the candidate's from (r ⊙ h_{t-1})·U[:, 2H..<3H], so each direction has two passes.

static void NAME(gru_reset_before_gates)(int rows, int H, float *xt, const float *qt, const float *bx,
                                         const float *hPrev, float *rh) {
    int G = 3 * H;
    for (int r = 0; r < rows; r++) {
        float *x = xt + (size_t)r * G;
        const float *q = qt + (size_t)r * G;
        size_t o = (size_t)r * H;
        for (int j = 0; j < H; j += VW) {
            int n = H - j < VW ? H - j : VW;
            vf zg = NAME(sigmoid)(NAME(ld)(x + j, n) + NAME(ld)(bx + j, n) + NAME(ld)(q + j, n));
            vf rg = NAME(sigmoid)(NAME(ld)(x + H + j, n) + NAME(ld)(bx + H + j, n) + NAME(ld)(q + H + j, n));
            NAME(st)(x + j, zg, n);
            NAME(st)(x + H + j, rg, n);
            NAME(st)(rh + o + j, rg * NAME(ld)(hPrev + o + j, n), n);
        }
    }
}

static void NAME(gru_reset_before_output)(int rows, int H, float *xt, const float *qt, const float *bx,
                                          const float *hPrev, float *h) {
    int G = 3 * H;
    for (int r = 0; r < rows; r++) {
        float *x = xt + (size_t)r * G;
        const float *q = qt + (size_t)r * G;
        size_t o = (size_t)r * H;
        for (int j = 0; j < H; j += VW) {
            int n = H - j < VW ? H - j : VW;
            vf hh = NAME(tanh)(NAME(ld)(x + 2 * H + j, n) + NAME(ld)(bx + 2 * H + j, n) + NAME(ld)(q + 2 * H + j, n));
            vf zg = NAME(ld)(x + j, n);
            NAME(st)(x + 2 * H + j, hh, n);
            NAME(st)(h + o + j, zg * NAME(ld)(hPrev + o + j, n) + (1.0f - zg) * hh, n);
        }
    }
}

static void NAME(gru_reset_before_backward_zh)(int rows, int H, const float *xt, const float *hPrev,
                                               const float *dOut, float *dh, float *dxt) {
    int G = 3 * H;
    for (int r = 0; r < rows; r++) {
        const float *x = xt + (size_t)r * G;
        float *dx = dxt + (size_t)r * G;
        size_t o = (size_t)r * H;
        for (int j = 0; j < H; j += VW) {
            int n = H - j < VW ? H - j : VW;
            vf dhv = NAME(ld)(dh + o + j, n);
            if (dOut) dhv = dhv + NAME(ld)(dOut + o + j, n);
            vf zg = NAME(ld)(x + j, n), hh = NAME(ld)(x + 2 * H + j, n);
            NAME(st)(dx + j, dhv * (NAME(ld)(hPrev + o + j, n) - hh) * (zg * (1.0f - zg)), n);
            NAME(st)(dx + 2 * H + j, dhv * (1.0f - zg) * (1.0f - hh * hh), n);
            NAME(st)(dh + o + j, dhv * zg, n);
        }
    }
}

static void NAME(gru_reset_before_backward_r)(int rows, int H, const float *xt, const float *hPrev,
                                              const float *drh, float *dh, float *dxt) {
    int G = 3 * H;
    for (int r = 0; r < rows; r++) {
        const float *x = xt + (size_t)r * G;
        float *dx = dxt + (size_t)r * G;
        size_t o = (size_t)r * H;
        for (int j = 0; j < H; j += VW) {
            int n = H - j < VW ? H - j : VW;
            vf rg = NAME(ld)(x + H + j, n), d = NAME(ld)(drh + o + j, n);
            NAME(st)(dx + H + j, d * NAME(ld)(hPrev + o + j, n) * (rg * (1.0f - rg)), n);
            NAME(st)(dh + o + j, NAME(ld)(dh + o + j, n) + d * rg, n);
        }
    }
}

// MARK: activations over a buffer (for tests of their accuracy)

static void NAME(activate)(int kind, long n, float *x) {
    for (long i = 0; i < n; i += VW) {
        int k = n - i < VW ? (int)(n - i) : VW;
        vf v = NAME(ld)(x + i, k);
        vf y = kind == 0 ? NAME(sigmoid)(v) : kind == 1 ? NAME(tanh)(v) : NAME(exp)(v);
        NAME(st)(x + i, y, k);
    }
}

// MARK: reductions and optimizer

// sums[j] += sum over rows r (in order) of m[r*ldm + j], j < cols: row by row, so the matrix
// is read sequentially and the sums stay in L1.
static void NAME(column_sums)(int rows, int cols, int ldm, const float *m, float *sums) {
    for (int j0 = 0; j0 < cols; j0 += 8 * VW) {
        int width = cols - j0 < 8 * VW ? cols - j0 : 8 * VW;
        if (width == 8 * VW) {
            vf acc[8];
            for (int v = 0; v < 8; v++) acc[v] = NAME(load)(sums + j0 + v * VW);
            for (int r = 0; r < rows; r++) {
                const float *row = m + (size_t)r * ldm + j0;
                for (int v = 0; v < 8; v++) acc[v] = acc[v] + NAME(load)(row + v * VW);
            }
            for (int v = 0; v < 8; v++) NAME(store)(sums + j0 + v * VW, acc[v]);
        } else {
            for (int j = j0; j < cols; j += VW) {
                int n = cols - j < VW ? cols - j : VW;
                vf acc = NAME(ld)(sums + j, n);
                for (int r = 0; r < rows; r++) acc = acc + NAME(ld)(m + (size_t)r * ldm + j, n);
                NAME(st)(sums + j, acc, n);
            }
        }
    }
}

// Keras's Adam step: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); w -= alpha m / (sqrt(v) + eps).
static void NAME(adam)(long n, float *w, const float *g, float *m, float *v, float alpha, float c1, float c2,
                       float eps) {
    for (long i = 0; i < n; i += VW) {
        int k = n - i < VW ? (int)(n - i) : VW;
        vf gv = NAME(ld)(g + i, k), mv = NAME(ld)(m + i, k), vv = NAME(ld)(v + i, k), wv = NAME(ld)(w + i, k);
        mv = mv + (gv - mv) * c1;
        vv = vv + (gv * gv - vv) * c2;
        wv = wv - alpha * mv / (__builtin_elementwise_sqrt(vv) + eps);
        NAME(st)(m + i, mv, k);
        NAME(st)(v + i, vv, k);
        NAME(st)(w + i, wv, k);
    }
}

// The index of the first NaN or infinity in x[0..<n], or -1.
static long NAME(first_nonfinite)(long n, const float *x) {
    const vi expMask = (vi)0x7f800000;
    long i = 0;
    for (; i + 4 * VW <= n; i += 4 * VW) {
        vi any = (vi)0;
        for (int u = 0; u < 4; u++) {
            vi bits = (vi)NAME(load)(x + i + u * VW);
            any |= ((bits & expMask) == expMask);
        }
        if (__builtin_reduce_or(any)) break;
    }
    for (; i < n; i++) {
        uint32_t b;
        memcpy(&b, x + i, 4);
        if ((b & 0x7f800000u) == 0x7f800000u) return i;
    }
    return -1;
}

// Dropout: element i's uniform draw is a counter-based hash of (offset + i) and the key
// (murmur3's 32-bit finalizer, twice), 24 bits, so any split of the elements gives the same mask
// and every ISA the same bits (integer arithmetic, exact conversions).
typedef uint32_t vu __attribute__((ext_vector_type(VW), aligned(4)));
static inline __attribute__((always_inline)) vu NAME(fmix)(vu h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}
static inline __attribute__((always_inline)) uint32_t NAME(fmix1)(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}
static void NAME(dropout)(long n, long offset, uint32_t k0, uint32_t k1, float rate, float keep, const float *x,
                          float *mask, float *y) {
    vu lane;
    for (int j = 0; j < VW; j++) lane[j] = (uint32_t)j;
    long i = 0;
    for (; i + VW <= n; i += VW) {
        vu idx = (vu)(uint32_t)(offset + i) + lane;
        vu h = NAME(fmix)(NAME(fmix)(idx ^ k0) + k1);
        vf u = __builtin_convertvector((vi)(h >> 8), vf) * 0x1p-24f;
        vf m = NAME(select)(u < rate, NAME(splat)(0.0f), NAME(splat)(keep));
        NAME(store)(mask + i, m);
        NAME(store)(y + i, NAME(load)(x + i) * m);
    }
    for (; i < n; i++) {
        uint32_t h = NAME(fmix1)(NAME(fmix1)((uint32_t)(offset + i) ^ k0) + k1);
        float u = (float)(int32_t)(h >> 8) * 0x1p-24f;
        float m = u < rate ? 0.0f : keep;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}

// The ISA file's table entry.
static const struct recur_kernel_table NAME(table) = {
    NAME(gemm_packed),
    NAME(lstm_forward_gates),
    NAME(lstm_backward_gates),
    NAME(gru_forward_gates),
    NAME(gru_backward_gates),
    NAME(gru_reset_before_gates),
    NAME(gru_reset_before_output),
    NAME(gru_reset_before_backward_zh),
    NAME(gru_reset_before_backward_r),
    NAME(activate),
    NAME(column_sums),
    NAME(adam),
    NAME(first_nonfinite),
    NAME(dropout),
    NAME(pack_transposed),
    NAME(lstm_forward_step),
};
