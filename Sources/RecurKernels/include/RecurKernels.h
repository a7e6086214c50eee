// RecurKernels: the engine's hot loops in C, compiled for AVX-512, AVX2+FMA and a portable
// baseline, chosen once at run time from the processor's features.
//
// Why C: Swift compiles the package for baseline x86-64 (SSE2), so its SIMD code cannot use
// AVX-512 or FMA, and Swift has no per-function target attributes; clang's `target` pragma
// gives one source three builds with a run-time choice. Why an own GEMM: OpenBLAS 0.3.21 has
// no packed-matrix API, so a recurrent layer's per-step product h·U repacked U at every step
// (10-16% of W2/W3, BENCHMARKS.md); here U is packed once per forward/backward and shared by
// the threads. Each output row's sum runs over k in order whatever the row blocking, so the
// result does not depend on how rows are split between threads.
#ifndef RECUR_KERNELS_H
#define RECUR_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels of the kernels.
enum {
    RECUR_ISA_GENERIC = 0,  // portable C vectors (SSE2 on x86-64, NEON on arm64)
    RECUR_ISA_AVX2 = 1,     // AVX2 + FMA, 8 lanes
    RECUR_ISA_AVX512 = 2,   // AVX-512F + FMA, 16 lanes
};

/// The level in use (the best the processor has, unless overridden).
int recur_kernels_isa(void);
/// The best level this processor supports.
int recur_kernels_best_isa(void);
/// Selects a level (clamped to what the processor supports); returns the level in effect.
/// For tests and benchmarks; not thread-safe against concurrent kernel calls.
int recur_kernels_set_isa(int isa);

/// Columns per panel of a packed matrix.
#define RECUR_PANEL_WIDTH 32

/// Floats needed to pack a [k, n] matrix: ceil(n / 32) panels of k x 32.
size_t recur_packed_count(int k, int n);

/// Packs B [k, n] into panels of 32 columns (zero padded): element (p, j) of panel q lands at
/// packed[q*k*32 + p*32 + (j - 32q)]. `transposed` = 0: B(p, j) = src[p*ld + j] (src is
/// [k, n]); 1: B(p, j) = src[j*ld + p] (src is [n, k], B its transpose).
void recur_pack(const float *src, int ld, int k, int n, int transposed, float *packed);

/// recur_pack for panels first..<end only (threads can pack disjoint panels).
void recur_pack_panels(const float *src, int ld, int k, int n, int transposed, float *packed, int first,
                       int end);

/// C [m, n] = A [m, k] · B (packed by recur_pack), or C += A·B with `accumulate`.
/// Row-major; lda and ldc are row strides.
void recur_gemm_packed(int m, int n, int k, const float *a, int lda, const float *packed,
                       float *c, int ldc, int accumulate);

/// LSTM forward gate pass (tanh / sigmoid) for `rows` batch rows of one step. z [rows, 4H]
/// (row stride 4H) holds the pre-activations without bias and receives the activations
/// i, f, g, o; bias [4H]; cPrev, c, actC, h [rows, H] (row stride H): c = f*cPrev + i*g,
/// actC = tanh(c), h = o*actC.
void recur_lstm_forward_gates(int rows, int H, float *z, const float *bias, const float *cPrev,
                              float *c, float *actC, float *h);

/// Units per group of the gate-grouped packing (below): 16, so that a group's four gate
/// blocks fill two 32-column panels.
#define RECUR_GATE_GROUP 16

/// Packs an LSTM recurrent kernel U [H, 4H] (row stride ld, gate blocks i, f, c, o), H a
/// multiple of RECUR_GATE_GROUP, gate-grouped for recur_lstm_forward_step: panel 2m holds
/// columns 16m..<16m+16 of blocks i and f, panel 2m+1 those of blocks c and o (same size as
/// recur_pack's [H, 4H]); panels first..<end only.
void recur_pack_gate_groups(const float *src, int ld, int H, float *packed, int first, int end);

/// One LSTM forward step (tanh / sigmoid) for `rows` batch rows, H a multiple of
/// RECUR_GATE_GROUP: z [rows, 4H] (row stride 4H) holds the input projections x·kernel; adds
/// hPrev [rows, H] (row stride lda) · U (packed by recur_pack_gate_groups) and runs the gate
/// pass of recur_lstm_forward_gates group by group while each group's z is in L1. The result
/// equals recur_gemm_packed (accumulate, U packed by recur_pack) then recur_lstm_forward_gates,
/// bit for bit.
void recur_lstm_forward_step(int rows, int H, const float *hPrev, int lda, const float *packed, float *z,
                             const float *bias, const float *cPrev, float *c, float *actC, float *h);

/// LSTM backward gate pass for `rows` batch rows of one step: from the activations in z,
/// cPrev, actC, the running dh (plus dOut when not NULL) and dc, writes dz [rows, 4H] and
/// replaces dc with dL/dc_{t-1}.
void recur_lstm_backward_gates(int rows, int H, const float *z, const float *cPrev,
                               const float *actC, const float *dOut, const float *dh, float *dc,
                               float *dz);

/// GRU forward gate pass (reset gate after the recurrent product; tanh / sigmoid) for `rows`
/// batch rows of one step. x [rows, 3H] holds the input projections (blocks z, r, h; row stride
/// 3H) and receives z, r and the candidate ĥ; q [rows, 3H] the recurrent projections h·U;
/// bx, bh [3H] the input and recurrent biases; hPrev, hr, h [rows, H] (row stride H):
/// z = σ(x_z + bx_z + q_z + bh_z), r likewise, hr = q_h + bh_h, ĥ = tanh(x_h + bx_h + r·hr),
/// h = z·hPrev + (1 − z)·ĥ.
void recur_gru_forward_gates(int rows, int H, float *x, const float *q, const float *bx, const float *bh,
                             const float *hPrev, float *hr, float *h);

/// GRU backward gate pass for `rows` batch rows of one step: from z, r, ĥ in x, hPrev, hr, the
/// running dh (plus dOut when not NULL), writes the input-side gradients dx [rows, 3H], the
/// recurrent-side dq [rows, 3H], and replaces dh with its direct part dh·z (the product with
/// Uᵀ is added by the caller).
void recur_gru_backward_gates(int rows, int H, const float *x, const float *hPrev, const float *hr,
                              const float *dOut, float *dh, float *dx, float *dq);

/// GRU with the reset gate before the recurrent product (Keras `reset_after=False`; tanh /
/// sigmoid), forward, first pass of a step: x [rows, 3H] holds the input projections (blocks z,
/// r, h; row stride 3H) and receives z = σ(x_z + bx_z + q_z) and r = σ(x_r + bx_r + q_r); q
/// [rows, 3H] holds h_{t−1}·U in its z and r blocks; bx [3H] the bias; hPrev, rh [rows, H]:
/// rh = r·hPrev (the left operand of the candidate's product).
void recur_gru_reset_before_gates(int rows, int H, float *x, const float *q, const float *bx, const float *hPrev,
                                  float *rh);

/// Second forward pass of a step: with q's h block holding rh·U_h, writes the candidate
/// ĥ = tanh(x_h + bx_h + q_h) into x's h block and h = z·hPrev + (1 − z)·ĥ [rows, H].
void recur_gru_reset_before_output(int rows, int H, float *x, const float *q, const float *bx, const float *hPrev,
                                   float *h);

/// Backward, first pass of a step: from z and ĥ in x, hPrev and the running dh (plus dOut when
/// not NULL), writes dx's z block dh·(hPrev − ĥ)·z(1 − z) and h block dh·(1 − z)(1 − ĥ²), and
/// replaces dh with its direct part dh·z.
void recur_gru_reset_before_backward_zh(int rows, int H, const float *x, const float *hPrev, const float *dOut,
                                        float *dh, float *dx);

/// Backward, second pass: from drh = d(r·hPrev) [rows, H] (the candidate's gradient times
/// U_hᵀ), writes dx's r block drh·hPrev·r(1 − r) and adds drh·r to dh.
void recur_gru_reset_before_backward_r(int rows, int H, const float *x, const float *hPrev, const float *drh,
                                       float *dh, float *dx);

/// x[i] = sigmoid(x[i]) (kind 0), tanh(x[i]) (kind 1) or e^x[i] (kind 2), with the gate
/// passes' own vector functions (the same polynomials as FastMath); for testing their accuracy.
void recur_activate(int kind, long n, float *x);

/// sums[j] += the sum of column j of m over its rows (in row order), j < cols; m has row
/// stride ldm. A bias gradient.
void recur_column_sums(int rows, int cols, int ldm, const float *m, float *sums);

/// One Adam step in Keras's form over n values: m += (g - m)·c1; v += (g² - v)·c2;
/// w -= alpha·m / (sqrt(v) + eps), with c1 = 1 - beta1, c2 = 1 - beta2 and alpha the
/// bias-corrected learning rate.
void recur_adam_step(long n, float *w, const float *g, float *m, float *v, float alpha, float c1,
                     float c2, float eps);

/// Inverted dropout over elements offset..<offset + n of a tensor: element i's draw u is a
/// 24-bit uniform from a counter-based hash of its index and the key (k0, k1); mask[i] = 0 when
/// u < rate, else keep; y[i] = x[i]·mask[i]. The same key gives the same mask whatever the
/// split of the elements or the ISA level.
void recur_dropout(long n, long offset, unsigned k0, unsigned k1, float rate, float keep, const float *x, float *mask,
                   float *y);

/// The index of the first NaN or infinity among x[0..<n], or -1 when all are finite.
long recur_first_nonfinite(long n, const float *x);

/// A part of a fork-join job: called with the caller's context and the part's index.
typedef void (*recur_task_fn)(void *context, int part);

/// Runs fn(context, k) for k in 0..<parts on the calling thread and up to threads - 1
/// persistent workers (started on first use; the caller runs part 0), and returns when every
/// part has finished. Returns -1 without running
/// anything when the pool is already running a job (a nested or concurrent call: run the
/// parts another way), else 0.
int recur_pool_run(int parts, int threads, recur_task_fn fn, void *context);

#ifdef __cplusplus
}
#endif

#endif
