/* vias.c: what a journey request asks of each via: a stop of its own length ("Ussuriysk+12h") or a time to leave
 * it ("Khabarovsk@2023-09-13 09:00", an overnight stay), read from the via's text or from the request's per-via
 * arrays; and, once the route's stops are known, when the train must leave those vias, checked after the run. */
#include "journey/journey_int.h"

#include "net/network.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest stop a via may ask for: 30 days. */
#define VIA_MAX_DWELL_S (30.0 * 86400)

/* Reads a duration into *out_s: minutes alone ("90"), or numbers with units d, h, min or m, s ("12h", "1h30m",
 * "1h30": a bare number after hours counts minutes, "2d6h"). Returns false when text is none of these. */
static bool parse_duration(const char *text, double *out_s)
{
    const char *s = text;
    double total = 0;
    double last_unit = 0; /* seconds per unit of the part before, 0 at the start */
    while (*s) {
        if (!isdigit((unsigned char)*s) && *s != '.')
            return false;
        char *end;
        double v = strtod(s, &end);
        if (end == s || !(v >= 0))
            return false;
        s = end;
        double unit;
        if (*s == 'd') {
            unit = 86400, s++;
        } else if (*s == 'h') {
            unit = 3600, s++;
        } else if (strncmp(s, "min", 3) == 0) {
            unit = 60, s += 3;
        } else if (*s == 'm') {
            unit = 60, s++;
        } else if (*s == 's') {
            unit = 1, s++;
        } else if (*s == '\0') {
            unit = last_unit == 0 || last_unit == 3600 ? 60 : 0; /* "90" is minutes, and so is "1h30" */
        } else {
            return false;
        }
        if (unit == 0 || (last_unit && unit >= last_unit))
            return false; /* units largest first, each once */
        total += v * unit;
        last_unit = unit;
    }
    if (last_unit == 0 || total > VIA_MAX_DWELL_S)
        return false;
    *out_s = total;
    return true;
}

/* The ask of via text (its place, and a dwell after '+' or a time to leave after '@') into *a. */
static bogie_status read_via_text(const char *pre, const char *text, jy_via_ask *a, bogie_diag *diag)
{
    memset(a, 0, sizeof *a);
    a->dwell_s = -1;
    if (!text)
        text = "";
    size_t len = strlen(text);
    const char *at = strrchr(text, '@');
    const char *plus = strrchr(text, '+');
    if (at && at > text && at[1]) {
        a->leave = at + 1;
        len = (size_t)(at - text);
    } else if (plus && plus > text && isdigit((unsigned char)plus[1])) {
        if (!parse_duration(plus + 1, &a->dwell_s))
            return util_fail(diag, BOGIE_ERR_ARG,
                             "%svia \"%s\": the stop after '+' is a duration, as in \"Ussuriysk+12h\", \"+1h30\" or "
                             "\"+45\" (minutes), of at most 30 days",
                             pre, text);
        len = (size_t)(plus - text);
    }
    while (len > 0 && text[len - 1] == ' ')
        len--;
    if (len >= sizeof a->place)
        return util_fail(diag, BOGIE_ERR_ARG, "%svia: a place name of more than %zu bytes", pre,
                         sizeof a->place - 1);
    memcpy(a->place, text, len);
    a->place[len] = '\0';
    return BOGIE_OK;
}

bogie_status jy_via_asks(const bogie_journey_request *req, jy_via_ask *asks, bogie_diag *diag)
{
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    for (size_t i = 0; i < req->n_via; i++) {
        bogie_status rc = read_via_text(pre, req->via[i], &asks[i], diag);
        if (rc != BOGIE_OK)
            return rc;
        double dwell = req->via_dwell_each ? req->via_dwell_each[i] : -1;
        const char *leave = req->via_leave ? req->via_leave[i] : NULL;
        if (dwell > VIA_MAX_DWELL_S)
            return util_fail(diag, BOGIE_ERR_ARG, "via %zu (%s): a stop of more than 30 days", i + 1, asks[i].place);
        if (dwell >= 0)
            asks[i].dwell_s = dwell;
        if (leave && *leave)
            asks[i].leave = leave;
        if (asks[i].leave && asks[i].dwell_s >= 0)
            return util_fail(diag, BOGIE_ERR_ARG, "%svia %s: give a stop's length or a time to leave, not both", pre,
                             asks[i].place);
        if (asks[i].leave && !req->depart)
            return util_fail(diag, BOGIE_ERR_ARG, "%svia %s@%s: a time to leave a via needs %sdepart", pre,
                             asks[i].place, asks[i].leave, pre);
    }
    return BOGIE_OK;
}

/* The time zone of place pl: its station's timezone tag, else its country's zone at its longitude; NULL when
 * unknown (times are then read as UTC, as the clock does). */
static const tz_zone *place_zone(const bogie_planner *p, const route_place *pl)
{
    const char *zname = NULL;
    if (!pl->is_point && pl->station != BOGIE_NONE) {
        const char *tz = net_str(p->net, p->net->stations[pl->station].timezone);
        if (*tz)
            zname = tz;
    }
    if (!zname) {
        uint16_t c = jy_place_country(p->net, pl);
        zname = c ? world_zone_for(p->world, p->net->countries[c - 1].alpha2, pl->lon) : NULL;
    }
    const tz_zone *zone = NULL;
    bogie_diag d2;
    if (zname && tz_db_get(p->world->tz, zname, &zone, &d2) != BOGIE_OK)
        zone = NULL;
    return zone;
}

/* Reads time text in zone (unless it has an offset) into *t_utc; what names the field goes before it in errors. */
static bogie_status read_time(const char *what, const char *text, const tz_zone *zone, int64_t *t_utc,
                              bogie_diag *diag)
{
    tz_civil civ;
    int has_off = 0, off = 0;
    bogie_diag d2 = {0};
    bool as_utc;
    if (tz_parse_datetime(text, &civ, &has_off, &off, &d2) != BOGIE_OK)
        return util_fail(diag, BOGIE_ERR_ARG, "%s: %s", what, d2.message);
    if (jy_departure_utc(&civ, has_off, off, zone, t_utc, &as_utc) != BOGIE_OK)
        return util_fail(diag, BOGIE_ERR_ARG, "%s: not a valid local time in %s", what,
                         zone ? tz_zone_name(zone) : "UTC");
    return BOGIE_OK;
}

bogie_status jy_via_leave_times(const bogie_planner *p, const bogie_journey_request *req, const route_place *places,
                                const jy_via_ask *asks, jy_stops *stops, bogie_diag *diag)
{
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    bool any = false;
    for (size_t i = 0; i < req->n_via; i++)
        any = any || asks[i].leave;
    if (!any)
        return BOGIE_OK;
    char what[320];
    snprintf(what, sizeof what, "%sdepart %s", pre, req->depart);
    int64_t t0;
    bogie_status rc = read_time(what, req->depart, place_zone(p, &places[0]), &t0, diag);
    for (size_t k = 0; rc == BOGIE_OK && k < stops->n; k++) {
        jy_stop *s = &stops->v[k];
        if (!(s->kinds & BOGIE_STOP_VIA) || s->via == 0 || s->via > req->n_via || !asks[s->via - 1].leave)
            continue;
        const jy_via_ask *a = &asks[s->via - 1];
        snprintf(what, sizeof what, "%svia %s@%s", pre, a->place, a->leave);
        int64_t leave;
        rc = read_time(what, a->leave, place_zone(p, &places[s->via]), &leave, diag);
        s->has_leave = true;
        s->leave_s = (double)(leave - t0);
        s->dwell_s = 0; /* the run gives it: the time from the arrival to leave_s, less the stop's other work */
        jy_append_detail(s, "leaves at the time asked");
    }
    return rc;
}

bogie_status jy_via_check_leaves(const bogie_planner *p, const bogie_journey_request *req, const route_place *places,
                                 const jy_via_ask *asks, const jy_stops *stops, bogie_diag *diag)
{
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    for (size_t k = 0; k < stops->n; k++) {
        const jy_stop *s = &stops->v[k];
        if (!s->has_leave || s->late_s <= 0)
            continue;
        const jy_via_ask *a = &asks[s->via - 1];
        int64_t t0 = 0;
        bogie_status rc = read_time("depart", req->depart, place_zone(p, &places[0]), &t0, diag);
        if (rc != BOGIE_OK)
            return rc;
        const tz_zone *zone = place_zone(p, &places[s->via]);
        char arrive[24], earliest[24];
        int off;
        const char *abbr;
        jy_local_time(zone, t0 + (int64_t)llround(s->arrive_s), arrive, sizeof arrive, &off, &abbr);
        jy_local_time(zone, t0 + (int64_t)ceil(s->leave_s + s->late_s), earliest, sizeof earliest, &off, &abbr);
        return util_fail(diag, BOGIE_ERR_ARG,
                         "%svia %s@%s: the train cannot leave then: it reaches %s at %s and can leave at %s %s at "
                         "the earliest, %.0f min later (give a later time, or a stop's length as in \"%s+12h\")",
                         pre, a->place, a->leave, a->place, arrive, earliest, abbr, ceil(s->late_s / 60), a->place);
    }
    return BOGIE_OK;
}
