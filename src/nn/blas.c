/* blas.c - the one file that talks to CBLAS (OpenBLAS).
 *
 * Row-major single-precision GEMM with size_t dimensions, the BLAS thread
 * count, and a one-line description of the library for benchmark output.
 * It does not choose a thread count itself: the trial runner does (one BLAS
 * thread per trial). Nothing else in lrsweep includes cblas.h. */
#include <assert.h>
#include <limits.h>
#include <stdio.h>

#include <cblas.h>

#include "lrsweep/blas.h"

void lrs_sgemm(int trans_a, int trans_b, size_t M, size_t N, size_t K,
               float alpha, const float *A, size_t lda, const float *B, size_t ldb,
               float beta, float *C, size_t ldc)
{
	/* CBLAS takes int (blasint) dimensions */
	assert(M <= INT_MAX && N <= INT_MAX && K <= INT_MAX);
	assert(lda <= INT_MAX && ldb <= INT_MAX && ldc <= INT_MAX);
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
	            trans_b ? CblasTrans : CblasNoTrans,
	            (blasint)M, (blasint)N, (blasint)K, alpha, A, (blasint)lda,
	            B, (blasint)ldb, beta, C, (blasint)ldc);
}

void lrs_blas_set_threads(int n)
{
	assert(n >= 1);
	openblas_set_num_threads(n);
}

/* "OpenBLAS <config> (core <name>, <n> threads)", built once per thread. */
const char *lrs_blas_info(void)
{
	static _Thread_local char text[256];   /* the description, per thread */

	snprintf(text, sizeof text, "%s (core %s, %d threads)",
	         openblas_get_config(), openblas_get_corename(),
	         openblas_get_num_threads());
	return text;
}
