/* api.c: bogie's HTTP API (docs/api.md), independent of any HTTP library: it turns a request line into an answer. This
 * file opens and closes the service (network, planner, trains, web files, cache) and dispatches each request to its
 * endpoint: the OSRM-shaped ones in api_osrm.c, the native ones in api_native.c, the page's files in api_files.c,
 * with the answers remembered in api_cache.c. */
#include "serve/api_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ----- dispatch ----- */

/* Answers an OSRM-shaped request, /{service}/v1/{train}/{coordinates}, by its service (route, nearest, table or
 * match). */
static void osrm_request(bogie_service *s, const char *path, const api_param *params, size_t np, bogie_response *r)
{
    char service[16], version[8], train[64];
    int consumed = 0;
    if (sscanf(path, "/%15[a-z]/%7[^/]/%63[^/]/%n", service, version, train, &consumed) != 3 || consumed == 0) {
        api_error_answer(r, 400, "InvalidUrl", "expected /%s/v1/{train}/{coordinates}",
                         path[1] == 'r'   ? "route"
                         : path[1] == 'n' ? "nearest"
                         : path[1] == 'm' ? "match"
                                          : "table");
    } else if (strcmp(version, "v1") != 0) {
        api_error_answer(r, 400, "InvalidVersion", "only v1 is served");
    } else if (strcmp(service, "route") == 0) {
        api_route(s, train, path + consumed, params, np, r);
    } else if (strcmp(service, "nearest") == 0) {
        api_nearest(s, train, path + consumed, params, np, r);
    } else if (strcmp(service, "match") == 0) {
        api_match(s, train, path + consumed, params, np, r);
    } else {
        api_table(s, train, path + consumed, params, np, r);
    }
}

/* Answers the request for the decoded path with its parameters; returns whether the answer may be cached. */
static bool answer_path(bogie_service *s, const char *path, const api_param *params, size_t np, bogie_response *r)
{
    if (strncmp(path, "/route/", 7) == 0 || strncmp(path, "/nearest/", 9) == 0 || strncmp(path, "/table/", 7) == 0 ||
        strncmp(path, "/match/", 7) == 0)
        osrm_request(s, path, params, np, r);
    else if (strcmp(path, "/api/journey") == 0)
        api_journey(s, params, np, r);
    else if (strcmp(path, "/api/where") == 0) {
        api_where(s, params, np, r);
        const char *at = api_param_value(params, np, "at");
        return !(at && strcmp(at, "now") == 0); /* now moves */
    } else if (strcmp(path, "/api/stations") == 0)
        api_stations(s, params, np, r);
    else if (strcmp(path, "/api/trains") == 0)
        api_trains(s, r);
    else if (strcmp(path, "/api/network") == 0)
        api_network(s, params, np, r);
    else if (strcmp(path, "/health") == 0) {
        api_health(s, r);
        return false;
    } else if (!api_static_file(s, path, r))
        api_error_answer(r, 404, "NotFound", "no such path: %.200s (the API is described in docs/api.md)", path);
    else
        return false; /* held in memory already */
    return true;
}

/* Counts a request and checks its method and length: false after answering 405 or 414 into r. */
static bool admit(bogie_service *s, const char *method, const char *target, bogie_response *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_lock(&s->lock);
    s->requests++;
    pthread_mutex_unlock(&s->lock);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        api_error_answer(r, 405, "MethodNotAllowed", "only GET and HEAD are answered");
        return false;
    }
    size_t tlen = strlen(target);
    if (tlen > s->opts.max_uri) {
        api_error_answer(r, 414, "TooLong", "the request line is %zu bytes; at most %zu are read", tlen,
                         s->opts.max_uri);
        return false;
    }
    return true;
}

/* Splits target into its decoded path and its parameters (API_MAX_PARAMS of them), both malloc'd for the caller
 * to free; false after answering 414 (a parameter too long or too many) or 503 into r, with nothing to free. */
static bool split_target(const char *target, char **path, api_param **params, size_t *np, bogie_response *r)
{
    const char *qm = strchr(target, '?');
    *path = NULL;
    *params = NULL;
    if (qm && !api_check_query(qm + 1, r))
        return false;
    size_t plen = qm ? (size_t)(qm - target) : strlen(target);
    *path = malloc(plen + 1);
    *params = malloc(API_MAX_PARAMS * sizeof **params);
    if (!*path || !*params) {
        free(*path);
        free(*params);
        api_error_answer(r, 503, "Overloaded", "out of memory");
        return false;
    }
    api_decode(target, plen, *path, plen + 1, false);
    *np = qm ? api_parse_query(qm + 1, *params, API_MAX_PARAMS) : 0;
    for (size_t i = 0; i < *np; i++)
        (*params)[i].offset += (size_t)(qm + 1 - target); /* from the target's start, as OSRM counts */
    return true;
}

void bogie_service_handle(bogie_service *s, const char *method, const char *target, bogie_response *r)
{
    if (!admit(s, method, target, r))
        return;
    uint64_t h = XXH3_64bits(target, strlen(target));
    if (api_cache_get(s, target, h, r))
        return;
    char *path;
    api_param *params;
    size_t np;
    if (!split_target(target, &path, &params, &np, r))
        return;
    bool cacheable = answer_path(s, path, params, np, r);
    free(path);
    free(params);
    if (cacheable && (r->status == 200 || r->status == 400))
        api_cache_put(s, target, h, r);
}

api_kind api_request_kind(const char *method, const char *target)
{
    size_t plen = strcspn(target, "?");
    char path[8193];
    if ((strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) || plen >= sizeof path)
        return API_CHEAP; /* refused at once */
    api_decode(target, plen, path, sizeof path, false);
    if (strcmp(path, "/api/network") == 0)
        return API_STREAM;
    static const char *const heavy[] = {"/route/", "/table/", "/match/", "/api/journey", "/api/where"};
    for (size_t i = 0; i < sizeof heavy / sizeof heavy[0]; i++)
        if (strncmp(path, heavy[i], strlen(heavy[i])) == 0)
            return API_HEAVY;
    return API_CHEAP;
}

api_netstream *api_network_stream(bogie_service *s, const char *method, const char *target, bogie_response *r)
{
    char *path;
    api_param *params;
    size_t np;
    if (!admit(s, method, target, r) || !split_target(target, &path, &params, &np, r))
        return NULL;
    api_netstream *ns = api_netstream_open(s, params, np, r);
    free(path);
    free(params);
    return ns;
}

bool api_cached_answer(bogie_service *s, const char *method, const char *target, bogie_response *r)
{
    memset(r, 0, sizeof *r);
    size_t tlen = strlen(target);
    if ((strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) || tlen > s->opts.max_uri ||
        !api_cache_get(s, target, XXH3_64bits(target, tlen), r))
        return false;
    pthread_mutex_lock(&s->lock);
    s->requests++;
    pthread_mutex_unlock(&s->lock);
    return true;
}

void bogie_service_counters(bogie_service *s, uint64_t *requests, uint64_t *hits)
{
    pthread_mutex_lock(&s->lock);
    *requests = s->requests;
    *hits = s->hits;
    pthread_mutex_unlock(&s->lock);
}

/* ----- opening ----- */

void bogie_service_options_init(bogie_service_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_via = 25;
    o->max_table = 100;
    o->max_uri = 8192;
    o->time_limit_s = 10;
    o->cache_bytes = 64u << 20;
    o->prepare = true;
}

static int cmp_train(const void *a, const void *b)
{
    return strcmp(((const bogie_train *)a)->name, ((const bogie_train *)b)->name);
}

/* Loads the profiles of DATA/trains and the options' train files into s->trains, sorted by name (owned by s); two
 * with one name are refused. */
static bogie_status load_trains(bogie_service *s, bogie_diag *diag)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/trains", s->opts.data_dir);
    DIR *d = opendir(dir);
    if (!d)
        return util_io_fail(diag, dir, "cannot open", errno);
    bogie_status rc = BOGIE_OK;
    VEC(bogie_train) v = {0};
    struct dirent *e;
    while (rc == BOGIE_OK && (e = readdir(d)) != NULL) {
        if (!util_ends_with_ci(e->d_name, ".json"))
            continue;
        char path[4500];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        bogie_train t;
        rc = bogie_train_load(path, &t, diag);
        if (rc == BOGIE_OK && VEC_PUSH(NULL, v, t) != 0)
            rc = util_nomem(diag, "loading trains");
    }
    closedir(d);
    for (size_t i = 0; rc == BOGIE_OK && i < s->opts.n_train_files; i++) {
        bogie_train t;
        rc = bogie_train_load(s->opts.train_files[i], &t, diag);
        if (rc == BOGIE_OK && VEC_PUSH(NULL, v, t) != 0)
            rc = util_nomem(diag, "loading trains");
    }
    if (rc == BOGIE_OK) {
        util_sort(v.v, v.n, sizeof *v.v, cmp_train);
        for (size_t i = 1; i < v.n; i++)
            if (strcmp(v.v[i - 1].name, v.v[i].name) == 0) {
                rc = util_fail(diag, BOGIE_ERR_ARG, "two train profiles are named \"%s\" (in %s and the files given)",
                               v.v[i].name, dir);
                break;
            }
    }
    if (rc != BOGIE_OK) {
        VEC_FREE(NULL, v);
        return rc;
    }
    s->trains = v.v;
    s->n_trains = v.n;
    return BOGIE_OK;
}

/* The background thread: builds each train's hierarchy in turn. Queries meanwhile use A*; a failure only means
 * they keep doing so. */
static void *prepare_trains(void *arg)
{
    bogie_service *s = arg;
    for (size_t i = 0; i < s->n_trains && !atomic_load(&s->stop_preparing); i++) {
        bogie_diag d;
        bogie_planner_prepare(s->planner, &s->trains[i], &d);
        atomic_fetch_add(&s->prepared, 1);
    }
    return NULL;
}

bogie_status bogie_service_open(const bogie_service_options *opts, bogie_service **out, bogie_diag *diag)
{
    *out = NULL;
    bogie_service *s = calloc(1, sizeof *s);
    if (!s)
        return util_nomem(diag, "starting the service");
    s->opts = *opts;
    if (!s->opts.max_via)
        s->opts.max_via = 25;
    if (!s->opts.max_table)
        s->opts.max_table = 100;
    if (!s->opts.max_uri)
        s->opts.max_uri = 8192;
    s->alloc = util_alloc_or_default(opts->alloc);
    pthread_mutex_init(&s->lock, NULL);
    bogie_status rc = bogie_network_open(opts->network_path, 0, s->alloc, &s->net, diag);
    if (rc == BOGIE_OK)
        rc = bogie_world_open(opts->data_dir, s->alloc, &s->world, diag);
    if (rc == BOGIE_OK)
        rc = bogie_planner_new(s->net, s->world, s->alloc, &s->planner, diag);
    if (rc == BOGIE_OK)
        rc = load_trains(s, diag);
    if (rc == BOGIE_OK && opts->web_dir)
        rc = api_files_load(s, opts->web_dir, diag);
    if (rc == BOGIE_OK)
        rc = api_cache_open(s, diag);
    if (rc != BOGIE_OK) {
        bogie_service_close(s);
        return rc;
    }
    if (s->opts.prepare && s->n_trains > 0)
        s->preparing = pthread_create(&s->preparer, NULL, prepare_trains, s) == 0;
    *out = s;
    return BOGIE_OK;
}

void bogie_service_close(bogie_service *s)
{
    if (!s)
        return;
    if (s->preparing) {
        atomic_store(&s->stop_preparing, true);
        pthread_join(s->preparer, NULL);
    }
    api_cache_close(s);
    api_files_free(s);
    free(s->trains);
    bogie_planner_free(s->planner);
    bogie_world_close(s->world);
    bogie_network_close(s->net);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
