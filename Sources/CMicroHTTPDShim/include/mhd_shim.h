#pragma once
// Non-variadic wrappers around libmicrohttpd's variadic calls, which Swift cannot import.
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <microhttpd.h>

/// The URI-log callback (MHD_OPTION_URI_LOG_CALLBACK): its result becomes the request's *con_cls.
typedef void *(*mhd_shim_uri_log_callback)(void *cls, const char *uri, struct MHD_Connection *connection);

/// Everything MHD_start_daemon is given. The daemon runs epoll in its own thread(s), or one thread per
/// connection (thread_per_connection), with an inter-thread channel (needed by MHD_quiesce_daemon);
/// TLS is on when a certificate is given.
typedef struct mhd_shim_options {
    struct sockaddr_in bind_address;    // MHD_OPTION_SOCK_ADDR
    unsigned int thread_pool_size;      // MHD_OPTION_THREAD_POOL_SIZE (0 or 1: no pool)
    unsigned int connection_limit;      // MHD_OPTION_CONNECTION_LIMIT
    unsigned int connection_timeout;    // MHD_OPTION_CONNECTION_TIMEOUT, seconds of inactivity
    size_t memory_limit;                // MHD_OPTION_CONNECTION_MEMORY_LIMIT, bytes per connection
    unsigned int listen_backlog;        // MHD_OPTION_LISTEN_BACKLOG_SIZE (0: MHD's default)
    const char *tls_cert_pem;           // NULL for plain HTTP; copied, so it may be freed after start
    const char *tls_key_pem;
    int log_to_stderr;                  // echo MHD's error log to stderr (it is always kept for errors)

    MHD_AccessHandlerCallback access_handler;
    void *access_handler_cls;
    MHD_RequestCompletedCallback request_completed;
    void *request_completed_cls;
    MHD_NotifyConnectionCallback notify_connection;  // may be NULL
    void *notify_connection_cls;
    mhd_shim_uri_log_callback uri_log;               // may be NULL
    void *uri_log_cls;
    // One thread per connection (poll) instead of the epoll pool: handlers and content-reader
    // callbacks may then block, as a streaming proxy's do. thread_pool_size is ignored.
    int thread_per_connection;
    // An already listening socket to serve instead of binding bind_address (MHD_OPTION_LISTEN_SOCKET),
    // e.g. a Unix socket; used when has_listen_socket is non-zero. The daemon closes it when it stops.
    int has_listen_socket;
    int listen_socket;
} mhd_shim_options;

/// A running daemon together with the log sink its error messages go to.
typedef struct mhd_shim_daemon mhd_shim_daemon;

/// Starts a daemon. On failure returns NULL and writes MHD's last log message (if any) to `error`.
mhd_shim_daemon *mhd_shim_start(const mhd_shim_options *options, char *error, size_t error_size);

/// The bound TCP port (MHD_DAEMON_INFO_BIND_PORT), 0 if unknown.
uint16_t mhd_shim_bound_port(mhd_shim_daemon *daemon);

/// Stops accepting (MHD_quiesce_daemon) and stops the kernel listening, so new connections are
/// refused instead of waiting in the backlog. The socket itself is closed by mhd_shim_stop.
void mhd_shim_quiesce(mhd_shim_daemon *daemon);

/// Stops the daemon (joins its threads, closes every connection) and frees the handle.
void mhd_shim_stop(mhd_shim_daemon *daemon);

/// The connection's socket (MHD_CONNECTION_INFO_CONNECTION_FD), -1 if unknown.
int mhd_shim_connection_fd(struct MHD_Connection *connection);

/// The socket context set in the notify-connection callback (MHD_CONNECTION_INFO_SOCKET_CONTEXT).
void *mhd_shim_socket_context(struct MHD_Connection *connection);

/// The peer's address as text ("127.0.0.1", "::1"); returns 0 when unknown.
int mhd_shim_client_address(struct MHD_Connection *connection, char *buffer, size_t buffer_size);

/// Writes bytes straight to the client, bypassing MHD's response machinery (through the TLS session
/// on HTTPS). For answering while MHD still expects body bytes, where MHD_queue_response refuses.
/// Only from within the access handler of this connection (MHD's thread owns the TLS session).
/// Returns the number of bytes written, or -1.
long mhd_shim_send_raw(struct MHD_Connection *connection, const void *data, size_t size);

/// Lets the application set `Content-Length` itself (MHD_RF_INSANITY_HEADER_CONTENT_LENGTH); used for
/// replies to HEAD, which announce a length without carrying the body.
enum MHD_Result mhd_shim_allow_content_length(struct MHD_Response *response);
