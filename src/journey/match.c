/* match.c: map matching (bogie_match): a hidden Markov model over the points of track a train can run near each
 * point of a trace (Newson and Krumm 2009), solved by Viterbi; the trace split into matchings where nothing joins
 * it; each matching planned as a journey through its matched points and compared with the trace section by
 * section (docs/journeys.md, "Map matching"). */
#include "journey/journey_int.h"

#include "base/geo.h"
#include "net/network.h"
#include "ref/tz.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Candidates kept per trace point, nearest first (one search from each reaches all of the next point's: at most
 * 31). */
#define MATCH_MAX_CAND 24
/* Places a matching's journey may be sent through besides its ends (the planner takes 32 in all). */
#define MATCH_MAX_VIAS 30
/* A transition's route may be longer than twice the great-circle distance plus the two radii by this much before
 * the search gives up on it, metres. */
#define MATCH_SLACK_M 1000.0
/* How many times likelier a pick must make its trace point than the route does for the route to be sent through
 * it (assumed: a likelihood ratio of 100, 2 sigma^2 ln 100 apart in squared distance). */
#define MATCH_OFF_ROUTE_RATIO 100.0
/* Journeys planned for one matching while looking for the places to send it through, at most. */
#define MATCH_MAX_TRIES 64
/* Two points at a station this far apart in time, seconds, are the train standing there (assumed: a minute). */
#define MATCH_STAND_S 60.0
/* Times are interpolated at a section's ends only this far beyond the matched points, metres. */
#define MATCH_EXTRAPOLATE_M 50.0

/* A candidate: a point of track, as route_place has it (mplace() makes the place), in 40 bytes. */
typedef struct mcand {
    uint32_t edge, seg;
    double offset_m, seg_frac, lat, lon;
} mcand;

/* One step of the model: a trace point kept for it, with its candidates and their Viterbi scores. */
typedef struct mstep {
    size_t point;                      /* index into the trace */
    size_t n;                          /* candidates */
    mcand c[MATCH_MAX_CAND];
    double score[MATCH_MAX_CAND];      /* the best log-probability of a path ending here */
    uint8_t back[MATCH_MAX_CAND];      /* its candidate at the step before */
    double route_m[MATCH_MAX_CAND];    /* the route's length from there */
    double gc_m;                       /* great-circle distance from the step before's point */
    bool start;                        /* a matching starts here */
    bool dropped;                      /* no route reaches it: left out */
    size_t pick;                       /* the candidate Viterbi chose */
} mstep;

typedef struct mwork {
    const bogie_planner *p;
    const bogie_match_request *req;
    bogie_train any_wheels;            /* the train on any of its gauges, for the transitions */
    double radius, sigma, beta, deadline;
    VEC(mstep) steps;
    size_t *n_cand;                    /* per trace point: candidates within its radius */
    bogie_match_result *m;
} mwork;

void bogie_match_request_init(bogie_match_request *r)
{
    memset(r, 0, sizeof *r);
    r->radius_m = 50;
    r->sigma_m = 20;
    r->beta_m = 50;
    r->split_gaps = false;
    r->max_gap_s = 600;
}

static double radius_of(const mwork *w, size_t i)
{
    return w->req->radii && w->req->radii[i] > 0 ? w->req->radii[i] : w->radius;
}

/* The train as it may be anywhere on its way: with every gauge it runs on or changes to as its own, so that the
 * transitions after a gauge change start on the wheels it has there. */
static void any_wheels(const bogie_train *t, bogie_train *out)
{
    *out = *t;
    for (size_t i = 0; t->change != BOGIE_CHANGE_NONE && i < t->n_change_to; i++) {
        bool have = false;
        for (size_t g = 0; g < out->n_gauges; g++)
            have |= out->gauges[g] == t->change_to[i];
        if (!have && out->n_gauges < BOGIE_MAX_TRAIN_GAUGES)
            out->gauges[out->n_gauges++] = t->change_to[i];
    }
}

/* ----- candidates and the steps ----- */

/* Candidate c of trace point i as a place on the track (its distance from the trace is the emission's, not the
 * place's). */
static void mplace(const mcand *c, size_t i, route_place *out)
{
    memset(out, 0, sizeof *out);
    out->is_point = true;
    out->station = BOGIE_NONE;
    out->node = BOGIE_NONE;
    out->edge = c->edge;
    out->offset_m = c->offset_m;
    out->seg = c->seg;
    out->seg_frac = c->seg_frac;
    out->lat = c->lat;
    out->lon = c->lon;
    snprintf(out->label, sizeof out->label, "trace point %zu", i + 1);
}

/* The place of step k's pick. */
static void pick_place(const mwork *w, size_t k, route_place *out)
{
    const mstep *st = &w->steps.v[k];
    mplace(&st->c[st->pick], st->point, out);
}

/* The candidates of trace point i into *st (none when no track is within its radius). */
static bogie_status candidates(mwork *w, size_t i, mstep *st, bogie_diag *diag)
{
    const bogie_trace_point *pt = &w->req->points[i];
    memset(st, 0, sizeof *st);
    st->point = i;
    bogie_diag quiet;
    route_place pl[MATCH_MAX_CAND];
    bogie_status rc = route_snap_n(&w->p->base, w->req->train, pt->lat, pt->lon, radius_of(w, i), pl,
                                   MATCH_MAX_CAND, &st->n, &quiet);
    if (rc == BOGIE_ERR_NOT_FOUND) {
        st->n = 0;
        return BOGIE_OK;
    }
    if (rc != BOGIE_OK)
        return util_fail(diag, rc, "%s", quiet.message);
    for (size_t k = 0; k < st->n; k++)
        st->c[k] = (mcand){pl[k].edge, pl[k].seg, pl[k].offset_m, pl[k].seg_frac, pl[k].lat, pl[k].lon};
    return BOGIE_OK;
}

/* The steps of the model: every point with candidates that lies at least 2 sigma from the step before (Newson and
 * Krumm drop the points between, whose noise would dominate), and the last such point. */
static bogie_status make_steps(mwork *w, bogie_diag *diag)
{
    const bogie_match_request *q = w->req;
    const bogie_allocator *a = w->p->alloc;
    mstep st;
    size_t last_with = SIZE_MAX;
    for (size_t i = 0; i < q->n_points; i++) {
        bogie_status rc = candidates(w, i, &st, diag);
        if (rc != BOGIE_OK)
            return rc;
        w->n_cand[i] = st.n;
        if (st.n == 0)
            continue;
        last_with = i;
        const mstep *prev = w->steps.n ? &w->steps.v[w->steps.n - 1] : NULL;
        if (prev) {
            const bogie_trace_point *pp = &q->points[prev->point];
            st.gc_m = geo_distance_m(pp->lat, pp->lon, q->points[i].lat, q->points[i].lon);
            if (st.gc_m < 2 * w->sigma)
                continue;
        }
        if (VEC_PUSH(a, w->steps, st) != 0)
            return util_nomem(diag, "matching the trace");
    }
    /* The last point with candidates ends the trace even when it is near the step before. */
    if (last_with != SIZE_MAX && w->steps.n && w->steps.v[w->steps.n - 1].point != last_with) {
        bogie_status rc = candidates(w, last_with, &st, diag);
        const bogie_trace_point *pp = &q->points[w->steps.v[w->steps.n - 1].point];
        st.gc_m = geo_distance_m(pp->lat, pp->lon, q->points[last_with].lat, q->points[last_with].lon);
        if (rc == BOGIE_OK && VEC_PUSH(a, w->steps, st) != 0)
            rc = util_nomem(diag, "matching the trace");
        if (rc != BOGIE_OK)
            return rc;
    }
    return BOGIE_OK;
}

/* ----- the transitions and Viterbi ----- */

/* The lengths of the shortest routes the train may run from candidate a of step pr (either way out of it) to each
 * candidate of step st, within bound metres, into len (INFINITY where there is none within it): one bounded
 * search. */
static bogie_status routes_from(const mwork *w, const mstep *pr, size_t a, const mstep *st, double bound,
                                double *len, bogie_diag *diag)
{
    route_place pl[32];
    size_t n = st->n;
    mplace(&pr->c[a], pr->point, &pl[0]);
    for (size_t k = 0; k < n; k++)
        mplace(&st->c[k], st->point, &pl[k + 1]);
    route_query q;
    memset(&q, 0, sizeof q);
    q.base = &w->p->base;
    q.train = &w->any_wheels;
    q.places = pl;
    q.n_places = n + 1;
    q.by_length = true;
    q.max_cost = bound;
    q.deadline = w->deadline;
    bogie_status rc = route_reach(&q, len, diag);
    for (size_t k = 0; rc == BOGIE_OK && k < n; k++)
        if (pr->c[a].edge == st->c[k].edge && pr->c[a].offset_m == st->c[k].offset_m)
            len[k] = 0;
    return rc;
}

/* The emission's log-probability (up to a constant) of candidate c for trace point pt: Gaussian in the distance. */
static double emission(const mwork *w, const bogie_trace_point *pt, const mcand *c)
{
    double d = geo_distance_m(pt->lat, pt->lon, c->lat, c->lon) / w->sigma;
    return -0.5 * d * d;
}

static void start_here(const mwork *w, mstep *st)
{
    st->start = true;
    for (size_t k = 0; k < st->n; k++) {
        st->score[k] = emission(w, &w->req->points[st->point], &st->c[k]);
        st->back[k] = UINT8_MAX;
        st->route_m[k] = 0;
    }
}

/* Scores step st from step pr (the last one kept before it); returns whether any transition exists. */
static bogie_status advance(const mwork *w, const mstep *pr, mstep *st, bool *reached, bogie_diag *diag)
{
    const bogie_trace_point *pp = &w->req->points[pr->point], *pt = &w->req->points[st->point];
    st->gc_m = geo_distance_m(pp->lat, pp->lon, pt->lat, pt->lon);
    double bound = 2 * st->gc_m + radius_of(w, pr->point) + radius_of(w, st->point) + MATCH_SLACK_M;
    *reached = false;
    for (size_t k = 0; k < st->n; k++) {
        st->score[k] = -INFINITY;
        st->back[k] = UINT8_MAX;
        st->route_m[k] = INFINITY;
    }
    for (size_t i = 0; i < pr->n; i++) {
        if (isinf(pr->score[i]))
            continue;
        double d[MATCH_MAX_CAND];
        bogie_status rc = routes_from(w, pr, i, st, bound, d, diag);
        if (rc != BOGIE_OK)
            return rc;
        for (size_t k = 0; k < st->n; k++) {
            double sc = isinf(d[k]) ? -INFINITY : pr->score[i] - fabs(d[k] - st->gc_m) / w->beta;
            if (sc > st->score[k]) {
                st->score[k] = sc;
                st->back[k] = (uint8_t)i;
                st->route_m[k] = d[k];
            }
        }
    }
    for (size_t k = 0; k < st->n; k++)
        if (!isinf(st->score[k])) {
            st->score[k] += emission(w, pt, &st->c[k]);
            *reached = true;
        }
    return BOGIE_OK;
}

/* Whether the trace has no point for more than max_gap_s somewhere between the points of pr and st while the train
 * moved (gaps=split): two consecutive points that far apart in time and more than 2 sigma apart on the ground. A
 * train standing at a station, with a point on arriving and one on leaving, leaves no gap. */
static bool gap_between(const mwork *w, const mstep *pr, const mstep *st)
{
    const bogie_match_request *q = w->req;
    if (!q->split_gaps || !q->points[0].has_time)
        return false;
    for (size_t i = pr->point + 1; i <= st->point; i++) {
        const bogie_trace_point *a = &q->points[i - 1], *b = &q->points[i];
        if ((double)(b->time_utc - a->time_utc) > q->max_gap_s &&
            geo_distance_m(a->lat, a->lon, b->lat, b->lon) > 2 * w->sigma)
            return true;
    }
    return false;
}

/* Viterbi over the steps: a step no route reaches is dropped (a point off the track the train runs), and two in a
 * row, or a gap, start a new matching. */
static bogie_status viterbi(mwork *w, bogie_diag *diag)
{
    size_t prev = SIZE_MAX, misses = 0;
    for (size_t k = 0; k < w->steps.n; k++) {
        if (w->deadline > 0 && util_now() > w->deadline)
            return util_fail(diag, BOGIE_ERR_CANCELLED, "matching the trace took longer than its time limit");
        mstep *st = &w->steps.v[k];
        bool reached = false;
        if (prev != SIZE_MAX && !gap_between(w, &w->steps.v[prev], st)) {
            bogie_status rc = advance(w, &w->steps.v[prev], st, &reached, diag);
            if (rc != BOGIE_OK)
                return rc;
        }
        if (!reached && prev != SIZE_MAX && !gap_between(w, &w->steps.v[prev], st) && misses == 0) {
            st->dropped = true;
            misses++;
            continue;
        }
        if (!reached)
            start_here(w, st);
        misses = 0;
        prev = k;
    }
    return BOGIE_OK;
}

/* Follows the back pointers of the matching that ends at step e (kept, not dropped) to its start; returns the
 * start's index. */
static size_t backtrack(mwork *w, size_t e)
{
    mstep *st = &w->steps.v[e];
    size_t best = 0;
    for (size_t k = 1; k < st->n; k++)
        if (st->score[k] > st->score[best])
            best = k;
    size_t k = e;
    for (;;) {
        w->steps.v[k].pick = best;
        if (w->steps.v[k].start)
            return k;
        best = w->steps.v[k].back[best];
        do
            k--;
        while (w->steps.v[k].dropped);
    }
}

/* ----- the journey of a matching ----- */

/* The local distance from (lat, lon) to the segment a-b (degrees), and the fraction along it of the nearest point. */
static double segment_distance(double lat, double lon, const double a[2], const double b[2], double *u)
{
    double kx = GEO_EARTH_RADIUS_M * (M_PI / 180) * cos(lat * (M_PI / 180)), ky = GEO_EARTH_RADIUS_M * (M_PI / 180);
    double ax = (a[1] - lon) * kx, ay = (a[0] - lat) * ky, bx = (b[1] - lon) * kx, by = (b[0] - lat) * ky;
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? -(ax * dx + ay * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    *u = t;
    double x = ax + t * dx, y = ay + t * dy;
    return sqrt(x * x + y * y);
}

/* The point of j's line nearest to (lat, lon) among the segments from *seg on that start within window_km of *km
 * (of equally near ones, within a metre, the earliest not behind *km): its distance, and into *km and *seg where
 * it is. */
static double nearest_on_line(const bogie_journey *j, double lat, double lon, double window_km, size_t *seg,
                              double *km, double *plat, double *plon)
{
    double best = INFINITY, from_km = *km, limit = *km + window_km;
    bool best_behind = false;
    for (size_t i = *seg; i + 1 < j->n_line && j->line_km[i] <= limit; i++) {
        double u, d = segment_distance(lat, lon, j->line[i], j->line[i + 1], &u);
        double at = j->line_km[i] + u * (j->line_km[i + 1] - j->line_km[i]);
        /* Where the route runs back over itself (a reversal), of two places as near, the one behind the last is on
         * the other pass. */
        bool behind = at < from_km - 0.001;
        if (d < best - 1.0 || (d <= best + 1.0 && best_behind && !behind)) {
            best_behind = behind;
            best = d;
            *seg = i;
            *km = at;
            *plat = j->line[i][0] + u * (j->line[i + 1][0] - j->line[i][0]);
            *plon = j->line[i][1] + u * (j->line[i + 1][1] - j->line[i][1]);
        }
    }
    if (j->n_line == 1) {
        best = geo_distance_m(lat, lon, j->line[0][0], j->line[0][1]);
        *km = 0, *plat = j->line[0][0], *plon = j->line[0][1];
    }
    return best;
}

/* The first step of [from, e] (of the matching [s, e]) whose trace point j's route explains much worse than its
 * pick does: the Gaussian of the emission at the distance to the route's line MATCH_OFF_ROUTE_RATIO times less
 * likely than at the distance to the pick (parallel tracks a few metres apart explain a point about equally well,
 * so noise alone sends the route through nothing), or SIZE_MAX when there is none. */
static size_t first_off_route(const mwork *w, const bogie_journey *j, size_t s, size_t from, size_t e)
{
    size_t seg = 0;
    double km = 0;
    for (size_t k = s; k <= e; k++) {
        const mstep *st = &w->steps.v[k];
        if (st->dropped)
            continue;
        const bogie_trace_point *pt = &w->req->points[st->point];
        const mcand *c = &st->c[st->pick];
        double window = (k == s ? 0 : st->route_m[st->pick]) / 1000 + 2.0, la, lo;
        double to_pick = geo_distance_m(pt->lat, pt->lon, c->lat, c->lon);
        double to_route = nearest_on_line(j, pt->lat, pt->lon, window, &seg, &km, &la, &lo);
        if (k >= from && (to_route * to_route - to_pick * to_pick) / (2 * w->sigma * w->sigma) >
                             log(MATCH_OFF_ROUTE_RATIO))
            return k;
    }
    return SIZE_MAX;
}

/* An end of the journey: the station within 300 m of the pick of step k, else that point itself. */
static void journey_end(const mwork *w, size_t k, route_place *out)
{
    const mstep *st = &w->steps.v[k];
    const mcand *c = &st->c[st->pick];
    if (!jy_station_at(w->p, w->req->train, c->lat, c->lon, out))
        pick_place(w, k, out);
}

/* Writes time t (UTC seconds) as ISO 8601 in UTC into buf. */
static void iso_utc(int64_t t, char *buf, size_t size)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - days * 86400;
    int y, mo, d;
    tz_civil_from_days(days, &y, &mo, &d);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, (int)(sec / 3600), (int)(sec / 60 % 60),
             (int)(sec % 60));
}

/* The wheels the train has at place pl: 0 (its own, or at a station whatever fits there, as bogie_plan decides) but
 * on open track that none of its own gauges fits, where it must have changed to one that does before (a matching
 * that starts after a gauge change). */
static uint16_t wheels_at(const mwork *w, const route_place *pl)
{
    const bogie_train *t = w->req->train;
    if (!pl->is_point)
        return 0;
    const net_class *c = &w->p->net->classes[w->p->net->edges[pl->edge].cls];
    for (size_t g = 0; g < t->n_gauges; g++)
        if (route_gauge_ok(c, t->gauges[g]))
            return 0;
    for (size_t g = 0; t->change != BOGIE_CHANGE_NONE && g < t->n_change_to; g++)
        if (route_gauge_ok(c, t->change_to[g]))
            return t->change_to[g];
    return 0;
}

/* Plans the journey of the matching [s, e] through places pl[0 .. n), departing at depart (or without a clock). */
static bogie_status plan_through(const mwork *w, const route_place *pl, size_t n, const char *depart,
                                 bogie_journey **out, bogie_diag *diag)
{
    bogie_journey_request r;
    bogie_journey_request_init(&r);
    r.train = w->req->train;
    r.start_gauge = wheels_at(w, &pl[0]);
    r.depart = depart;
    r.field_prefix = "";
    r.time_limit_s = w->deadline > 0 ? fmax(w->deadline - util_now(), 0.001) : 0;
    return jy_plan_places(w->p, &r, pl, n, out, diag);
}

/* The reversals of journey j. */
static size_t reversals(const bogie_journey *j)
{
    size_t n = 0;
    for (size_t i = 0; i < j->n_stops; i++)
        n += (j->stops[i].kinds & BOGIE_STOP_REVERSAL) != 0;
    return n;
}

/* Plans the matching [s, e]: from the station (or point) at its first pick to the one at its last, sent through
 * the first pick off the route found so far, again, until every pick is on it or MATCH_MAX_VIAS. A pick the route
 * cannot be sent through, or only with a reversal more (the model lets the train turn anywhere; a noisy point in a
 * station's throat would have it shunt), is left. */
static bogie_status route_matching(const mwork *w, size_t s, size_t e, route_place *pl, size_t *n_pl,
                                   bogie_journey **out, bogie_diag *diag)
{
    size_t at[32]; /* the step of each place */
    journey_end(w, s, &pl[0]);
    journey_end(w, e, &pl[1]);
    at[0] = s, at[1] = e;
    size_t n = 2, from = s, tries = 0;
    if (!pl[0].is_point && !pl[1].is_point && pl[0].node == pl[1].node) {
        pick_place(w, s, &pl[0]);
        pick_place(w, e, &pl[1]);
    }
    bogie_journey *j = NULL;
    bogie_status rc = plan_through(w, pl, n, NULL, &j, diag);
    while (rc == BOGIE_OK && n < MATCH_MAX_VIAS + 2 && tries++ < MATCH_MAX_TRIES) {
        size_t k = first_off_route(w, j, s, from, e);
        if (k == SIZE_MAX)
            break;
        size_t i = 1;
        while (i < n - 1 && at[i] < k)
            i++;
        if (at[i] == k) { /* sent through it already, and still off the route: leave it */
            from = k + 1;
            continue;
        }
        memmove(&pl[i + 1], &pl[i], (n - i) * sizeof *pl);
        memmove(&at[i + 1], &at[i], (n - i) * sizeof *at);
        pick_place(w, k, &pl[i]);
        at[i] = k;
        n++;
        bogie_journey *j2 = NULL;
        bogie_diag quiet;
        if (plan_through(w, pl, n, NULL, &j2, &quiet) != BOGIE_OK || reversals(j2) > reversals(j)) {
            bogie_journey_free(j2);
            memmove(&pl[i], &pl[i + 1], (n - i - 1) * sizeof *pl);
            memmove(&at[i], &at[i + 1], (n - i - 1) * sizeof *at);
            n--;
            from = k + 1;
            continue;
        }
        bogie_journey_free(j);
        j = j2;
        from = s;
    }
    *n_pl = n;
    *out = j;
    return rc;
}

/* A matched point's km and time, for the sections. */
typedef struct kmtime {
    double km;
    int64_t t;
} kmtime;

/* The time the trace reaches km (arrival) or last leaves it (departure), interpolated between the matched points
 * around it; NAN when km lies beyond the matched points by more than MATCH_EXTRAPOLATE_M. */
static double crossing_time(const kmtime *v, size_t n, double km, bool arrival)
{
    const double eps = 1e-3, far = MATCH_EXTRAPOLATE_M / 1000;
    if (n == 0 || km < v[0].km - far || km > v[n - 1].km + far)
        return NAN;
    if (arrival) {
        size_t i = 0;
        while (i < n && v[i].km < km - eps)
            i++;
        if (i == n)
            return (double)v[n - 1].t;
        if (i == 0 || v[i].km <= v[i - 1].km)
            return (double)v[i].t;
        return v[i - 1].t + (double)(v[i].t - v[i - 1].t) * (km - v[i - 1].km) / (v[i].km - v[i - 1].km);
    }
    size_t i = n;
    while (i > 0 && v[i - 1].km > km + eps)
        i--;
    if (i == 0)
        return (double)v[0].t;
    if (i == n || v[i].km <= v[i - 1].km)
        return (double)v[i - 1].t;
    return v[i - 1].t + (double)(v[i].t - v[i - 1].t) * (km - v[i - 1].km) / (v[i].km - v[i - 1].km);
}

/* As crossing_time, where the train stood at km: two consecutive points within tol_km of km (the radius: a point
 * is no farther from the track, nor along it) and at least
 * MATCH_STAND_S apart in time (a logger's points on arriving and on leaving, which noise may put in either order
 * along the track) make the arrival no later than the first and the departure no earlier than the second. */
static double time_at_km(const kmtime *v, size_t n, double km, double tol_km, bool arrival)
{
    double t = crossing_time(v, n, km, arrival);
    for (size_t i = 1; !isnan(t) && i < n; i++) {
        bool stand = (double)(v[i].t - v[i - 1].t) >= MATCH_STAND_S && fabs(v[i].km - km) <= tol_km &&
                     fabs(v[i - 1].km - km) <= tol_km;
        if (stand && arrival)
            t = fmin(t, (double)v[i - 1].t);
        else if (stand)
            t = fmax(t, (double)v[i].t);
    }
    return t;
}

/* Puts the trace points of matching mi (trace indices from..to) onto its journey's line: the nearest point of the
 * line ahead of the last one matched, within the point's radius. Fills kt with the matched points' km and times
 * (room for to - from + 1) and *n_kt with how many. */
static void place_points(mwork *w, size_t mi, size_t from, size_t to, kmtime *kt, size_t *n_kt)
{
    const bogie_journey *j = w->m->matchings[mi].journey;
    const bogie_match_request *q = w->req;
    size_t seg = 0, n = 0, wp = 0;
    double last_km = 0;
    for (size_t i = from; i <= to; i++) {
        bogie_tracepoint *tp = &w->m->points[i];
        if (w->n_cand[i] == 0)
            continue;
        double gc = i > from ? geo_distance_m(q->points[i - 1].lat, q->points[i - 1].lon, q->points[i].lat,
                                              q->points[i].lon)
                             : 0;
        double km = last_km, la, lo;
        size_t sg = seg;
        double d = nearest_on_line(j, q->points[i].lat, q->points[i].lon, (3 * gc + 2 * radius_of(w, i)) / 1000 + 1,
                                   &sg, &km, &la, &lo);
        if (!(d <= radius_of(w, i)))
            continue;
        seg = sg;
        last_km = km;
        tp->matched = true;
        tp->matching = mi;
        tp->waypoint_index = wp++;
        tp->alternatives = w->n_cand[i] - 1;
        tp->lat = la, tp->lon = lo, tp->km = km, tp->distance_m = d;
        if (q->points[i].has_time)
            kt[n++] = (kmtime){km, q->points[i].time_utc};
    }
    w->m->matchings[mi].n_matched = wp;
    *n_kt = n;
}

/* Whether stop s of a journey ends a section: a station, or an end. */
static bool section_end(const bogie_journey *j, size_t i)
{
    return i == 0 || i + 1 == j->n_stops || j->stops[i].station != BOGIE_NONE;
}

/* The sections of matching m between its journey's stations, with the times observed (from kt[0 .. n)) and
 * predicted. */
static bogie_status make_sections(const bogie_allocator *a, bogie_matching *m, const kmtime *kt, size_t n,
                                  double tol_km, bogie_diag *diag)
{
    const bogie_journey *j = m->journey;
    m->sections = util_calloc(a, j->n_stops ? j->n_stops : 1, sizeof *m->sections);
    if (!m->sections)
        return util_nomem(diag, "matching the trace");
    m->observed_s = n ? 0 : -1;
    size_t last = 0;
    for (size_t i = 1; i < j->n_stops; i++) {
        if (!section_end(j, i))
            continue;
        bogie_section *s = &m->sections[m->n_sections++];
        s->from = last, s->to = i;
        s->km0 = j->stops[last].km, s->km1 = j->stops[i].km;
        s->predicted_s = j->stops[i].arrive_s - j->stops[last].depart_s;
        double t0 = time_at_km(kt, n, s->km0, tol_km, false), t1 = time_at_km(kt, n, s->km1, tol_km, true);
        s->observed_s = isnan(t0) || isnan(t1) ? -1 : t1 - t0;
        m->predicted_s += s->predicted_s;
        if (s->observed_s < 0)
            m->observed_s = -1;
        else if (m->observed_s >= 0)
            m->observed_s += s->observed_s;
        last = i;
    }
    return BOGIE_OK;
}

/* The journey's departure from the trace: the time of its first matched point less the journey's time to there. */
static int64_t departure_from_trace(const bogie_journey *j, const kmtime *kt)
{
    const bogie_profile_point *p = j->profile;
    size_t i = 0;
    /* At the origin (within a metre) the train departs at 0, though it stands there for its start-up time. */
    if (j->n_profile == 0 || kt[0].km <= p[0].km + 1e-3)
        return kt[0].t;
    while (i < j->n_profile && p[i].km < kt[0].km)
        i++;
    double t = 0;
    if (i > 0 && i < j->n_profile && p[i].km > p[i - 1].km)
        t = p[i - 1].time_s + (p[i].time_s - p[i - 1].time_s) * (kt[0].km - p[i - 1].km) / (p[i].km - p[i - 1].km);
    else if (i == j->n_profile && i > 0)
        t = p[i - 1].time_s;
    return kt[0].t - (int64_t)llround(t);
}

/* Matching mi of steps [s, e]: its journey, its points placed on it, put on the clock of the trace, and its
 * sections. */
static bogie_status build_matching(mwork *w, size_t mi, size_t s, size_t e, bogie_diag *diag)
{
    bogie_matching *m = &w->m->matchings[mi];
    route_place pl[32];
    size_t n_pl;
    bogie_status rc = route_matching(w, s, e, pl, &n_pl, &m->journey, diag);
    if (rc != BOGIE_OK)
        return rc;
    m->n_vias = n_pl - 2;
    m->first = w->steps.v[s].point;
    m->last = w->steps.v[e].point;
    size_t cap = m->last - m->first + 1;
    kmtime *kt = util_malloc(w->p->alloc, cap * sizeof *kt);
    if (!kt)
        return util_nomem(diag, "matching the trace");
    size_t n_kt = 0;
    place_points(w, mi, m->first, m->last, kt, &n_kt);
    if (n_kt > 0) {
        /* Again on the trace's clock: the same route and times, with a departure. */
        char depart[40];
        iso_utc(departure_from_trace(m->journey, kt), depart, sizeof depart);
        bogie_journey *j = NULL;
        rc = plan_through(w, pl, n_pl, depart, &j, diag);
        if (rc == BOGIE_OK) {
            bogie_journey_free(m->journey);
            m->journey = j;
        }
    }
    if (rc == BOGIE_OK)
        rc = make_sections(w->p->alloc, m, kt, n_kt, w->radius / 1000, diag);
    double conf = 0;
    size_t n_steps = 0;
    for (size_t k = s + 1; k <= e; k++)
        if (!w->steps.v[k].dropped) {
            const mstep *st = &w->steps.v[k];
            conf += exp(-fabs(st->route_m[st->pick] - st->gc_m) / w->beta);
            n_steps++;
        }
    m->confidence = n_steps ? conf / (double)n_steps : 1;
    util_free(w->p->alloc, kt, cap * sizeof *kt);
    return rc;
}

/* The matchings: each run of steps from a start to the step before the next start, of two steps or more. */
static bogie_status build_matchings(mwork *w, bogie_diag *diag)
{
    size_t n = w->steps.n;
    w->m->matchings = util_calloc(w->p->alloc, w->req->n_points, sizeof *w->m->matchings);
    if (!w->m->matchings)
        return util_nomem(diag, "matching the trace");
    size_t e = n;
    /* From the end back: each matching ends at the last kept step before the next one's start. */
    size_t n_found = 0;
    VEC(size_t) se = {0};
    while (e > 0) {
        size_t k = e - 1;
        while (k > 0 && w->steps.v[k].dropped)
            k--;
        if (w->steps.v[k].dropped)
            break;
        size_t s = backtrack(w, k);
        if (VEC_PUSH(w->p->alloc, se, s) != 0 || VEC_PUSH(w->p->alloc, se, k) != 0) {
            VEC_FREE(w->p->alloc, se);
            return util_nomem(diag, "matching the trace");
        }
        n_found++;
        e = s;
    }
    bogie_status rc = BOGIE_OK;
    for (size_t i = n_found; rc == BOGIE_OK && i-- > 0;) {
        size_t s = se.v[2 * i], k = se.v[2 * i + 1];
        if (s == k)
            continue; /* a lone point matches nothing */
        rc = build_matching(w, w->m->n_matchings++, s, k, diag);
    }
    VEC_FREE(w->p->alloc, se);
    return rc;
}

void bogie_match_free(bogie_match_result *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_matchings; i++) {
        bogie_matching *mt = &m->matchings[i];
        /* make_sections allocated room for one per stop of the journey (at least one). */
        size_t cap = mt->journey && mt->journey->n_stops ? mt->journey->n_stops : 1;
        util_free(m->alloc, mt->sections, cap * sizeof *mt->sections);
        bogie_journey_free(mt->journey);
    }
    util_free(m->alloc, m->matchings, m->n_points * sizeof *m->matchings);
    util_free(m->alloc, m->points, m->n_points * sizeof *m->points);
    util_free(m->alloc, m, sizeof *m);
}

static bogie_status check_request(const bogie_match_request *q, bogie_diag *diag)
{
    if (!q->train)
        return util_fail(diag, BOGIE_ERR_ARG, "matching a trace needs a train");
    if (q->n_points < 2)
        return util_fail(diag, BOGIE_ERR_ARG, "a trace to match needs two points or more (it has %zu)", q->n_points);
    for (size_t i = 0; i < q->n_points; i++)
        if (!(fabs(q->points[i].lat) <= 90 && fabs(q->points[i].lon) <= 180))
            return util_fail(diag, BOGIE_ERR_ARG, "trace point %zu: %g,%g is not a position on Earth", i + 1,
                             q->points[i].lat, q->points[i].lon);
    if (!(q->radius_m > 0 && q->radius_m <= 5000) || !(q->sigma_m > 0) || !(q->beta_m > 0))
        return util_fail(diag, BOGIE_ERR_ARG, "radius must be within 0..5000 m, sigma and beta above 0");
    return BOGIE_OK;
}

bogie_status bogie_match(const bogie_planner *p, const bogie_match_request *q, bogie_match_result **out, bogie_diag *diag)
{
    *out = NULL;
    bogie_status rc = check_request(q, diag);
    if (rc != BOGIE_OK)
        return rc;
    mwork w;
    memset(&w, 0, sizeof w);
    w.p = p, w.req = q, w.radius = q->radius_m, w.sigma = q->sigma_m, w.beta = q->beta_m;
    w.deadline = q->time_limit_s > 0 ? util_now() + q->time_limit_s : 0;
    any_wheels(q->train, &w.any_wheels);
    w.m = util_calloc(p->alloc, 1, sizeof *w.m);
    w.n_cand = util_calloc(p->alloc, q->n_points, sizeof *w.n_cand);
    if (w.m) {
        w.m->alloc = p->alloc;
        w.m->n_points = q->n_points;
        w.m->points = util_calloc(p->alloc, q->n_points, sizeof *w.m->points);
    }
    if (!w.m || !w.n_cand || !w.m->points)
        rc = util_nomem(diag, "matching the trace");
    if (rc == BOGIE_OK) {
        snprintf(w.m->train, sizeof w.m->train, "%s", q->train->name);
        w.m->radius_m = w.radius, w.m->sigma_m = w.sigma, w.m->beta_m = w.beta;
        rc = make_steps(&w, diag);
    }
    if (rc == BOGIE_OK)
        rc = viterbi(&w, diag);
    if (rc == BOGIE_OK)
        rc = build_matchings(&w, diag);
    if (rc == BOGIE_OK && w.m->n_matchings == 0)
        rc = util_fail(diag, BOGIE_ERR_NOT_FOUND,
                       "no two points of the trace are on track %s can run within %.0f m of them and joined by it",
                       q->train->name, w.radius);
    VEC_FREE(p->alloc, w.steps);
    util_free(p->alloc, w.n_cand, q->n_points * sizeof *w.n_cand);
    if (rc != BOGIE_OK) {
        bogie_match_free(w.m);
        return rc;
    }
    *out = w.m;
    return BOGIE_OK;
}
