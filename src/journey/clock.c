/* clock.c: puts a timetable on the clock: each row's country and time zone, the departure read in the origin's
 * local time (or with the offset given), and every arrival and departure in UTC and in the row's local time. */
#include "journey/journey_int.h"

#include "net/network.h"

#include <math.h>
#include <stdio.h>

/* The time zone of a stop: its station's timezone tag, else the country table; NULL when unknown. */
static const char *zone_of(const bogie_planner *p, uint32_t node, uint32_t station, double lon)
{
    if (station != BOGIE_NONE) {
        const char *tz = net_str(p->net, p->net->stations[station].timezone);
        if (*tz)
            return tz;
    }
    const char *country = node < p->net->n_nodes ? net_node_country(p->net, node) : "";
    return *country ? world_zone_for(p->world, country, lon) : NULL;
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

/* Gives row x its country and its time zone's name; returns the zone, or NULL when it is unknown. */
static const tz_zone *place_row(const bogie_planner *p, bogie_stop *x)
{
    uint32_t node = BOGIE_NONE;
    if (x->station != BOGIE_NONE)
        node = p->net->stations[x->station].node;
    const char *zname = zone_of(p, node, x->station, x->lon);
    const char *country = node != BOGIE_NONE ? net_node_country(p->net, node) : "";
    snprintf(x->country, sizeof x->country, "%s", country);
    const tz_zone *zone = NULL;
    if (zname) {
        bogie_diag d2;
        if (tz_db_get(p->world->tz, zname, &zone, &d2) != BOGIE_OK)
            zone = NULL;
    }
    if (zone)
        util_strlcpy_utf8(x->zone, tz_zone_name(zone), sizeof x->zone);
    return zone;
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

bogie_status jy_put_on_clock(const bogie_planner *p, const bogie_journey_request *req, const char *pre,
                             jy_rows *rows, bogie_journey *j, bogie_diag *diag)
{
    if (!rows->n)
        return BOGIE_OK;
    j->has_clock = req->depart != NULL;
    tz_civil civ;
    int has_offset = 0, offset = 0;
    int64_t t0 = 0;
    bogie_status rc = BOGIE_OK;
    if (req->depart) {
        rc = tz_parse_datetime(req->depart, &civ, &has_offset, &offset, diag);
        if (rc != BOGIE_OK) {
            char msg[sizeof diag->message];
            snprintf(msg, sizeof msg, "%s", diag ? diag->message : "");
            return util_fail(diag, BOGIE_ERR_ARG, "%sdepart %s", pre, msg);
        }
    }
    for (size_t i = 0; rc == BOGIE_OK && i < rows->n; i++) {
        bogie_stop *x = &rows->v[i];
        const tz_zone *zone = place_row(p, x);
        if (i == 0 && j->has_clock) {
            bool as_utc;
            if (jy_departure_utc(&civ, has_offset, offset, zone, &t0, &as_utc) != BOGIE_OK)
                rc = util_fail(diag, BOGIE_ERR_ARG, "%sdepart \"%s\": not a valid local time", pre, req->depart);
            else if (as_utc)
                jy_warn(j, "the time zone of %s is unknown: %sdepart was read as UTC", x->name, pre);
        }
        if (j->has_clock && rc == BOGIE_OK)
            time_row(zone, t0, x);
    }
    return rc;
}
