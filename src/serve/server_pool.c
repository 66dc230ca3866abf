/* server_pool.c: the HTTP server's pool of threads for expensive requests (routes, tables, journeys, the network
 * drawing). Their connections are suspended while a worker answers them, so that the library's own threads stay
 * free for cheap requests (health, stations, nearest, files), which then never wait behind a long table. */
#include "serve/server_int.h"

#include "base/util.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

/* Answers job with a JSON error (503) without working it out; the body is static (length set, nothing to free). */
static void refuse(srv_job *job)
{
    static const char body[] = "{\"code\":\"Overloaded\",\"message\":\"the server is stopping\"}\n";
    memset(&job->resp, 0, sizeof job->resp);
    job->resp.status = 503;
    job->resp.content_type = "application/json";
    job->resp.body = strdup(body);
    job->resp.length = job->resp.body ? sizeof body - 1 : 0;
}

static void finish(srv_job *job)
{
    atomic_store(&job->done, true);
    MHD_resume_connection(job->connection);
}

static void *work(void *ud)
{
    srv_pool *p = ud;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->wake, &p->lock);
        srv_job *job = p->head;
        if (!job)
            break; /* stopping, and nothing left */
        p->head = job->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        bool stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            refuse(job);
        else
            bogie_service_handle(job->service, job->method, job->target, &job->resp);
        finish(job);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

bogie_status srv_pool_start(srv_pool *p, unsigned n_threads, unsigned max_queued, bogie_diag *diag)
{
    memset(p, 0, sizeof *p);
    p->max_queued = max_queued;
    p->threads = calloc(n_threads ? n_threads : 1, sizeof *p->threads);
    if (!p->threads)
        return util_nomem(diag, "starting the server's worker threads");
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    for (unsigned i = 0; i < (n_threads ? n_threads : 1); i++) {
        if (pthread_create(&p->threads[i], NULL, work, p) != 0) {
            srv_pool_stop(p);
            return util_fail(diag, BOGIE_ERR_NOMEM, "cannot start the server's worker threads (%u started)", i);
        }
        p->n_threads++;
    }
    return BOGIE_OK;
}

bool srv_pool_submit(srv_pool *p, srv_job *job)
{
    pthread_mutex_lock(&p->lock);
    bool ok = !p->stop && p->queued < p->max_queued;
    if (ok) {
        /* Suspended before a worker can see the job, so that its resume cannot come first. */
        MHD_suspend_connection(job->connection);
        job->next = NULL;
        if (p->tail)
            p->tail->next = job;
        else
            p->head = job;
        p->tail = job;
        p->queued++;
        pthread_cond_signal(&p->wake);
    }
    pthread_mutex_unlock(&p->lock);
    return ok;
}

void srv_pool_stop(srv_pool *p)
{
    if (!p->threads)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    p->threads = NULL;
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}
