/* journey.c: the planner, and the plan of a journey as a pipeline of stages: resolve the places, find the route,
 * lay out its track, place the stops, run the train between them, write the timetable, put it on the clock and
 * assemble the answer (each stage in its own file; journey_int.h). Also tables and nearest points. */
#include "bogie.h"

#include "journey/journey_int.h"
#include "net/network.h"
#include "route/route.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A table of this many pairs or more builds the train's contraction hierarchy first. */
#define TABLE_PREPARE_PAIRS 400

void bogie_planner_free(bogie_planner *p)
{
    if (!p)
        return;
    jy_free_names(p);
    route_base_free(&p->base);
    util_free(p->alloc, p, sizeof *p);
}

bogie_status bogie_planner_new(const bogie_network *net, const bogie_world *world, const bogie_allocator *alloc,
                               bogie_planner **out, bogie_diag *diag)
{
    *out = NULL;
    alloc = util_alloc_or_default(alloc);
    bogie_planner *p = util_calloc(alloc, 1, sizeof *p);
    if (!p)
        return util_nomem(diag, "preparing the planner");
    p->alloc = alloc;
    p->net = net;
    p->world = world;
    bogie_status rc = route_base_init(&p->base, net, world, alloc, diag);
    if (rc == BOGIE_OK)
        rc = jy_index_names(p, diag);
    if (rc != BOGIE_OK) {
        bogie_planner_free(p);
        return rc;
    }
    *out = p;
    return BOGIE_OK;
}

void bogie_journey_request_init(bogie_journey_request *r)
{
    memset(r, 0, sizeof *r);
    r->via_dwell_s = -1;
    r->snap_radius_m = 5000;
    r->field_prefix = "--";
}

/* ----- the plan ----- */

/* What the stages of a plan hand on to each other; all of it is the plan's, freed by work_free. */
typedef struct work {
    route_place places[32]; /* from, the vias, to */
    jy_via_ask vias[30];    /* what the request asks of each via */
    bogie_train train;      /* the request's, on its wheels at the start */
    size_t n_places;
    route_result route;
    jy_layout layout;
    jy_stops stops;
    jy_profile profile;
    jy_rows rows;
} work;

static void work_free(const bogie_allocator *a, work *w)
{
    VEC_FREE(a, w->rows);
    VEC_FREE(a, w->profile);
    VEC_FREE(a, w->stops);
    jy_layout_free(&w->layout);
    route_result_free(a, &w->route);
}

/* The view node the route starts from: the origin's own node, or the virtual one of a point given. */
static uint32_t origin_node(const work *w)
{
    uint32_t v = w->route.view.vnode_of_place[0];
    return v != BOGIE_NONE ? v : w->places[0].node;
}

/* Drops the via items of w's route: the train passes those places without stopping. */
static void pass_vias(work *w)
{
    size_t k = 0;
    for (size_t i = 0; i < w->route.items.n; i++)
        if (w->route.items.v[i].kind != RITEM_VIA)
            w->route.items.v[k++] = w->route.items.v[i];
    w->route.items.n = k;
}

/* Drops from j's path the points of places passed (0 in the path, but at its ends). */
static void drop_passed_points(bogie_journey *j)
{
    size_t k = 0;
    for (size_t i = 0; i < j->n_path_nodes; i++)
        if (j->path_nodes[i] != 0 || i == 0 || i + 1 == j->n_path_nodes)
            j->path_nodes[k++] = j->path_nodes[i];
    j->n_path_nodes = k;
}

/* The stages after the search: route w->route laid out, stopped at, run, timed and put on the clock into j; with
 * passing set, the vias are passed without stopping (jy_plan_places). */
static bogie_status finish(const bogie_planner *p, const bogie_journey_request *req, double deadline, work *w,
                           bool passing, bogie_journey *j, bogie_diag *diag)
{
    if (passing)
        pass_vias(w);
    const bogie_train *t = req->train;
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    /* Each stage's time goes into j->stage_s (STAGE_DONE). */
    double t0 = util_now(), t1;
#define STAGE_DONE(k) (t1 = util_now(), j->stage_s[k] += t1 - t0, t0 = t1)
    /* Layout: the route's track edge by edge, as segments with limits, a line, marks and border crossings. */
    bogie_status rc = jy_lay_out(&p->base, t, &w->route, origin_node(w), &w->layout, diag);
    STAGE_DONE(BOGIE_STAGE_LAYOUT);
    /* Stops: the origin, gauge changes, reversals, via stops and the destination; then a stop at every border. */
    if (rc == BOGIE_OK)
        rc = jy_event_stops(p->world, t, &w->route, &w->layout, w->n_places, p->alloc, &w->stops, diag);
    if (rc == BOGIE_OK)
        jy_countries_passed(p->net, jy_place_country(p->net, &w->places[0]), &w->layout, j);
    if (rc == BOGIE_OK)
        rc = jy_border_stops(p, &w->layout, &w->stops, diag);
    /* The times to leave the vias that ask for one. */
    if (rc == BOGIE_OK)
        rc = jy_via_leave_times(p, req, w->places, w->vias, &w->stops, diag);
    STAGE_DONE(BOGIE_STAGE_STOPS);
    /* Run: the physics from stop to stop, giving the times at the stops and the speed profile. */
    if (rc == BOGIE_OK)
        rc = jy_run(t, &w->layout, &w->stops, deadline, p->alloc, &w->profile, j, diag);
    if (rc == BOGIE_OK)
        rc = jy_via_check_leaves(p, req, w->places, w->vias, &w->stops, diag);
    STAGE_DONE(BOGIE_STAGE_RUN);
    /* Timetable: the stops and the stations passed between them, named. */
    if (rc == BOGIE_OK)
        rc = jy_timetable(p, &w->route.view, w->places, &w->layout, &w->stops, &w->profile, &w->rows, diag);
    STAGE_DONE(BOGIE_STAGE_TIMETABLE);
    /* Clock: countries, time zones, and UTC and local times from the departure. */
    if (rc == BOGIE_OK)
        rc = jy_put_on_clock(p, req, pre, &w->rows, j, diag);
    STAGE_DONE(BOGIE_STAGE_CLOCK);
    /* Result: the line, the thinned profile, the path and the timetable into j, and warnings about the data. */
    if (rc == BOGIE_OK)
        rc = jy_fill_journey(p->net, &w->layout, &w->profile, &w->rows, j, diag);
    if (rc == BOGIE_OK)
        jy_warn_about_data(t, &w->route, &w->layout, w->places, w->n_places, j);
    if (rc == BOGIE_OK && passing)
        drop_passed_points(j);
    STAGE_DONE(BOGIE_STAGE_RESULT);
    /* Sightings: the journey re-timed to pass each at its time, with the arrival's band. */
    if (rc == BOGIE_OK)
        rc = jy_retime(p, req, pre, j, diag);
    STAGE_DONE(BOGIE_STAGE_RETIME);
#undef STAGE_DONE
    return rc;
}

/* A new journey for train t in *out (allocated with p->alloc; bogie_journey_free frees it). */
static bogie_status new_journey(const bogie_planner *p, const bogie_train *t, bogie_journey **out, bogie_diag *diag)
{
    bogie_journey *j = *out = util_calloc(p->alloc, 1, sizeof *j);
    if (!j)
        return util_nomem(diag, "planning the journey");
    j->alloc = p->alloc;
    snprintf(j->train, sizeof j->train, "%s", t->name);
    util_strlcpy_utf8(j->train_title, t->title, sizeof j->train_title);
    return BOGIE_OK;
}

/* Turns routes res[0 .. n) (taken over, and freed, here) into journeys js[0 ..), counting them in *n_js; w holds
 * the places and train they share. An alternative the request cannot be fitted to (a sighting off its route) is
 * left out; the first route's failure is the plan's. */
static bogie_status plan_routes(const bogie_planner *p, const bogie_journey_request *req, double deadline, work *w,
                                bool passing, route_result *res, const double *shared, size_t n, bool searched,
                                bogie_journey **js, size_t *n_js, bogie_diag *diag)
{
    bogie_status rc = BOGIE_OK;
    for (size_t i = 0; i < n; i++) {
        bogie_journey *j = NULL;
        if (rc == BOGIE_OK)
            rc = new_journey(p, req->train, &j, diag);
        if (rc != BOGIE_OK) {
            route_result_free(p->alloc, &res[i]);
            continue;
        }
        j->weight_s = res[i].cost_s;
        j->shared = shared[i];
        jy_note_start_wheels(req, &w->places[0], &res[i], j);
        w->route = res[i];
        bogie_diag mine = {0};
        rc = finish(p, req, deadline, w, passing, j, i == 0 ? diag : &mine);
        if (rc == BOGIE_OK && i == 0 && !searched)
            jy_warn(j, "alternative routes are searched for between two places (stations, or points on different "
                       "tracks) with nothing avoided; this journey "
                       "has one route");
        if (rc == BOGIE_ERR_ARG && i > 0) {
            bogie_journey_free(j);
            rc = BOGIE_OK;
        } else if (rc != BOGIE_OK && i > 0) {
            bogie_journey_free(j);
            if (diag)
                *diag = mine;
        } else {
            js[(*n_js)++] = j;
        }
        work_free(p->alloc, w);
        memset(&w->route, 0, sizeof w->route);
        memset(&w->layout, 0, sizeof w->layout);
        memset(&w->stops, 0, sizeof w->stops);
        memset(&w->profile, 0, sizeof w->profile);
        memset(&w->rows, 0, sizeof w->rows);
        w->layout.a = p->alloc;
    }
    return rc;
}

/* When the train cannot run the fastest route (the physics refuses it: a grade too steep for its effort, say, as
 * refused with BOGIE_ERR_ARG and *refused), the fastest of the alternatives it can run, planned into *out (the
 * caller's to free) with a warning that names the refusal; BOGIE_ERR_ARG, *out NULL, when there is none, or the
 * request allows no alternatives (two places, nothing avoided). */
static bogie_status plan_runnable(const bogie_planner *p, const bogie_journey_request *req, work *w, double deadline,
                                  const bogie_diag *refused, bogie_journey **out)
{
    *out = NULL;
    route_result res[BOGIE_MAX_ALTERNATIVES];
    double shared[BOGIE_MAX_ALTERNATIVES];
    size_t n = 0;
    bool searched = false;
    bogie_diag mine = {0};
    bogie_status rc = jy_search(p, req, w->vias, &w->train, w->places, w->n_places, deadline, BOGIE_MAX_ALTERNATIVES,
                                res, shared, &n, &searched, &mine);
    if (rc != BOGIE_OK)
        return BOGIE_ERR_ARG;
    route_result_free(p->alloc, &res[0]); /* the route refused */
    for (size_t i = 1; i < n; i++) {
        bogie_journey *j = NULL;
        size_t n_j = 0;
        double none = 0;
        rc = *out ? BOGIE_ERR_ARG : plan_routes(p, req, deadline, w, false, &res[i], &none, 1, true, &j, &n_j, &mine);
        if (*out) {
            route_result_free(p->alloc, &res[i]);
            continue;
        }
        if (rc == BOGIE_OK && n_j == 1) {
            jy_warn(j, "this is the fastest route the train can run; a faster one was refused, as the next note "
                       "says (in that route's km)");
            jy_warn(j, "%s", refused->message);
            *out = j;
        } else {
            bogie_journey_free(j);
        }
    }
    return *out ? BOGIE_OK : BOGIE_ERR_ARG;
}

/* The stages from the places on, for w's places (resolved, w->n_places of them): the wheels at the start, the search
 * (and up to max - 1 alternatives), then each route planned into js[0 .. *n_js), as plan_routes does, with passing
 * as there. t0 is when the plan began: the places' and the search's times go into every journey's stage_s. */
static bogie_status search_and_plan(const bogie_planner *p, const bogie_journey_request *req, work *w, size_t max,
                                    bool passing, double t0, double deadline, bogie_journey **js, size_t *n_js,
                                    bogie_diag *diag)
{
    bogie_status rc = jy_start_wheels(p, req, &w->places[0], &w->train, diag);
    double t_places = util_now() - t0;
    route_result res[BOGIE_MAX_ALTERNATIVES];
    double shared[BOGIE_MAX_ALTERNATIVES];
    size_t n = 0;
    bool searched = false;
    if (rc == BOGIE_OK)
        rc = jy_search(p, req, w->vias, &w->train, w->places, w->n_places, deadline, max, res, shared, &n, &searched,
                       diag);
    double t_search = util_now() - t0 - t_places;
    /* Then each route: its layout, stops, run, timetable and clock. */
    if (rc == BOGIE_OK)
        rc = plan_routes(p, req, deadline, w, passing, res, shared, n, passing || searched || max < 2, js, n_js,
                         diag);
    /* A route the train cannot run is no answer where another one exists. */
    bogie_journey *other = NULL;
    if (rc == BOGIE_ERR_ARG && max == 1 && !passing && *n_js == 1 && diag &&
        plan_runnable(p, req, w, deadline, diag, &other) == BOGIE_OK) {
        bogie_journey_free(js[0]);
        js[0] = other;
        rc = BOGIE_OK;
    }
    /* The places and the search are shared by every route (each journey's stage_s says so). */
    for (size_t i = 0; i < *n_js; i++) {
        js[i]->stage_s[BOGIE_STAGE_PLACES] = t_places;
        js[i]->stage_s[BOGIE_STAGE_SEARCH] = t_search;
    }
    return rc;
}

/* Plans the fastest journey for req and, when max > 1, up to max - 1 alternatives into js[0 .. *n_js) (room for
 * max; each the caller's to free with bogie_journey_free, also after a failure). */
static bogie_status plan(const bogie_planner *p, const bogie_journey_request *req, size_t max, bogie_journey **js,
                         size_t *n_js, bogie_diag *diag)
{
    *n_js = 0;
    if (!req->train)
        return util_fail(diag, BOGIE_ERR_ARG, "a journey needs a train");
    if (req->n_via > 30)
        return util_fail(diag, BOGIE_ERR_ARG, "at most 30 via points");
    /* The time limit counts from here, for the search and the physics alike. */
    double t0 = util_now(), deadline = req->time_limit_s > 0 ? t0 + req->time_limit_s : 0;
    work w;
    memset(&w, 0, sizeof w);
    w.layout.a = p->alloc;
    /* Places: from, every via (with the stop it asks for) and to, each a station or a point snapped to track. */
    bogie_status rc = jy_via_asks(req, w.vias, diag);
    if (rc == BOGIE_OK)
        rc = jy_resolve_places(p, req, w.vias, w.places, &w.n_places, diag);
    /* Search: the fastest route through them that the train, on its wheels at the start, can run, avoiding what the
     * request avoids; and the alternatives asked for; then each route's stages. */
    if (rc == BOGIE_OK)
        rc = search_and_plan(p, req, &w, max, false, t0, deadline, js, n_js, diag);
    work_free(p->alloc, &w);
    return rc;
}

bogie_status jy_plan_places(const bogie_planner *p, const bogie_journey_request *req, const route_place *places,
                            size_t np, bogie_journey **out, bogie_diag *diag)
{
    *out = NULL;
    if (np < 2 || np > 32)
        return util_fail(diag, BOGIE_ERR_ARG, "a journey goes through 2 to 32 places");
    if (!req->train)
        return util_fail(diag, BOGIE_ERR_ARG, "a journey needs a train");
    double t0 = util_now(), deadline = req->time_limit_s > 0 ? t0 + req->time_limit_s : 0;
    work w;
    memset(&w, 0, sizeof w);
    w.layout.a = p->alloc;
    memcpy(w.places, places, np * sizeof *places);
    w.n_places = np;
    for (size_t i = 0; i < sizeof w.vias / sizeof w.vias[0]; i++)
        w.vias[i].dwell_s = -1; /* passed: no via asks for a stop */
    bogie_journey *j = NULL;
    size_t n_js = 0;
    bogie_status rc = search_and_plan(p, req, &w, 1, true, t0, deadline, &j, &n_js, diag);
    work_free(p->alloc, &w);
    if (rc != BOGIE_OK || n_js != 1) {
        bogie_journey_free(j);
        return rc != BOGIE_OK ? rc : util_fail(diag, BOGIE_ERR_NOT_FOUND, "no route through the places");
    }
    *out = j;
    return BOGIE_OK;
}

bogie_status bogie_plan(const bogie_planner *p, const bogie_journey_request *req, bogie_journey **out,
                        bogie_diag *diag)
{
    *out = NULL;
    size_t n = 0;
    bogie_journey *j = NULL;
    bogie_status rc = plan(p, req, 1, &j, &n, diag);
    if (rc != BOGIE_OK) {
        bogie_journey_free(j);
        return rc;
    }
    *out = j;
    return BOGIE_OK;
}

bogie_status bogie_plan_alternatives(const bogie_planner *p, const bogie_journey_request *req, size_t max,
                                     bogie_journey ***out, size_t *n_out, bogie_diag *diag)
{
    *out = NULL;
    *n_out = 0;
    if (max < 1 || max > BOGIE_MAX_ALTERNATIVES)
        return util_fail(diag, BOGIE_ERR_ARG, "alternatives: from 1 to %d routes", BOGIE_MAX_ALTERNATIVES);
    bogie_journey *js[BOGIE_MAX_ALTERNATIVES] = {NULL};
    size_t n = 0;
    bogie_status rc = plan(p, req, max, js, &n, diag);
    bogie_journey **list = rc == BOGIE_OK ? util_malloc(p->alloc, n * sizeof *list) : NULL;
    if (rc == BOGIE_OK && !list)
        rc = util_nomem(diag, "planning the journeys");
    if (rc != BOGIE_OK) {
        for (size_t i = 0; i < n; i++)
            bogie_journey_free(js[i]);
        return rc;
    }
    memcpy(list, js, n * sizeof *list);
    *out = list;
    *n_out = n;
    return BOGIE_OK;
}

void bogie_journeys_free(bogie_journey **js, size_t n)
{
    if (!js || n == 0)
        return;
    const bogie_allocator *a = js[0]->alloc;
    for (size_t i = 0; i < n; i++)
        bogie_journey_free(js[i]);
    util_free(a, js, n * sizeof *js);
}

/* ----- nearest points and tables ----- */

bogie_status bogie_nearest(const bogie_planner *p, const bogie_train *t, double lat, double lon, double radius_m,
                           bogie_nearest_point *out, size_t max, size_t *n_out, bogie_diag *diag)
{
    *n_out = 0;
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
        return util_fail(diag, BOGIE_ERR_ARG, "%g,%g: not a position on Earth", lat, lon);
    route_place pl[16];
    size_t n = 0;
    bogie_status rc = route_snap_n(&p->base, t, lat, lon, radius_m, pl, max < 16 ? max : 16, &n, diag);
    if (rc != BOGIE_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const net_edge *e = &p->net->edges[pl[i].edge];
        bogie_nearest_point *o = &out[i];
        memset(o, 0, sizeof *o);
        o->lat = pl[i].lat;
        o->lon = pl[i].lon;
        o->distance_m = pl[i].snap_m;
        o->osm_from = p->net->node_osm[e->from];
        o->osm_to = p->net->node_osm[e->to];
        util_strlcpy_utf8(o->name, net_str(p->net, p->net->classes[e->cls].name), sizeof o->name);
    }
    *n_out = n;
    return BOGIE_OK;
}

/* Whether trains a and b start on the same wheels (the rest of them being one train's). */
static bool same_wheels(const bogie_train *a, const bogie_train *b)
{
    return a->n_gauges == b->n_gauges && memcmp(a->gauges, b->gauges, a->n_gauges * sizeof *a->gauges) == 0;
}

/* Whether every place of a[0 .. na) and b[0 .. nb) is a station (where route_matrix uses a hierarchy). */
static bool all_stations(const route_place *a, size_t na, const route_place *b, size_t nb)
{
    for (size_t i = 0; i < na + nb; i++)
        if ((i < na ? &a[i] : &b[i - na])->is_point)
            return false;
    return true;
}

/* The table's rows, from sources src[0 .. ns) to dst[0 .. nd), into dur and len (row-major; INFINITY without a
 * route): the sources are taken in groups that start on the same wheels (jy_train_at, as bogie_plan does), one
 * matrix per group. A group of TABLE_PREPARE_PAIRS pairs or more builds its train's hierarchy first: the train's
 * own always (as before), another only when every place is a station, where the matrix can use it. */
static bogie_status table_rows(const bogie_planner *p, const bogie_train *t, const route_place *src, size_t ns,
                               const route_place *dst, size_t nd, double deadline, double *dur, double *len,
                               bogie_diag *diag)
{
    const bogie_allocator *a = p->alloc;
    size_t cells = ns * nd > 0 ? ns * nd : 1;
    uint8_t *done = util_calloc(a, ns ? ns : 1, 1);
    size_t *ix = util_malloc(a, (ns ? ns : 1) * sizeof *ix);
    route_place *group = util_malloc(a, (ns ? ns : 1) * sizeof *group);
    double *gd = util_malloc(a, cells * sizeof *gd), *gl = util_malloc(a, cells * sizeof *gl);
    bogie_status rc = done && ix && group && gd && gl ? BOGIE_OK : util_nomem(diag, "computing a table");
    for (size_t i = 0; rc == BOGIE_OK && i < ns; i++) {
        if (done[i])
            continue;
        bogie_train ti, tk;
        jy_train_at(p->net, t, &src[i], &ti);
        size_t m = 0;
        for (size_t k = i; k < ns; k++) {
            if (done[k] || (jy_train_at(p->net, t, &src[k], &tk), !same_wheels(&ti, &tk)))
                continue;
            done[k] = 1;
            ix[m] = k;
            group[m++] = src[k];
        }
        if (m * nd >= TABLE_PREPARE_PAIRS && (same_wheels(&ti, t) || all_stations(group, m, dst, nd)))
            rc = route_prepare(&p->base, &ti, diag);
        if (rc == BOGIE_OK)
            rc = route_matrix(&p->base, &ti, group, m, dst, nd, deadline, gd, gl, diag);
        for (size_t r = 0; rc == BOGIE_OK && r < m; r++) {
            memcpy(&dur[ix[r] * nd], &gd[r * nd], nd * sizeof *dur);
            memcpy(&len[ix[r] * nd], &gl[r * nd], nd * sizeof *len);
        }
    }
    util_free(a, done, ns ? ns : 1);
    util_free(a, ix, (ns ? ns : 1) * sizeof *ix);
    util_free(a, group, (ns ? ns : 1) * sizeof *group);
    util_free(a, gd, cells * sizeof *gd);
    util_free(a, gl, cells * sizeof *gl);
    return rc;
}

bogie_status bogie_table(const bogie_planner *p, const bogie_train *t, const char *const *sources, size_t ns,
                         const char *const *destinations, size_t nd, double time_limit_s, double *durations,
                         double *distances, bogie_diag *diag)
{
    const bogie_allocator *a = p->alloc;
    route_place *src = util_calloc(a, ns ? ns : 1, sizeof *src), *dst = util_calloc(a, nd ? nd : 1, sizeof *dst);
    bogie_status rc = src && dst ? BOGIE_OK : util_nomem(diag, "computing a table");
    for (size_t i = 0; rc == BOGIE_OK && i < ns; i++)
        rc = jy_resolve_place(p, t, "sources", sources[i], 5000, &src[i], diag);
    for (size_t i = 0; rc == BOGIE_OK && i < nd; i++)
        rc = jy_resolve_place(p, t, "destinations", destinations[i], 5000, &dst[i], diag);
    double deadline = time_limit_s > 0 ? util_now() + time_limit_s : 0;
    double *len = distances ? distances : util_malloc(a, (ns * nd > 0 ? ns * nd : 1) * sizeof *len);
    if (rc == BOGIE_OK && !len)
        rc = util_nomem(diag, "computing a table");
    if (rc == BOGIE_OK)
        rc = table_rows(p, t, src, ns, dst, nd, deadline, durations, len, diag);
    for (size_t i = 0; rc == BOGIE_OK && i < ns * nd; i++)
        if (isinf(durations[i]))
            durations[i] = len[i] = -1;
    if (len && len != distances)
        util_free(a, len, (ns * nd > 0 ? ns * nd : 1) * sizeof *len);
    util_free(a, src, (ns ? ns : 1) * sizeof *src);
    util_free(a, dst, (nd ? nd : 1) * sizeof *dst);
    return rc;
}

bogie_status bogie_place_name(const bogie_planner *p, const bogie_train *t, const char *place, char *name,
                              size_t size, bogie_diag *diag)
{
    route_place pl;
    if (size)
        name[0] = '\0';
    bogie_status rc = jy_resolve_place(p, t, "place", place, 5000, &pl, diag);
    if (rc == BOGIE_OK && !pl.is_point && size)
        util_strlcpy_utf8(name, pl.label, size);
    return rc;
}

bogie_status bogie_planner_prepare(const bogie_planner *p, const bogie_train *train, bogie_diag *diag)
{
    return route_prepare(&p->base, train, diag);
}
