/* api_osrm.c: the HTTP API's OSRM-shaped endpoints: /route (waypoints, legs, steps and geometry in OSRM's shape, with
 * bogie's journey as an extra), /nearest and /table. */
#include "serve/api_int.h"

#include "base/geo.h"
#include "output/output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----- /route ----- */

/* A /route request as read from its path and query. */
typedef struct route_query {
    double lat[64], lon[64]; /* the coordinates: origin, via points, destination */
    long n;
    api_geom_format geometry;
    double tol;              /* the overview's simplification in metres: 0 the full line, -1 no overview */
    bool steps;
    const char *depart;      /* points into the request's parameters; NULL for none */
    long gauge;              /* the wheels at the start, in mm; 0: the planner's choice */
    size_t routes;           /* the most routes to answer with: 1, or 1 + the alternatives asked for */
} route_query;

static bool is_waypoint(const bogie_stop *s)
{
    return (s->kinds & (BOGIE_STOP_ORIGIN | BOGIE_STOP_VIA | BOGIE_STOP_DESTINATION)) != 0;
}

/* bogie's own name for the maneuver at stop s of a leg (first and last: whether s starts or ends it): depart, arrive,
 * gauge_change, border, reversal, waypoint or continue. Sent in the step's "bogie" object. */
static const char *bogie_maneuver(const bogie_stop *s, bool first, bool last)
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

/* The OSRM maneuver type for bogie's maneuver m (bogie_maneuver): one OSRM's clients know, so that none has to guess.
 * A reversal is a U-turn ("continue" with modifier "uturn"); a gauge change or a border is a change of conditions on
 * the same track, OSRM's "notification"; any other stop is "continue". */
static const char *osrm_maneuver(const char *m)
{
    if (strcmp(m, "depart") == 0 || strcmp(m, "arrive") == 0)
        return m;
    if (strcmp(m, "gauge_change") == 0 || strcmp(m, "border") == 0)
        return "notification";
    return "continue";
}

/* The OSRM maneuver modifier of stop s's step: "uturn" where the train reverses, else "straight" (a train only
 * follows its track). OSRM's clients (osrm-text-instructions, for one) require one on every step but the first and
 * the last. */
static const char *maneuver_modifier(const bogie_stop *s)
{
    return s->kinds & BOGIE_STOP_REVERSAL ? "uturn" : "straight";
}

/* Reads the route's coordinates into q; false after answering 400 when they are malformed, too many or too few. */
static bool read_route_coords(const bogie_service *s, const char *coords, route_query *q, bogie_response *r)
{
    size_t bad;
    q->n = api_parse_coords(coords, q->lat, q->lon, s->opts.max_via + 2 < 64 ? s->opts.max_via + 2 : 64, &bad);
    if (q->n == -2) {
        api_error_answer(r, 400, "TooBig", "at most %zu via points (%zu coordinates) per route", s->opts.max_via,
                         s->opts.max_via + 2);
        return false;
    }
    if (q->n < 0) {
        api_error_answer(r, 400, "InvalidQuery", "coordinate %zu is not lon,lat within -180..180 and -90..90", bad);
        return false;
    }
    if (q->n < 2) {
        api_error_answer(r, 400, "InvalidQuery", "a route needs at least two coordinates (lon,lat;lon,lat)");
        return false;
    }
    return true;
}

/* The options each OSRM-shaped endpoint takes (docs/api.md): OSRM's that bogie honours, bogie's own (depart, gauge),
 * and hints and generate_hints, which clients send back and forth (bogie's hints are always ""). alternatives is
 * accepted and, for now, answered with the one route. Any other option is refused as OSRM refuses one it does not
 * know. */
static const char *const ROUTE_PARAMS[] = {"overview", "geometries", "steps", "depart", "gauge", "alternatives",
                                           "hints", "generate_hints", NULL};
static const char *const NEAREST_PARAMS[] = {"number", "hints", "generate_hints", NULL};
static const char *const TABLE_PARAMS[] = {"sources", "destinations", "annotations", "hints", "generate_hints", NULL};

/* Reads alternatives (OSRM's: true for one alternative, false for none, or a number of them) into q->routes; false
 * after answering 400 on another value. */
static bool read_alternatives(const char *v, route_query *q, bogie_response *r)
{
    q->routes = 1;
    if (!v || strcmp(v, "false") == 0)
        return true;
    if (strcmp(v, "true") == 0) {
        q->routes = 2;
        return true;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < 0 || n > BOGIE_MAX_ALTERNATIVES - 1) {
        api_error_answer(r, 400, "InvalidOptions", "alternatives must be true, false or a number from 0 to %d",
                         BOGIE_MAX_ALTERNATIVES - 1);
        return false;
    }
    q->routes = (size_t)n + 1;
    return true;
}

/* Reads overview, geometries, steps, depart, gauge and alternatives into q; false after answering 400 on an option
 * not known or a value not offered. */
static bool read_route_options(const api_param *p, size_t np, route_query *q, bogie_response *r)
{
    if (!api_known_params(p, np, ROUTE_PARAMS, "/route/v1", r))
        return false;
    const char *overview = api_param_value(p, np, "overview"), *geoms = api_param_value(p, np, "geometries"),
               *steps = api_param_value(p, np, "steps");
    q->depart = api_param_value(p, np, "depart");
    if (!api_int_param(p, np, "gauge", 0, 100, 3000, "InvalidValue", r, &q->gauge))
        return false;
    q->geometry = API_GEOM_POLYLINE5;
    q->tol = 25;
    if (overview && strcmp(overview, "full") == 0)
        q->tol = 0;
    else if (overview && strcmp(overview, "false") == 0)
        q->tol = -1;
    else if (overview && strcmp(overview, "simplified") != 0) {
        api_error_answer(r, 400, "InvalidOptions", "overview must be simplified, full or false");
        return false;
    }
    if (geoms && strcmp(geoms, "polyline6") == 0)
        q->geometry = API_GEOM_POLYLINE6;
    else if (geoms && strcmp(geoms, "geojson") == 0)
        q->geometry = API_GEOM_GEOJSON;
    else if (geoms && strcmp(geoms, "polyline") != 0) {
        api_error_answer(r, 400, "InvalidOptions", "geometries must be polyline, polyline6 or geojson");
        return false;
    }
    q->steps = steps && strcmp(steps, "true") == 0;
    if (steps && !q->steps && strcmp(steps, "false") != 0) {
        api_error_answer(r, 400, "InvalidOptions", "steps must be true or false");
        return false;
    }
    return read_alternatives(api_param_value(p, np, "alternatives"), q, r);
}

/* Plans the journey through q's coordinates, and the alternatives q asks for, into *js (*n of them; the caller's,
 * bogie_journeys_free). False after answering the planner's failure. */
static bool plan_route(bogie_service *s, const bogie_train *t, const route_query *q, bogie_journey ***js, size_t *n,
                       bogie_response *r)
{
    char place[64][48];
    const char *vias[64];
    for (long i = 0; i < q->n; i++)
        snprintf(place[i], sizeof place[i], "%.7f,%.7f", q->lat[i], q->lon[i]);
    for (long i = 1; i + 1 < q->n; i++)
        vias[i - 1] = place[i];
    bogie_journey_request req;
    bogie_journey_request_init(&req);
    req.from = place[0];
    req.to = place[q->n - 1];
    req.via = vias;
    req.n_via = (size_t)q->n - 2;
    req.train = t;
    req.depart = q->depart;
    req.start_gauge = (uint16_t)q->gauge;
    req.time_limit_s = s->opts.time_limit_s;
    req.field_prefix = "";
    bogie_diag d = {0};
    bogie_status st = bogie_plan_alternatives(s->planner, &req, q->routes, js, n, &d);
    if (st != BOGIE_OK) {
        api_status_answer(r, st, &d);
        return false;
    }
    return true;
}

/* Appends the waypoints: each stop the journey was asked to make, with its distance from the coordinate given. */
static void write_waypoints(strbuf *sb, const bogie_journey *j, const route_query *q)
{
    size_t wp = 0;
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *x = &j->stops[i];
        if (!is_waypoint(x) || wp >= (size_t)q->n)
            continue;
        sb_puts(sb, wp ? ",{\"hint\":\"\",\"name\":" : "{\"hint\":\"\",\"name\":");
        sb_json_string(sb, x->name);
        sb_puts(sb, ",\"location\":");
        api_write_location(sb, x->lat, x->lon);
        sb_puts(sb, ",\"distance\":");
        sb_fixed(sb, geo_distance_m(q->lat[wp], q->lon[wp], x->lat, x->lon), 1);
        sb_puts(sb, "}");
        wp++;
    }
}

/* Appends the route's distance, duration, weight and (unless q says none) its overview geometry. */
static void write_route_totals(strbuf *sb, const bogie_journey *j, const route_query *q)
{
    sb_puts(sb, "{");
    api_write_route_totals(sb, j, q->geometry, q->tol);
}

/* Appends a leg's summary: the names of the stops from a to b where the train does more than pass. */
static void write_leg_summary(strbuf *sb, const bogie_journey *j, size_t a, size_t b)
{
    strbuf sum;
    sb_init(&sum, NULL);
    for (size_t k = a; k <= b; k++)
        if (j->stops[k].kinds != BOGIE_STOP_PASS)
            sb_printf(&sum, "%s%s", sum.len ? ", " : "", j->stops[k].name);
    sb_json_string(sb, sum.failed || !sum.s ? "" : sum.s);
    sb_free(&sum);
}

/* The duration of the step from stop k of the leg of stops a to b: the time spent at stop k (its gauge change,
 * border stop, reversal; none at the leg's first stop, whose time belongs to the leg before), then the run to the
 * next stop; the last step is the time spent at b (a via's dwell, work at the destination). So the steps add up to
 * the leg, b's departure less a's, and the legs to the route's duration. */
static double step_duration(const bogie_journey *j, size_t k, size_t a, size_t b)
{
    const bogie_stop *x = &j->stops[k];
    if (k == b)
        return x->depart_s - x->arrive_s;
    return j->stops[k + 1].arrive_s - (k == a ? x->depart_s : x->arrive_s);
}

/* A bearing in whole degrees, 0 to 359. */
static int whole_bearing(double deg)
{
    long b = lround(deg) % 360;
    return (int)(b < 0 ? b + 360 : b);
}

/* Appends the one intersection OSRM's clients expect on every step: at the maneuver's location, the track the train
 * comes in on (its bearing from the stop, "in"; none at the departure) and the one it leaves on ("out"; none at the
 * arrival), sorted clockwise as OSRM's are. Only the way out may be entered, except where the train reverses and
 * leaves the way it came. */
static void write_intersection(strbuf *sb, const bogie_stop *x, int before, int after, bool first, bool last)
{
    int in = (before + 180) % 360;
    bool reversal = !first && !last && (x->kinds & BOGIE_STOP_REVERSAL);
    sb_puts(sb, ",\"intersections\":[{\"location\":");
    api_write_location(sb, x->lat, x->lon);
    if (first)
        sb_printf(sb, ",\"bearings\":[%d],\"entry\":[true],\"out\":0}]", after);
    else if (last)
        sb_printf(sb, ",\"bearings\":[%d],\"entry\":[true],\"in\":0}]", in);
    else if (in == after)
        sb_printf(sb, ",\"bearings\":[%d],\"entry\":[true],\"in\":0,\"out\":0}]", after);
    else if (in < after)
        sb_printf(sb, ",\"bearings\":[%d,%d],\"entry\":[%s,true],\"in\":0,\"out\":1}]", in, after,
                  reversal ? "true" : "false");
    else
        sb_printf(sb, ",\"bearings\":[%d,%d],\"entry\":[true,%s],\"in\":1,\"out\":0}]", after, in,
                  reversal ? "true" : "false");
}

/* Appends the maneuver of the step at stop x and its intersection, then the "bogie" object with bogie's name for the
 * maneuver and the index of its stop in the route's bogie.stops. */
static void write_maneuver(strbuf *sb, const bogie_journey *j, size_t k, size_t la, bool first, bool last)
{
    const bogie_stop *x = &j->stops[k];
    const char *m = bogie_maneuver(x, first, last);
    int before = first ? 0 : whole_bearing(api_line_bearing(j, la, false));
    int after = last ? 0 : whole_bearing(api_line_bearing(j, la, true));
    sb_printf(sb, ",\"maneuver\":{\"type\":\"%s\",", osrm_maneuver(m));
    if (!first && !last)
        sb_printf(sb, "\"modifier\":\"%s\",", maneuver_modifier(x));
    sb_puts(sb, "\"location\":");
    api_write_location(sb, x->lat, x->lon);
    sb_printf(sb, ",\"bearing_before\":%d,\"bearing_after\":%d}", before, after);
    write_intersection(sb, x, before, after, first, last);
    sb_printf(sb, ",\"bogie\":{\"maneuver\":\"%s\",\"stop\":%zu}", m, k);
}

/* Appends the step from stop k of the leg of stops a to b: to the next stop, with its maneuver at stop k, and named
 * after stop k, where that maneuver (a departure, a gauge change, a reversal...) happens. */
static void write_step(strbuf *sb, const bogie_journey *j, size_t k, size_t a, size_t b, api_geom_format geometry)
{
    const bogie_stop *x = &j->stops[k];
    bool last = k == b;
    const bogie_stop *y = last ? x : &j->stops[k + 1];
    size_t la = api_line_index(j, x->km), lb = api_line_index(j, y->km);
    sb_puts(sb, k > a ? ",{\"distance\":" : "{\"distance\":");
    sb_fixed(sb, (y->km - x->km) * 1000, 1);
    double duration = step_duration(j, k, a, b);
    sb_puts(sb, ",\"duration\":");
    sb_fixed(sb, duration, 1);
    sb_puts(sb, ",\"weight\":");
    sb_fixed(sb, duration, 1);
    sb_puts(sb, ",\"name\":");
    sb_json_string(sb, x->name);
    sb_puts(sb, ",\"mode\":\"train\",\"geometry\":");
    api_write_geometry(sb, j, la, last ? la : lb, geometry, 0);
    write_maneuver(sb, j, k, la, k == a, last);
    sb_puts(sb, "}");
}

/* Appends the leg from stop a to stop b (consecutive waypoints), with its steps when q asks for them. */
static void write_leg(strbuf *sb, const bogie_journey *j, size_t a, size_t b, bool first, const route_query *q)
{
    const bogie_stop *from = &j->stops[a], *to = &j->stops[b];
    sb_puts(sb, first ? "{\"distance\":" : ",{\"distance\":");
    sb_fixed(sb, (to->km - from->km) * 1000, 1);
    sb_puts(sb, ",\"duration\":");
    sb_fixed(sb, to->depart_s - from->depart_s, 1);
    sb_puts(sb, ",\"weight\":");
    sb_fixed(sb, to->depart_s - from->depart_s, 1);
    sb_puts(sb, ",\"summary\":");
    write_leg_summary(sb, j, a, b);
    sb_puts(sb, ",\"steps\":[");
    if (q->steps)
        for (size_t k = a; k <= b; k++)
            write_step(sb, j, k, a, b, q->geometry);
    sb_puts(sb, "]}");
}

/* Appends the legs: one between each pair of consecutive waypoints. */
static void write_legs(strbuf *sb, const bogie_journey *j, const route_query *q)
{
    size_t leg_start = 0, legs = 0;
    for (size_t i = 1; i < j->n_stops; i++) {
        if (!is_waypoint(&j->stops[i]))
            continue;
        write_leg(sb, j, leg_start, i, legs == 0, q);
        legs++;
        leg_start = i;
    }
}

/* Appends bogie's own JSON of the journey, without its closing newlines. */
static void write_bogie_extras(strbuf *sb, const bogie_journey *j)
{
    output_journey_json(j, sb, false);
    while (sb->len > 0 && sb->s[sb->len - 1] == '\n')
        sb->s[--sb->len] = '\0';
}

void api_route(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
               bogie_response *r)
{
    const bogie_train *t = api_train_or_answer(s, train, r);
    route_query q;
    if (!t || !read_route_coords(s, coords, &q, r) || !read_route_options(p, np, &q, r))
        return;
    bogie_journey **js;
    size_t n;
    if (!plan_route(s, t, &q, &js, &n, r))
        return;
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\",\"waypoints\":[");
    write_waypoints(&sb, js[0], &q);
    sb_puts(&sb, "],\"routes\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_puts(&sb, ",");
        write_route_totals(&sb, js[i], &q);
        sb_puts(&sb, ",\"legs\":[");
        write_legs(&sb, js[i], &q);
        sb_puts(&sb, "],\"bogie\":");
        write_bogie_extras(&sb, js[i]);
        sb_puts(&sb, "}");
    }
    sb_puts(&sb, "]}\n");
    bogie_journeys_free(js, n);
    api_set_body(r, 200, "application/json", &sb);
}

/* ----- /nearest ----- */

void api_nearest(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
                 bogie_response *r)
{
    const bogie_train *t = api_train_or_answer(s, train, r);
    if (!t)
        return;
    double lat[2], lon[2];
    size_t bad;
    if (api_parse_coords(coords, lat, lon, 1, &bad) != 1) {
        api_error_answer(r, 400, "InvalidQuery", "nearest takes one coordinate, lon,lat");
        return;
    }
    long number;
    if (!api_known_params(p, np, NEAREST_PARAMS, "/nearest/v1", r) ||
        !api_int_param(p, np, "number", 1, 1, 10, "InvalidOptions", r, &number))
        return;
    bogie_nearest_point pts[10];
    size_t n;
    bogie_diag d = {0};
    bogie_status st = bogie_nearest(s->planner, t, lat[0], lon[0], 50000, pts, (size_t)number, &n, &d);
    if (st != BOGIE_OK) {
        api_status_answer(r, st, &d);
        return;
    }
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\",\"waypoints\":[");
    for (size_t i = 0; i < n; i++) {
        sb_puts(&sb, i ? ",{\"hint\":\"\",\"name\":" : "{\"hint\":\"\",\"name\":");
        sb_json_string(&sb, pts[i].name);
        sb_puts(&sb, ",\"location\":");
        api_write_location(&sb, pts[i].lat, pts[i].lon);
        sb_puts(&sb, ",\"distance\":");
        sb_fixed(&sb, pts[i].distance_m, 1);
        sb_printf(&sb, ",\"nodes\":[%lld,%lld]}", (long long)pts[i].osm_from, (long long)pts[i].osm_to);
    }
    sb_puts(&sb, "]}\n");
    api_set_body(r, 200, "application/json", &sb);
}

/* ----- /table ----- */

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

/* Appends head, then the ns x nd matrix m by rows, null where m is negative, and the closing bracket. */
static void write_matrix(strbuf *sb, const char *head, const double *m, long ns, long nd)
{
    sb_puts(sb, head);
    for (long i = 0; i < ns; i++) {
        sb_puts(sb, i ? ",[" : "[");
        for (long k = 0; k < nd; k++) {
            if (k)
                sb_puts(sb, ",");
            if (m[i * nd + k] < 0)
                sb_puts(sb, "null");
            else
                sb_fixed(sb, m[i * nd + k], 1);
        }
        sb_puts(sb, "]");
    }
    sb_puts(sb, "]");
}

/* Appends head, then OSRM waypoints at the cnt coordinates (lat, lon) that ix picks, named as name says, and the
 * closing bracket. */
static void write_table_points(strbuf *sb, const char *head, const size_t *ix, long cnt, const double *lat,
                               const double *lon, char (*name)[128])
{
    sb_puts(sb, head);
    for (long i = 0; i < cnt; i++) {
        sb_puts(sb, i ? ",{\"hint\":\"\",\"name\":" : "{\"hint\":\"\",\"name\":");
        sb_json_string(sb, name[ix[i]]);
        sb_puts(sb, ",\"location\":");
        api_write_location(sb, lat[ix[i]], lon[ix[i]]);
        sb_puts(sb, "}");
    }
    sb_puts(sb, "]");
}

/* Reads annotations (NULL: durations only; else a comma-separated list of duration and distance) into the two
 * flags; false after answering 400 on any other item. */
static bool read_annotations(const char *ann, bool *dur, bool *dist, bogie_response *r)
{
    *dur = !ann;
    *dist = false;
    for (const char *a = ann; a;) {
        size_t len = strcspn(a, ",");
        if (len == 8 && strncmp(a, "duration", 8) == 0)
            *dur = true;
        else if (len == 8 && strncmp(a, "distance", 8) == 0)
            *dist = true;
        else {
            api_error_answer(r, 400, "InvalidOptions",
                             "annotations: \"%.*s\" is not offered; annotations must be duration, distance or "
                             "duration,distance", (int)(len < 40 ? len : 40), a);
            return false;
        }
        a = a[len] ? a + len + 1 : NULL;
    }
    return true;
}

void api_table(bogie_service *s, const char *train, const char *coords, const api_param *p, size_t np,
               bogie_response *r)
{
    const bogie_train *t = api_train_or_answer(s, train, r);
    if (!t)
        return;
    size_t cap = 2 * s->opts.max_table;
    double *lat = malloc(cap * sizeof *lat), *lon = malloc(cap * sizeof *lon);
    size_t *si = malloc(cap * sizeof *si), *di = malloc(cap * sizeof *di);
    char (*place)[48] = malloc(cap * sizeof *place);
    char (*name)[128] = malloc(cap * sizeof *name);
    const char **sp = malloc(cap * sizeof *sp), **dp = malloc(cap * sizeof *dp);
    double *dur = NULL, *dist = NULL;
    if (!lat || !lon || !si || !di || !place || !name || !sp || !dp) {
        api_error_answer(r, 503, "Overloaded", "out of memory");
        goto out;
    }
    if (!api_known_params(p, np, TABLE_PARAMS, "/table/v1", r))
        goto out;
    size_t bad;
    long n = api_parse_coords(coords, lat, lon, cap, &bad);
    if (n == -2) {
        api_error_answer(r, 400, "TooBig", "at most %zu coordinates per table", cap);
        goto out;
    }
    if (n < 1) {
        api_error_answer(r, 400, "InvalidQuery", "coordinate %zu is not lon,lat within -180..180 and -90..90", bad);
        goto out;
    }
    long ns = index_list(api_param_value(p, np, "sources"), (size_t)n, si, s->opts.max_table);
    long nd = index_list(api_param_value(p, np, "destinations"), (size_t)n, di, s->opts.max_table);
    if (ns == -2 || nd == -2) {
        api_error_answer(r, 400, "TooBig", "at most %zu sources and %zu destinations", s->opts.max_table,
                     s->opts.max_table);
        goto out;
    }
    if (ns < 0 || nd < 0) {
        api_error_answer(r, 400, "InvalidOptions", "sources and destinations must be \"all\" or indices like 0;2;5");
        goto out;
    }
    bool want_dur, want_dist;
    if (!read_annotations(api_param_value(p, np, "annotations"), &want_dur, &want_dist, r))
        goto out;
    for (long i = 0; i < n; i++)
        snprintf(place[i], sizeof place[i], "%.7f,%.7f", lat[i], lon[i]);
    for (long i = 0; i < ns; i++)
        sp[i] = place[si[i]];
    for (long i = 0; i < nd; i++)
        dp[i] = place[di[i]];
    dur = malloc((size_t)(ns * nd) * sizeof *dur);
    dist = malloc((size_t)(ns * nd) * sizeof *dist);
    if (!dur || !dist) {
        api_error_answer(r, 503, "Overloaded", "out of memory");
        goto out;
    }
    bogie_diag d = {0};
    bogie_status st = bogie_table(s->planner, t, sp, (size_t)ns, dp, (size_t)nd, s->opts.time_limit_s, dur, dist, &d);
    if (st != BOGIE_OK) {
        api_status_answer(r, st, &d);
        goto out;
    }
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\"");
    if (want_dur)
        write_matrix(&sb, ",\"durations\":[", dur, ns, nd);
    if (want_dist)
        write_matrix(&sb, ",\"distances\":[", dist, ns, nd);
    for (long i = 0; i < n; i++)
        if (bogie_place_name(s->planner, t, place[i], name[i], sizeof name[i], &d) != BOGIE_OK)
            name[i][0] = '\0';
    write_table_points(&sb, ",\"sources\":[", si, ns, lat, lon, name);
    write_table_points(&sb, ",\"destinations\":[", di, nd, lat, lon, name);
    sb_puts(&sb, ",\"bogie\":{\"measure\":");
    sb_json_string(&sb, BOGIE_TABLE_MEASURE);
    sb_puts(&sb, "}");
    sb_puts(&sb, "}\n");
    api_set_body(r, 200, "application/json", &sb);
out:
    free(lat);
    free(lon);
    free(si);
    free(di);
    free(place);
    free(name);
    free(sp);
    free(dp);
    free(dur);
    free(dist);
}
