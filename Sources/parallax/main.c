// The `parallax` command: a small C launcher, because an agent may call `parallax emit` on every
// step and a Swift program needs milliseconds just to start.
//
// - `parallax emit …` under a running recorder (PARALLAX_SOCKET set) is answered here: the event
//   is sent as one line over the recorder's socket, which validates it and assigns its seq.
//   Anything this fast path does not handle (other options, no recorder, a refused event) goes to
//   parallax-agent, which gives the full diagnostics and the spool fallback. A refused event was
//   not recorded, so running it again there never records it twice.
// - `emit` and `hook` otherwise run in parallax-agent (Swift, no Foundation).
// - Every other verb runs in parallax-core. Both are installed next to this file.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char directory[PATH_MAX];

static void find_directory(void) {
    ssize_t length = readlink("/proc/self/exe", directory, sizeof directory - 1);
    if (length <= 0) {
        fprintf(stderr, "parallax: cannot find where this executable lives (/proc/self/exe is unreadable)\n");
        exit(4);
    }
    directory[length] = 0;
    char *slash = strrchr(directory, '/');
    if (slash) *slash = 0;
}

static int run(const char *program, int argc, char **argv) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", directory, program);
    char **arguments = calloc((size_t)argc + 1, sizeof *arguments);
    if (!arguments) return 4;
    arguments[0] = "parallax";
    for (int i = 1; i < argc; i++) arguments[i] = argv[i];
    execv(path, arguments);
    fprintf(stderr, "parallax: cannot run %s: %s. Install %s next to parallax.\n", path, strerror(errno), program);
    return 4;
}

/// Appends `text` as a JSON string; false when the buffer is too small.
static int append_string(char *out, size_t size, size_t *used, const char *text) {
    if (*used + 1 >= size) return 0;
    out[(*used)++] = '"';
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        char escaped[8];
        size_t n;
        if (*c == '"' || *c == '\\') { escaped[0] = '\\'; escaped[1] = (char)*c; n = 2; }
        else if (*c < 0x20) { n = (size_t)snprintf(escaped, sizeof escaped, "\\u%04x", *c); }
        else { escaped[0] = (char)*c; n = 1; }
        if (*used + n + 1 >= size) return 0;
        memcpy(out + *used, escaped, n);
        *used += n;
    }
    out[(*used)++] = '"';
    return 1;
}

static int append_raw(char *out, size_t size, size_t *used, const char *text) {
    size_t n = strlen(text);
    if (*used + n >= size) return 0;
    memcpy(out + *used, text, n);
    *used += n;
    return 1;
}

/// The fast path of `parallax emit`. Returns the exit code, or -1 to hand the command line on.
static int fast_emit(int argc, char **argv) {
    const char *socket_path = getenv("PARALLAX_SOCKET");
    if (!socket_path || !*socket_path) return -1;
    const char *kind = NULL, *data = "{}", *actor = "agent", *cause = NULL;
    int json = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **target = NULL;
        if (!strcmp(a, "--json")) { json = 1; continue; }
        if (!strcmp(a, "--kind")) target = &kind;
        else if (!strcmp(a, "--data")) target = &data;
        else if (!strcmp(a, "--actor")) target = &actor;
        else if (!strcmp(a, "--cause")) target = &cause;
        else return -1;
        if (i + 1 >= argc) return -1;
        *target = argv[++i];
    }
    if (!kind) return -1;
    if (cause) {
        if (!*cause) return -1;
        for (const char *c = cause; *c; c++) if (*c < '0' || *c > '9') return -1;
    }
    size_t size = strlen(data) + strlen(kind) * 6 + strlen(actor) * 6 + 128;
    char *line = malloc(size);
    if (!line) return -1;
    size_t used = 0;
    int ok = append_raw(line, size, &used, "{\"op\":\"event\",\"kind\":") && append_string(line, size, &used, kind)
        && append_raw(line, size, &used, ",\"actor\":") && append_string(line, size, &used, actor)
        && append_raw(line, size, &used, ",\"data\":");
    // Raw newlines can only be whitespace between JSON tokens (inside strings they must be
    // escaped), so they become spaces and the request stays one line.
    size_t data_start = used;
    ok = ok && append_raw(line, size, &used, data);
    for (size_t i = data_start; i < used; i++) if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
    if (ok && cause) ok = append_raw(line, size, &used, ",\"cause\":") && append_raw(line, size, &used, cause);
    ok = ok && append_raw(line, size, &used, "}\n");
    if (!ok) { free(line); return -1; }

    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof address.sun_path) { free(line); return -1; }
    strcpy(address.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        if (fd >= 0) close(fd);
        free(line);
        return -1;
    }
    size_t sent = 0;
    while (sent < used) {
        ssize_t n = send(fd, line + sent, used - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { close(fd); free(line); return -1; }
        sent += (size_t)n;
    }
    free(line);
    char reply[4096];
    size_t got = 0;
    while (got < sizeof reply - 1) {
        ssize_t n = read(fd, reply + got, sizeof reply - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
        if (memchr(reply, '\n', got)) break;
    }
    close(fd);
    reply[got] = 0;
    const char *prefix = "{\"ok\":true,\"seq\":";
    if (strncmp(reply, prefix, strlen(prefix)) != 0) return -1;
    if (json) {
        char *seq = reply + strlen(prefix);
        size_t digits = strspn(seq, "0123456789");
        const char *session = getenv("PARALLAX_SESSION");
        if (session && *session) {
            printf("{\"seq\":%.*s,\"session\":", (int)digits, seq);
            char quoted[256];
            size_t q = 0;
            if (!append_string(quoted, sizeof quoted, &q, session)) return -1;
            printf("%.*s}\n", (int)q, quoted);
        } else {
            printf("{\"seq\":%.*s}\n", (int)digits, seq);
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    find_directory();
    if (argc > 1 && !strcmp(argv[1], "emit")) {
        int status = fast_emit(argc, argv);
        if (status >= 0) return status;
        return run("parallax-agent", argc, argv);
    }
    if (argc > 1 && !strcmp(argv[1], "hook")) return run("parallax-agent", argc, argv);
    return run("parallax-core", argc, argv);
}
