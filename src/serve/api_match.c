/* api_match.c: OSRM's /match/v1/{train}/{coordinates} (docs/api.md): a trace matched to the track the train can run
 * (bogie_match), answered in OSRM's shape: the tracepoints (null where unmatched) and the matchings as routes with
 * their confidence, one leg between consecutive matched points, and bogie's journey and sections under "bogie". */
#include "serve/api_int.h"

#include "output/output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Coordinates a match takes at most (the request line's limit allows about 400). */
#define MATCH_MAX_COORDS 1000

static const char *const MATCH_PARAMS[] = {"timestamps", "radiuses", "gaps", "tidy", "overview", "geometries",
                                           "steps", "hints", "generate_hints", NULL};

/* One request: the trace, and how to answer. */
typedef struct match_query {
    bogie_trace_point *pts;
    double *radii;
    long n;
    api_geom_format geometry;
    double tol;      /* simplification in metres; 0 for overview=full, -1 for overview=false */
    bool split_gaps;
} match_query;

/* Reads a list of n numbers "a;b;c" for parameter key into out; false after answering 400. */
static bool read_list(const char *text, const char *key, long n, double lo, double hi, double *out,
                      bogie_response *r)
{
    const char *p = text;
    for (long i = 0; i < n; i++) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(v >= lo && v <= hi) || (*end != ';' && *end != '\0') || (*end == '\0' && i + 1 < n)) {
            api_error_answer(r, 400, "InvalidOptions", "%s must be %ld numbers within %g..%g separated by ';'", key,
                             n, lo, hi);
            return false;
        }
        out[i] = v;
        p = *end ? end + 1 : end;
    }
    if (*p) {
        api_error_answer(r, 400, "InvalidOptions", "%s must be %ld numbers, one per coordinate", key, n);
        return false;
    }
    return true;
}

/* Reads timestamps (whole seconds since 1970, never decreasing) into q's points. */
static bool read_timestamps(const char *text, match_query *q, bogie_response *r)
{
    double *t = malloc((size_t)q->n * sizeof *t);
    if (!t) {
        api_error_answer(r, 503, "NoMemory", "out of memory");
        return false;
    }
    bool ok = read_list(text, "timestamps", q->n, 0, 1e11, t, r);
    for (long i = 0; ok && i < q->n; i++) {
        if (i > 0 && t[i] < t[i - 1]) {
            api_error_answer(r, 400, "InvalidOptions", "timestamps must not decrease (timestamp %ld)", i);
            ok = false;
        }
        q->pts[i].has_time = true;
        q->pts[i].time_utc = (int64_t)t[i];
    }
    free(t);
    return ok;
}

/* Reads overview and geometries as /route/v1 takes them, and gaps, tidy and steps. */
static bool read_match_options(const api_param *p, size_t np, match_query *q, bogie_response *r)
{
    const char *overview = api_param_value(p, np, "overview"), *geoms = api_param_value(p, np, "geometries"),
               *gaps = api_param_value(p, np, "gaps"), *tidy = api_param_value(p, np, "tidy"),
               *steps = api_param_value(p, np, "steps");
    bool geom_ok = !geoms || strcmp(geoms, "polyline") == 0 || strcmp(geoms, "polyline6") == 0 ||
                   strcmp(geoms, "geojson") == 0;
    q->geometry = !geoms || !geom_ok || strcmp(geoms, "polyline") == 0 ? API_GEOM_POLYLINE5
                  : strcmp(geoms, "polyline6") == 0                   ? API_GEOM_POLYLINE6
                                                                      : API_GEOM_GEOJSON;
    q->tol = !overview || strcmp(overview, "simplified") == 0 ? 25
             : strcmp(overview, "full") == 0                  ? 0
             : strcmp(overview, "false") == 0                 ? -1
                                                              : -2;
    q->split_gaps = gaps && strcmp(gaps, "split") == 0;
    const char *bad = !geom_ok ? "geometries must be polyline, polyline6 or geojson"
                      : q->tol < -1        ? "overview must be simplified, full or false"
                      : gaps && !q->split_gaps && strcmp(gaps, "ignore") != 0 ? "gaps must be split or ignore"
                      : tidy && strcmp(tidy, "true") != 0 && strcmp(tidy, "false") != 0 ? "tidy must be true or false"
                      : steps && strcmp(steps, "false") != 0 ? "steps must be false: /match/v1 answers no steps"
                                                             : NULL;
    if (bad) {
        api_error_answer(r, 400, "InvalidOptions", "%s", bad);
        return false;
    }
    return true;
}

/* Reads the request into q (its arrays malloc'd: the caller frees them, also after a failure); false after
 * answering 400. */
static bool read_match(const char *coords, const api_param *p, size_t np, match_query *q, bogie_response *r)
{
    if (!api_known_params(p, np, MATCH_PARAMS, "/match/v1", r) || !read_match_options(p, np, q, r))
        return false;
    double *lat = malloc(MATCH_MAX_COORDS * sizeof *lat), *lon = malloc(MATCH_MAX_COORDS * sizeof *lon);
    q->pts = calloc(MATCH_MAX_COORDS, sizeof *q->pts);
    q->radii = calloc(MATCH_MAX_COORDS, sizeof *q->radii);
    size_t bad = 0;
    q->n = lat && lon && q->pts && q->radii ? api_parse_coords(coords, lat, lon, MATCH_MAX_COORDS, &bad) : -3;
    for (long i = 0; i < q->n; i++)
        q->pts[i].lat = lat[i], q->pts[i].lon = lon[i];
    free(lat);
    free(lon);
    if (q->n == -3)
        api_error_answer(r, 503, "NoMemory", "out of memory");
    else if (q->n == -2)
        api_error_answer(r, 400, "TooBig", "at most %d coordinates per trace", MATCH_MAX_COORDS);
    else if (q->n < 0)
        api_error_answer(r, 400, "InvalidQuery", "coordinate %zu is not lon,lat within -180..180 and -90..90", bad);
    else if (q->n < 2)
        api_error_answer(r, 400, "InvalidQuery", "a trace needs at least two coordinates (lon,lat;lon,lat)");
    if (q->n < 2)
        return false;
    const char *ts = api_param_value(p, np, "timestamps"), *rad = api_param_value(p, np, "radiuses");
    if (ts && !read_timestamps(ts, q, r))
        return false;
    return !rad || read_list(rad, "radiuses", q->n, 0.001, 5000, q->radii, r);
}

/* The journey's time at km (seconds after its departure), from its speed profile. */
static double time_at(const bogie_journey *j, double km)
{
    const bogie_profile_point *p = j->profile;
    size_t i = 0;
    while (i < j->n_profile && p[i].km < km)
        i++;
    if (i == 0)
        return 0;
    if (i == j->n_profile || p[i].km <= p[i - 1].km)
        return p[i - 1].time_s;
    return p[i - 1].time_s + (p[i].time_s - p[i - 1].time_s) * (km - p[i - 1].km) / (p[i].km - p[i - 1].km);
}

static void write_tracepoints(strbuf *sb, const bogie_match_result *m)
{
    sb_puts(sb, "\"tracepoints\":[");
    for (size_t i = 0; i < m->n_points; i++) {
        const bogie_tracepoint *tp = &m->points[i];
        sb_puts(sb, i ? "," : "");
        if (!tp->matched) {
            sb_puts(sb, "null");
            continue;
        }
        sb_puts(sb, "{\"hint\":\"\",\"name\":\"\",\"location\":");
        api_write_location(sb, tp->lat, tp->lon);
        sb_puts(sb, ",\"distance\":");
        sb_fixed(sb, tp->distance_m, 1);
        sb_printf(sb, ",\"matchings_index\":%zu,\"waypoint_index\":%zu,\"alternatives_count\":%zu}", tp->matching,
                  tp->waypoint_index, tp->alternatives);
    }
    sb_puts(sb, "]");
}

/* The legs of matching k: one between each two consecutive matched points, timed by the journey's profile. */
static void write_legs(strbuf *sb, const bogie_match_result *m, size_t k)
{
    const bogie_journey *j = m->matchings[k].journey;
    double last_km = -1, last_t = 0;
    bool first = true;
    for (size_t i = 0; i < m->n_points; i++) {
        const bogie_tracepoint *tp = &m->points[i];
        if (!tp->matched || tp->matching != k)
            continue;
        double t = time_at(j, tp->km);
        if (last_km >= 0) {
            sb_puts(sb, first ? "{\"distance\":" : ",{\"distance\":");
            sb_fixed(sb, fmax(tp->km - last_km, 0) * 1000, 1);
            sb_puts(sb, ",\"duration\":");
            sb_fixed(sb, fmax(t - last_t, 0), 1);
            sb_puts(sb, ",\"weight\":");
            sb_fixed(sb, fmax(t - last_t, 0), 1);
            sb_puts(sb, ",\"summary\":\"\",\"steps\":[]}");
            first = false;
        }
        last_km = tp->km, last_t = t;
    }
}

/* Matching k as an OSRM route, with bogie's journey and its sections under "bogie". */
static void write_matching(strbuf *sb, const bogie_match_result *m, size_t k, const match_query *q)
{
    const bogie_matching *mt = &m->matchings[k];
    const bogie_journey *j = mt->journey;
    sb_puts(sb, k ? ",{\"confidence\":" : "{\"confidence\":");
    sb_fixed(sb, mt->confidence, 4);
    sb_puts(sb, ",");
    api_write_route_totals(sb, j, q->geometry, q->tol);
    sb_puts(sb, ",\"legs\":[");
    write_legs(sb, m, k);
    sb_puts(sb, "],\"bogie\":{\"sections\":[");
    for (size_t i = 0; i < mt->n_sections; i++) {
        const bogie_section *s = &mt->sections[i];
        sb_printf(sb, "%s{\"from_stop\":%zu,\"to_stop\":%zu,\"predicted_s\":", i ? "," : "", s->from, s->to);
        sb_fixed(sb, s->predicted_s, 1);
        sb_puts(sb, ",\"observed_s\":");
        if (s->observed_s >= 0)
            sb_fixed(sb, s->observed_s, 1);
        else
            sb_puts(sb, "null");
        sb_puts(sb, "}");
    }
    sb_printf(sb, "],\"vias\":%zu,\"journey\":", mt->n_vias);
    output_journey_json(j, sb, false);
    while (sb->len > 0 && sb->s[sb->len - 1] == '\n')
        sb->s[--sb->len] = '\0';
    sb_puts(sb, "}}");
}

void api_match(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
               bogie_response *r)
{
    const bogie_train *t = api_train_or_answer(s, train, r);
    match_query q;
    memset(&q, 0, sizeof q);
    if (t && read_match(coords, p, np, &q, r)) {
        bogie_match_request req;
        bogie_match_request_init(&req);
        req.train = t;
        req.points = q.pts;
        req.n_points = (size_t)q.n;
        req.radii = q.radii;
        req.split_gaps = q.split_gaps;
        req.time_limit_s = s->opts.time_limit_s;
        bogie_match_result *m = NULL;
        bogie_diag d = {0};
        bogie_status st = bogie_match(s->planner, &req, &m, &d);
        if (st == BOGIE_ERR_NOT_FOUND)
            api_error_answer(r, 400, "NoMatch", "%s", d.message);
        else if (st != BOGIE_OK)
            api_status_answer(r, st, &d);
        else {
            strbuf sb;
            sb_init(&sb, NULL);
            sb_puts(&sb, "{\"code\":\"Ok\",");
            write_tracepoints(&sb, m);
            sb_puts(&sb, ",\"matchings\":[");
            for (size_t k = 0; k < m->n_matchings; k++)
                write_matching(&sb, m, k, &q);
            sb_puts(&sb, "]}\n");
            api_set_body(r, 200, "application/json", &sb);
        }
        bogie_match_free(m);
    }
    free(q.pts);
    free(q.radii);
}
