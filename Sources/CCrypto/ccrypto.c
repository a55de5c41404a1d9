#include "ccrypto.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

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

static void load(void) {
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
    if (!crypto.ctx_new) return NULL;
    void *context = crypto.ctx_new();
    if (context && crypto.init(context, crypto.sha256, NULL) != 1) {
        crypto.ctx_free(context);
        return NULL;
    }
    return (parallax_sha256 *)context;
}

void parallax_sha256_update(parallax_sha256 *context, const void *data, size_t count) {
    crypto.update(context, data, count);
}

void parallax_sha256_final(parallax_sha256 *context, unsigned char *out) {
    unsigned int length = 0;
    crypto.final(context, out, &length);
}

void parallax_sha256_free(parallax_sha256 *context) {
    crypto.ctx_free(context);
}

const char *parallax_crypto_error(void) {
    pthread_once(&loaded, load);
    return crypto.error[0] ? crypto.error : NULL;
}
