/* server.c: bogie's HTTP server: libmicrohttpd with its own thread pool in front of a bogie_service. Cheap requests
 * are answered on the library's threads and expensive ones by a pool of workers (server_pool.c); every connection has
 * a record with deadlines for its headers and idle time, and per-address limits (server_conn.c). It refuses request
 * bodies with 413, ambiguous framing with 400, long or crowded request lines with 414, Host names it does not serve
 * with 403, answers CORS preflight, and can stop taking new connections so that the requests in flight are answered
 * in full before it stops. */
#include "bogie_server.h"

#include "base/util.h"
#include "serve/api_int.h"
#include "serve/server_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* How long a connection opened while more than max_connections are open, and with none waiting to make room for it,
 * may stay silent before it is closed. Any request on it is answered 503. */
#define OVERLOAD_TIMEOUT_S 1u

/* After bogie_server_quiesce, how long connections already open are given to finish. */
#define DRAIN_GRACE_MS 2000

/* A request target longer than this, or with more query parameters, is answered 414 without being worked out. */
#define MAX_TARGET_BYTES 8192
#define MAX_QUERY_PARAMS 64
/* A request whose header block is larger than this is answered 431. */
#define MAX_HEADER_BYTES 16384

/* The per-connection memory the library reads a request into: room for a full MAX_TARGET_BYTES line split into as
 * many parameters as it can hold (the library keeps a record of about 48 bytes per parameter) and the headers, so
 * that an over-long or crowded request line is read in full and answered 414 here, not dropped by the library. */
#define CONNECTION_MEMORY (512u * 1024)

/* The library's buffer for each streamed answer (/api/network), filled from the stream as the client reads. */
#define STREAM_BLOCK_BYTES (32u * 1024)

/* Answers up to this size are not counted against max_answer_bytes: connections x this bounds them instead. */
#define SMALL_ANSWER_BYTES (64u * 1024)

/* Expensive requests queued for the workers beyond this are answered 503 at once. */
#define MAX_QUEUED_JOBS 256

static const char CSP_PAGE[] = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
static const char CSP_API[] = "default-src 'none'; frame-ancestors 'none'";

struct bogie_server {
    bogie_service *service;
    struct MHD_Daemon *daemon;
    bogie_server_options opts;
    bool loopback;          /* listening on 127.0.0.0/8: Host names are checked */
    srv_conns conns;
    srv_pool pool;
    atomic_uint in_flight;  /* requests from the handler's first call until their answer is sent or connection lost */
    atomic_bool stopping;   /* set by bogie_server_quiesce: every answer then closes its connection */
    atomic_size_t answer_bytes; /* bodies over SMALL_ANSWER_BYTES queued and not yet released by the library */
    uint16_t port;
    MHD_socket listen_fd;   /* after bogie_server_quiesce: the listening socket, closed by bogie_server_stop */
};

/* Ends c's current request, if it has one: frees its target and stops counting it as in flight. */
static void request_end(bogie_server *s, srv_conn *c)
{
    free(c->target);
    c->target = NULL;
    c->seen = false;
    if (c->in_flight) {
        c->in_flight = false;
        atomic_fetch_sub(&s->in_flight, 1);
    }
}

static srv_conn *record_of(struct MHD_Connection *mc)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* The library calls this once it has read a request line; the request ends with on_completed (its answer sent, or
 * its connection lost), the next request line on its connection, or its connection's end, whichever comes first. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
    bogie_server *s = cls;
    srv_conn *c = record_of(mc);
    if (!c)
        return NULL;
    request_end(s, c);
    srv_conn_request_line(&s->conns, c);
    c->target = strdup(uri ? uri : "/");
    return c->target ? c : NULL;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    (void)mc;
    (void)toe;
    bogie_server *s = cls;
    srv_conn *c = *req_cls;
    if (c) {
        request_end(s, c);
        srv_conn_request_done(&s->conns, c);
    }
    *req_cls = NULL;
}

/* Gives each connection its record (NULL when out of memory: its requests then get 503) and frees it at the end. */
static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    bogie_server *s = cls;
    if (toe != MHD_CONNECTION_NOTIFY_STARTED) {
        srv_conn *c = *socket_context;
        if (c) {
            request_end(s, c);
            srv_conn_close(&s->conns, c);
            *socket_context = NULL;
        }
        return;
    }
    const union MHD_ConnectionInfo *fdi = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *ai = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    uint32_t addr = 0;
    if (ai && ai->client_addr && ai->client_addr->sa_family == AF_INET)
        addr = ((const struct sockaddr_in *)(const void *)ai->client_addr)->sin_addr.s_addr;
    srv_conn *c = fdi ? srv_conn_open(&s->conns, fdi->connect_fd, addr) : NULL;
    *socket_context = c;
    /* The library has put the connection on its timeout list before telling us, so its timeout may change here. */
    if (!c || c->overloaded || c->over_cap)
        MHD_set_connection_option(mc, MHD_CONNECTION_OPTION_TIMEOUT, OVERLOAD_TIMEOUT_S);
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

/* The headers every answer carries: CORS for the origin the options name (none for NULL), no caching, no sniffing of types, no framing, and a
 * content security policy (the page's, or none at all for data). */
static void add_common_headers(bogie_server *s, struct MHD_Response *resp, int status, const char *type,
                               bool must_close)
{
    MHD_add_response_header(resp, "Content-Type", type);
    if (s->opts.cors_origin)
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", s->opts.cors_origin);
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy", strncmp(type, "text/html", 9) == 0 ? CSP_PAGE : CSP_API);
    if (status == 503 || status == 429)
        MHD_add_response_header(resp, "Retry-After", "1");
    if (status == 405)
        MHD_add_response_header(resp, "Allow", "GET, HEAD, OPTIONS");
    if (must_close || atomic_load(&s->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

/* A large answer's body while the library sends it: counted in the server's answer_bytes until released. */
typedef struct held_answer {
    bogie_server *server;
    char *body;
    size_t len;
} held_answer;

/* The library is done with a large answer (cls: its held_answer). */
static void release_answer(void *cls)
{
    held_answer *h = cls;
    atomic_fetch_sub(&h->server->answer_bytes, h->len);
    free(h->body);
    free(h);
}

static enum MHD_Result queue_error(bogie_server *s, struct MHD_Connection *c, int status, const char *code,
                                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The library's answer for body (owned from here): a small one as it is, a large one counted against
 * max_answer_bytes, and NULL (body freed) when that budget is spent or memory is short. */
static struct MHD_Response *make_response(bogie_server *s, char *body, size_t len)
{
    if (!body || len <= SMALL_ANSWER_BYTES)
        return MHD_create_response_from_buffer(len, body ? body : (void *)"",
                                               body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    held_answer *h = malloc(sizeof *h);
    if (!h || atomic_fetch_add(&s->answer_bytes, len) + len > s->opts.max_answer_bytes) {
        if (h)
            atomic_fetch_sub(&s->answer_bytes, len);
        free(h);
        free(body);
        return NULL;
    }
    *h = (held_answer){s, body, len};
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(len, body, release_answer, h);
    if (!resp)
        release_answer(h);
    return resp;
}

/* Queues an answer that takes ownership of body (NULL for none); with must_close, or once the server is stopping, the
 * connection is closed after it. A large answer beyond the budget for answers being sent gets 503 instead. */
static enum MHD_Result queue(bogie_server *s, struct MHD_Connection *c, int status, const char *type,
                             const char *disposition, char *body, size_t len, bool must_close)
{
    struct MHD_Response *resp = make_response(s, body, len);
    if (!resp && len > SMALL_ANSWER_BYTES)
        return queue_error(s, c, 503, "Overloaded", "too many large answers are being sent; try again shortly");
    if (!resp)
        return MHD_NO;
    add_common_headers(s, resp, status, type, must_close);
    if (disposition)
        MHD_add_response_header(resp, "Content-Disposition", disposition);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Queues a JSON error answer (message printf-style) and closes the connection after it. */
static enum MHD_Result queue_error(bogie_server *s, struct MHD_Connection *c, int status, const char *code,
                                   const char *fmt, ...)
{
    char message[400], buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    int n = snprintf(buf, sizeof buf, "{\"code\":\"%s\",\"message\":\"%s\"}\n", code, message);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = 0;
    char *body = n ? strdup(buf) : NULL;
    return queue(s, c, status, "application/json", NULL, body, body ? (size_t)n : 0, true);
}

/* A CORS preflight: what the API allows, for a day; with no CORS origin, only the methods (Allow) and no
 * Access-Control-* header, so that a browser sends no cross-origin request. */
static enum MHD_Result answer_preflight(bogie_server *s, struct MHD_Connection *c)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    add_common_headers(s, resp, 204, "text/plain; charset=utf-8", false);
    MHD_add_response_header(resp, "Allow", "GET, HEAD, OPTIONS");
    if (s->opts.cors_origin) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Accept, Content-Type");
        MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
    }
    enum MHD_Result ret = MHD_queue_response(c, 204, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The number of query parameters in a request target ("a=1&b=2" has two). */
static size_t count_params(const char *target)
{
    const char *q = strchr(target, '?');
    if (!q || !q[1])
        return 0;
    size_t n = 1;
    for (const char *p = q + 1; *p; p++)
        n += *p == '&';
    return n;
}

/* True when host (a Host header, with or without a port) names the loopback interface or one of allow ("a,b,c",
 * or "*" for any). */
static bool host_allowed(const char *host, const char *allow)
{
    char name[256];
    size_t n = 0;
    if (host[0] == '[') { /* [::1]:8080 */
        const char *end = strchr(host, ']');
        n = end ? (size_t)(end - host) + 1 : strlen(host);
    } else {
        n = strcspn(host, ":");
    }
    if (n == 0 || n >= sizeof name)
        return false;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)tolower((unsigned char)host[i]);
    name[n] = '\0';
    if (strcmp(name, "localhost") == 0 || strcmp(name, "[::1]") == 0 || strncmp(name, "127.", 4) == 0)
        return true;
    for (const char *a = allow; a && *a;) {
        size_t len = strcspn(a, ",");
        if ((len == 1 && a[0] == '*') || (len == n && strncasecmp(a, name, n) == 0))
            return true;
        a += len + (a[len] == ',');
    }
    return false;
}

/* The checks on a request's first call, once its headers have been read: an answer queued here (an error) ends it;
 * MHD_YES with nothing queued lets it go on. */
static enum MHD_Result screen_request(bogie_server *s, struct MHD_Connection *mc, srv_conn *c)
{
    /* The library frames the request by the first Content-Length; a second one could make a proxy in front of us see
     * a different request boundary (request smuggling), so such a request is refused and not read on. */
    unsigned lengths = 0;
    MHD_get_connection_values(mc, MHD_HEADER_KIND, count_lengths, &lengths);
    if (lengths > 1)
        return queue_error(s, mc, 400, "InvalidRequest", "a request with more than one Content-Length is refused");
    const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if ((cl && strtoull(cl, NULL, 10) > 0) || te)
        return queue_error(s, mc, 413, "TooBig", "request bodies are not accepted");
    if (c->over_cap)
        return queue_error(s, mc, 429, "TooManyConnections",
                           "more than %u connections are open from your address; close some and try again",
                           s->opts.max_per_client);
    if (c->overloaded || srv_conns_live(&s->conns) > s->opts.max_connections)
        return queue_error(s, mc, 503, "Overloaded", "too many open connections; try again shortly");
    const union MHD_ConnectionInfo *hs = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    const char *target = c->target ? c->target : "/";
    size_t tlen = strlen(target);
    if (hs && hs->header_size > MAX_HEADER_BYTES + tlen)
        return queue_error(s, mc, 431, "HeadersTooLarge", "the request's headers are %zu bytes; at most %u are read",
                           hs->header_size - tlen, MAX_HEADER_BYTES);
    if (tlen > MAX_TARGET_BYTES)
        return queue_error(s, mc, 414, "TooLong", "the request target is %zu bytes; at most %u are read", tlen,
                           MAX_TARGET_BYTES);
    size_t np = count_params(target);
    if (np > MAX_QUERY_PARAMS)
        return queue_error(s, mc, 414, "TooManyParameters", "the query has %zu parameters; at most %u are read", np,
                           MAX_QUERY_PARAMS);
    const char *host = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (s->loopback && host && !host_allowed(host, s->opts.allow_hosts))
        return queue_error(s, mc, 403, "HostNotServed",
                           "this server listens on a loopback address and serves no other Host name (start it with "
                           "--allow-host NAME to serve one)");
    return MHD_YES;
}

/* Hands c's request to the workers, which suspend its connection; the handler is called again once it is answered. */
static enum MHD_Result hand_to_workers(bogie_server *s, struct MHD_Connection *mc, srv_conn *c, const char *method)
{
    srv_job *job = calloc(1, sizeof *job);
    char *target = job ? strdup(c->target) : NULL;
    if (!target) {
        free(job);
        return queue_error(s, mc, 503, "Overloaded", "out of memory");
    }
    job->connection = mc;
    job->service = s->service;
    snprintf(job->method, sizeof job->method, "%s", method);
    job->target = target;
    if (!srv_conn_take_job(&s->conns, c, job, s->opts.max_heavy_per_client)) {
        free(target);
        free(job);
        return queue_error(s, mc, 429, "TooManyRequests",
                           "%u expensive requests (routes, tables, journeys) from your address are being worked out; "
                           "wait for their answers", s->opts.max_heavy_per_client);
    }
    if (!srv_pool_submit(&s->pool, job)) {
        srv_conn_drop_job(&s->conns, c);
        free(target);
        free(job);
        return queue_error(s, mc, 503, "Overloaded", "too many requests are waiting to be worked out");
    }
    return MHD_YES;
}

/* The library asks for the next bytes of a streamed answer (cls: its api_netstream). */
static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    long n = api_netstream_read(cls, buf, max);
    return n > 0 ? (ssize_t)n : n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void free_stream(void *cls)
{
    api_netstream_free(cls);
}

/* Answers /api/network as a stream made while the client reads it (chunked), so that no connection ever holds the
 * whole answer; a bad parameter gets its JSON error as any other request. */
static enum MHD_Result answer_stream(bogie_server *s, struct MHD_Connection *mc, const char *method,
                                     const char *target)
{
    bogie_response resp;
    api_netstream *ns = api_network_stream(s->service, method, target, &resp);
    if (!ns)
        return queue(s, mc, resp.status, resp.content_type, resp.disposition, resp.body, resp.length, false);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, read_stream, ns,
                                                               free_stream);
    if (!r) {
        api_netstream_free(ns);
        return queue_error(s, mc, 503, "Overloaded", "out of memory");
    }
    add_common_headers(s, r, 200, "application/geo+json", false);
    enum MHD_Result ret = MHD_queue_response(mc, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* Sends the answer a worker has worked out for c, and frees its job. */
static enum MHD_Result answer_job(bogie_server *s, struct MHD_Connection *mc, srv_conn *c)
{
    if (!atomic_load(&c->job->done))
        return MHD_YES; /* not resumed yet */
    srv_job *job = srv_conn_drop_job(&s->conns, c);
    enum MHD_Result ret =
        queue(s, mc, job->resp.status, job->resp.content_type, job->resp.disposition, job->resp.body,
              job->resp.length, false);
    free(job->target);
    free(job);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    (void)url;
    (void)version;
    (void)upload_data;
    bogie_server *s = cls;
    srv_conn *c = *req_cls;
    if (!c)
        return queue_error(s, mc, 503, "Overloaded", "out of memory");
    if (!c->seen) {
        /* From here the request is in flight: a server that is stopping waits for its answer to be sent in full. */
        c->seen = true;
        c->in_flight = true;
        atomic_fetch_add(&s->in_flight, 1);
        srv_conn_request_read(&s->conns, c);
        /* An answer is queued on a later call, once the whole request has been read: a response queued on the first
         * call makes the library close the connection after it, which would defeat keep-alive. */
        return screen_request(s, mc, c);
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0; /* a body arrived without a length: it is not read */
        return MHD_YES;
    }
    if (c->job)
        return answer_job(s, mc, c);
    if (strcmp(method, "OPTIONS") == 0)
        return answer_preflight(s, mc);
    const char *target = c->target ? c->target : "/";
    bogie_response resp = {0};
    api_kind kind = api_request_kind(method, target);
    if (kind == API_STREAM)
        return answer_stream(s, mc, method, target);
    /* An answer the cache holds is cheap, whatever its kind: it never waits behind the workers' queue. */
    if (kind == API_HEAVY && !api_cached_answer(s->service, method, target, &resp))
        return hand_to_workers(s, mc, c, method);
    if (!resp.from_cache)
        bogie_service_handle(s->service, method, target, &resp);
    return queue(s, mc, resp.status, resp.content_type, resp.disposition, resp.body, resp.length, false);
}

void bogie_server_options_init(bogie_server_options *o)
{
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->threads = 2;
    o->max_connections = 512;
    o->connection_timeout_s = 15;
    o->header_timeout_s = 5;
    o->max_per_client = 64;
    o->workers = 2;
    o->max_heavy_per_client = 4;
    o->max_answer_bytes = (size_t)256 << 20;
    o->cors_origin = "*";
}

/* True when origin is "*" or a web origin as a browser sends it: http:// or https://, then a host name or address
 * and perhaps a port, with no path, spaces or control characters (so that it cannot break the header). */
static bool valid_cors_origin(const char *origin)
{
    if (strcmp(origin, "*") == 0)
        return true;
    const char *host = strncmp(origin, "https://", 8) == 0 ? origin + 8
                       : strncmp(origin, "http://", 7) == 0 ? origin + 7 : NULL;
    if (!host || !*host)
        return false;
    for (const char *c = host; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr(".-:[]", *c))
            return false;
    return true;
}

/* Fills the options left at 0 with their defaults. */
static void complete_options(bogie_server_options *o)
{
    bogie_server_options d;
    bogie_server_options_init(&d);
    if (!o->threads)
        o->threads = 1;
    if (!o->max_connections)
        o->max_connections = d.max_connections;
    if (!o->connection_timeout_s)
        o->connection_timeout_s = d.connection_timeout_s;
    if (!o->header_timeout_s)
        o->header_timeout_s = d.header_timeout_s;
    if (!o->max_per_client)
        o->max_per_client = d.max_per_client;
    if (!o->workers)
        o->workers = d.workers;
    if (!o->max_heavy_per_client)
        o->max_heavy_per_client = d.max_heavy_per_client;
    if (!o->max_answer_bytes)
        o->max_answer_bytes = d.max_answer_bytes;
}

static struct MHD_Daemon *start_daemon(bogie_server *s, const struct sockaddr_in *addr)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    /* The library keeps serving beyond our soft limit (max_connections) so that it can say 503; its own hard limit
     * sits above, where it simply refuses connections. */
    return MHD_start_daemon(flags, s->opts.port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, addr,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->opts.threads,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)(s->opts.max_connections * 2 + 16),
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->opts.connection_timeout_s,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                            MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped,
                            NULL, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
}

bogie_status bogie_server_start(bogie_service *service, const bogie_server_options *opts, bogie_server **out,
                                bogie_diag *diag)
{
    *out = NULL;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(opts->port);
    if (inet_pton(AF_INET, opts->host, &addr.sin_addr) != 1)
        return util_fail(diag, BOGIE_ERR_ARG, "--host %s: not an IPv4 address", opts->host);
    if (opts->cors_origin && !valid_cors_origin(opts->cors_origin))
        return util_fail(diag, BOGIE_ERR_ARG,
                         "--cors %.200s: not an origin (http://host[:port] or https://host[:port]), * or none",
                         opts->cors_origin);
    bogie_server *s = calloc(1, sizeof *s);
    if (!s)
        return util_nomem(diag, "starting the server");
    s->service = service;
    s->listen_fd = MHD_INVALID_SOCKET;
    s->opts = *opts;
    complete_options(&s->opts);
    s->loopback = (ntohl(addr.sin_addr.s_addr) >> 24) == 127;
    bogie_status st = srv_conns_start(&s->conns, s->opts.header_timeout_s, s->opts.connection_timeout_s,
                                      s->opts.max_connections, s->opts.max_per_client, diag);
    if (st != BOGIE_OK) {
        free(s);
        return st;
    }
    st = srv_pool_start(&s->pool, s->opts.workers, MAX_QUEUED_JOBS, diag);
    if (st == BOGIE_OK && !(s->daemon = start_daemon(s, &addr)))
        st = util_fail(diag, BOGIE_ERR_IO, "cannot listen on %s:%u (in use, or not allowed)", opts->host,
                       (unsigned)opts->port);
    if (st != BOGIE_OK) {
        srv_pool_stop(&s->pool);
        srv_conns_stop(&s->conns);
        free(s);
        return st;
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
    /* The listening socket is ours from here, but the library's threads may still be taking it off their epoll
     * sets: it is closed once they have stopped (bogie_server_stop). */
    if (s->listen_fd == MHD_INVALID_SOCKET)
        s->listen_fd = MHD_quiesce_daemon(s->daemon);
    for (int waited = 0; waited < DRAIN_GRACE_MS && srv_conns_live(&s->conns) > 0; waited += 10) {
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
    return srv_conns_live(&((bogie_server *)s)->conns);
}

/* The workers first (each job still queued is answered 503 and its connection resumed), then the library and the
 * listening socket, then the connection records and their watchdog. */
void bogie_server_stop(bogie_server *s)
{
    if (!s)
        return;
    srv_pool_stop(&s->pool);
    MHD_stop_daemon(s->daemon);
    if (s->listen_fd != MHD_INVALID_SOCKET)
        close(s->listen_fd);
    srv_conns_stop(&s->conns);
    free(s);
}
