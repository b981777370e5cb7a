/* blas.h - the matrix products lrsweep needs, through CBLAS (OpenBLAS).
 * Only src/nn/blas.c includes cblas.h. Row-major, float32. */
#ifndef LRSWEEP_BLAS_H
#define LRSWEEP_BLAS_H

#include <stddef.h>

/* Loads OpenBLAS, once per process (choosing its kernel first, see
 * blas.c), with one thread inside each call: a training run is
 * single-threaded. Returns 0, or LRS_ERROR when it cannot be loaded. Every
 * other function here needs it done; lrs_net_build does it, and the runner
 * before it starts threads. */
int lrs_blas_init(void);

/* C (M, N) = alpha * op(A) op(B) + beta * C, row-major; op transposes when
 * the flag is set. lda, ldb, ldc are the row strides as stored. */
void lrs_sgemm(int trans_a, int trans_b, size_t M, size_t N, size_t K,
               float alpha, const float *A, size_t lda, const float *B, size_t ldb,
               float beta, float *C, size_t ldc);

/* A short description of the BLAS library in use (for bench output). */
const char *lrs_blas_info(void);

#endif
