/* blas.c - the one file that talks to CBLAS (OpenBLAS).
 *
 * Row-major single-precision GEMM with size_t dimensions, and a one-line
 * description of the library for benchmark output. Nothing else in
 * lrsweep includes cblas.h.
 *
 * One BLAS thread, always: every product lrsweep computes belongs to one
 * training run, and a run is single-threaded - the threads are the
 * runner's, one run on each (SPEC §7). The count is set here, once, when
 * the library loads, so no caller has to remember it.
 *
 * OpenBLAS is loaded at run time (dlopen), once per process, so that its
 * kernel can be chosen first: OpenBLAS picks the kernel for the CPU when it
 * loads, and version 0.3.21 (Debian 12) does not know some recent AVX-512
 * CPUs and falls back to its generic "Prescott" kernel at a third of the
 * speed. When OPENBLAS_CORETYPE is not set and the CPU has the AVX-512
 * subsets of Skylake-X (F, BW, DQ, VL, CD), lrsweep sets it to SkylakeX
 * before loading; a value set by the user is always kept. The loaded
 * library is the one piece of process-wide state here. */
#include <assert.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"

typedef void (*sgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE,
                         const blasint, const blasint, const blasint, const float, const float *,
                         const blasint, const float *, const blasint, const float, float *, const blasint);

static struct {
	sgemm_fn sgemm;                    /* cblas_sgemm                      */
	void (*set_threads)(int);          /* openblas_set_num_threads         */
	int (*get_threads)(void);          /* openblas_get_num_threads         */
	char *(*config)(void);             /* openblas_get_config              */
	char *(*corename)(void);           /* openblas_get_corename            */
	int small;                         /* the SkylakeX kernels: small
	                                      products go unpacked (below)     */
	char error[256];                   /* why loading failed, or ""        */
} lib;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void choose_kernel(void)
{
	if (getenv("OPENBLAS_CORETYPE"))
		return;
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
	    __builtin_cpu_supports("avx512cd"))
		setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
}

static void load(void)
{
	static const char *const names[] = { "libopenblas.so.0", "libopenblas.so" };
	void *h = NULL;

	choose_kernel();
	for (size_t i = 0; i < sizeof names / sizeof names[0] && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(lib.error, sizeof lib.error, "cannot load OpenBLAS (%s); install libopenblas0", dlerror());
		return;
	}
	/* POSIX's way to turn dlsym's void * into function pointers */
	*(void **)&lib.sgemm = dlsym(h, "cblas_sgemm");
	*(void **)&lib.set_threads = dlsym(h, "openblas_set_num_threads");
	*(void **)&lib.get_threads = dlsym(h, "openblas_get_num_threads");
	*(void **)&lib.config = dlsym(h, "openblas_get_config");
	*(void **)&lib.corename = dlsym(h, "openblas_get_corename");
	if (!lib.sgemm || !lib.set_threads || !lib.get_threads || !lib.config || !lib.corename) {
		snprintf(lib.error, sizeof lib.error, "the OpenBLAS library found lacks cblas_sgemm or openblas_*");
		lib.sgemm = NULL;
		return;
	}
	lib.set_threads(1);   /* one per training run: see the top of the file */
	lib.small = strcmp(lib.corename(), "SkylakeX") == 0;
}

int lrs_blas_init(void)
{
	pthread_once(&lib_once, load);
	return lib.sgemm ? 0 : lrs_error_set(LRS_ERROR, "%s", lib.error);
}

/* The columns of C per call: all N, or blocks of them that OpenBLAS
 * multiplies without packing. Its SkylakeX kernels (0.3.21) take a product
 * of at most SMALL_MACS multiply-adds with 8, 16 or 32 rows of C straight
 * from the operands, skipping the copy of both into packed panels; where
 * the copy is a large part of the work, as in a convolution's product (32
 * rows, depth 800, 196 columns), blocks of 32 columns ran at 238 GFLOP/s
 * against 166 for the whole, and 416 of 800 columns with 16 rows and
 * depth 150 at 243 against 176 (single thread, one run each, on this
 * project's machine). Blocks are whole multiples of 16 columns. */
#define SMALL_MACS 1000000.0

static size_t column_block(size_t M, size_t N, size_t K)
{
	double cols = SMALL_MACS / ((double)M * (double)K);
	size_t nb = cols >= (double)N ? N : (size_t)cols / 16 * 16;

	if (!lib.small || (M != 8 && M != 16 && M != 32) || nb >= N || nb < 16)
		return N;
	return nb;
}

void lrs_sgemm(int trans_a, int trans_b, size_t M, size_t N, size_t K,
               float alpha, const float *A, size_t lda, const float *B, size_t ldb,
               float beta, float *C, size_t ldc)
{
	size_t nb = column_block(M, N, K);

	/* CBLAS takes int (blasint) dimensions */
	assert(lib.sgemm && "lrs_blas_init() first");
	assert(M <= INT_MAX && N <= INT_MAX && K <= INT_MAX);
	assert(lda <= INT_MAX && ldb <= INT_MAX && ldc <= INT_MAX);
	for (size_t j = 0; j < N; j += nb)
		lib.sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
		          trans_b ? CblasTrans : CblasNoTrans,
		          (blasint)M, (blasint)(N - j < nb ? N - j : nb), (blasint)K, alpha, A,
		          (blasint)lda, B + (trans_b ? j * ldb : j), (blasint)ldb, beta, C + j,
		          (blasint)ldc);
}

/* "OpenBLAS <config> (core <name>, <n> threads)", built once per thread. */
const char *lrs_blas_info(void)
{
	static _Thread_local char text[256];   /* the description, per thread */

	if (lrs_blas_init() < 0)
		return lib.error;
	snprintf(text, sizeof text, "%s (core %s, %d threads)", lib.config(), lib.corename(), lib.get_threads());
	return text;
}
