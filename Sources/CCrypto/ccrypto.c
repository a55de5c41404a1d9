#include "ccrypto.h"
#include "sha256_builtin.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>

// Defined in every dynamically linked executable; absent (null) in a fully static one, which
// must not dlopen libcrypto (it would bring a second C library into the process).
extern const char _DYNAMIC[] __attribute__((weak));

struct parallax_sha256 {
    int kind;  // 0 built-in, 1 OpenSSL's SHA256_* functions on `low`
    sha256_builtin builtin;
    _Alignas(16) unsigned char low[256];  // an OpenSSL SHA256_CTX (112 bytes) with room to spare
};

static atomic_int force_builtin = 0;

typedef int (*low_init_fn)(void *);
typedef int (*low_update_fn)(void *, const void *, size_t);
typedef int (*low_final_fn)(unsigned char *, void *);

// OpenSSL's SHA256_Init/Update/Final: the same assembly as the EVP interface without its
// provider machinery, so a process that only hashes touches far less of libcrypto.
static struct {
    low_init_fn init;
    low_update_fn update;
    low_final_fn final;
    char error[256];
} crypto;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static int uses_builtin(void) { return force_builtin || _DYNAMIC == NULL; }

static void load(void) {
    if (uses_builtin()) return;
    const char *names[] = {"libcrypto.so.3", "libcrypto.so"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!library) {
        snprintf(crypto.error, sizeof crypto.error, "cannot load OpenSSL libcrypto (install libssl3): %s", dlerror());
        return;
    }
    crypto.init = (low_init_fn)dlsym(library, "SHA256_Init");
    crypto.update = (low_update_fn)dlsym(library, "SHA256_Update");
    crypto.final = (low_final_fn)dlsym(library, "SHA256_Final");
    if (!crypto.init || !crypto.update || !crypto.final) {
        snprintf(crypto.error, sizeof crypto.error, "libcrypto lacks SHA256_Init/Update/Final");
        crypto.init = NULL;
    }
}

parallax_sha256 *parallax_sha256_new(void) {
    pthread_once(&loaded, load);
    parallax_sha256 *context = malloc(sizeof *context);
    if (!context) return NULL;
    if (uses_builtin()) {
        context->kind = 0;
        sha256_builtin_init(&context->builtin);
        return context;
    }
    if (!crypto.init || crypto.init(context->low) != 1) {
        free(context);
        return NULL;
    }
    context->kind = 1;
    return context;
}

void parallax_sha256_update(parallax_sha256 *context, const void *data, size_t count) {
    if (context->kind) crypto.update(context->low, data, count);
    else sha256_builtin_update(&context->builtin, data, count);
}

void parallax_sha256_final(parallax_sha256 *context, unsigned char *out) {
    if (context->kind) crypto.final(out, context->low);
    else sha256_builtin_final(&context->builtin, out);
}

void parallax_sha256_free(parallax_sha256 *context) {
    free(context);
}

void parallax_sha256_force_builtin(int on) { force_builtin = on; }

const char *parallax_crypto_error(void) {
    pthread_once(&loaded, load);
    if (uses_builtin()) return NULL;
    return crypto.error[0] ? crypto.error : NULL;
}
