/* server_int.h: what the HTTP server's files share (server.c, server_conn.c, server_pool.c): the record kept for every
 * open connection, with the deadlines that close slow ones, and the pool of threads that works out expensive
 * answers so that cheap ones never wait behind them. Prefix srv_. */
#ifndef BOGIE_SERVER_INT_H
#define BOGIE_SERVER_INT_H

#include "bogie.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct MHD_Connection;

/* An expensive request handed to the pool: the connection is suspended until a worker has its answer. Owned by its
 * connection's record (srv_conn.job) from the handler's call that queues it until the call that sends its answer. */
typedef struct srv_job {
    struct srv_job *next;          /* in the pool's queue */
    struct MHD_Connection *connection;
    bogie_service *service;
    char method[16];
    char *target;                  /* owned: a copy of the request target */
    bogie_response resp;           /* the answer, filled in by a worker */
    atomic_bool done;
} srv_job;

/* One open connection and the request it is on (requests on one connection come one after another). Records are
 * owned by the srv_conns table, created when the library reports a new connection and freed when it reports its end.
 * They live as long as their connection because libmicrohttpd 0.9.75 does not always report a request's end (it
 * never calls on_completed for a request whose query string overflows the connection's memory). */
typedef struct srv_conn {
    struct srv_conn *prev, *next;  /* in the table's list, oldest connection first */
    int fd;                        /* the connection's socket: shut down (never closed) to end it early */
    uint32_t addr;                 /* the client's IPv4 address, network order */
    int64_t deadline_ms;           /* on the monotonic clock; 0 while a request is worked out or answered */
    int64_t waiting_since_ms;      /* since when it has waited for a request to be read in full; 0 while answered */
    bool closing;                  /* shut down by the watchdog or to make room; the library will close it */
    bool over_cap;                 /* opened beyond the per-address limit: its request gets 429 */
    bool overloaded;               /* opened beyond max_connections with nothing to make room: its request gets 503 */
    /* The current request. */
    char *target;                  /* the raw request target, as it came, or NULL */
    bool seen;                     /* the handler has been called for it */
    bool in_flight;                /* counted in the server's in_flight */
    srv_job *job;                  /* queued or worked on by the pool, or NULL */
} srv_conn;

/* Every open connection, and a watchdog thread that shuts down those whose deadline has passed. */
typedef struct srv_conns {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t watchdog;
    bool watching, stop;
    srv_conn *oldest, *newest;
    unsigned open;                 /* records in the list */
    unsigned closing;              /* of which shut down and not yet closed by the library */
    unsigned header_timeout_s;     /* a request's line and headers must arrive within this */
    unsigned idle_timeout_s;       /* between requests on a connection */
    unsigned max_connections, max_per_client;
} srv_conns;

/* Initialises t and starts its watchdog; BOGIE_ERR_NOMEM (or BOGIE_ERR_IO) with a sentence in diag on failure. */
bogie_status srv_conns_start(srv_conns *t, unsigned header_timeout_s, unsigned idle_timeout_s,
                             unsigned max_connections, unsigned max_per_client, bogie_diag *diag);
/* Stops the watchdog and frees every record still listed (the library has stopped by then). */
void srv_conns_stop(srv_conns *t);
/* A new connection: returns its record (owned by t; NULL when out of memory), after making room if more than
 * max_connections are open by shutting down the connection that has waited longest for a request (if that is over a
 * second: newcomers do not push each other out), and marking the
 * record over_cap when its address has more than max_per_client open. */
srv_conn *srv_conn_open(srv_conns *t, int fd, uint32_t addr);
/* The connection's end: unlinks and frees c (its request must have been ended). */
void srv_conn_close(srv_conns *t, srv_conn *c);
/* Deadlines: a request line has been read (its headers are due within header_timeout_s), the request has been read
 * in full (no deadline while it is answered), its answer has been sent (the next is due within idle_timeout_s). */
void srv_conn_request_line(srv_conns *t, srv_conn *c);
void srv_conn_request_read(srv_conns *t, srv_conn *c);
void srv_conn_request_done(srv_conns *t, srv_conn *c);
/* Open connections that are not being shut down. */
unsigned srv_conns_live(srv_conns *t);
/* Gives c the job, unless c's address already has max_heavy requests with the pool (queued or worked on): then
 * false, and c keeps none. */
bool srv_conn_take_job(srv_conns *t, srv_conn *c, srv_job *job, unsigned max_heavy);
/* Ends c's job (its answer has been queued) and returns it to the caller, who frees it. */
srv_job *srv_conn_drop_job(srv_conns *t, srv_conn *c);

/* The pool of threads for expensive requests. */
typedef struct srv_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t *threads;
    unsigned n_threads;
    srv_job *head, *tail;
    unsigned queued, max_queued;
    bool stop;
} srv_pool;

/* Starts n_threads workers; BOGIE_ERR_NOMEM with a sentence in diag on failure. */
bogie_status srv_pool_start(srv_pool *p, unsigned n_threads, unsigned max_queued, bogie_diag *diag);
/* Suspends job's connection and queues the job; false when the queue is full or the pool stopping (nothing is
 * suspended, the caller answers 503 and keeps job). A worker fills job->resp, sets job->done and resumes the
 * connection; the job stays the caller's. */
bool srv_pool_submit(srv_pool *p, srv_job *job);
/* Answers every job still queued with 503 (resuming its connection), waits for the workers and frees them. */
void srv_pool_stop(srv_pool *p);

/* The monotonic clock, in milliseconds. */
int64_t srv_now_ms(void);

#endif
