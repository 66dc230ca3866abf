/* api_int.h: what the files of the HTTP API (src/serve/api*.c) share: the service's state, and the answers, request
 * parsing, geometry, endpoints, web files and cache each file offers the others. Not for use outside src/serve. */
#ifndef BOGIE_API_INT_H
#define BOGIE_API_INT_H

#include "serve/api.h"

#include "base/util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One of the web page's files, read into memory when the service opens. */
typedef struct api_web_file {
    char *path;          /* relative to the web directory, e.g. "vendor/leaflet.js"; malloc'd */
    char *data;          /* malloc'd */
    size_t len;
    const char *type;    /* a static string */
} api_web_file;

/* A remembered answer: in a hash bucket's chain and in the list by use. */
typedef struct api_cache_entry {
    struct api_cache_entry *prev, *next; /* most recently used first */
    struct api_cache_entry *chain;       /* hash bucket */
    uint64_t hash;
    char *key;                           /* the request target; malloc'd */
    int status;
    const char *type;                    /* a static string */
    const char *disposition;             /* a static string, or NULL */
    char *body;                          /* malloc'd */
    size_t len;
} api_cache_entry;

struct bogie_service {
    bogie_service_options opts;
    const bogie_allocator *alloc;
    bogie_network *net;
    bogie_world *world;
    bogie_planner *planner;
    bogie_train *trains;  /* sorted by name */
    size_t n_trains;
    VEC(api_web_file) files;
    pthread_mutex_t lock; /* guards the cache and the counters */
    api_cache_entry **buckets; /* NULL when the cache is off */
    size_t n_buckets;     /* a power of two */
    api_cache_entry *head, *tail;
    size_t cache_used;
    uint64_t requests, hits;
    pthread_t preparer;   /* builds the trains' hierarchies after start-up */
    bool preparing;
    atomic_bool stop_preparing;
    atomic_size_t prepared;  /* trains whose hierarchy the background thread has built (or failed to build) */
};

/* ----- answers (api_answer.c) ----- */

/* Moves the text of sb into r's body with status and type (a static string); r owns it afterwards (free()). When
 * sb ran out of memory the answer is 503 Overloaded instead. sb is left empty. */
void api_set_body(bogie_response *r, int status, const char *type, strbuf *sb);
/* Answers status with a JSON body {"code": code, "message": the formatted text}; r owns the body. */
void api_error_answer(bogie_response *r, int status, const char *code, const char *fmt, ...) PRINTF_LIKE(4, 5);
/* Maps a library failure to an answer: what the caller got wrong is 400, a time limit or lack of memory 503. */
void api_status_answer(bogie_response *r, bogie_status st, const bogie_diag *d);

/* ----- request parsing (api_query.c; api.h has the rest) ----- */

/* The decoded value of the first parameter called key, pointing into p, or NULL when there is none. */
const char *api_param_value(const api_param *p, size_t n, const char *key);
/* Reads the integer parameter key into *out (def when absent). On a malformed or out-of-range value answers 400 with
 * code and returns false. */
bool api_int_param(const api_param *p, size_t n, const char *key, long def, long lo, long hi, const char *code,
                   bogie_response *r, long *out);
/* True when every parameter in p is named in known (NULL-terminated); else answers 400 InvalidQuery as OSRM does for
 * an option it does not know ("Query string malformed close to position N", N where the option starts in the request
 * target), naming the option and what endpoint takes, and returns false. */
bool api_known_params(const api_param *p, size_t n, const char *const *known, const char *endpoint,
                      bogie_response *r);
/* The service's train called name (owned by the service), or NULL after answering 400 with the list of trains. */
const bogie_train *api_train_or_answer(bogie_service *s, const char *name, bogie_response *r);

/* ----- geometry in answers (api_geom.c) ----- */

typedef enum api_geom_format { API_GEOM_POLYLINE5, API_GEOM_POLYLINE6, API_GEOM_GEOJSON } api_geom_format;

/* Douglas-Peucker over points [a, b] of pts (lat, lon), setting keep[i] to 1 for each point kept: tolerance in
 * metres. keep (the caller's) must have room for index b. */
void api_simplify(const double (*pts)[2], size_t a, size_t b, double tol, uint8_t *keep);
/* Appends the geometry of points [a, b] of the journey's line to sb in the requested format, simplified when
 * tol > 0; a lack of memory marks sb failed. */
void api_write_geometry(strbuf *sb, const bogie_journey *j, size_t a, size_t b, api_geom_format fmt, double tol);
/* Appends an OSRM route's "distance", "duration", "weight" and "weight_name" members for journey j, and its
 * "geometry" in fmt simplified by tol metres (0: the full line; negative: none). */
void api_write_route_totals(strbuf *sb, const bogie_journey *j, api_geom_format fmt, double tol);
/* The index of the first line point at or after km. */
size_t api_line_index(const bogie_journey *j, double km);
/* The bearing in whole degrees of the line leaving point i (after) or arriving at it; 0 when there is none. */
double api_line_bearing(const bogie_journey *j, size_t i, bool after);
/* Appends [lon,lat] with six decimals. */
void api_write_location(strbuf *sb, double lat, double lon);

/* ----- endpoints: each answers into r, whose body the caller owns ----- */

/* OSRM-shaped (api_osrm.c): train and coords come from the path (/route/v1/{train}/{coords}), p from the query. */
void api_route(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
               bogie_response *r);
void api_nearest(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
                 bogie_response *r);
void api_table(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
               bogie_response *r);
/* /match/v1 (api_match.c). */
void api_match(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
               bogie_response *r);

/* Native (api_native.c): /api/journey, /api/stations, /api/trains and /health. */
void api_journey(bogie_service *s, const api_param *p, size_t np, bogie_response *r);
/* /api/where: the journey's JSON with the position of its train at the parameter at. */
void api_where(bogie_service *s, const api_param *p, size_t np, bogie_response *r);
void api_stations(bogie_service *s, const api_param *p, size_t np, bogie_response *r);
void api_trains(bogie_service *s, bogie_response *r);
void api_health(bogie_service *s, bogie_response *r);

/* /api/network (api_network.c), whole or as a stream. A stream makes the answer a few features at a time, so that
 * it is never held in full; it is used by one thread at a time. */
typedef struct api_netstream api_netstream;
void api_network(bogie_service *s, const api_param *p, size_t np, bogie_response *r);
/* Starts the answer for the parameters p (bbox, zoom): a stream the caller frees with api_netstream_free, or NULL
 * after answering 400 (a bad parameter) or 503 into r, whose body the caller owns. */
api_netstream *api_netstream_open(bogie_service *s, const api_param *p, size_t np, bogie_response *r);
/* Copies the answer's next bytes into buf (at most max, at least 1 until the end): how many, 0 at the end, -1 when
 * out of memory. */
long api_netstream_read(api_netstream *ns, char *buf, size_t max);
void api_netstream_free(api_netstream *ns);
/* What answering method and target (raw, as bogie_service_handle takes them) costs, judged by the decoded path: a
 * route, table or journey is heavy (the server's workers answer it), /api/network a stream, anything else cheap. */
typedef enum api_kind { API_CHEAP, API_HEAVY, API_STREAM } api_kind;
api_kind api_request_kind(const char *method, const char *target);
/* The answer to such a request as a stream (as api_netstream_open), after the checks bogie_service_handle makes on
 * every request; NULL after answering into r. The request is counted; its answer is not cached. */
api_netstream *api_network_stream(bogie_service *s, const char *method, const char *target, bogie_response *r);

/* ----- the web page's files (api_files.c) ----- */

/* Reads every regular file under dir (six levels deep, at most 64 MiB in all) into s->files. */
bogie_status api_files_load(bogie_service *s, const char *dir, bogie_diag *diag);
/* Answers the file at path ("/" is /index.html) with a copy r owns and returns true; false when there is none. */
bool api_static_file(bogie_service *s, const char *path, bogie_response *r);
/* Frees s->files. */
void api_files_free(bogie_service *s);

/* ----- the cache of answers (api_cache.c) ----- */

/* Makes the cache's hash table; s->buckets stays NULL (the cache off) when opts.cache_bytes is 0. */
bogie_status api_cache_open(bogie_service *s, bogie_diag *diag);
/* Looks key (hash h) up; on a hit copies the answer into r (r owns the body) and returns true. Thread-safe. */
bool api_cache_get(bogie_service *s, const char *key, uint64_t h, bogie_response *r);
/* Remembers a copy of r's answer for key (hash h) unless it is too big, evicting the least recently used answers
 * beyond opts.cache_bytes. Thread-safe. */
void api_cache_put(bogie_service *s, const char *key, uint64_t h, const bogie_response *r);
/* The answer to method and target (as bogie_service_handle takes them) when the cache holds it: copies it into r (r
 * owns the body), counts the request and returns true; false, with nothing counted, when it must be worked out.
 * Thread-safe and cheap: the server asks it before handing an expensive request to its workers. */
bool api_cached_answer(bogie_service *s, const char *method, const char *target, bogie_response *r);
/* Frees every answer and the hash table. */
void api_cache_close(bogie_service *s);

#endif
