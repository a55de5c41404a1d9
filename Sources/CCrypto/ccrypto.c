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
    void *evp;  // an OpenSSL EVP_MD_CTX, or null for the built-in implementation
    sha256_builtin builtin;
};

static atomic_int force_builtin = 0;

typedef void *(*ctx_new_fn)(void);
typedef void (*ctx_free_fn)(void *);
typedef void *(*md_fetch_fn)(void *, const char *, const char *);
typedef int (*init_fn)(void *, const void *, void *);
typedef int (*update_fn)(void *, const void *, size_t);
typedef int (*final_fn)(void *, unsigned char *, unsigned int *);

static struct {
    ctx_new_fn ctx_new;
    ctx_free_fn ctx_free;
    init_fn init;
    update_fn update;
    final_fn final;
    const void *sha256;
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
    crypto.ctx_new = (ctx_new_fn)dlsym(library, "EVP_MD_CTX_new");
    crypto.ctx_free = (ctx_free_fn)dlsym(library, "EVP_MD_CTX_free");
    md_fetch_fn fetch = (md_fetch_fn)dlsym(library, "EVP_MD_fetch");
    crypto.init = (init_fn)dlsym(library, "EVP_DigestInit_ex");
    crypto.update = (update_fn)dlsym(library, "EVP_DigestUpdate");
    crypto.final = (final_fn)dlsym(library, "EVP_DigestFinal_ex");
    if (!crypto.ctx_new || !crypto.ctx_free || !fetch || !crypto.init || !crypto.update || !crypto.final) {
        snprintf(crypto.error, sizeof crypto.error, "libcrypto lacks the EVP digest functions (OpenSSL 3 is needed)");
        crypto.ctx_new = NULL;
        return;
    }
    crypto.sha256 = fetch(NULL, "SHA256", NULL);
    if (!crypto.sha256) {
        snprintf(crypto.error, sizeof crypto.error, "libcrypto has no SHA256 implementation");
        crypto.ctx_new = NULL;
    }
}

parallax_sha256 *parallax_sha256_new(void) {
    pthread_once(&loaded, load);
    parallax_sha256 *context = malloc(sizeof *context);
    if (!context) return NULL;
    if (uses_builtin()) {
        context->evp = NULL;
        sha256_builtin_init(&context->builtin);
        return context;
    }
    if (!crypto.ctx_new || !(context->evp = crypto.ctx_new())) {
        free(context);
        return NULL;
    }
    if (crypto.init(context->evp, crypto.sha256, NULL) != 1) {
        crypto.ctx_free(context->evp);
        free(context);
        return NULL;
    }
    return context;
}

void parallax_sha256_update(parallax_sha256 *context, const void *data, size_t count) {
    if (context->evp) crypto.update(context->evp, data, count);
    else sha256_builtin_update(&context->builtin, data, count);
}

void parallax_sha256_final(parallax_sha256 *context, unsigned char *out) {
    unsigned int length = 0;
    if (context->evp) crypto.final(context->evp, out, &length);
    else sha256_builtin_final(&context->builtin, out);
}

void parallax_sha256_free(parallax_sha256 *context) {
    if (context->evp) crypto.ctx_free(context->evp);
    free(context);
}

void parallax_sha256_force_builtin(int on) { force_builtin = on; }

const char *parallax_crypto_error(void) {
    pthread_once(&loaded, load);
    if (uses_builtin()) return NULL;
    return crypto.error[0] ? crypto.error : NULL;
}
