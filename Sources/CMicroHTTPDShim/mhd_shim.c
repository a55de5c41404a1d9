#include "mhd_shim.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

struct mhd_shim_daemon {
    struct MHD_Daemon *daemon;
    int quiesced_socket;
    pthread_mutex_t log_lock;
    char last_log[512];
    int log_to_stderr;
    char *tls_cert_pem;  // kept for the daemon's lifetime: MHD may refer to them after start
    char *tls_key_pem;
};

// MHD's error log: keeps the last message (for start errors) and optionally echoes it.
static void shim_log(void *cls, const char *format, va_list ap) {
    struct mhd_shim_daemon *shim = cls;
    char line[512];
    vsnprintf(line, sizeof line, format, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    pthread_mutex_lock(&shim->log_lock);
    memcpy(shim->last_log, line, n + 1);
    pthread_mutex_unlock(&shim->log_lock);
    if (shim->log_to_stderr) fprintf(stderr, "microhttpd: %s\n", line);
}

static void free_shim(struct mhd_shim_daemon *shim) {
    free(shim->tls_cert_pem);
    free(shim->tls_key_pem);
    pthread_mutex_destroy(&shim->log_lock);
    free(shim);
}

static void add_item(struct MHD_OptionItem *items, size_t *count, enum MHD_OPTION option, intptr_t value, void *ptr) {
    items[*count].option = option;
    items[*count].value = value;
    items[*count].ptr_value = ptr;
    *count += 1;
}

mhd_shim_daemon *mhd_shim_start(const mhd_shim_options *o, char *error, size_t error_size) {
    if (error_size > 0) error[0] = '\0';
    struct mhd_shim_daemon *shim = calloc(1, sizeof *shim);
    if (shim == NULL) {
        if (error_size > 0) snprintf(error, error_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&shim->log_lock, NULL);
    shim->quiesced_socket = -1;
    shim->log_to_stderr = o->log_to_stderr;

    struct sockaddr_in address = o->bind_address;
    struct MHD_OptionItem items[20];
    size_t n = 0;
    // The logger goes first so that start-up errors reach it.
    add_item(items, &n, MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)shim_log, shim);
    if (o->has_listen_socket)
        add_item(items, &n, MHD_OPTION_LISTEN_SOCKET, (intptr_t)o->listen_socket, NULL);
    else
        add_item(items, &n, MHD_OPTION_SOCK_ADDR, 0, &address);
    if (o->thread_pool_size > 1 && !o->thread_per_connection)
        add_item(items, &n, MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)o->thread_pool_size, NULL);
    add_item(items, &n, MHD_OPTION_CONNECTION_LIMIT, (intptr_t)o->connection_limit, NULL);
    add_item(items, &n, MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->connection_timeout, NULL);
    add_item(items, &n, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)o->memory_limit, NULL);
    if (o->listen_backlog > 0)
        add_item(items, &n, MHD_OPTION_LISTEN_BACKLOG_SIZE, (intptr_t)o->listen_backlog, NULL);
    add_item(items, &n, MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)o->request_completed, o->request_completed_cls);
    if (o->notify_connection != NULL)
        add_item(items, &n, MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)o->notify_connection, o->notify_connection_cls);
    if (o->uri_log != NULL)
        add_item(items, &n, MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)o->uri_log, o->uri_log_cls);
    unsigned int flags = o->thread_per_connection
        ? MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG
        : MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (o->tls_cert_pem != NULL && o->tls_key_pem != NULL) {
        shim->tls_cert_pem = strdup(o->tls_cert_pem);
        shim->tls_key_pem = strdup(o->tls_key_pem);
        flags |= MHD_USE_TLS;
        add_item(items, &n, MHD_OPTION_HTTPS_MEM_CERT, 0, shim->tls_cert_pem);
        add_item(items, &n, MHD_OPTION_HTTPS_MEM_KEY, 0, shim->tls_key_pem);
    }
    add_item(items, &n, MHD_OPTION_END, 0, NULL);

    // The port argument only feeds MHD's log messages here: MHD_OPTION_SOCK_ADDR decides the binding.
    shim->daemon = MHD_start_daemon(flags, ntohs(address.sin_port), NULL, NULL, o->access_handler, o->access_handler_cls,
                                    MHD_OPTION_ARRAY, items, MHD_OPTION_END);
    if (shim->daemon == NULL) {
        if (error_size > 0) snprintf(error, error_size, "%s", shim->last_log);
        free_shim(shim);
        return NULL;
    }
    return shim;
}

uint16_t mhd_shim_bound_port(mhd_shim_daemon *shim) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(shim->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

void mhd_shim_quiesce(mhd_shim_daemon *shim) {
    if (shim->quiesced_socket >= 0) return;
    MHD_socket listener = MHD_quiesce_daemon(shim->daemon);
    if (listener == MHD_INVALID_SOCKET) return;
    shim->quiesced_socket = listener;
    // MHD's threads may still hold the descriptor until MHD_stop_daemon, so it cannot be closed
    // yet; shutting down a listening socket makes the kernel refuse new connections right away.
    shutdown(listener, SHUT_RDWR);
}

void mhd_shim_stop(mhd_shim_daemon *shim) {
    MHD_stop_daemon(shim->daemon);
    if (shim->quiesced_socket >= 0) close(shim->quiesced_socket);
    free_shim(shim);
}

int mhd_shim_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : (int)info->connect_fd;
}

void *mhd_shim_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

int mhd_shim_client_address(struct MHD_Connection *connection, char *buffer, size_t buffer_size) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return 0;
    const struct sockaddr *sa = info->client_addr;
    const void *raw;
    if (sa->sa_family == AF_INET) raw = &((const struct sockaddr_in *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6) raw = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    else return 0;
    return inet_ntop(sa->sa_family, raw, buffer, (socklen_t)buffer_size) != NULL;
}

// gnutls is already loaded by libmicrohttpd; its send call is looked up rather than linked so this
// target needs neither gnutls headers nor a link flag.
typedef ssize_t (*record_send_fn)(void *session, const void *data, size_t size);
static record_send_fn record_send;
static pthread_once_t record_send_once = PTHREAD_ONCE_INIT;
static void resolve_record_send(void) {
    record_send = (record_send_fn)dlsym(RTLD_DEFAULT, "gnutls_record_send");
}

long mhd_shim_send_raw(struct MHD_Connection *connection, const void *data, size_t size) {
    const union MHD_ConnectionInfo *tls = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (tls != NULL && tls->tls_session != NULL) {
        pthread_once(&record_send_once, resolve_record_send);
        if (record_send == NULL) return -1;
        size_t sent = 0;
        for (int attempt = 0; sent < size && attempt < 8; attempt++) {
            ssize_t r = record_send(tls->tls_session, (const char *)data + sent, size - sent);
            if (r > 0) sent += (size_t)r;
            else if (r != -52 /* GNUTLS_E_INTERRUPTED */ && r != -28 /* GNUTLS_E_AGAIN */) break;
        }
        return sent == 0 ? -1 : (long)sent;
    }
    int fd = mhd_shim_connection_fd(connection);
    if (fd < 0) return -1;
    size_t sent = 0;
    while (sent < size) {
        ssize_t r = send(fd, (const char *)data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r > 0) sent += (size_t)r;
        else if (r < 0 && errno == EINTR) continue;
        else break;
    }
    return sent == 0 ? -1 : (long)sent;
}

enum MHD_Result mhd_shim_allow_content_length(struct MHD_Response *response) {
    return MHD_set_response_options(response, MHD_RF_INSANITY_HEADER_CONTENT_LENGTH, MHD_RO_END);
}
