/* clock.c: puts a timetable on the clock: each row's country and time zone, the departure read in the origin's
 * local time (or with the offset given), and every arrival and departure in UTC and in the row's local time. */
#include "journey/journey_int.h"

#include "net/network.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The time zone of row x: its station's timezone tag, else the one its country's table gives; NULL when unknown. */
static const char *zone_of(const bogie_planner *p, const bogie_stop *x)
{
    if (x->station != BOGIE_NONE) {
        const char *tz = net_str(p->net, p->net->stations[x->station].timezone);
        if (*tz)
            return tz;
    }
    return x->country[0] ? world_zone_for(p->world, x->country, x->lon) : NULL;
}

bogie_status jy_departure_utc(const tz_civil *civ, bool has_offset, int offset_s, const tz_zone *zone,
                              int64_t *t_utc, bool *as_utc)
{
    *as_utc = false;
    int64_t civil_s = tz_days_from_civil(civ->year, civ->month, civ->day) * 86400 + civ->hour * 3600 +
                      civ->minute * 60 + civ->second;
    if (has_offset) {
        *t_utc = civil_s - offset_s;
        return BOGIE_OK;
    }
    if (zone)
        return tz_civil_to_utc(zone, civ, t_utc);
    *as_utc = true;
    *t_utc = civil_s;
    return BOGIE_OK;
}

void jy_local_time(const tz_zone *zone, int64_t when, char *buf, size_t size, int *offset_s, const char **abbr)
{
    tz_civil c;
    if (zone) {
        tz_utc_to_civil(zone, when, &c, offset_s, abbr);
    } else {
        int64_t days = when >= 0 ? when / 86400 : -((-when + 86399) / 86400);
        int64_t secs = when - days * 86400;
        tz_civil_from_days(days, &c.year, &c.month, &c.day);
        c.hour = (int)(secs / 3600);
        c.minute = (int)(secs / 60 % 60);
        c.second = (int)(secs % 60);
        *offset_s = 0;
        *abbr = "UTC";
    }
    tz_format_civil(&c, buf, size);
}

/* Row x's time zone (its country was set by the timetable), or NULL when it is unknown. */
static const tz_zone *row_zone(const bogie_planner *p, const bogie_stop *x)
{
    const char *zname = zone_of(p, x);
    const tz_zone *zone = NULL;
    bogie_diag d2;
    if (zname && tz_db_get(p->world->tz, zname, &zone, &d2) != BOGIE_OK)
        zone = NULL;
    return zone;
}

/* The zone of every row into zones[0 .. rows->n) and each row's zone name. A row whose zone is unknown takes the
 * zone of the row before it (the first rows that of the first row with one), so that no journey mixes a known zone
 * with UTC; all stay NULL only when no row's zone is known. */
static void zone_rows(const bogie_planner *p, jy_rows *rows, const tz_zone **zones)
{
    const tz_zone *known = NULL;
    for (size_t i = 0; i < rows->n; i++) {
        zones[i] = row_zone(p, &rows->v[i]);
        if (zones[i] && !known)
            known = zones[i];
    }
    for (size_t i = 0; i < rows->n; i++) {
        if (!zones[i])
            zones[i] = known;
        known = zones[i];
        if (zones[i])
            util_strlcpy_utf8(rows->v[i].zone, tz_zone_name(zones[i]), sizeof rows->v[i].zone);
    }
}

/* Row x's times in UTC and in zone, t0 being the departure's UTC time. */
static void time_row(const tz_zone *zone, int64_t t0, bogie_stop *x)
{
    x->arrive_utc = t0 + (int64_t)llround(x->arrive_s);
    x->depart_utc = t0 + (int64_t)llround(x->depart_s);
    int off = 0;
    const char *abbr = "UTC";
    jy_local_time(zone, x->arrive_utc, x->arrive_local, sizeof x->arrive_local, &off, &abbr);
    jy_local_time(zone, x->depart_utc, x->depart_local, sizeof x->depart_local, &off, &abbr);
    snprintf(x->abbr, sizeof x->abbr, "%s", abbr);
    x->utc_offset_s = off;
}

jy_fold jy_local_fold(const tz_zone *zone, const tz_civil *civ, int64_t t_utc, int64_t *other_utc)
{
    *other_utc = t_utc;
    if (!zone)
        return JY_TIME_ONCE;
    tz_civil back;
    tz_utc_to_civil(zone, t_utc, &back, NULL, NULL);
    if (back.year != civ->year || back.month != civ->month || back.day != civ->day || back.hour != civ->hour ||
        back.minute != civ->minute)
        return JY_TIME_SKIPPED;
    /* The same wall-clock time under the offset in force a day before or after, when that offset holds then too. */
    int64_t local = t_utc + tz_offset_at(zone, t_utc, NULL);
    for (int side = -1; side <= 1; side += 2) {
        int off = tz_offset_at(zone, t_utc + side * 86400, NULL);
        int64_t u = local - off;
        if (u != t_utc && tz_offset_at(zone, u, NULL) == off) {
            *other_utc = u;
            return JY_TIME_TWICE;
        }
    }
    return JY_TIME_ONCE;
}

/* Warns on j when the departure civ, read in zone as t0 (UTC), was skipped or happens twice there: which way it was
 * read. */
static void warn_fold(const tz_zone *zone, const tz_civil *civ, int64_t t0, const char *pre, bogie_journey *j)
{
    int64_t other;
    jy_fold fold = jy_local_fold(zone, civ, t0, &other);
    if (fold == JY_TIME_ONCE)
        return;
    char asked[24], read[24], off_a[16], off_b[16];
    int off = 0;
    const char *abbr = "";
    tz_format_civil(civ, asked, sizeof asked);
    jy_local_time(zone, t0, read, sizeof read, &off, &abbr);
    tz_format_offset(off, off_a, sizeof off_a);
    if (fold == JY_TIME_SKIPPED) {
        jy_warn(j, "%sdepart %s does not exist in %s (the clocks skip it): read as %s %s (%s)", pre, asked,
                tz_zone_name(zone), read, abbr, off_a);
        return;
    }
    int off2 = tz_offset_at(zone, other, NULL);
    tz_format_offset(off2, off_b, sizeof off_b);
    int a2 = off2 < 0 ? -off2 : off2;
    jy_warn(j, "%sdepart %s happens twice in %s (the clocks go back): the %s, %s %s (%s), was taken; for the other "
               "give its offset, as in \"%s%c%02d:%02d\"",
            pre, asked, tz_zone_name(zone), other > t0 ? "first" : "second", read, abbr, off_a, asked,
            off2 < 0 ? '-' : '+', a2 / 3600, a2 / 60 % 60);
}

bogie_status jy_put_on_clock(const bogie_planner *p, const bogie_journey_request *req, const char *pre,
                             jy_rows *rows, bogie_journey *j, bogie_diag *diag)
{
    if (!rows->n)
        return BOGIE_OK;
    const tz_zone **zones = util_calloc(p->alloc, rows->n, sizeof *zones);
    if (!zones)
        return util_nomem(diag, "putting the journey on the clock");
    zone_rows(p, rows, zones);
    j->has_clock = req->depart != NULL;
    tz_civil civ;
    int has_offset = 0, offset = 0;
    int64_t t0 = 0;
    bool as_utc = false;
    bogie_status rc = BOGIE_OK;
    if (req->depart && tz_parse_datetime(req->depart, &civ, &has_offset, &offset, diag) != BOGIE_OK) {
        char msg[sizeof diag->message];
        snprintf(msg, sizeof msg, "%s", diag ? diag->message : "");
        rc = util_fail(diag, BOGIE_ERR_ARG, "%sdepart %s", pre, msg);
    } else if (req->depart && jy_departure_utc(&civ, has_offset, offset, zones[0], &t0, &as_utc) != BOGIE_OK) {
        rc = util_fail(diag, BOGIE_ERR_ARG, "%sdepart \"%s\": not a valid local time", pre, req->depart);
    } else if (req->depart && as_utc) {
        jy_warn(j, "the time zone of %s is unknown: %sdepart was read as UTC", rows->v[0].name, pre);
    } else if (req->depart && !has_offset) {
        warn_fold(zones[0], &civ, t0, pre, j);
    }
    for (size_t i = 0; j->has_clock && rc == BOGIE_OK && i < rows->n; i++)
        time_row(zones[i], t0, &rows->v[i]);
    bogie_stop *o = &rows->v[0];
    if (j->has_clock && rc == BOGIE_OK && o->arrive_s < 0) {
        /* Work at the origin, done before the departure: when it starts. */
        size_t used = strlen(o->detail);
        snprintf(o->detail + used, sizeof o->detail - used, ", starting %s %s", o->arrive_local, o->abbr);
    }
    util_free(p->alloc, zones, rows->n * sizeof *zones);
    return rc;
}
