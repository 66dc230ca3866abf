/* server.c: bogie's HTTP server: libmicrohttpd with its own thread pool in front of a bogie_service. It counts
 * open connections to answer 503 when overloaded (and closes silent connections beyond that limit quickly, so that
 * a flood of them cannot keep newcomers waiting), refuses request bodies with 413 and ambiguous framing with 400, and
 * can stop taking new connections so that the requests in flight are answered in full before it stops. */
#include "bogie_server.h"

#include "base/util.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* How long a connection opened while more than max_connections are open may stay silent before it is closed. Any
 * request on it is answered 503, so holding it for the whole connection timeout would only fill the library's own
 * connection slots, and then newcomers would wait unanswered in the kernel's queue until the timeout. */
#define OVERLOAD_TIMEOUT_S 1u

/* After bogie_server_quiesce, how long connections already open are given to finish: one may hold a request that
 * the library has not read yet (its worker thread was busy), and the library only sees a request once it has read
 * it. Every answer given meanwhile closes its connection, so this waits only for idle keep-alive clients. */
#define DRAIN_GRACE_MS 2000

struct bogie_server {
    bogie_service *service;
    struct MHD_Daemon *daemon;
    bogie_server_options opts;
    atomic_uint open_connections;
    atomic_uint in_flight;  /* requests from the handler's first call until their answer is sent or connection lost */
    atomic_bool stopping;   /* set by bogie_server_quiesce: every answer then closes its connection */
    uint16_t port;
};

/* Per connection, for the request it is on (the requests on one connection come one after another): the raw
 * request target, as it came, before the library splits and unescapes it. It lives as long as its connection
 * because the library does not always report a request's end: libmicrohttpd 0.9.75 never calls on_completed for a
 * request whose query string overflows the connection's memory, so state kept per request would leak, and the
 * request would count as in flight for ever. */
typedef struct request {
    char *target;   /* the current request's, or NULL */
    bool seen;      /* the handler has been called once for the current request */
    bool in_flight; /* the current request has reached the handler and is counted in the server's in_flight */
} request;

/* Ends r's current request, if it has one: frees its target and stops counting it as in flight. */
static void request_end(bogie_server *s, request *r)
{
    free(r->target);
    r->target = NULL;
    r->seen = false;
    if (r->in_flight) {
        r->in_flight = false;
        atomic_fetch_sub(&s->in_flight, 1);
    }
}

/* The library calls this once it has read a request line; the request ends with on_completed (its answer sent, or
 * its connection lost), the next request line on its connection, or its connection's end, whichever comes first. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    bogie_server *s = cls;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    request *r = info ? info->socket_context : NULL;
    if (!r)
        return NULL;
    request_end(s, r);
    r->target = strdup(uri ? uri : "/");
    return r->target ? r : NULL;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    bogie_server *s = cls;
    request *r = *req_cls;
    if (r)
        request_end(s, r);
    *req_cls = NULL;
}

/* Counts open connections and gives each its request state (NULL when out of memory: its requests then get 503). */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    bogie_server *s = cls;
    if (toe != MHD_CONNECTION_NOTIFY_STARTED) {
        request *r = *socket_context;
        if (r) {
            request_end(s, r);
            free(r);
            *socket_context = NULL;
        }
        atomic_fetch_sub(&s->open_connections, 1);
        return;
    }
    *socket_context = calloc(1, sizeof(request));
    /* The library has put the connection on its timeout list before telling us, so its timeout may change here. */
    if (atomic_fetch_add(&s->open_connections, 1) + 1 > s->opts.max_connections)
        MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, OVERLOAD_TIMEOUT_S);
}

/* Counts the Content-Length headers of a request (an iterator for MHD_get_connection_values). */
static enum MHD_Result count_lengths(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    if (key && strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        (*(unsigned *)cls)++;
    return MHD_YES;
}

/* The library's own (reentrant) handling of the whole value: our unescaping happens in the service. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

/* Queues an answer that takes ownership of body (NULL for none); with must_close, or once the server is stopping, the
 * connection is closed after it. */
static enum MHD_Result queue(bogie_server *s, struct MHD_Connection *c, int status, const char *type, char *body,
                             size_t len, bool must_close)
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
    if (must_close || atomic_load(&s->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Queues an error answer and closes the connection after it: it is given before the request has been read in full. */
static enum MHD_Result queue_error(bogie_server *s, struct MHD_Connection *c, int status, const char *code,
                                   const char *message)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "{\"code\":\"%s\",\"message\":\"%s\"}\n", code, message);
    char *body = strdup(buf);
    return queue(s, c, status, "application/json", body, body ? (size_t)n : 0, true);
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
        return queue_error(s, c, 503, "Overloaded", "out of memory");
    if (!r->seen) {
        /* From here the request is in flight: a server that is stopping waits for its answer to be sent in full. */
        r->seen = true;
        r->in_flight = true;
        atomic_fetch_add(&s->in_flight, 1);
        /* The library frames the request by the first Content-Length; a second one could make a proxy in front of
         * us see a different request boundary (request smuggling), so such a request is refused and not read on. */
        unsigned lengths = 0;
        MHD_get_connection_values(c, MHD_HEADER_KIND, count_lengths, &lengths);
        if (lengths > 1)
            return queue_error(s, c, 400, "InvalidRequest", "a request with more than one Content-Length is refused");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if ((cl && strtoull(cl, NULL, 10) > 0) || te)
            return queue_error(s, c, 413, "TooBig", "request bodies are not accepted");
        if (atomic_load(&s->open_connections) > s->opts.max_connections)
            return queue_error(s, c, 503, "Overloaded", "too many open connections; try again shortly");
        /* The answer is queued on the next call, once the whole request has been read: a response queued on the
         * first call makes the library close the connection after it, which would defeat keep-alive. */
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0; /* a body arrived without a length: it is not read */
        return MHD_YES;
    }
    bogie_response resp;
    bogie_service_handle(s->service, method, r->target ? r->target : "/", &resp);
    return queue(s, c, resp.status, resp.content_type, resp.body, resp.length, false);
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
                                 MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_UNESCAPE_CALLBACK,
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

/* Closes the listening socket, then waits up to DRAIN_GRACE_MS for the connections still open to leave: each
 * answer given from now on closes its connection, so those that had sent a request leave once it is answered. */
void bogie_server_quiesce(bogie_server *s)
{
    atomic_store(&s->stopping, true);
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (int waited = 0; waited < DRAIN_GRACE_MS && atomic_load(&s->open_connections) > 0; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
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
