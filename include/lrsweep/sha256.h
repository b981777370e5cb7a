/* sha256.h - SHA-256 (FIPS 180-4), small and dependency-free.
 *
 * Used for stable digests: the experiment config stored with each
 * experiment (config_sha256), the data it loaded (data_sha256). Not constant-time, not for secrets. One-shot
 * (lrs_sha256, lrs_sha256_hex) or streaming (init, update, final). */
#ifndef LRSWEEP_SHA256_H
#define LRSWEEP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define LRS_SHA256_SIZE 32              /* digest bytes                    */
#define LRS_SHA256_HEX_SIZE 65          /* 64 hex digits and the NUL       */

typedef struct {
	uint32_t h[8];                  /* chaining state                   */
	uint64_t bytes;                 /* message length so far, in bytes  */
	uint8_t block[64];              /* pending partial block            */
	size_t fill;                    /* bytes used in `block`            */
} lrs_sha256_ctx;

void lrs_sha256_init(lrs_sha256_ctx *ctx);
void lrs_sha256_update(lrs_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest and leaves ctx to be re-initialised before reuse. */
void lrs_sha256_final(lrs_sha256_ctx *ctx, uint8_t out[LRS_SHA256_SIZE]);

/* lrs_sha256_final, written as 64 lowercase hex digits and a NUL. */
void lrs_sha256_final_hex(lrs_sha256_ctx *ctx, char out[LRS_SHA256_HEX_SIZE]);

/* The digest of `len` bytes at `data`. */
void lrs_sha256(uint8_t out[LRS_SHA256_SIZE], const void *data, size_t len);

/* The digest as 64 lowercase hex digits, NUL-terminated. */
void lrs_sha256_hex(char out[LRS_SHA256_HEX_SIZE], const void *data, size_t len);

#endif
