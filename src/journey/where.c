/* where.c: where a journey's train is at a given time: the km, position and speed along its (re-timed) timetable
 * and speed profile, the rows before and after, and whether it stands at a stop and why. */
#include "journey/journey_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The position along j's line at km, into *lat and *lon. */
static void point_at_km(const bogie_journey *j, double km, double *lat, double *lon)
{
    size_t i = 1;
    while (i + 1 < j->n_line && j->line_km[i] < km)
        i++;
    if (j->n_line < 2) {
        *lat = j->n_line ? j->line[0][0] : j->stops[0].lat;
        *lon = j->n_line ? j->line[0][1] : j->stops[0].lon;
        return;
    }
    double dk = j->line_km[i] - j->line_km[i - 1], u = dk > 0 ? (km - j->line_km[i - 1]) / dk : 1;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    *lat = j->line[i - 1][0] + u * (j->line[i][0] - j->line[i - 1][0]);
    *lon = j->line[i - 1][1] + u * (j->line[i][1] - j->line[i - 1][1]);
}

/* The km and speed at time t while running from row a to row b, from the (re-timed) speed profile: between its
 * samples on either side of t, kept within a and b. */
static void run_at(const bogie_journey *j, const bogie_stop *a, const bogie_stop *b, double t, bogie_position *o)
{
    const bogie_profile_point *q = j->profile;
    size_t i = 0;
    while (i < j->n_profile && (q[i].km < a->km || q[i].time_s < t))
        i++;
    if (i == 0 || i >= j->n_profile) {
        double dt = b->arrive_s - a->depart_s, u = dt > 0 ? (t - a->depart_s) / dt : 1;
        o->km = a->km + u * (b->km - a->km);
        return;
    }
    double dt = q[i].time_s - q[i - 1].time_s, u = dt > 0 ? (t - q[i - 1].time_s) / dt : 1;
    o->km = q[i - 1].km + u * (q[i].km - q[i - 1].km);
    o->speed_kmh = q[i - 1].speed_kmh + u * (q[i].speed_kmh - q[i - 1].speed_kmh);
    o->km = o->km < a->km ? a->km : o->km > b->km ? b->km : o->km;
}

/* Why the train stands at row s, into buf: the work there, a halt the sightings need, or its dwell. */
static void why_stopped(const bogie_stop *s, char *buf, size_t n)
{
    const char *what = s->kinds & BOGIE_STOP_GAUGE_CHANGE ? "gauge change"
                       : s->kinds & BOGIE_STOP_BORDER     ? "border"
                       : s->kinds & BOGIE_STOP_REVERSAL   ? "reversal"
                       : s->kinds & BOGIE_STOP_HALT       ? "halt"
                       : s->kinds & BOGIE_STOP_DESTINATION ? "arrived"
                                                          : "dwell";
    if (s->kinds & BOGIE_STOP_HALT && strcmp(what, "halt") == 0)
        snprintf(buf, n, "halt: not in the plan, the sightings need it (%.0f min)", s->halt_s / 60);
    else if (s->detail[0])
        snprintf(buf, n, "%s: %s", what, s->detail);
    else
        snprintf(buf, n, "%s", what);
}

/* The time at means, in seconds since 1970 (UTC), read in zone of j's origin unless it has an offset. */
static bogie_status read_at(const bogie_planner *p, const bogie_journey *j, const char *at, int64_t *utc,
                            bogie_diag *diag)
{
    if (strcmp(at, "now") == 0) {
        *utc = (int64_t)time(NULL);
        return BOGIE_OK;
    }
    tz_civil civ;
    int has_off = 0, off = 0;
    bogie_diag d2 = {0};
    if (tz_parse_datetime(at, &civ, &has_off, &off, &d2) != BOGIE_OK)
        return util_fail(diag, BOGIE_ERR_ARG, "at %s: %s", at, d2.message);
    const tz_zone *zone = NULL;
    if (j->stops[0].zone[0] && tz_db_get(p->world->tz, j->stops[0].zone, &zone, &d2) != BOGIE_OK)
        zone = NULL;
    bool as_utc;
    if (jy_departure_utc(&civ, has_off, off, zone, utc, &as_utc) != BOGIE_OK)
        return util_fail(diag, BOGIE_ERR_ARG, "at \"%s\": not a valid local time in %s", at, j->stops[0].zone);
    return BOGIE_OK;
}

/* The state, rows and km of the train at t seconds after the departure, into o. */
static void locate_at(const bogie_journey *j, double t, bogie_position *o)
{
    const bogie_stop *st = j->stops;
    size_t n = j->n_stops;
    o->last = 0;
    o->next = n > 1 ? 1 : n;
    if (t < st[0].depart_s) {
        o->state = BOGIE_WHERE_NOT_DEPARTED;
        o->km = 0;
        return;
    }
    if (t >= st[n - 1].arrive_s) {
        o->state = BOGIE_WHERE_ARRIVED;
        o->km = st[n - 1].km;
        o->last = n - 1;
        o->next = n;
        return;
    }
    size_t i = 0;
    while (i + 1 < n && st[i + 1].arrive_s <= t)
        i++;
    o->last = i;
    o->next = i + 1;
    if (t < st[i].depart_s) {
        o->state = BOGIE_WHERE_STOPPED;
        o->km = st[i].km;
        why_stopped(&st[i], o->why, sizeof o->why);
        return;
    }
    o->state = BOGIE_WHERE_RUNNING;
    run_at(j, &st[i], &st[i + 1], t, o);
}

bogie_status bogie_where(const bogie_planner *p, const bogie_journey *j, const char *at, bogie_position *out,
                         bogie_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!j->has_clock || !j->n_stops)
        return util_fail(diag, BOGIE_ERR_ARG, "where the train is at a time needs the journey's departure time");
    if (!at || !*at)
        return util_fail(diag, BOGIE_ERR_ARG, "at: a time is needed, as in \"2023-09-11 13:00\", or now");
    int64_t utc;
    bogie_status rc = read_at(p, j, at, &utc, diag);
    if (rc != BOGIE_OK)
        return rc;
    int64_t t0 = j->stops[0].depart_utc - (int64_t)llround(j->stops[0].depart_s);
    out->at_utc = utc;
    out->at_s = (double)(utc - t0);
    locate_at(j, out->at_s, out);
    point_at_km(j, out->km, &out->lat, &out->lon);
    const bogie_stop *z = &j->stops[out->last];
    const tz_zone *zone = NULL;
    bogie_diag d2;
    if (z->zone[0] && tz_db_get(p->world->tz, z->zone, &zone, &d2) != BOGIE_OK)
        zone = NULL;
    int off;
    const char *abbr = "UTC";
    jy_local_time(zone, utc, out->at_local, sizeof out->at_local, &off, &abbr);
    snprintf(out->abbr, sizeof out->abbr, "%s", abbr);
    return BOGIE_OK;
}
