/* server_conn.c: the HTTP server's record of every open connection: deadlines for a request's headers and for the
 * idle time between requests, kept by a watchdog thread that shuts down the connections past them; room made for a
 * newcomer by shutting down the connection that has waited longest; and per-address counts of connections and of
 * expensive requests. A slow client (one header line every few seconds, the "slowloris") can then hold a connection
 * for a few seconds at most, and a flood of them cannot keep anyone else out. */
#include "serve/server_int.h"

#include "base/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* How often the watchdog looks at the deadlines. */
#define WATCH_PERIOD_MS 100
/* A connection that has waited this long for its request may be shut down to make room for a newcomer. */
#define EVICT_AFTER_MS 1000

int64_t srv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Shuts c's socket down, so that the library sees its end and closes it; called with t->lock held. The socket is
 * never closed here: the library owns it, and closes it after it has told us of the connection's end, which takes
 * the same lock, so the descriptor cannot have been reused meanwhile. */
static void shut(srv_conns *t, srv_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    t->closing++;
    shutdown(c->fd, SHUT_RDWR);
}

static void *watch(void *ud)
{
    srv_conns *t = ud;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        int64_t now = srv_now_ms();
        for (srv_conn *c = t->oldest; c; c = c->next)
            if (c->deadline_ms && now >= c->deadline_ms)
                shut(t, c);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += WATCH_PERIOD_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&t->wake, &t->lock, &until);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

bogie_status srv_conns_start(srv_conns *t, unsigned header_timeout_s, unsigned idle_timeout_s,
                             unsigned max_connections, unsigned max_per_client, bogie_diag *diag)
{
    memset(t, 0, sizeof *t);
    t->header_timeout_s = header_timeout_s;
    t->idle_timeout_s = idle_timeout_s;
    t->max_connections = max_connections;
    t->max_per_client = max_per_client;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    int rc = pthread_create(&t->watchdog, NULL, watch, t);
    if (rc != 0) {
        pthread_cond_destroy(&t->wake);
        pthread_mutex_destroy(&t->lock);
        return util_fail(diag, rc == EAGAIN ? BOGIE_ERR_NOMEM : BOGIE_ERR_IO,
                         "cannot start the server's connection watchdog: %s", strerror(rc));
    }
    t->watching = true;
    return BOGIE_OK;
}

void srv_conns_stop(srv_conns *t)
{
    if (t->watching) {
        pthread_mutex_lock(&t->lock);
        t->stop = true;
        pthread_cond_signal(&t->wake);
        pthread_mutex_unlock(&t->lock);
        pthread_join(t->watchdog, NULL);
        t->watching = false;
    }
    for (srv_conn *c = t->oldest, *next; c; c = next) {
        next = c->next;
        free(c->target);
        free(c);
    }
    t->oldest = t->newest = NULL;
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
}

/* The connection to shut down to make room: the oldest of those over their address's limit, else the one that has
 * waited longest for its request if that is over EVICT_AFTER_MS; never one being shut down already; or NULL. */
static srv_conn *longest_waiting(const srv_conns *t, int64_t now)
{
    srv_conn *best = NULL;
    for (srv_conn *c = t->oldest; c; c = c->next)
        if (c->over_cap && !c->closing && c->waiting_since_ms)
            return c; /* over its address's limit: it would get 429 anyway */
    for (srv_conn *c = t->oldest; c; c = c->next)
        if (c->waiting_since_ms && !c->closing && now - c->waiting_since_ms >= EVICT_AFTER_MS &&
            (!best || c->waiting_since_ms < best->waiting_since_ms))
            best = c;
    return best;
}

static unsigned live_from(const srv_conns *t, uint32_t addr)
{
    unsigned n = 0;
    for (const srv_conn *c = t->oldest; c; c = c->next)
        n += c->addr == addr && !c->closing;
    return n;
}

srv_conn *srv_conn_open(srv_conns *t, int fd, uint32_t addr)
{
    srv_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    c->addr = addr;
    int64_t now = srv_now_ms();
    c->deadline_ms = now + (int64_t)t->header_timeout_s * 1000;
    c->waiting_since_ms = now;
    pthread_mutex_lock(&t->lock);
    if (t->open - t->closing >= t->max_connections) {
        srv_conn *victim = longest_waiting(t, now);
        if (victim)
            shut(t, victim);
        else
            c->overloaded = true;
    }
    c->over_cap = live_from(t, addr) >= t->max_per_client;
    c->prev = t->newest;
    if (t->newest)
        t->newest->next = c;
    else
        t->oldest = c;
    t->newest = c;
    t->open++;
    pthread_mutex_unlock(&t->lock);
    return c;
}

void srv_conn_close(srv_conns *t, srv_conn *c)
{
    pthread_mutex_lock(&t->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        t->oldest = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        t->newest = c->prev;
    t->open--;
    if (c->closing)
        t->closing--;
    pthread_mutex_unlock(&t->lock);
    free(c->target);
    free(c);
}

/* Sets c's deadline seconds from now (none for 0); waiting says whether it now waits for a request (its wait starts
 * now unless it was waiting already). */
static void set_deadline(srv_conns *t, srv_conn *c, unsigned seconds, bool waiting)
{
    int64_t now = srv_now_ms();
    pthread_mutex_lock(&t->lock);
    c->deadline_ms = seconds ? now + (int64_t)seconds * 1000 : 0;
    c->waiting_since_ms = !waiting ? 0 : c->waiting_since_ms ? c->waiting_since_ms : now;
    pthread_mutex_unlock(&t->lock);
}

void srv_conn_request_line(srv_conns *t, srv_conn *c)
{
    set_deadline(t, c, t->header_timeout_s, true);
}

void srv_conn_request_read(srv_conns *t, srv_conn *c)
{
    set_deadline(t, c, 0, false);
}

void srv_conn_request_done(srv_conns *t, srv_conn *c)
{
    set_deadline(t, c, t->idle_timeout_s, true);
}

unsigned srv_conns_live(srv_conns *t)
{
    pthread_mutex_lock(&t->lock);
    unsigned n = t->open - t->closing;
    pthread_mutex_unlock(&t->lock);
    return n;
}

bool srv_conn_take_job(srv_conns *t, srv_conn *c, srv_job *job, unsigned max_heavy)
{
    pthread_mutex_lock(&t->lock);
    unsigned n = 0;
    for (const srv_conn *o = t->oldest; o; o = o->next)
        n += o->addr == c->addr && o->job != NULL;
    bool ok = n < max_heavy;
    if (ok)
        c->job = job;
    pthread_mutex_unlock(&t->lock);
    return ok;
}

srv_job *srv_conn_drop_job(srv_conns *t, srv_conn *c)
{
    pthread_mutex_lock(&t->lock);
    srv_job *job = c->job;
    c->job = NULL;
    pthread_mutex_unlock(&t->lock);
    return job;
}
