/* places.c: resolves the places a user gives, station names in any language of the data or lat,lon, into places of
 * the route: the index of station names, station searches, coordinates that mean a station or snap to track. */
#include "journey/journey_int.h"

#include "net/network.h"
#include "ref/names.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Coordinates this close to a station, or to the track node it is attached to, mean the station. */
#define STATION_SNAP_M 300.0

/* ----- the index of station names ----- */

static int cmp_key(const void *pa, const void *pb)
{
    const jy_name_key *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    return a->station < b->station ? -1 : a->station > b->station;
}

bogie_status jy_index_names(bogie_planner *p, bogie_diag *diag)
{
    const bogie_network *net = p->net;
    p->keys = util_calloc(p->alloc, net->n_names ? net->n_names : 1, sizeof *p->keys);
    if (!p->keys)
        return util_nomem(diag, "indexing station names");
    bogie_status rc = BOGIE_OK;
    for (uint32_t s = 0; rc == BOGIE_OK && s < net->n_stations; s++) {
        const net_station *st = &net->stations[s];
        for (uint32_t k = 0; rc == BOGIE_OK && k < st->names_count; k++) {
            const char *v = net_str(net, net->names[st->names_first + k].value);
            jy_name_key *e = &p->keys[p->n_keys];
            bogie_diag d2;
            bogie_status kr = names_key(v, strlen(v), p->alloc, &e->key, &e->key_len, &d2);
            if (kr == BOGIE_ERR_NOMEM)
                rc = util_nomem(diag, "indexing station names");
            if (kr != BOGIE_OK)
                continue; /* a name that is not valid UTF-8 cannot be matched; it is still shown */
            e->station = s;
            e->name = st->names_first + k;
            p->n_keys++;
        }
    }
    if (rc == BOGIE_OK)
        util_sort(p->keys, p->n_keys, sizeof *p->keys, cmp_key);
    return rc;
}

void jy_free_names(bogie_planner *p)
{
    for (size_t i = 0; i < p->n_keys; i++)
        util_free(p->alloc, p->keys[i].key, p->keys[i].key_len + 1);
    /* Allocated for every name; names that are not valid UTF-8 leave their slots unused. */
    util_free(p->alloc, p->keys, (p->net->n_names ? p->net->n_names : 1) * sizeof *p->keys);
}

const char *jy_station_name(const bogie_network *net, uint32_t s, const char **local)
{
    const net_station *st = &net->stations[s];
    const char *en = NULL;
    for (uint32_t k = 0; k < st->names_count; k++)
        if (strcmp(net_str(net, net->names[st->names_first + k].key), "name:en") == 0)
            en = net_str(net, net->names[st->names_first + k].value);
    if (local)
        *local = net_str(net, st->name);
    return en && *en ? en : net_str(net, st->name);
}

/* ----- searching station names ----- */

/* How well name key e matches the query key in pass 0 (a NAMES_* match) or pass 1 (0: a suggestion within a small
 * edit distance); -1 when it does not. */
static int match_quality(int pass, const char *qk, size_t ql, const jy_name_key *e)
{
    if (pass == 0) {
        int quality = (int)names_compare(qk, ql, e->key, e->key_len);
        return quality == NAMES_NONE ? -1 : quality;
    }
    unsigned cap = ql < 6 ? 1 : ql < 12 ? 2 : 3;
    return names_distance(qk, ql, e->key, e->key_len, cap) > cap ? -1 : 0;
}

/* The slot of out[0 .. max) that a match of station with quality takes: its station's own slot when the match is
 * better, a new one while there is room, else the worst when the match beats it; SIZE_MAX when it takes none. */
static size_t match_slot(const bogie_station_match *out, size_t max, size_t *n_out, uint32_t station, int quality)
{
    size_t j = 0;
    while (j < *n_out && out[j].station != station)
        j++;
    if (j < *n_out)
        return out[j].quality >= quality ? SIZE_MAX : j;
    if (j < max) {
        (*n_out)++;
        return j;
    }
    size_t worst = 0;
    for (size_t k = 1; k < *n_out; k++)
        if (out[k].quality < out[worst].quality)
            worst = k;
    if (max == 0 || out[worst].quality >= quality)
        return SIZE_MAX;
    return worst;
}

static void fill_match(const bogie_planner *p, const jy_name_key *e, int quality, bogie_station_match *m)
{
    memset(m, 0, sizeof *m);
    m->station = e->station;
    const char *local;
    util_strlcpy_utf8(m->name, jy_station_name(p->net, e->station, &local), sizeof m->name);
    util_strlcpy_utf8(m->local_name, local, sizeof m->local_name);
    const net_name *nm = &p->net->names[e->name];
    util_strlcpy_utf8(m->matched, net_str(p->net, nm->value), sizeof m->matched);
    util_strlcpy_utf8(m->matched_key, net_str(p->net, nm->key), sizeof m->matched_key);
    m->lat = p->net->stations[e->station].lat * 1e-7;
    m->lon = p->net->stations[e->station].lon * 1e-7;
    m->quality = quality;
}

/* Best first, then by name. */
static void sort_matches(bogie_station_match *out, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && (out[j].quality > out[j - 1].quality ||
                                     (out[j].quality == out[j - 1].quality &&
                                      strcmp(out[j].name, out[j - 1].name) < 0));
             j--) {
            bogie_station_match t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
}

bogie_status bogie_stations_search(const bogie_planner *p, const char *query, bogie_station_match *out, size_t max,
                                   size_t *n_out, bogie_diag *diag)
{
    *n_out = 0;
    char *qk;
    size_t ql;
    bogie_status rc = names_key(query, strlen(query), p->alloc, &qk, &ql, diag);
    if (rc != BOGIE_OK)
        return rc;
    if (ql == 0) {
        util_free(p->alloc, qk, ql + 1);
        return util_fail(diag, BOGIE_ERR_ARG, "\"%s\": a station name needs letters or digits", query);
    }
    /* Best quality per station; ties keep the first name. When nothing matches, suggest names spelt alike. */
    for (int pass = 0; pass < 2 && *n_out == 0; pass++) {
        for (size_t i = 0; i < p->n_keys; i++) {
            const jy_name_key *e = &p->keys[i];
            int quality = match_quality(pass, qk, ql, e);
            if (quality < 0)
                continue;
            size_t j = match_slot(out, max, n_out, e->station, quality);
            if (j != SIZE_MAX)
                fill_match(p, e, quality, &out[j]);
        }
    }
    sort_matches(out, *n_out);
    util_free(p->alloc, qk, ql + 1);
    return BOGIE_OK;
}

/* ----- resolving a place ----- */

bool jy_parse_coordinates(const char *text, double *lat, double *lon)
{
    char *end;
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s || (!isdigit((unsigned char)*s) && *s != '-' && *s != '+' && *s != '.'))
        return false;
    double a = strtod(s, &end);
    if (end == s)
        return false;
    s = end;
    while (isspace((unsigned char)*s))
        s++;
    if (*s != ',')
        return false;
    s++;
    double b = strtod(s, &end);
    if (end == s)
        return false;
    s = end;
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return false;
    *lat = a;
    *lon = b;
    return true;
}

/* Whether train t can use some track at node v: a gauge it runs on, or one it can change to. */
static bool node_usable(const bogie_network *net, const bogie_train *t, uint32_t v)
{
    bool usable = false;
    for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1] && !usable; k++) {
        const net_class *c = &net->classes[net->edges[net->adj[k] >> 1].cls];
        for (size_t g = 0; g < t->n_gauges; g++)
            usable |= route_gauge_ok(c, t->gauges[g]);
        for (size_t g = 0; t->change != BOGIE_CHANGE_NONE && g < t->n_change_to; g++)
            usable |= route_gauge_ok(c, t->change_to[g]);
    }
    return usable;
}

bool jy_station_at(const bogie_planner *p, const bogie_train *t, double lat, double lon, route_place *out)
{
    uint32_t near[64];
    size_t n_near = route_stations_within(&p->base, lat, lon, STATION_SNAP_M, near, 64);
    for (size_t i = 0; i < n_near; i++) {
        uint32_t s = near[i];
        const net_station *st = &p->net->stations[s];
        if (st->node == BOGIE_NONE || !node_usable(p->net, t, st->node))
            continue;
        const net_node *nd = &p->net->nodes[st->node];
        out->is_point = false;
        out->station = s;
        out->node = st->node;
        out->lat = nd->lat * 1e-7;
        out->lon = nd->lon * 1e-7;
        util_strlcpy_utf8(out->label, jy_station_name(p->net, s, NULL), sizeof out->label);
        return true;
    }
    return false;
}

static bogie_status resolve_coordinates(const bogie_planner *p, const bogie_train *t, const char *role,
                                        const char *text, double lat, double lon, double snap_m, route_place *out,
                                        bogie_diag *diag)
{
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
        return util_fail(diag, BOGIE_ERR_ARG, "%s \"%s\": latitude must be within -90..90 and longitude -180..180",
                         role, text);
    if (jy_station_at(p, t, lat, lon, out))
        return BOGIE_OK;
    bogie_status rc = route_snap(&p->base, t, lat, lon, snap_m, out, diag);
    if (rc != BOGIE_OK) {
        char msg[sizeof diag->message];
        snprintf(msg, sizeof msg, "%s", diag ? diag->message : "");
        return util_fail(diag, rc, "%s %s", role, msg);
    }
    return BOGIE_OK;
}

/* Refuses a name that matches no station (m[0 .. n) are suggestions, or none) or several (the first take of m). */
static bogie_status refuse_name(const bogie_planner *p, const char *role, const char *text,
                                const bogie_station_match *m, size_t n, size_t take, bogie_diag *diag)
{
    strbuf sb;
    sb_init(&sb, p->alloc);
    if (n == 0)
        sb_printf(&sb, "%s \"%s\": no station of this name in the network", role, text);
    else if (m[0].quality == 0)
        sb_printf(&sb, "%s \"%s\": no station of this name; did you mean", role, text);
    else
        sb_printf(&sb, "%s \"%s\" is ambiguous; it matches %zu stations:", role, text, take);
    for (size_t i = 0; i < (m[0].quality == 0 ? n : take); i++)
        sb_printf(&sb, "%s %s%s%s%s (%.4f,%.4f)", i ? "," : "", m[i].name, strcmp(m[i].name, m[i].local_name) ? " / " : "",
                  strcmp(m[i].name, m[i].local_name) ? m[i].local_name : "", "", m[i].lat, m[i].lon);
    if (n && m[0].quality == 0)
        sb_puts(&sb, "?");
    bogie_status rc = util_fail(diag, n && m[0].quality != 0 ? BOGIE_ERR_ARG : BOGIE_ERR_NOT_FOUND, "%s",
                                sb.failed ? "station not found" : sb.s);
    sb_free(&sb);
    return rc;
}

/* A name must match exactly one station (or, with no exact match, be the only one it matches otherwise). */
static bogie_status resolve_name(const bogie_planner *p, const char *role, const char *text, route_place *out,
                                 bogie_diag *diag)
{
    bogie_station_match m[12];
    size_t n;
    bogie_status rc = bogie_stations_search(p, text, m, 12, &n, diag);
    if (rc != BOGIE_OK)
        return rc;
    size_t exact = 0;
    while (exact < n && m[exact].quality == NAMES_EXACT)
        exact++;
    size_t take = exact ? exact : n;
    if (n == 0 || m[0].quality == 0 || (take > 1))
        return refuse_name(p, role, text, m, n, take, diag);
    const net_station *st = &p->net->stations[m[0].station];
    out->is_point = false;
    out->station = m[0].station;
    out->node = st->node;
    out->lat = p->net->nodes[st->node].lat * 1e-7;
    out->lon = p->net->nodes[st->node].lon * 1e-7;
    util_strlcpy_utf8(out->label, m[0].name, sizeof out->label);
    return BOGIE_OK;
}

bogie_status jy_resolve_place(const bogie_planner *p, const bogie_train *t, const char *role, const char *text,
                              double snap_m, route_place *out, bogie_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return util_fail(diag, BOGIE_ERR_ARG, "%s: a station name or lat,lon is needed", role);
    double lat, lon;
    if (jy_parse_coordinates(text, &lat, &lon))
        return resolve_coordinates(p, t, role, text, lat, lon, snap_m, out, diag);
    return resolve_name(p, role, text, out, diag);
}

uint16_t jy_place_country(const bogie_network *net, const route_place *pl)
{
    if (!pl->is_point)
        return pl->node < net->n_nodes ? net->node_country[pl->node] : 0;
    /* A point on an edge lies in the country of the edge's start, or of the last border the edge crosses before it. */
    const net_edge *e = &net->edges[pl->edge];
    uint16_t c = net->node_country[e->from];
    for (uint32_t k = net->edge_cross[pl->edge]; k < net->edge_cross[pl->edge + 1]; k++)
        if (net->crossings[k].pos_m <= pl->offset_m)
            c = net->crossings[k].to;
    return c ? c : net->node_country[e->to];
}

bogie_status jy_resolve_places(const bogie_planner *p, const bogie_journey_request *req, const jy_via_ask *asks,
                               route_place *places, size_t *n_places, bogie_diag *diag)
{
    const bogie_train *t = req->train;
    size_t np = 0;
    double snap = req->snap_radius_m > 0 ? req->snap_radius_m : 5000;
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    char role[32];
    snprintf(role, sizeof role, "%sfrom", pre);
    bogie_status rc = jy_resolve_place(p, t, role, req->from, snap, &places[np++], diag);
    snprintf(role, sizeof role, "%svia", pre);
    for (size_t i = 0; rc == BOGIE_OK && i < req->n_via; i++)
        rc = jy_resolve_place(p, t, role, asks ? asks[i].place : req->via[i], snap, &places[np++], diag);
    snprintf(role, sizeof role, "%sto", pre);
    if (rc == BOGIE_OK)
        rc = jy_resolve_place(p, t, role, req->to, snap, &places[np++], diag);
    *n_places = np;
    if (rc != BOGIE_OK)
        return rc;
    for (size_t i = 0; i + 1 < np; i++)
        if (!places[i].is_point && !places[i + 1].is_point && places[i].node == places[i + 1].node)
            return util_fail(diag, BOGIE_ERR_ARG, "\"%s\" and \"%s\" are the same place", places[i].label,
                             places[i + 1].label);
    return BOGIE_OK;
}
