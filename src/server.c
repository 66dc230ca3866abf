/* server.c: bogie's HTTP server: libmicrohttpd with its own thread pool in front of a bogie_service. It counts
 * open connections to answer 503 when overloaded, refuses request bodies with 413, and can stop taking new
 * connections so that requests in flight finish before it stops. */
#include "bogie_server.h"

#include "util.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct bogie_server {
    bogie_service *service;
    struct MHD_Daemon *daemon;
    bogie_server_options opts;
    atomic_uint open_connections;
    atomic_uint in_flight;
    uint16_t port;
};

/* Per request: the raw request target, as it came, before the library splits and unescapes it. */
typedef struct request {
    char *target;
    bool seen;
} request;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    request *r = calloc(1, sizeof *r);
    if (r)
        r->target = strdup(uri ? uri : "/");
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request *r = *req_cls;
    if (r) {
        free(r->target);
        free(r);
        *req_cls = NULL;
    }
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)c;
    (void)socket_context;
    bogie_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&s->open_connections, 1);
    else
        atomic_fetch_sub(&s->open_connections, 1);
}

/* The library's own (reentrant) handling of the whole value: our unescaping happens in the service. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result queue(struct MHD_Connection *c, int status, const char *type, char *body, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body ? body : (void *)"",
                                                                body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    if (status == 503)
        MHD_add_response_header(resp, "Retry-After", "1");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result queue_error(struct MHD_Connection *c, int status, const char *code, const char *message)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "{\"code\":\"%s\",\"message\":\"%s\"}\n", code, message);
    char *body = strdup(buf);
    return queue(c, status, "application/json", body, body ? (size_t)n : 0);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    (void)url;
    (void)version;
    (void)upload_data;
    bogie_server *s = cls;
    request *r = *req_cls;
    if (!r)
        return queue_error(c, 503, "Overloaded", "out of memory");
    if (!r->seen) {
        r->seen = true;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if ((cl && strtoull(cl, NULL, 10) > 0) || te)
            return queue_error(c, 413, "TooBig", "request bodies are not accepted");
        if (atomic_load(&s->open_connections) > s->opts.max_connections)
            return queue_error(c, 503, "Overloaded", "too many open connections; try again shortly");
        /* The answer is queued on the next call, once the whole request has been read: a response queued on the
         * first call makes the library close the connection after it, which would defeat keep-alive. */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0; /* a body arrived without a length: it is not read */
        return MHD_YES;
    }
    atomic_fetch_add(&s->in_flight, 1);
    bogie_response resp;
    bogie_service_handle(s->service, method, r->target ? r->target : "/", &resp);
    enum MHD_Result ret = queue(c, resp.status, resp.content_type, resp.body, resp.length);
    atomic_fetch_sub(&s->in_flight, 1);
    return ret;
}

void bogie_server_options_init(bogie_server_options *o)
{
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->threads = 2;
    o->max_connections = 512;
    o->connection_timeout_s = 15;
}

bogie_status bogie_server_start(bogie_service *service, const bogie_server_options *opts, bogie_server **out,
                                bogie_diag *diag)
{
    *out = NULL;
    bogie_server *s = calloc(1, sizeof *s);
    if (!s)
        return util_nomem(diag, "starting the server");
    s->service = service;
    s->opts = *opts;
    if (!s->opts.threads)
        s->opts.threads = 1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(opts->port);
    if (inet_pton(AF_INET, opts->host, &addr.sin_addr) != 1) {
        free(s);
        return util_fail(diag, BOGIE_ERR_ARG, "--host %s: not an IPv4 address", opts->host);
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    /* The library keeps serving beyond our soft limit (max_connections) so that it can say 503; its own hard limit
     * sits above, where it simply refuses connections. */
    s->daemon = MHD_start_daemon(flags, opts->port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->opts.threads,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)(s->opts.max_connections * 2 + 16),
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->opts.connection_timeout_s,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                                 MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                 NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_UNESCAPE_CALLBACK,
                                 keep_escaped, NULL, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
    if (!s->daemon) {
        free(s);
        return util_fail(diag, BOGIE_ERR_IO, "cannot listen on %s:%u (in use, or not allowed)", opts->host,
                         (unsigned)opts->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : opts->port;
    *out = s;
    return BOGIE_OK;
}

uint16_t bogie_server_port(const bogie_server *s)
{
    return s->port;
}

void bogie_server_quiesce(bogie_server *s)
{
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

unsigned bogie_server_active(const bogie_server *s)
{
    return atomic_load(&((bogie_server *)s)->in_flight);
}

unsigned bogie_server_connections(const bogie_server *s)
{
    return atomic_load(&((bogie_server *)s)->open_connections);
}

void bogie_server_stop(bogie_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
