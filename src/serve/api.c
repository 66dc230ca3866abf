/* api.c: bogie's HTTP API (docs/API.md), independent of any HTTP library: it turns a request line into an answer.
 * OSRM-shaped endpoints (/route, /nearest, /table), native ones (/api/...), the web page's files, and a cache of
 * answers, since the network never changes under a running service. */
#include "serve/api.h"

#include "base/geo.h"
#include "net/network.h"
#include "output/output.h"
#include "net/tags.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <xxhash.h>

/* ----- static files ----- */

typedef struct web_file {
    char *path;          /* relative to the web directory, e.g. "vendor/leaflet.js" */
    char *data;
    size_t len;
    const char *type;
} web_file;

/* ----- the cache ----- */

typedef struct cache_entry {
    struct cache_entry *prev, *next; /* most recently used first */
    struct cache_entry *chain;       /* hash bucket */
    uint64_t hash;
    char *key;
    int status;
    const char *type;
    char *body;
    size_t len;
} cache_entry;

struct bogie_service {
    bogie_service_options opts;
    const bogie_allocator *alloc;
    bogie_network *net;
    bogie_world *world;
    bogie_planner *planner;
    bogie_train *trains;
    size_t n_trains;
    VEC(web_file) files;
    pthread_mutex_t lock; /* guards the cache and the counters */
    cache_entry **buckets;
    size_t n_buckets;
    cache_entry *head, *tail;
    size_t cache_used;
    uint64_t requests, hits;
    pthread_t preparer;   /* builds the trains' hierarchies after start-up */
    bool preparing;
    atomic_bool stop_preparing;
};

#define MAX_WEB_BYTES (64u << 20)

/* ----- answers ----- */

static void set_body(bogie_response *r, int status, const char *type, strbuf *sb)
{
    r->status = status;
    r->content_type = type;
    if (sb->failed) {
        sb_free(sb);
        r->status = 503;
        static const char msg[] = "{\"code\":\"Overloaded\",\"message\":\"out of memory\"}\n";
        r->body = malloc(sizeof msg);
        r->length = r->body ? sizeof msg - 1 : 0;
        if (r->body)
            memcpy(r->body, msg, sizeof msg);
        r->content_type = "application/json";
        return;
    }
    r->body = sb->s;
    r->length = sb->len;
    sb->s = NULL;
    sb->len = sb->cap = 0;
}

static void error_answer(bogie_response *r, int status, const char *code, const char *fmt, ...) PRINTF_LIKE(4, 5);

static void error_answer(bogie_response *r, int status, const char *code, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    strbuf sb;
    sb_init(&sb, NULL);
    sb_printf(&sb, "{\"code\":\"%s\",\"message\":", code);
    sb_json_string(&sb, msg);
    sb_puts(&sb, "}\n");
    set_body(r, status, "application/json", &sb);
}

/* Maps a library failure to an answer: what the caller got wrong is 400, a time limit 503. */
static void status_answer(bogie_response *r, bogie_status st, const bogie_diag *d)
{
    const char *m = d->message[0] ? d->message : bogie_strerror(st);
    switch (st) {
    case BOGIE_ERR_NOT_FOUND:
        if (strncmp(m, "no route", 8) == 0)
            error_answer(r, 400, "NoRoute", "%s", m);
        else if (strstr(m, "no track"))
            error_answer(r, 400, "NoSegment", "%s", m);
        else
            error_answer(r, 400, "InvalidValue", "%s", m);
        break;
    case BOGIE_ERR_CANCELLED: error_answer(r, 503, "Timeout", "%s", m); break;
    case BOGIE_ERR_NOMEM: error_answer(r, 503, "Overloaded", "%s", m); break;
    case BOGIE_ERR_ARG:
    case BOGIE_ERR_INPUT: error_answer(r, 400, "InvalidValue", "%s", m); break;
    default: error_answer(r, 500, "InternalError", "%s", m);
    }
}

/* ----- request parsing ----- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t api_decode(const char *s, size_t n, char *out, size_t out_size, bool plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < out_size; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0')
            continue; /* a NUL cannot be part of a C string; it is dropped rather than cutting the value short */
        out[o++] = c;
    }
    out[o] = '\0';
    return o;
}

size_t api_parse_query(const char *q, api_param *out, size_t max)
{
    size_t n = 0;
    while (q && *q && n < max) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        if (klen > 0) {
            api_decode(q, klen, out[n].key, sizeof out[n].key, true);
            if (eq)
                api_decode(eq + 1, len - klen - 1, out[n].value, sizeof out[n].value, true);
            else
                out[n].value[0] = '\0';
            n++;
        }
        if (!amp)
            break;
        q = amp + 1;
    }
    return n;
}

static const char *param(const api_param *p, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].key, key) == 0)
            return p[i].value;
    return NULL;
}

/* Reads the integer parameter key into *out (def when absent). On a malformed or out-of-range value answers 400 with
 * code and returns false. */
static bool int_param(const api_param *p, size_t n, const char *key, long def, long lo, long hi, const char *code,
                      bogie_response *r, long *out)
{
    const char *v = param(p, n, key);
    *out = def;
    if (!v)
        return true;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) {
        error_answer(r, 400, code, "%s must be %ld to %ld", key, lo, hi);
        return false;
    }
    *out = x;
    return true;
}

/* Reads "lon,lat;lon,lat;..." (OSRM's order) into lat/lon arrays; returns the count, or -1 with *bad set to the
 * index of the first malformed pair. */
long api_parse_coords(const char *s, double *lat, double *lon, size_t max, size_t *bad)
{
    size_t n = 0;
    *bad = 0;
    while (*s) {
        if (n >= max) {
            *bad = n;
            return -2;
        }
        char *end;
        double x = strtod(s, &end);
        if (end == s || *end != ',') {
            *bad = n;
            return -1;
        }
        s = end + 1;
        double y = strtod(s, &end);
        if (end == s || (*end != ';' && *end != '\0') || !(x >= -180 && x <= 180) || !(y >= -90 && y <= 90)) {
            *bad = n;
            return -1;
        }
        lon[n] = x;
        lat[n] = y;
        n++;
        s = *end ? end + 1 : end;
        if (*end == ';' && !*s) {
            *bad = n;
            return -1;
        }
    }
    return (long)n;
}

static const bogie_train *find_train(const bogie_service *s, const char *name)
{
    for (size_t i = 0; i < s->n_trains; i++)
        if (strcmp(s->trains[i].name, name) == 0)
            return &s->trains[i];
    return NULL;
}

static void unknown_train(const bogie_service *s, bogie_response *r, const char *name)
{
    strbuf sb;
    sb_init(&sb, NULL);
    for (size_t i = 0; i < s->n_trains; i++)
        sb_printf(&sb, "%s%s", i ? ", " : "", s->trains[i].name);
    error_answer(r, 400, "InvalidValue", "unknown train \"%.80s\"; trains: %s", name, sb.failed ? "?" : sb.s);
    sb_free(&sb);
}

/* The train called name, or NULL after answering 400 with the list of trains. */
static const bogie_train *train_or_answer(bogie_service *s, const char *name, bogie_response *r)
{
    const bogie_train *t = find_train(s, name);
    if (!t)
        unknown_train(s, r, name);
    return t;
}

/* ----- geometry helpers ----- */

/* Appends Google's encoded polyline of the points (lat, lon) with 10^precision, escaped for a JSON string. */
static void polyline(strbuf *sb, const double (*pts)[2], const size_t *idx, size_t n, int precision)
{
    double f = precision == 6 ? 1e6 : 1e5;
    long long plat = 0, plon = 0;
    for (size_t i = 0; i < n; i++) {
        long long vals[2] = {llround(pts[idx[i]][0] * f), llround(pts[idx[i]][1] * f)};
        long long deltas[2] = {vals[0] - plat, vals[1] - plon};
        plat = vals[0];
        plon = vals[1];
        for (int k = 0; k < 2; k++) {
            unsigned long long v = deltas[k] < 0 ? ~((unsigned long long)deltas[k] << 1)
                                                 : (unsigned long long)deltas[k] << 1;
            char buf[16];
            size_t m = 0;
            while (v >= 0x20) {
                buf[m++] = (char)((0x20 | (v & 0x1f)) + 63);
                v >>= 5;
            }
            buf[m++] = (char)(v + 63);
            /* The alphabet is '?' to '~'; only the backslash needs escaping inside a JSON string. */
            for (size_t c = 0; c < m; c++)
                sb_append(sb, buf[c] == '\\' ? "\\\\" : &buf[c], buf[c] == '\\' ? 2 : 1);
        }
    }
}

/* Douglas-Peucker over points [a, b] of pts (lat, lon), marking kept points in keep: tolerance in metres. */
static void simplify(const double (*pts)[2], size_t a, size_t b, double tol, uint8_t *keep)
{
    size_t stack[128][2];
    size_t top = 0;
    stack[top][0] = a;
    stack[top][1] = b;
    top++;
    keep[a] = keep[b] = 1;
    while (top > 0) {
        top--;
        size_t i0 = stack[top][0], i1 = stack[top][1];
        if (i1 <= i0 + 1)
            continue;
        double lat0 = pts[i0][0], kx = GEO_EARTH_RADIUS_M * 0.017453292519943295 * cos(lat0 * 0.017453292519943295);
        double ky = GEO_EARTH_RADIUS_M * 0.017453292519943295;
        double ax = 0, ay = 0, bx = (pts[i1][1] - pts[i0][1]) * kx, by = (pts[i1][0] - pts[i0][0]) * ky;
        double len2 = bx * bx + by * by, worst = -1;
        size_t at = i0;
        for (size_t k = i0 + 1; k < i1; k++) {
            double px = (pts[k][1] - pts[i0][1]) * kx, py = (pts[k][0] - pts[i0][0]) * ky;
            double t = len2 > 0 ? ((px - ax) * bx + (py - ay) * by) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double dx = px - t * bx, dy = py - t * by, d = dx * dx + dy * dy;
            if (d > worst) {
                worst = d;
                at = k;
            }
        }
        if (worst > tol * tol) {
            keep[at] = 1;
            if (top + 2 <= sizeof stack / sizeof stack[0]) {
                stack[top][0] = i0;
                stack[top][1] = at;
                top++;
                stack[top][0] = at;
                stack[top][1] = i1;
                top++;
            } else {
                /* Deep recursion is only possible on pathological lines: keep everything in the span then. */
                for (size_t k = i0; k <= i1; k++)
                    keep[k] = 1;
            }
        }
    }
}

typedef enum geom_format { GEOM_POLYLINE5, GEOM_POLYLINE6, GEOM_GEOJSON } geom_format;

/* Writes the geometry of points [a, b] of the journey's line in the requested format, simplified when tol > 0. */
static void write_geometry(strbuf *sb, const bogie_journey *j, size_t a, size_t b, geom_format fmt, double tol)
{
    size_t n = b >= a ? b - a + 1 : 0;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    uint8_t *keep = calloc(j->n_line ? j->n_line : 1, 1);
    if (!idx || !keep) {
        free(idx);
        free(keep);
        sb->failed = true;
        return;
    }
    size_t m = 0;
    if (n > 0) {
        if (tol > 0)
            simplify((const double (*)[2])j->line, a, b, tol, keep);
        for (size_t i = a; i <= b; i++)
            if (tol <= 0 || keep[i])
                idx[m++] = i;
    }
    if (fmt == GEOM_GEOJSON) {
        sb_puts(sb, "{\"type\":\"LineString\",\"coordinates\":[");
        for (size_t i = 0; i < m; i++) {
            sb_puts(sb, i ? ",[" : "[");
            sb_fixed(sb, j->line[idx[i]][1], 6);
            sb_puts(sb, ",");
            sb_fixed(sb, j->line[idx[i]][0], 6);
            sb_puts(sb, "]");
        }
        sb_puts(sb, "]}");
    } else {
        sb_puts(sb, "\"");
        polyline(sb, (const double (*)[2])j->line, idx, m, fmt == GEOM_POLYLINE6 ? 6 : 5);
        sb_puts(sb, "\"");
    }
    free(idx);
    free(keep);
}

/* The index of the first line point at or after km. */
static size_t line_index(const bogie_journey *j, double km)
{
    size_t lo = 0, hi = j->n_line;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (j->line_km[mid] < km - 1e-9)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < j->n_line ? lo : j->n_line - 1;
}

static double line_bearing(const bogie_journey *j, size_t i, bool after)
{
    if (j->n_line < 2)
        return 0;
    size_t a = after ? i : (i > 0 ? i - 1 : 0), b = after ? (i + 1 < j->n_line ? i + 1 : i) : i;
    if (a == b)
        return 0;
    return round(geo_bearing_deg(j->line[a][0], j->line[a][1], j->line[b][0], j->line[b][1]));
}

static void write_location(strbuf *sb, double lat, double lon)
{
    sb_puts(sb, "[");
    sb_fixed(sb, lon, 6);
    sb_puts(sb, ",");
    sb_fixed(sb, lat, 6);
    sb_puts(sb, "]");
}

/* ----- endpoints ----- */

static bool is_waypoint(const bogie_stop *s)
{
    return (s->kinds & (BOGIE_STOP_ORIGIN | BOGIE_STOP_VIA | BOGIE_STOP_DESTINATION)) != 0;
}

static const char *maneuver(const bogie_stop *s, bool first, bool last)
{
    if (first)
        return "depart";
    if (last)
        return "arrive";
    if (s->kinds & BOGIE_STOP_GAUGE_CHANGE)
        return "gauge_change";
    if (s->kinds & BOGIE_STOP_BORDER)
        return "border";
    if (s->kinds & BOGIE_STOP_REVERSAL)
        return "reversal";
    if (s->kinds & BOGIE_STOP_VIA)
        return "waypoint";
    return "continue";
}

static void route_endpoint(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
                           bogie_response *r)
{
    const bogie_train *t = train_or_answer(s, train, r);
    if (!t)
        return;
    double lat[64], lon[64];
    size_t bad;
    long n = api_parse_coords(coords, lat, lon, s->opts.max_via + 2 < 64 ? s->opts.max_via + 2 : 64, &bad);
    if (n == -2) {
        error_answer(r, 400, "TooBig", "at most %zu via points (%zu coordinates) per route", s->opts.max_via,
                     s->opts.max_via + 2);
        return;
    }
    if (n < 0) {
        error_answer(r, 400, "InvalidQuery", "coordinate %zu is not lon,lat within -180..180 and -90..90", bad);
        return;
    }
    if (n < 2) {
        error_answer(r, 400, "InvalidQuery", "a route needs at least two coordinates (lon,lat;lon,lat)");
        return;
    }
    const char *overview = param(p, np, "overview"), *geoms = param(p, np, "geometries"),
               *steps = param(p, np, "steps"), *depart = param(p, np, "depart");
    geom_format gf = GEOM_POLYLINE5;
    double tol = 25;
    if (overview && strcmp(overview, "full") == 0)
        tol = 0;
    else if (overview && strcmp(overview, "false") == 0)
        tol = -1;
    else if (overview && strcmp(overview, "simplified") != 0) {
        error_answer(r, 400, "InvalidOptions", "overview must be simplified, full or false");
        return;
    }
    if (geoms && strcmp(geoms, "polyline6") == 0)
        gf = GEOM_POLYLINE6;
    else if (geoms && strcmp(geoms, "geojson") == 0)
        gf = GEOM_GEOJSON;
    else if (geoms && strcmp(geoms, "polyline") != 0) {
        error_answer(r, 400, "InvalidOptions", "geometries must be polyline, polyline6 or geojson");
        return;
    }
    bool with_steps = steps && strcmp(steps, "true") == 0;
    if (steps && !with_steps && strcmp(steps, "false") != 0) {
        error_answer(r, 400, "InvalidOptions", "steps must be true or false");
        return;
    }
    char place[64][48];
    const char *vias[64];
    for (long i = 0; i < n; i++)
        snprintf(place[i], sizeof place[i], "%.7f,%.7f", lat[i], lon[i]);
    for (long i = 1; i + 1 < n; i++)
        vias[i - 1] = place[i];
    bogie_journey_request req;
    bogie_journey_request_init(&req);
    req.from = place[0];
    req.to = place[n - 1];
    req.via = vias;
    req.n_via = (size_t)n - 2;
    req.train = t;
    req.depart = depart;
    req.time_limit_s = s->opts.time_limit_s;
    req.field_prefix = "";
    bogie_journey *j;
    bogie_diag d = {0};
    bogie_status st = bogie_plan(s->planner, &req, &j, &d);
    if (st != BOGIE_OK) {
        status_answer(r, st, &d);
        return;
    }
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\",\"waypoints\":[");
    size_t wp = 0;
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *x = &j->stops[i];
        if (!is_waypoint(x) || wp >= (size_t)n)
            continue;
        sb_puts(&sb, wp ? ",{\"hint\":\"\",\"name\":" : "{\"hint\":\"\",\"name\":");
        sb_json_string(&sb, x->name);
        sb_puts(&sb, ",\"location\":");
        write_location(&sb, x->lat, x->lon);
        sb_puts(&sb, ",\"distance\":");
        sb_fixed(&sb, geo_distance_m(lat[wp], lon[wp], x->lat, x->lon), 1);
        sb_puts(&sb, "}");
        wp++;
    }
    sb_puts(&sb, "],\"routes\":[{\"distance\":");
    sb_fixed(&sb, j->length_m, 1);
    sb_puts(&sb, ",\"duration\":");
    sb_fixed(&sb, j->total_s, 1);
    sb_puts(&sb, ",\"weight\":");
    sb_fixed(&sb, j->weight_s, 1);
    sb_puts(&sb, ",\"weight_name\":\"duration\"");
    if (tol >= 0) {
        sb_puts(&sb, ",\"geometry\":");
        write_geometry(&sb, j, 0, j->n_line ? j->n_line - 1 : 0, gf, tol);
    }
    sb_puts(&sb, ",\"legs\":[");
    /* One leg between consecutive waypoints. */
    size_t leg_start = 0, legs = 0;
    for (size_t i = 1; i < j->n_stops; i++) {
        if (!is_waypoint(&j->stops[i]))
            continue;
        const bogie_stop *a = &j->stops[leg_start], *b = &j->stops[i];
        sb_puts(&sb, legs ? ",{\"distance\":" : "{\"distance\":");
        sb_fixed(&sb, (b->km - a->km) * 1000, 1);
        sb_puts(&sb, ",\"duration\":");
        sb_fixed(&sb, b->arrive_s - a->depart_s, 1);
        sb_puts(&sb, ",\"weight\":");
        sb_fixed(&sb, b->arrive_s - a->depart_s, 1);
        sb_puts(&sb, ",\"summary\":");
        strbuf sum;
        sb_init(&sum, NULL);
        for (size_t k = leg_start; k <= i; k++)
            if (j->stops[k].kinds != BOGIE_STOP_PASS)
                sb_printf(&sum, "%s%s", sum.len ? ", " : "", j->stops[k].name);
        sb_json_string(&sb, sum.failed || !sum.s ? "" : sum.s);
        sb_free(&sum);
        sb_puts(&sb, ",\"steps\":[");
        if (with_steps) {
            for (size_t k = leg_start; k <= i; k++) {
                const bogie_stop *x = &j->stops[k];
                bool last = k == i;
                const bogie_stop *y = last ? x : &j->stops[k + 1];
                size_t la = line_index(j, x->km), lb = line_index(j, y->km);
                sb_puts(&sb, k > leg_start ? ",{\"distance\":" : "{\"distance\":");
                sb_fixed(&sb, (y->km - x->km) * 1000, 1);
                sb_puts(&sb, ",\"duration\":");
                sb_fixed(&sb, last ? 0 : y->arrive_s - x->depart_s, 1);
                sb_puts(&sb, ",\"weight\":");
                sb_fixed(&sb, last ? 0 : y->arrive_s - x->depart_s, 1);
                sb_puts(&sb, ",\"name\":");
                sb_json_string(&sb, y->name);
                sb_puts(&sb, ",\"mode\":\"train\",\"geometry\":");
                write_geometry(&sb, j, la, last ? la : lb, gf, 0);
                sb_printf(&sb, ",\"maneuver\":{\"type\":\"%s\",\"location\":", maneuver(x, k == leg_start, last));
                write_location(&sb, x->lat, x->lon);
                sb_printf(&sb, ",\"bearing_before\":%.0f,\"bearing_after\":%.0f}}",
                          k == leg_start ? 0 : line_bearing(j, la, false), last ? 0 : line_bearing(j, la, true));
            }
        }
        sb_puts(&sb, "]}");
        legs++;
        leg_start = i;
    }
    sb_puts(&sb, "],\"bogie\":");
    output_journey_json(j, &sb, false);
    while (sb.len > 0 && sb.s[sb.len - 1] == '\n')
        sb.s[--sb.len] = '\0';
    sb_puts(&sb, "}]}\n");
    bogie_journey_free(j);
    set_body(r, 200, "application/json", &sb);
}

static void nearest_endpoint(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
                             bogie_response *r)
{
    const bogie_train *t = train_or_answer(s, train, r);
    if (!t)
        return;
    double lat[2], lon[2];
    size_t bad;
    if (api_parse_coords(coords, lat, lon, 1, &bad) != 1) {
        error_answer(r, 400, "InvalidQuery", "nearest takes one coordinate, lon,lat");
        return;
    }
    long number;
    if (!int_param(p, np, "number", 1, 1, 10, "InvalidOptions", r, &number))
        return;
    bogie_nearest_point pts[10];
    size_t n;
    bogie_diag d = {0};
    bogie_status st = bogie_nearest(s->planner, t, lat[0], lon[0], 50000, pts, (size_t)number, &n, &d);
    if (st != BOGIE_OK) {
        status_answer(r, st, &d);
        return;
    }
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\",\"waypoints\":[");
    for (size_t i = 0; i < n; i++) {
        sb_puts(&sb, i ? ",{\"hint\":\"\",\"name\":" : "{\"hint\":\"\",\"name\":");
        sb_json_string(&sb, pts[i].name);
        sb_puts(&sb, ",\"location\":");
        write_location(&sb, pts[i].lat, pts[i].lon);
        sb_puts(&sb, ",\"distance\":");
        sb_fixed(&sb, pts[i].distance_m, 1);
        sb_printf(&sb, ",\"nodes\":[%lld,%lld]}", (long long)pts[i].osm_from, (long long)pts[i].osm_to);
    }
    sb_puts(&sb, "]}\n");
    set_body(r, 200, "application/json", &sb);
}

/* Reads an OSRM index list ("all" or "0;2;5") for n coordinates into idx; returns the count or -1. */
static long index_list(const char *s, size_t n, size_t *idx, size_t max)
{
    if (!s || strcmp(s, "all") == 0) {
        if (n > max)
            return -2;
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        return (long)n;
    }
    size_t k = 0;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || (size_t)v >= n || (*end != ';' && *end))
            return -1;
        if (k >= max)
            return -2;
        idx[k++] = (size_t)v;
        s = *end ? end + 1 : end;
    }
    return k ? (long)k : -1;
}

static void table_endpoint(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
                           bogie_response *r)
{
    const bogie_train *t = train_or_answer(s, train, r);
    if (!t)
        return;
    size_t cap = 2 * s->opts.max_table;
    double *lat = malloc(cap * sizeof *lat), *lon = malloc(cap * sizeof *lon);
    size_t *si = malloc(cap * sizeof *si), *di = malloc(cap * sizeof *di);
    char (*place)[48] = malloc(cap * sizeof *place);
    const char **sp = malloc(cap * sizeof *sp), **dp = malloc(cap * sizeof *dp);
    double *dur = NULL, *dist = NULL;
    if (!lat || !lon || !si || !di || !place || !sp || !dp) {
        error_answer(r, 503, "Overloaded", "out of memory");
        goto out;
    }
    size_t bad;
    long n = api_parse_coords(coords, lat, lon, cap, &bad);
    if (n == -2) {
        error_answer(r, 400, "TooBig", "at most %zu coordinates per table", cap);
        goto out;
    }
    if (n < 1) {
        error_answer(r, 400, "InvalidQuery", "coordinate %zu is not lon,lat within -180..180 and -90..90", bad);
        goto out;
    }
    long ns = index_list(param(p, np, "sources"), (size_t)n, si, s->opts.max_table);
    long nd = index_list(param(p, np, "destinations"), (size_t)n, di, s->opts.max_table);
    if (ns == -2 || nd == -2) {
        error_answer(r, 400, "TooBig", "at most %zu sources and %zu destinations", s->opts.max_table,
                     s->opts.max_table);
        goto out;
    }
    if (ns < 0 || nd < 0) {
        error_answer(r, 400, "InvalidOptions", "sources and destinations must be \"all\" or indices like 0;2;5");
        goto out;
    }
    const char *ann = param(p, np, "annotations");
    bool want_dur = !ann || strstr(ann, "duration"), want_dist = ann && strstr(ann, "distance");
    if (ann && !want_dur && !want_dist) {
        error_answer(r, 400, "InvalidOptions", "annotations must be duration, distance or duration,distance");
        goto out;
    }
    for (long i = 0; i < n; i++)
        snprintf(place[i], sizeof place[i], "%.7f,%.7f", lat[i], lon[i]);
    for (long i = 0; i < ns; i++)
        sp[i] = place[si[i]];
    for (long i = 0; i < nd; i++)
        dp[i] = place[di[i]];
    dur = malloc((size_t)(ns * nd) * sizeof *dur);
    dist = malloc((size_t)(ns * nd) * sizeof *dist);
    if (!dur || !dist) {
        error_answer(r, 503, "Overloaded", "out of memory");
        goto out;
    }
    bogie_diag d = {0};
    bogie_status st = bogie_table(s->planner, t, sp, (size_t)ns, dp, (size_t)nd, s->opts.time_limit_s, dur, dist, &d);
    if (st != BOGIE_OK) {
        status_answer(r, st, &d);
        goto out;
    }
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\"");
    for (int which = 0; which < 2; which++) {
        if ((which == 0 && !want_dur) || (which == 1 && !want_dist))
            continue;
        const double *m = which ? dist : dur;
        sb_puts(&sb, which ? ",\"distances\":[" : ",\"durations\":[");
        for (long i = 0; i < ns; i++) {
            sb_puts(&sb, i ? ",[" : "[");
            for (long k = 0; k < nd; k++) {
                if (k)
                    sb_puts(&sb, ",");
                if (m[i * nd + k] < 0)
                    sb_puts(&sb, "null");
                else
                    sb_fixed(&sb, m[i * nd + k], 1);
            }
            sb_puts(&sb, "]");
        }
        sb_puts(&sb, "]");
    }
    for (int which = 0; which < 2; which++) {
        const size_t *ix = which ? di : si;
        long cnt = which ? nd : ns;
        sb_puts(&sb, which ? ",\"destinations\":[" : ",\"sources\":[");
        for (long i = 0; i < cnt; i++) {
            sb_puts(&sb, i ? ",{\"hint\":\"\",\"name\":\"\",\"location\":" : "{\"hint\":\"\",\"name\":\"\",\"location\":");
            write_location(&sb, lat[ix[i]], lon[ix[i]]);
            sb_puts(&sb, "}");
        }
        sb_puts(&sb, "]");
    }
    sb_puts(&sb, "}\n");
    set_body(r, 200, "application/json", &sb);
out:
    free(lat);
    free(lon);
    free(si);
    free(di);
    free(place);
    free(sp);
    free(dp);
    free(dur);
    free(dist);
}

static void journey_endpoint(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    const char *train = param(p, np, "train"), *format = param(p, np, "format");
    if (!train) {
        error_answer(r, 400, "InvalidQuery", "train is needed (GET /api/trains lists them)");
        return;
    }
    const bogie_train *t = train_or_answer(s, train, r);
    if (!t)
        return;
    bogie_format fmt = BOGIE_FORMAT_JSON;
    const char *type = "application/json";
    if (format && strcmp(format, "svg") == 0) {
        fmt = BOGIE_FORMAT_SVG;
        type = "image/svg+xml";
    } else if (format && strcmp(format, "geojson") == 0) {
        fmt = BOGIE_FORMAT_GEOJSON;
        type = "application/geo+json";
    } else if (format && strcmp(format, "gpx") == 0) {
        fmt = BOGIE_FORMAT_GPX;
        type = "application/gpx+xml";
    } else if (format && strcmp(format, "json") != 0) {
        error_answer(r, 400, "InvalidOptions", "format must be json, geojson, gpx or svg");
        return;
    }
    const char *vias[32], *avoid[32];
    bogie_journey_request req;
    bogie_journey_request_init(&req);
    for (size_t i = 0; i < np; i++) {
        if (strcmp(p[i].key, "via") == 0 && p[i].value[0]) {
            if (req.n_via >= s->opts.max_via || req.n_via >= 30) {
                error_answer(r, 400, "TooBig", "at most %zu via points", s->opts.max_via < 30 ? s->opts.max_via : 30);
                return;
            }
            vias[req.n_via++] = p[i].value;
        } else if (strcmp(p[i].key, "avoid") == 0 && p[i].value[0]) {
            if (req.n_avoid >= 32) {
                error_answer(r, 400, "TooBig", "at most 32 places to avoid");
                return;
            }
            avoid[req.n_avoid++] = p[i].value;
        }
    }
    req.from = param(p, np, "from");
    req.to = param(p, np, "to");
    if (!req.from || !req.to || !*req.from || !*req.to) {
        error_answer(r, 400, "InvalidQuery", "from and to are needed: station names or lat,lon");
        return;
    }
    req.via = vias;
    req.avoid = avoid;
    req.train = t;
    req.depart = param(p, np, "depart");
    if (req.depart && !*req.depart)
        req.depart = NULL;
    const char *dwell = param(p, np, "dwell");
    if (dwell && *dwell) {
        char *end;
        double m = strtod(dwell, &end);
        if (*end || !(m >= 0 && m <= 10080)) {
            error_answer(r, 400, "InvalidValue", "dwell must be a number of minutes");
            return;
        }
        req.via_dwell_s = m * 60;
    }
    req.time_limit_s = s->opts.time_limit_s;
    req.field_prefix = "";
    bogie_journey *j;
    bogie_diag d = {0};
    bogie_status st = bogie_plan(s->planner, &req, &j, &d);
    if (st != BOGIE_OK) {
        status_answer(r, st, &d);
        return;
    }
    char *text = NULL;
    st = bogie_journey_write(j, fmt, &text);
    bogie_journey_free(j);
    if (st != BOGIE_OK) {
        error_answer(r, 503, "Overloaded", "%s", bogie_strerror(st));
        return;
    }
    r->status = 200;
    r->content_type = type;
    r->body = text;
    r->length = strlen(text);
}

static void stations_endpoint(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    const char *q = param(p, np, "q");
    if (!q || !*q) {
        error_answer(r, 400, "InvalidQuery", "q is needed: part of a station name");
        return;
    }
    long limit;
    if (!int_param(p, np, "limit", 10, 1, 50, "InvalidOptions", r, &limit))
        return;
    bogie_station_match m[50];
    size_t n;
    bogie_diag d = {0};
    bogie_status st = bogie_stations_search(s->planner, q, m, (size_t)limit, &n, &d);
    if (st != BOGIE_OK) {
        status_answer(r, st, &d);
        return;
    }
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\",\"stations\":[");
    for (size_t i = 0; i < n; i++) {
        sb_printf(&sb, "%s{\"id\":%u,\"name\":", i ? "," : "", m[i].station);
        sb_json_string(&sb, m[i].name);
        sb_puts(&sb, ",\"local_name\":");
        sb_json_string(&sb, m[i].local_name);
        sb_puts(&sb, ",\"matched\":");
        sb_json_string(&sb, m[i].matched);
        sb_puts(&sb, ",\"matched_key\":");
        sb_json_string(&sb, m[i].matched_key);
        sb_puts(&sb, ",\"lat\":");
        sb_fixed(&sb, m[i].lat, 6);
        sb_puts(&sb, ",\"lon\":");
        sb_fixed(&sb, m[i].lon, 6);
        sb_printf(&sb, ",\"quality\":%d}", m[i].quality);
    }
    sb_puts(&sb, "]}\n");
    set_body(r, 200, "application/json", &sb);
}

static void trains_endpoint(bogie_service *s, bogie_response *r)
{
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\",\"trains\":[");
    for (size_t i = 0; i < s->n_trains; i++) {
        const bogie_train *t = &s->trains[i];
        sb_puts(&sb, i ? ",{\"name\":" : "{\"name\":");
        sb_json_string(&sb, t->name);
        sb_puts(&sb, ",\"title\":");
        sb_json_string(&sb, t->title);
        sb_puts(&sb, ",\"gauges\":[");
        for (size_t k = 0; k < t->n_gauges; k++)
            sb_printf(&sb, "%s%u", k ? "," : "", t->gauges[k]);
        sb_printf(&sb, "],\"gauge_change\":\"%s\",\"change_to\":[", bogie_change_method_name(t->change));
        for (size_t k = 0; t->change != BOGIE_CHANGE_NONE && k < t->n_change_to; k++)
            sb_printf(&sb, "%s%u", k ? "," : "", t->change_to[k]);
        sb_printf(&sb, "],\"traction\":\"%s\",\"max_speed_kmh\":%.1f}",
                  t->traction == BOGIE_TRACTION_DIESEL ? "diesel" : "electric", t->max_speed_ms * 3.6);
    }
    sb_puts(&sb, "]}\n");
    set_body(r, 200, "application/json", &sb);
}

static void network_endpoint(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    const bogie_network *net = s->net;
    double bb[4] = {-180, -90, 180, 90};
    const char *bbox = param(p, np, "bbox");
    if (bbox && sscanf(bbox, "%lf,%lf,%lf,%lf", &bb[0], &bb[1], &bb[2], &bb[3]) != 4) {
        error_answer(r, 400, "InvalidValue", "bbox must be minlon,minlat,maxlon,maxlat");
        return;
    }
    long z;
    if (!int_param(p, np, "zoom", 8, 0, 22, "InvalidValue", r, &z))
        return;
    /* About one pixel at the equator at this zoom: 256-pixel tiles over 40,075 km. */
    double tol = 40075016.7 / (256.0 * (double)(1u << z));
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"type\":\"FeatureCollection\",\"features\":[");
    bool first = true;
    VEC(uint8_t) keep = {0};
    VEC(double) pts = {0};
    for (uint32_t e = 0; e < net->n_edges && !sb.failed; e++) {
        const net_edge *ed = &net->edges[e];
        const net_point *g = net->geom + ed->geom_first;
        double lo_lat = 90, hi_lat = -90, lo_lon = 180, hi_lon = -180;
        for (uint32_t k = 0; k < ed->geom_count; k++) {
            double la = g[k].lat * 1e-7, lo = g[k].lon * 1e-7;
            lo_lat = la < lo_lat ? la : lo_lat;
            hi_lat = la > hi_lat ? la : hi_lat;
            lo_lon = lo < lo_lon ? lo : lo_lon;
            hi_lon = lo > hi_lon ? lo : hi_lon;
        }
        if (hi_lon < bb[0] || lo_lon > bb[2] || hi_lat < bb[1] || lo_lat > bb[3])
            continue;
        keep.n = pts.n = 0;
        if (VEC_RESERVE(NULL, keep, ed->geom_count) != 0 || VEC_RESERVE(NULL, pts, 2 * (size_t)ed->geom_count) != 0) {
            sb.failed = true;
            break;
        }
        for (uint32_t k = 0; k < ed->geom_count; k++) {
            pts.v[2 * k] = g[k].lat * 1e-7;
            pts.v[2 * k + 1] = g[k].lon * 1e-7;
            keep.v[k] = 0;
        }
        simplify((const double (*)[2])pts.v, 0, ed->geom_count - 1, tol, keep.v);
        const net_class *c = &net->classes[ed->cls];
        char gauge[32], power[64];
        tags_gauge_label(c, gauge, sizeof gauge);
        tags_power_label(c, power, sizeof power);
        sb_printf(&sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"track\",\"gauge\":\"%s\",\"electrification\":",
                  first ? "" : ",", gauge);
        sb_json_string(&sb, power);
        sb_printf(&sb, ",\"maxspeed_kmh\":%.0f,\"use\":\"%s\",\"schematic\":%s},\"geometry\":{\"type\":"
                       "\"LineString\",\"coordinates\":[",
                  c->maxspeed_fwd, c->service ? tags_service_name(c->service) : c->usage ? tags_usage_name(c->usage)
                                                                                          : "unspecified",
                  (c->flags & NET_CLASS_SCHEMATIC) ? "true" : "false");
        bool firstp = true;
        for (uint32_t k = 0; k < ed->geom_count; k++) {
            if (!keep.v[k])
                continue;
            sb_puts(&sb, firstp ? "[" : ",[");
            sb_fixed(&sb, pts.v[2 * k + 1], 5);
            sb_puts(&sb, ",");
            sb_fixed(&sb, pts.v[2 * k], 5);
            sb_puts(&sb, "]");
            firstp = false;
        }
        sb_puts(&sb, "]}}");
        first = false;
    }
    VEC_FREE(NULL, keep);
    VEC_FREE(NULL, pts);
    bogie_summary *sum = NULL;
    if (bogie_network_summary(net, &sum) == BOGIE_OK) {
        for (size_t i = 0; i < sum->n_breaks; i++) {
            const bogie_gauge_break *b = &sum->breaks[i];
            if (b->lon < bb[0] || b->lon > bb[2] || b->lat < bb[1] || b->lat > bb[3])
                continue;
            sb_printf(&sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"break\",\"gauges\":", first ? "" : ",");
            sb_json_string(&sb, b->gauges);
            sb_puts(&sb, ",\"break_kind\":");
            sb_json_string(&sb, b->kind);
            sb_puts(&sb, ",\"station\":");
            sb_json_string(&sb, b->station);
            sb_puts(&sb, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":");
            write_location(&sb, b->lat, b->lon);
            sb_puts(&sb, "}}");
            first = false;
        }
        bogie_summary_free(net, sum);
    }
    for (uint32_t i = 0; i < net->n_stations; i++) {
        const net_station *st = &net->stations[i];
        double la = st->lat * 1e-7, lo = st->lon * 1e-7;
        if (lo < bb[0] || lo > bb[2] || la < bb[1] || la > bb[3])
            continue;
        const char *en = NULL;
        for (uint32_t k = 0; k < st->names_count; k++)
            if (strcmp(net_str(net, net->names[st->names_first + k].key), "name:en") == 0)
                en = net_str(net, net->names[st->names_first + k].value);
        sb_printf(&sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"station\",\"name\":", first ? "" : ",");
        sb_json_string(&sb, en && *en ? en : net_str(net, st->name));
        sb_puts(&sb, ",\"local_name\":");
        sb_json_string(&sb, net_str(net, st->name));
        sb_puts(&sb, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":");
        write_location(&sb, la, lo);
        sb_puts(&sb, "}}");
        first = false;
    }
    sb_puts(&sb, "]}\n");
    set_body(r, 200, "application/geo+json", &sb);
}

static void health_endpoint(bogie_service *s, bogie_response *r)
{
    strbuf sb;
    sb_init(&sb, NULL);
    sb_printf(&sb, "{\"status\":\"ok\",\"nodes\":%u,\"edges\":%u,\"stations\":%u,\"trains\":%zu}\n", s->net->n_nodes,
              s->net->n_edges, s->net->n_stations, s->n_trains);
    set_body(r, 200, "application/json", &sb);
}

static bool static_file(bogie_service *s, const char *path, bogie_response *r)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (size_t i = 0; i < s->files.n; i++) {
        const web_file *f = &s->files.v[i];
        if (strcmp(f->path, path + 1) != 0)
            continue;
        r->status = 200;
        r->content_type = f->type;
        r->body = malloc(f->len ? f->len : 1);
        if (!r->body) {
            error_answer(r, 503, "Overloaded", "out of memory");
            return true;
        }
        memcpy(r->body, f->data, f->len);
        r->length = f->len;
        return true;
    }
    return false;
}

/* ----- the cache ----- */

static void cache_unlink(bogie_service *s, cache_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = NULL;
}

static void cache_push_front(bogie_service *s, cache_entry *e)
{
    e->next = s->head;
    e->prev = NULL;
    if (s->head)
        s->head->prev = e;
    s->head = e;
    if (!s->tail)
        s->tail = e;
}

static size_t entry_size(const cache_entry *e)
{
    return sizeof *e + strlen(e->key) + 1 + e->len;
}

static void cache_evict(bogie_service *s, cache_entry *e)
{
    cache_unlink(s, e);
    cache_entry **b = &s->buckets[e->hash & (s->n_buckets - 1)];
    while (*b && *b != e)
        b = &(*b)->chain;
    if (*b)
        *b = e->chain;
    s->cache_used -= entry_size(e);
    free(e->key);
    free(e->body);
    free(e);
}

/* Looks target up; on a hit copies the answer into r and returns true. */
static bool cache_get(bogie_service *s, const char *key, uint64_t h, bogie_response *r)
{
    if (!s->buckets)
        return false;
    bool hit = false;
    pthread_mutex_lock(&s->lock);
    for (cache_entry *e = s->buckets[h & (s->n_buckets - 1)]; e; e = e->chain) {
        if (e->hash != h || strcmp(e->key, key) != 0)
            continue;
        r->body = malloc(e->len ? e->len : 1);
        if (r->body) {
            memcpy(r->body, e->body, e->len);
            r->length = e->len;
            r->status = e->status;
            r->content_type = e->type;
            r->from_cache = true;
            cache_unlink(s, e);
            cache_push_front(s, e);
            hit = true;
            s->hits++;
        }
        break;
    }
    pthread_mutex_unlock(&s->lock);
    return hit;
}

static void cache_put(bogie_service *s, const char *key, uint64_t h, const bogie_response *r)
{
    if (!s->buckets || !r->body || r->length > s->opts.cache_bytes / 8)
        return;
    cache_entry *e = calloc(1, sizeof *e);
    if (!e)
        return;
    e->key = strdup(key);
    e->body = malloc(r->length ? r->length : 1);
    if (!e->key || !e->body) {
        free(e->key);
        free(e->body);
        free(e);
        return;
    }
    memcpy(e->body, r->body, r->length);
    e->len = r->length;
    e->hash = h;
    e->status = r->status;
    e->type = r->content_type;
    pthread_mutex_lock(&s->lock);
    /* Another thread may have stored the same answer meanwhile; keep one. */
    for (cache_entry *o = s->buckets[h & (s->n_buckets - 1)]; o; o = o->chain)
        if (o->hash == h && strcmp(o->key, key) == 0) {
            pthread_mutex_unlock(&s->lock);
            free(e->key);
            free(e->body);
            free(e);
            return;
        }
    e->chain = s->buckets[h & (s->n_buckets - 1)];
    s->buckets[h & (s->n_buckets - 1)] = e;
    cache_push_front(s, e);
    s->cache_used += entry_size(e);
    while (s->cache_used > s->opts.cache_bytes && s->tail && s->tail != e)
        cache_evict(s, s->tail);
    pthread_mutex_unlock(&s->lock);
}

/* ----- dispatch ----- */

void bogie_service_handle(bogie_service *s, const char *method, const char *target, bogie_response *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_lock(&s->lock);
    s->requests++;
    pthread_mutex_unlock(&s->lock);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        error_answer(r, 405, "MethodNotAllowed", "only GET and HEAD are answered");
        return;
    }
    size_t tlen = strlen(target);
    if (tlen > s->opts.max_uri) {
        error_answer(r, 414, "TooLong", "the request line is %zu bytes; at most %zu are read", tlen, s->opts.max_uri);
        return;
    }
    uint64_t h = XXH3_64bits(target, tlen);
    if (cache_get(s, target, h, r))
        return;
    /* Split the target into path and query, and decode the path. */
    const char *qm = strchr(target, '?');
    size_t plen = qm ? (size_t)(qm - target) : tlen;
    char *path = malloc(plen + 1);
    api_param *params = malloc(API_MAX_PARAMS * sizeof *params);
    if (!path || !params) {
        free(path);
        free(params);
        error_answer(r, 503, "Overloaded", "out of memory");
        return;
    }
    api_decode(target, plen, path, plen + 1, false);
    size_t np = qm ? api_parse_query(qm + 1, params, API_MAX_PARAMS) : 0;
    bool cacheable = true;
    char service[16], version[8], train[64];
    int consumed = 0;
    if (strncmp(path, "/route/", 7) == 0 || strncmp(path, "/nearest/", 9) == 0 || strncmp(path, "/table/", 7) == 0) {
        if (sscanf(path, "/%15[a-z]/%7[^/]/%63[^/]/%n", service, version, train, &consumed) != 3 || consumed == 0) {
            error_answer(r, 400, "InvalidUrl", "expected /%s/v1/{train}/{coordinates}",
                         path[1] == 'r' ? "route" : path[1] == 'n' ? "nearest" : "table");
        } else if (strcmp(version, "v1") != 0) {
            error_answer(r, 400, "InvalidVersion", "only v1 is served");
        } else if (strcmp(service, "route") == 0) {
            route_endpoint(s, train, path + consumed, params, np, r);
        } else if (strcmp(service, "nearest") == 0) {
            nearest_endpoint(s, train, path + consumed, params, np, r);
        } else {
            table_endpoint(s, train, path + consumed, params, np, r);
        }
    } else if (strcmp(path, "/api/journey") == 0) {
        journey_endpoint(s, params, np, r);
    } else if (strcmp(path, "/api/stations") == 0) {
        stations_endpoint(s, params, np, r);
    } else if (strcmp(path, "/api/trains") == 0) {
        trains_endpoint(s, r);
    } else if (strcmp(path, "/api/network") == 0) {
        network_endpoint(s, params, np, r);
    } else if (strcmp(path, "/health") == 0) {
        health_endpoint(s, r);
        cacheable = false;
    } else if (!static_file(s, path, r)) {
        error_answer(r, 404, "NotFound", "no such path: %.200s (the API is described in docs/API.md)", path);
    } else {
        cacheable = false; /* held in memory already */
    }
    free(path);
    free(params);
    if (cacheable && (r->status == 200 || r->status == 400))
        cache_put(s, target, h, r);
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

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"}, {".js", "application/javascript; charset=utf-8"},
                 {".mjs", "application/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
                 {".json", "application/json"}, {".png", "image/png"}, {".svg", "image/svg+xml"},
                 {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (util_ends_with_ci(path, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Reads every regular file under dir/rel into s->files. */
static bogie_status load_web(bogie_service *s, const char *dir, const char *rel, size_t *total, int depth,
                             bogie_diag *diag)
{
    char full[4200];
    snprintf(full, sizeof full, "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(full);
    if (!d)
        return util_io_fail(diag, full, "cannot open", errno);
    bogie_status rc = BOGIE_OK;
    struct dirent *e;
    while (rc == BOGIE_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char r2[2048], f2[6300];
        if ((size_t)snprintf(r2, sizeof r2, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= sizeof r2)
            continue;
        snprintf(f2, sizeof f2, "%s/%s", dir, r2);
        struct stat st;
        if (stat(f2, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < 6)
                rc = load_web(s, dir, r2, total, depth + 1, diag);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        *total += (size_t)st.st_size;
        if (*total > MAX_WEB_BYTES) {
            rc = util_fail(diag, BOGIE_ERR_LIMIT, "%s: the web files exceed %u MiB", dir, MAX_WEB_BYTES >> 20);
            break;
        }
        web_file wf = {strdup(r2), malloc((size_t)st.st_size + 1), (size_t)st.st_size, content_type(r2)};
        FILE *fp = fopen(f2, "rb");
        if (!wf.path || !wf.data || !fp || fread(wf.data, 1, wf.len, fp) != wf.len) {
            if (fp)
                fclose(fp);
            free(wf.path);
            free(wf.data);
            rc = util_io_fail(diag, f2, "cannot read", errno);
            break;
        }
        fclose(fp);
        if (VEC_PUSH(NULL, s->files, wf) != 0) {
            free(wf.path);
            free(wf.data);
            rc = util_nomem(diag, "loading the web files");
        }
    }
    closedir(d);
    return rc;
}

static int cmp_train(const void *a, const void *b)
{
    return strcmp(((const bogie_train *)a)->name, ((const bogie_train *)b)->name);
}

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
    if (rc != BOGIE_OK) {
        VEC_FREE(NULL, v);
        return rc;
    }
    util_sort(v.v, v.n, sizeof *v.v, cmp_train);
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
    if (rc == BOGIE_OK && opts->web_dir) {
        size_t total = 0;
        rc = load_web(s, opts->web_dir, "", &total, 0, diag);
    }
    if (rc == BOGIE_OK && s->opts.cache_bytes > 0) {
        s->n_buckets = 4096;
        s->buckets = calloc(s->n_buckets, sizeof *s->buckets);
        if (!s->buckets)
            rc = util_nomem(diag, "starting the cache");
    }
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
    while (s->head)
        cache_evict(s, s->head);
    free(s->buckets);
    for (size_t i = 0; i < s->files.n; i++) {
        free(s->files.v[i].path);
        free(s->files.v[i].data);
    }
    VEC_FREE(NULL, s->files);
    free(s->trains);
    bogie_planner_free(s->planner);
    bogie_world_close(s->world);
    bogie_network_close(s->net);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
