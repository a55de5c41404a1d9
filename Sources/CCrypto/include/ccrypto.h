#ifndef PARALLAX_CCRYPTO_H
#define PARALLAX_CCRYPTO_H

#include <stddef.h>

/// SHA-256 through OpenSSL's libcrypto, which is loaded (dlopen) on the first digest rather than at
/// program start: loading libcrypto costs milliseconds, and the agent-facing commands that never
/// hash (emit through the recorder's socket) must start in about one.
typedef struct parallax_sha256 parallax_sha256;

/// A new hashing context, or NULL when libcrypto cannot be loaded (see parallax_crypto_error).
parallax_sha256 *parallax_sha256_new(void);
void parallax_sha256_update(parallax_sha256 *context, const void *data, size_t count);
/// Writes the 32-byte digest; the context must not be updated afterwards.
void parallax_sha256_final(parallax_sha256 *context, unsigned char *out);
void parallax_sha256_free(parallax_sha256 *context);
/// Why libcrypto could not be loaded, or NULL.
const char *parallax_crypto_error(void);
/// Uses the built-in SHA-256 instead of libcrypto from now on (tests; a static executable always does).
void parallax_sha256_force_builtin(int on);

#endif
