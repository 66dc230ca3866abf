/* seen.c: re-times a planned journey to the sightings of its train: finds each sighting on the route, fits the pace
 * (a factor on the running time) between consecutive ones, predicts the rest at the last pace with a band, and moves
 * every time of the journey accordingly (docs/journeys.md, "Sightings"). */
#include "journey/journey_int.h"

#include "base/geo.h"
#include "net/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One sighting being placed, and the stretch that ends at it. */
typedef struct sight {
    bogie_sighting s;
    size_t row;      /* the timetable row it is at, or SIZE_MAX until one is made for it */
    const char *text; /* as given */
    char given[256];  /* its place, as given */
} sight;

/* The anchors of the time map: the departure and each sighting, with the fitted stretches between them. */
typedef struct tmap {
    const bogie_stop *rows; /* as planned */
    size_t n_rows;
    double *p, *nt;         /* per anchor: planned time, new time; n_anchors */
    bogie_stretch *st;      /* n_anchors: stretch k ends at anchor k + 1; the last is the predicted rest */
    size_t n_anchors;
} tmap;

/* The time the plan's rows stand still between planned times x and y (x <= y). */
static double stopped_between(const tmap *m, double x, double y)
{
    double s = 0;
    for (size_t i = 0; i < m->n_rows; i++) {
        double a = m->rows[i].planned_arrive_s, b = m->rows[i].planned_depart_s;
        a = a > x ? a : x;
        b = b < y ? b : y;
        if (b > a)
            s += b - a;
    }
    return s;
}

/* The new time of planned time t. A time at an anchor belongs to the stretch that ends there when left (an
 * arrival: before a halt there), else to the one that starts there. */
static double map_time(const tmap *m, double t, bool left)
{
    if (t < 0 || (t == 0 && left))
        return t;
    size_t k = 0;
    while (k + 1 < m->n_anchors && (left ? t > m->p[k + 1] : t >= m->p[k + 1]))
        k++;
    double stop = stopped_between(m, m->p[k], t);
    return m->nt[k] + m->st[k].pace * (t - m->p[k] - stop) + stop;
}

/* The point of j's line nearest to (lat, lon): its km along the route, position and distance. */
static double nearest_on_line(const bogie_journey *j, double lat, double lon, double *km, double *plat, double *plon)
{
    double best = INFINITY;
    double kx = cos(lat * M_PI / 180) * 111320, ky = 110540;
    for (size_t i = 0; i + 1 < j->n_line; i++) {
        double ax = (j->line[i][1] - lon) * kx, ay = (j->line[i][0] - lat) * ky;
        double bx = (j->line[i + 1][1] - lon) * kx, by = (j->line[i + 1][0] - lat) * ky;
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        double u = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
        u = u < 0 ? 0 : u > 1 ? 1 : u;
        double qx = ax + u * dx, qy = ay + u * dy, d = sqrt(qx * qx + qy * qy);
        if (d < best) {
            best = d;
            *km = j->line_km[i] + u * (j->line_km[i + 1] - j->line_km[i]);
            *plat = j->line[i][0] + u * (j->line[i + 1][0] - j->line[i][0]);
            *plon = j->line[i][1] + u * (j->line[i + 1][1] - j->line[i][1]);
        }
    }
    return best;
}

/* The planned time the train first reaches km (from the speed profile). */
static double planned_time_at(const bogie_journey *j, double km)
{
    const bogie_profile_point *pr = j->profile;
    for (size_t i = 1; i < j->n_profile; i++)
        if (pr[i].km >= km) {
            double dk = pr[i].km - pr[i - 1].km, u = dk > 0 ? (km - pr[i - 1].km) / dk : 1;
            return pr[i - 1].time_s + u * (pr[i].time_s - pr[i - 1].time_s);
        }
    return j->n_profile ? pr[j->n_profile - 1].time_s : 0;
}

/* The nearest row to km at or before it, for the zone a sighting there is read in. */
static size_t row_before(const bogie_journey *j, double km)
{
    size_t r = 0;
    while (r + 1 < j->n_stops && j->stops[r + 1].km <= km)
        r++;
    return r;
}

/* Places x on j's route as given by place (a station or lat,lon); a station at its first row at or beyond km_from. */
static bogie_status locate(const bogie_planner *p, const bogie_journey_request *req, const char *pre,
                           const bogie_journey *j, const char *place, double km_from, sight *x, bogie_diag *diag)
{
    double lat, lon;
    x->row = SIZE_MAX;
    x->s.station = BOGIE_NONE;
    char role[32];
    snprintf(role, sizeof role, "%sseen", pre);
    if (jy_parse_coordinates(place, &lat, &lon)) {
        util_strlcpy_utf8(x->s.place, place, sizeof x->s.place);
    } else {
        route_place pl;
        bogie_status rc = jy_resolve_place(p, req->train, role, place, 5000, &pl, diag);
        if (rc != BOGIE_OK)
            return rc;
        const net_station *st = &p->net->stations[pl.station];
        x->s.station = pl.station;
        util_strlcpy_utf8(x->s.place, jy_station_name(p->net, pl.station, NULL), sizeof x->s.place);
        lat = st->lat * 1e-7;
        lon = st->lon * 1e-7;
        for (size_t r = 0; r < j->n_stops; r++)
            if (j->stops[r].station == pl.station && j->stops[r].km >= km_from - 1e-9) {
                x->row = r;
                x->s.km = j->stops[r].km;
                x->s.lat = j->stops[r].lat;
                x->s.lon = j->stops[r].lon;
                x->s.planned_s = j->stops[r].planned_arrive_s;
                return BOGIE_OK;
            }
    }
    x->s.off_route_m = nearest_on_line(j, lat, lon, &x->s.km, &x->s.lat, &x->s.lon);
    if (x->s.off_route_m > JY_SEEN_OFF_ROUTE_M) {
        const bogie_stop *near = &j->stops[row_before(j, x->s.km)];
        return util_fail(diag, BOGIE_ERR_ARG,
                         "%s %s: not on the route, which passes %.1f km from it (nearest at km %.1f, after %s); a "
                         "sighting must be within %.0f m of the track the train runs",
                         role, x->s.place, x->s.off_route_m / 1000, x->s.km, near->name, JY_SEEN_OFF_ROUTE_M);
    }
    x->s.planned_s = planned_time_at(j, x->s.km);
    return BOGIE_OK;
}

/* Reads the time of sighting x (text, in the zone of the route where x is, unless it has an offset) into x->s. */
static bogie_status read_time(const bogie_planner *p, const char *pre, const bogie_journey *j, const char *text,
                              sight *x, bogie_diag *diag)
{
    tz_civil civ;
    int has_off = 0, off = 0;
    bogie_diag d2 = {0};
    if (tz_parse_datetime(text, &civ, &has_off, &off, &d2) != BOGIE_OK)
        return util_fail(diag, BOGIE_ERR_ARG, "%sseen %s@%s: %s", pre, x->s.place, text, d2.message);
    const tz_zone *zone = NULL;
    const char *zname = j->stops[row_before(j, x->s.km)].zone;
    if (*zname && tz_db_get(p->world->tz, zname, &zone, &d2) != BOGIE_OK)
        zone = NULL;
    bool as_utc;
    if (jy_departure_utc(&civ, has_off, off, zone, &x->s.seen_utc, &as_utc) != BOGIE_OK)
        return util_fail(diag, BOGIE_ERR_ARG, "%sseen %s@%s: not a valid local time in %s", pre, x->s.place, text,
                         zname);
    int64_t t0 = j->stops[0].depart_utc - (int64_t)llround(j->stops[0].depart_s);
    x->s.seen_s = (double)(x->s.seen_utc - t0);
    if (x->s.seen_s < 0)
        return util_fail(diag, BOGIE_ERR_ARG, "%sseen %s@%s: before the departure (%s %s)", pre, x->s.place, text,
                         j->stops[0].depart_local, j->stops[0].abbr);
    return BOGIE_OK;
}

/* Reads every sighting of req into xs[0 .. req->n_seen), sorted by time. */
static bogie_status read_sightings(const bogie_planner *p, const bogie_journey_request *req, const char *pre,
                                   const bogie_journey *j, sight *xs, bogie_diag *diag)
{
    bogie_status rc = BOGIE_OK;
    for (size_t i = 0; rc == BOGIE_OK && i < req->n_seen; i++) {
        const char *text = req->seen[i];
        const char *at = text ? strrchr(text, '@') : NULL;
        if (!at || at == text || !at[1])
            return util_fail(diag, BOGIE_ERR_ARG, "%sseen \"%s\": give PLACE@TIME, as in \"Ussuriysk@2023-09-11 "
                             "13:10\"", pre, text ? text : "");
        snprintf(xs[i].given, sizeof xs[i].given, "%.*s", (int)(at - text), text);
        xs[i].text = text;
        rc = locate(p, req, pre, j, xs[i].given, 0, &xs[i], diag);
        if (rc == BOGIE_OK)
            rc = read_time(p, pre, j, at + 1, &xs[i], diag);
    }
    for (size_t i = 1; rc == BOGIE_OK && i < req->n_seen; i++)
        for (size_t k = i; k > 0 && xs[k].s.seen_s < xs[k - 1].s.seen_s; k--) {
            sight t = xs[k];
            xs[k] = xs[k - 1];
            xs[k - 1] = t;
        }
    return rc;
}

/* Refuses sighting b after a when the train cannot have gone from one to the other in the time between: backwards,
 * or faster than its physics (running at the limits without the allowance, and every stop's work) allow. */
static bogie_status check_pair(const char *pre, const sight *a, const sight *b, const tmap *m, double fmin,
                               bogie_diag *diag)
{
    double pa = a ? a->s.planned_s : 0, sa = a ? a->s.seen_s : 0, ka = a ? a->s.km : 0;
    const char *na = a ? a->s.place : "the departure";
    if (b->s.km < ka - 0.05)
        return util_fail(diag, BOGIE_ERR_ARG,
                         "%sseen %s: behind the sighting before it in time (%s, km %.1f): the train cannot have "
                         "gone back to km %.1f", pre, b->text, na, ka, b->s.km);
    double stop = stopped_between(m, pa, b->s.planned_s), run = b->s.planned_s - pa - stop;
    double need = fmin * run + stop - JY_SEEN_SLACK_S, took = b->s.seen_s - sa;
    if (took < need)
        return util_fail(diag, BOGIE_ERR_ARG,
                         "%sseen %s: impossible speed: %.1f km from %s in %.0f min, where the train's physics and "
                         "stops need at least %.0f min", pre, b->text, b->s.km - ka, na, took / 60,
                         (need + JY_SEEN_SLACK_S) / 60);
    return BOGIE_OK;
}

/* Fits stretch k, from planned time pa (new time na) to planned time pb seen at sb. */
static void fit_stretch(const tmap *m, double pa, double na, double pb, double sb, double fmin, bogie_stretch *st)
{
    double stop = stopped_between(m, pa, pb), run = pb - pa - stop, took = sb - na - stop;
    st->planned_running_s = run;
    st->pace = run > 1 ? took / run : 1;
    st->halt_s = run > 1 ? 0 : took > 0 ? took : 0;
    if (st->pace < fmin)
        st->pace = fmin;
    if (st->pace > JY_SEEN_MAX_PACE) {
        st->halt_s = took - JY_SEEN_MAX_PACE * run;
        st->pace = JY_SEEN_MAX_PACE;
    }
}

/* The anchors and stretches of m from the sightings xs[0 .. n): the departure, then each sighting; the last stretch
 * is the rest, at the pace of the one before it. */
static void fit(tmap *m, const sight *xs, size_t n, double fmin, double planned_end, double end_km)
{
    m->p[0] = m->nt[0] = 0;
    double km = 0;
    for (size_t k = 0; k < n; k++) {
        bogie_stretch *st = &m->st[k];
        fit_stretch(m, m->p[k], m->nt[k], xs[k].s.planned_s, xs[k].s.seen_s, fmin, st);
        st->km0 = km;
        st->km1 = km = xs[k].s.km;
        m->p[k + 1] = xs[k].s.planned_s;
        double stop = stopped_between(m, m->p[k], m->p[k + 1]);
        m->nt[k + 1] = m->nt[k] + st->pace * st->planned_running_s + stop + st->halt_s;
    }
    bogie_stretch *rest = &m->st[n];
    rest->km0 = km;
    rest->km1 = end_km;
    rest->predicted = true;
    rest->pace = n ? m->st[n - 1].pace : 1;
    double stop = stopped_between(m, m->p[n], planned_end);
    rest->planned_running_s = planned_end - m->p[n] - stop;
}

/* The band of the arrival into j: the rest run at the fastest and the slowest of the plan's pace (1) and every
 * fitted one, widened by the minute the sightings are given to. */
static void band(const tmap *m, double fmin, double planned_end, bogie_journey *j)
{
    size_t n = m->n_anchors - 1;
    double lo = 1, hi = 1;
    for (size_t k = 0; k <= n; k++) {
        lo = m->st[k].pace < lo ? m->st[k].pace : lo;
        hi = m->st[k].pace > hi ? m->st[k].pace : hi;
    }
    lo = lo < fmin ? fmin : lo;
    double run = m->st[n].planned_running_s, stop = stopped_between(m, m->p[n], planned_end);
    j->early_s = m->nt[n] + lo * run + stop - JY_SEEN_MINUTE_S;
    j->late_s = m->nt[n] + hi * run + stop + JY_SEEN_MINUTE_S;
}

/* Inserts a row for sighting x (given as coordinates, or a station the timetable has no row for) into j->stops;
 * sets x->row. */
static bogie_status add_row(bogie_journey *j, sight *x, bogie_diag *diag)
{
    size_t r = row_before(j, x->s.km) + 1;
    if (r >= j->n_stops)
        r = j->n_stops - 1;
    bogie_stop *v = util_realloc(j->alloc, j->stops, j->n_stops * sizeof *v, (j->n_stops + 1) * sizeof *v);
    if (!v)
        return util_nomem(diag, "re-timing the journey");
    j->stops = v;
    memmove(&v[r + 1], &v[r], (j->n_stops - r) * sizeof *v);
    j->n_stops++;
    bogie_stop *s = &v[r];
    *s = v[r - 1];
    s->kinds = BOGIE_STOP_PASS;
    s->station = x->s.station;
    util_strlcpy_utf8(s->name, x->s.place, sizeof s->name);
    s->local_name[0] = s->detail[0] = '\0';
    s->lat = x->s.lat;
    s->lon = x->s.lon;
    s->km = x->s.km;
    s->dwell_s = s->change_s = s->border_s = s->reversal_s = s->halt_s = 0;
    s->planned_arrive_s = s->planned_depart_s = x->s.planned_s;
    x->row = r;
    return BOGIE_OK;
}

/* Row r's times in UTC and local time again, from its arrive_s and depart_s, t0 being the departure. */
static void reclock_row(const bogie_planner *p, int64_t t0, bogie_stop *x)
{
    const tz_zone *zone = NULL;
    bogie_diag d2;
    if (x->zone[0] && tz_db_get(p->world->tz, x->zone, &zone, &d2) != BOGIE_OK)
        zone = NULL;
    x->arrive_utc = t0 + (int64_t)llround(x->arrive_s);
    x->depart_utc = t0 + (int64_t)llround(x->depart_s);
    const char *abbr = "UTC";
    jy_local_time(zone, x->arrive_utc, x->arrive_local, sizeof x->arrive_local, &x->utc_offset_s, &abbr);
    jy_local_time(zone, x->depart_utc, x->depart_local, sizeof x->depart_local, &x->utc_offset_s, &abbr);
    snprintf(x->abbr, sizeof x->abbr, "%s", abbr);
}

/* Moves every time of j by the map m: rows, profile, totals and the band's clock times. */
static void apply(const bogie_planner *p, const tmap *m, const sight *xs, size_t n, bogie_journey *j)
{
    int64_t t0 = j->stops[0].depart_utc - (int64_t)llround(j->stops[0].depart_s);
    for (size_t k = 0; k < n; k++) {
        bogie_stop *s = &j->stops[xs[k].row];
        s->kinds |= BOGIE_STOP_SEEN;
        if (m->st[k].halt_s > 0) {
            s->kinds |= BOGIE_STOP_HALT;
            s->halt_s += m->st[k].halt_s;
        }
    }
    for (size_t i = 0; i < j->n_stops; i++) {
        bogie_stop *s = &j->stops[i];
        s->arrive_s = map_time(m, s->planned_arrive_s, true);
        s->depart_s = map_time(m, s->planned_depart_s, false);
        reclock_row(p, t0, s);
    }
    for (size_t i = 0; i < j->n_profile; i++)
        j->profile[i].time_s = map_time(m, j->profile[i].time_s, true);
    j->planned_total_s = j->total_s;
    double halts = 0;
    for (size_t k = 0; k <= n; k++)
        halts += m->st[k].halt_s;
    const bogie_stop *d = &j->stops[j->n_stops - 1];
    j->total_s = d->depart_s;
    j->dwell_s += halts;
    j->running_s = j->total_s - j->allowance_s - j->change_s - j->border_s - j->dwell_s - j->reversal_s;
    j->early_utc = t0 + (int64_t)llround(j->early_s);
    j->late_utc = t0 + (int64_t)llround(j->late_s);
    const tz_zone *zone = NULL;
    bogie_diag d2;
    if (d->zone[0] && tz_db_get(p->world->tz, d->zone, &zone, &d2) != BOGIE_OK)
        zone = NULL;
    int off;
    const char *abbr;
    jy_local_time(zone, j->early_utc, j->early_local, sizeof j->early_local, &off, &abbr);
    jy_local_time(zone, j->late_utc, j->late_local, sizeof j->late_local, &off, &abbr);
}

/* Adds to j's speed profile the halts of the stretches: the train standing at the end of each, from its arrival
 * to the sighting (the rows and the profile are re-timed already). */
static bogie_status add_halts(const tmap *m, const sight *xs, size_t n, bogie_journey *j, bogie_diag *diag)
{
    for (size_t k = 0; k < n; k++) {
        if (!(m->st[k].halt_s > 0))
            continue;
        const bogie_stop *s = &j->stops[xs[k].row];
        size_t i = 0;
        while (i < j->n_profile && j->profile[i].time_s <= s->arrive_s)
            i++;
        bogie_profile_point *v = util_realloc(j->alloc, j->profile, j->n_profile * sizeof *v,
                                              (j->n_profile + 2) * sizeof *v);
        if (!v)
            return util_nomem(diag, "re-timing the journey");
        j->profile = v;
        memmove(&v[i + 2], &v[i], (j->n_profile - i) * sizeof *v);
        j->n_profile += 2;
        bogie_profile_point at = i ? v[i - 1] : v[2];
        at.km = s->km;
        at.speed_kmh = 0;
        at.time_s = s->arrive_s;
        v[i] = at;
        at.time_s = s->arrive_s + m->st[k].halt_s;
        v[i + 1] = at;
    }
    return BOGIE_OK;
}

/* Copies the sightings and stretches into j (allocated with j->alloc; j owns them). */
static bogie_status keep(const tmap *m, const sight *xs, size_t n, bogie_journey *j, bogie_diag *diag)
{
    j->sightings = util_malloc(j->alloc, n * sizeof *j->sightings);
    if (!j->sightings)
        return util_nomem(diag, "re-timing the journey");
    j->n_sightings = n; /* bogie_journey_free frees by these counts */
    j->stretches = util_malloc(j->alloc, (n + 1) * sizeof *j->stretches);
    if (!j->stretches)
        return util_nomem(diag, "re-timing the journey");
    j->n_stretches = n + 1;
    for (size_t k = 0; k < n; k++)
        j->sightings[k] = xs[k].s;
    memcpy(j->stretches, m->st, (n + 1) * sizeof *j->stretches);
    j->retimed = true;
    return BOGIE_OK;
}

/* Reads, checks and places the sightings xs[0 .. n), making rows for those that have none. */
static bogie_status place_sightings(const bogie_planner *p, const bogie_journey_request *req, const char *pre,
                                    bogie_journey *j, const tmap *m, double fmin, sight *xs, bogie_diag *diag)
{
    size_t n = req->n_seen;
    bogie_status rc = read_sightings(p, req, pre, j, xs, diag);
    for (size_t k = 0; rc == BOGIE_OK && k < n; k++) {
        if (k && xs[k].s.station != BOGIE_NONE && xs[k].s.km <= xs[k - 1].s.km) /* a station passed twice */
            {
            double seen_s = xs[k].s.seen_s;
            int64_t seen_utc = xs[k].s.seen_utc;
            rc = locate(p, req, pre, j, xs[k].given, xs[k - 1].s.km + 1e-6, &xs[k], diag);
            xs[k].s.seen_s = seen_s;
            xs[k].s.seen_utc = seen_utc;
        }
        if (rc == BOGIE_OK)
            rc = check_pair(pre, k ? &xs[k - 1] : NULL, &xs[k], m, fmin, diag);
    }
    for (size_t k = 0; rc == BOGIE_OK && k < n; k++) {
        for (size_t i = 0; i < k; i++)
            if (xs[i].row == xs[k].row && xs[i].row != SIZE_MAX)
                return util_fail(diag, BOGIE_ERR_ARG, "%sseen %s and %s: two sightings of one place", pre,
                                 xs[i].text, xs[k].text);
        if (xs[k].row == SIZE_MAX) {
            rc = add_row(j, &xs[k], diag);
            for (size_t i = 0; rc == BOGIE_OK && i < n; i++)
                if (i != k && xs[i].row != SIZE_MAX && xs[i].row >= xs[k].row)
                    xs[i].row++;
        }
    }
    return rc;
}

bogie_status jy_retime(const bogie_planner *p, const bogie_journey_request *req, const char *pre, bogie_journey *j,
                       bogie_diag *diag)
{
    if (!req->n_seen)
        return BOGIE_OK;
    if (!j->has_clock || !j->n_stops)
        return util_fail(diag, BOGIE_ERR_ARG, "%sseen needs %sdepart: the sightings are times of day", pre, pre);
    if (req->n_seen > JY_SEEN_MAX)
        return util_fail(diag, BOGIE_ERR_ARG, "at most %d sightings", JY_SEEN_MAX);
    size_t n = req->n_seen;
    sight xs[JY_SEEN_MAX];
    double p_at[JY_SEEN_MAX + 1], n_at[JY_SEEN_MAX + 1];
    bogie_stretch st[JY_SEEN_MAX + 1];
    memset(xs, 0, sizeof xs);
    memset(st, 0, sizeof st);
    tmap m = {j->stops, j->n_stops, p_at, n_at, st, n + 1};
    double fmin = j->running_s + j->allowance_s > 0 ? j->running_s / (j->running_s + j->allowance_s) : 1;
    bogie_status rc = place_sightings(p, req, pre, j, &m, fmin, xs, diag);
    if (rc != BOGIE_OK)
        return rc;
    m.rows = j->stops; /* rows may have moved */
    m.n_rows = j->n_stops;
    double planned_end = j->stops[j->n_stops - 1].planned_arrive_s;
    fit(&m, xs, n, fmin, planned_end, j->length_m / 1000);
    band(&m, fmin, planned_end, j);
    apply(p, &m, xs, n, j);
    rc = add_halts(&m, xs, n, j, diag);
    return rc == BOGIE_OK ? keep(&m, xs, n, j, diag) : rc;
}
