#ifndef PARALLAX_SHA256_BUILTIN_H
#define PARALLAX_SHA256_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[8];
    uint64_t length;
    unsigned char buffer[64];
    size_t buffered;
} sha256_builtin;

void sha256_builtin_init(sha256_builtin *context);
void sha256_builtin_update(sha256_builtin *context, const void *data, size_t count);
void sha256_builtin_final(sha256_builtin *context, unsigned char out[32]);

#endif
