/* bogie_server.h: the public API of bogie's HTTP server, which serves a bogie_service (bogie.h) over HTTP with
 * libmicrohttpd. Kept apart from bogie.h so that library users who do not serve need no HTTP headers. */
#ifndef BOGIE_SERVER_H
#define BOGIE_SERVER_H

#include "bogie.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is what the shared library exports; it is built with -fvisibility=hidden, so nothing else
 * is (check with nm -D). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

typedef struct bogie_server bogie_server;

typedef struct bogie_server_options {
    const char *host;              /* an IPv4 address to listen on; default 127.0.0.1 */
    uint16_t port;                 /* default 8080; 0 picks a free port (bogie_server_port() tells which) */
    unsigned threads;              /* the thread pool; default 2 */
    unsigned max_connections;      /* beyond this many open connections requests get 503; default 512 */
    unsigned connection_timeout_s; /* an idle or slow connection is closed after this; default 15 */
    unsigned header_timeout_s;     /* a request's line and headers must all arrive within this; default 5 */
    unsigned max_per_client;       /* open connections from one address; beyond, requests get 429; default 64 */
    unsigned workers;              /* threads for expensive requests (routes, tables, journeys); default 2 */
    unsigned max_heavy_per_client; /* expensive requests from one address queued or worked on; beyond, 429; default 4 */
    size_t max_answer_bytes;       /* answers over 64 KiB that connections hold while they are sent, in all; an answer
                                    * beyond gets 503 instead; default 256 MiB (streamed answers hold none) */
    const char *allow_hosts;       /* when listening on a loopback address, Host names served besides loopback ones,
                                    * comma-separated ("*" for any); default NULL */
    const char *cors_origin;       /* the Access-Control-Allow-Origin every answer carries: "*" (the default, any web
                                    * page may read the answers), one origin ("https://maps.example.org"), or NULL for
                                    * none (browsers let no page from another origin read them); must outlive the
                                    * server */
} bogie_server_options;

void bogie_server_options_init(bogie_server_options *opts);
/* Starts serving service (which must outlive the server) on its own threads and returns at once. */
bogie_status bogie_server_start(bogie_service *service, const bogie_server_options *opts, bogie_server **out,
                                bogie_diag *diag);
uint16_t bogie_server_port(const bogie_server *server);
/* Stops accepting connections; those open are still served, every answer from now on closes its connection, and
 * the call waits up to 2 s for the open connections to finish (it returns sooner when they all have). */
void bogie_server_quiesce(bogie_server *server);
/* Requests being worked out or whose answer is still being sent, and connections open. */
unsigned bogie_server_active(const bogie_server *server);
unsigned bogie_server_connections(const bogie_server *server);
/* Stops the threads and frees the server; NULL does nothing. */
void bogie_server_stop(bogie_server *server);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
