/* journey.c: plans a journey end to end: resolves the places, finds the route, lays out its track and stops,
 * integrates the running time between stops, and turns it into a timetable in each stop's local time. */
#include "bogie.h"

#include "ref/names.h"
#include "net/network.h"
#include "journey/physics.h"
#include "route/route.h"
#include "net/tags.h"
#include "ref/tz.h"
#include "base/util.h"
#include "ref/world.h"

#include "base/geo.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Coordinates this close to a station, or to the track node it is attached to, mean the station. */
#define STATION_SNAP_M 300.0
/* A table of this many pairs or more builds the train's contraction hierarchy first. */
#define TABLE_PREPARE_PAIRS 400

/* How far the thinned speed profile may stray from the integrated one. */
#define PROFILE_TOL_KMH 0.5
#define PROFILE_TOL_S 1.0

struct bogie_planner {
    const bogie_allocator *alloc;
    const bogie_network *net;
    const bogie_world *world;
    route_base base;
    /* Match keys of every station name, sorted, for searches. */
    struct name_entry {
        char *key;
        size_t key_len;
        uint32_t station;
        uint32_t name; /* index into the network's station names */
    } *keys;
    size_t n_keys;
};

static int cmp_key(const void *pa, const void *pb)
{
    const struct name_entry *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    return a->station < b->station ? -1 : a->station > b->station;
}

void bogie_planner_free(bogie_planner *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_keys; i++)
        util_free(p->alloc, p->keys[i].key, p->keys[i].key_len + 1);
    /* Allocated for every name; names that are not valid UTF-8 leave their slots unused. */
    util_free(p->alloc, p->keys, (p->net->n_names ? p->net->n_names : 1) * sizeof *p->keys);
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
    if (rc == BOGIE_OK) {
        p->keys = util_calloc(alloc, net->n_names ? net->n_names : 1, sizeof *p->keys);
        if (!p->keys)
            rc = util_nomem(diag, "indexing station names");
    }
    for (uint32_t s = 0; rc == BOGIE_OK && s < net->n_stations; s++) {
        const net_station *st = &net->stations[s];
        for (uint32_t k = 0; rc == BOGIE_OK && k < st->names_count; k++) {
            const char *v = net_str(net, net->names[st->names_first + k].value);
            struct name_entry *e = &p->keys[p->n_keys];
            bogie_diag d2;
            bogie_status kr = names_key(v, strlen(v), alloc, &e->key, &e->key_len, &d2);
            if (kr == BOGIE_ERR_NOMEM)
                rc = util_nomem(diag, "indexing station names");
            if (kr != BOGIE_OK)
                continue; /* a name that is not valid UTF-8 cannot be matched; it is still shown */
            e->station = s;
            e->name = st->names_first + k;
            p->n_keys++;
        }
    }
    if (rc != BOGIE_OK) {
        bogie_planner_free(p);
        return rc;
    }
    util_sort(p->keys, p->n_keys, sizeof *p->keys, cmp_key);
    *out = p;
    return BOGIE_OK;
}

/* ----- station names ----- */

/* The display name of a station: name:en, else name. */
static const char *station_name(const bogie_network *net, uint32_t s, const char **local)
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
    /* Best quality per station; ties keep the first name. */
    for (int pass = 0; pass < 2 && *n_out == 0; pass++) {
        for (size_t i = 0; i < p->n_keys; i++) {
            const struct name_entry *e = &p->keys[i];
            int quality;
            if (pass == 0) {
                quality = (int)names_compare(qk, ql, e->key, e->key_len);
                if (quality == NAMES_NONE)
                    continue;
            } else {
                /* Nothing matched: suggest names within a small edit distance. */
                unsigned cap = ql < 6 ? 1 : ql < 12 ? 2 : 3;
                if (names_distance(qk, ql, e->key, e->key_len, cap) > cap)
                    continue;
                quality = 0;
            }
            size_t j = 0;
            while (j < *n_out && out[j].station != e->station)
                j++;
            if (j < *n_out) {
                if (out[j].quality >= quality)
                    continue;
            } else if (j >= max) {
                /* Full: replace the worst if this one is better. */
                size_t worst = 0;
                for (size_t k = 1; k < *n_out; k++)
                    if (out[k].quality < out[worst].quality)
                        worst = k;
                if (max == 0 || out[worst].quality >= quality)
                    continue;
                j = worst;
            } else {
                (*n_out)++;
            }
            bogie_station_match *m = &out[j];
            memset(m, 0, sizeof *m);
            m->station = e->station;
            const char *local;
            util_strlcpy_utf8(m->name, station_name(p->net, e->station, &local), sizeof m->name);
            util_strlcpy_utf8(m->local_name, local, sizeof m->local_name);
            const net_name *nm = &p->net->names[e->name];
            util_strlcpy_utf8(m->matched, net_str(p->net, nm->value), sizeof m->matched);
            util_strlcpy_utf8(m->matched_key, net_str(p->net, nm->key), sizeof m->matched_key);
            m->lat = p->net->stations[e->station].lat * 1e-7;
            m->lon = p->net->stations[e->station].lon * 1e-7;
            m->quality = quality;
        }
    }
    /* Best first, then by name. */
    for (size_t i = 1; i < *n_out; i++)
        for (size_t j = i; j > 0 && (out[j].quality > out[j - 1].quality ||
                                     (out[j].quality == out[j - 1].quality &&
                                      strcmp(out[j].name, out[j - 1].name) < 0));
             j--) {
            bogie_station_match t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    util_free(p->alloc, qk, ql + 1);
    return BOGIE_OK;
}

/* Reads "lat,lon" (decimal degrees, optional spaces); returns false when text is not of that form. */
static bool parse_coordinates(const char *text, double *lat, double *lon)
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

/* Resolves one place: coordinates snap to track, names to one station. role names the field in messages, such as
 * "--from" or "from". */
static bogie_status resolve_place(const bogie_planner *p, const bogie_train *t, const char *role, const char *text,
                                  double snap_m, route_place *out, bogie_diag *diag)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return util_fail(diag, BOGIE_ERR_ARG, "%s: a station name or lat,lon is needed", role);
    double lat, lon;
    if (parse_coordinates(text, &lat, &lon)) {
        if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
            return util_fail(diag, BOGIE_ERR_ARG, "%s \"%s\": latitude must be within -90..90 and longitude -180..180",
                             role, text);
        /* Coordinates at a station (within STATION_SNAP_M of it or of its node) mean the station. */
        uint32_t near[64];
        size_t n_near = route_stations_within(&p->base, lat, lon, STATION_SNAP_M, near, 64);
        for (size_t i = 0; i < n_near; i++) {
            uint32_t s = near[i];
            const net_station *st = &p->net->stations[s];
            if (st->node == BOGIE_NONE)
                continue;
            const net_node *nd = &p->net->nodes[st->node];
            bool usable = false;
            for (uint32_t k = p->net->node_adj[st->node]; k < p->net->node_adj[st->node + 1] && !usable; k++) {
                const net_class *c = &p->net->classes[p->net->edges[p->net->adj[k] >> 1].cls];
                for (size_t g = 0; g < t->n_gauges; g++)
                    usable |= route_gauge_ok(c, t->gauges[g]);
                for (size_t g = 0; t->change != BOGIE_CHANGE_NONE && g < t->n_change_to; g++)
                    usable |= route_gauge_ok(c, t->change_to[g]);
            }
            if (!usable)
                continue;
            out->is_point = false;
            out->station = s;
            out->node = st->node;
            out->lat = nd->lat * 1e-7;
            out->lon = nd->lon * 1e-7;
            util_strlcpy_utf8(out->label, station_name(p->net, s, NULL), sizeof out->label);
            return BOGIE_OK;
        }
        bogie_status rc = route_snap(&p->base, t, lat, lon, snap_m, out, diag);
        if (rc != BOGIE_OK) {
            char msg[sizeof diag->message];
            snprintf(msg, sizeof msg, "%s", diag ? diag->message : "");
            return util_fail(diag, rc, "%s %s", role, msg);
        }
        return BOGIE_OK;
    }
    bogie_station_match m[12];
    size_t n;
    bogie_status rc = bogie_stations_search(p, text, m, 12, &n, diag);
    if (rc != BOGIE_OK)
        return rc;
    size_t exact = 0;
    while (exact < n && m[exact].quality == NAMES_EXACT)
        exact++;
    size_t take = exact ? exact : n;
    if (n == 0 || m[0].quality == 0 || (take > 1)) {
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
        rc = util_fail(diag, n && m[0].quality != 0 ? BOGIE_ERR_ARG : BOGIE_ERR_NOT_FOUND, "%s",
                       sb.failed ? "station not found" : sb.s);
        sb_free(&sb);
        return rc;
    }
    const net_station *st = &p->net->stations[m[0].station];
    out->is_point = false;
    out->station = m[0].station;
    out->node = st->node;
    out->lat = p->net->nodes[st->node].lat * 1e-7;
    out->lon = p->net->nodes[st->node].lon * 1e-7;
    util_strlcpy_utf8(out->label, m[0].name, sizeof out->label);
    return BOGIE_OK;
}

/* ----- laying out the route ----- */

typedef struct seg {
    double s0, s1;        /* metres from the origin */
    double limit_ms;
    double radius_m;      /* for curve resistance; 0 when straight or unknown */
    bool assumed;         /* the line limit is assumed (untagged, or tagged as assumed) */
    bool schematic;
} seg;

typedef struct mark {
    double pos;           /* metres from the origin */
    uint32_t node;        /* view node */
    size_t item;          /* the route item that ends here */
} mark;

typedef struct xing {
    double pos;           /* metres from the origin */
    double lat, lon;
    uint16_t from, to;    /* 1 + country index */
} xing;

typedef struct layout {
    const bogie_allocator *a;
    VEC(seg) segs;
    VEC(xing) xings;      /* border crossings, in travel order */
    VEC(double) line;     /* lat, lon pairs */
    VEC(double) line_km;  /* per point: kilometres from the origin */
    VEC(mark) marks;      /* the node at the end of every travelled item, and the origin */
    double length;
} layout;

static int push_point(layout *L, double lat, double lon, double pos_m)
{
    if (L->line.n >= 2 && L->line.v[L->line.n - 2] == lat && L->line.v[L->line.n - 1] == lon)
        return 0;
    return VEC_PUSH(L->a, L->line, lat) || VEC_PUSH(L->a, L->line, lon) ||
                   VEC_PUSH(L->a, L->line_km, pos_m / 1000)
               ? -1
               : 0;
}

/* Appends the span of an edge the route travels, in travel direction. */
static bogie_status lay_edge(const route_base *b, const bogie_train *t, const route_view *v, uint32_t h, layout *L,
                             bogie_diag *diag)
{
    const bogie_network *net = b->net;
    const net_edge *e = route_base_edge(v, h >> 1);
    const net_class *c = &net->classes[e->cls];
    bool back = h & 1;
    double s0, s1;
    route_edge_span(v, h >> 1, &s0, &s1);
    /* The borders crossed on this span, in travel order. */
    uint32_t base = (uint32_t)(e - net->edges);
    uint32_t k0 = net->edge_cross[base], k1 = net->edge_cross[base + 1];
    for (uint32_t i = 0; i < k1 - k0; i++) {
        const net_crossing *x = &net->crossings[back ? k1 - 1 - i : k0 + i];
        if (x->pos_m < s0 || x->pos_m > s1)
            continue;
        xing xg = {L->length + (back ? s1 - x->pos_m : x->pos_m - s0), x->lat * 1e-7, x->lon * 1e-7,
                   back ? x->to : x->from, back ? x->from : x->to};
        if (VEC_PUSH(L->a, L->xings, xg) != 0)
            return util_nomem(diag, "laying out the route");
    }
    bool assumed;
    double line = route_line_limit_kmh(b, t, e, back, &assumed) / 3.6;
    bool schematic = (c->flags & NET_CLASS_SCHEMATIC) != 0;
    const net_point *g = net->geom + e->geom_first;
    const uint16_t *rad = net->radius + e->geom_first;
    const float *u = net->geom_pos + e->geom_first; /* positions of the points, in the edge's length units */
    uint32_t n = e->geom_count;
    bogie_status rc = BOGIE_OK;
    for (uint32_t j = 0; j + 1 < n && rc == BOGIE_OK; j++) {
        uint32_t k = back ? n - 2 - j : j; /* the segment k .. k + 1, in travel order */
        double a = u[k] > s0 ? u[k] : s0, z = u[k + 1] < s1 ? u[k + 1] : s1;
        if (z <= a && !(z == a && u[k + 1] == u[k] && a >= s0 && a <= s1))
            continue;
        double len = z - a;
        double fa = u[k + 1] > u[k] ? (a - u[k]) / (u[k + 1] - u[k]) : 0;
        double fz = u[k + 1] > u[k] ? (z - u[k]) / (u[k + 1] - u[k]) : 1;
        double lat_a = (g[k].lat + fa * ((double)g[k + 1].lat - g[k].lat)) * 1e-7;
        double lon_a = (g[k].lon + fa * ((double)g[k + 1].lon - g[k].lon)) * 1e-7;
        double lat_z = (g[k].lat + fz * ((double)g[k + 1].lat - g[k].lat)) * 1e-7;
        double lon_z = (g[k].lon + fz * ((double)g[k + 1].lon - g[k].lon)) * 1e-7;
        if (back) {
            double tl = lat_a, to = lon_a;
            lat_a = lat_z;
            lon_a = lon_z;
            lat_z = tl;
            lon_z = to;
        }
        if (push_point(L, lat_a, lon_a, L->length) || push_point(L, lat_z, lon_z, L->length + (len > 0 ? len : 0))) {
            rc = util_nomem(diag, "laying out the route");
            break;
        }
        if (len <= 0)
            continue;
        seg sg = {L->length, L->length + len, line, 0, assumed, schematic};
        if (!schematic) {
            uint16_t r = rad[k] < rad[k + 1] ? rad[k] : rad[k + 1];
            if (r != NET_NO_RADIUS && r < NET_MAX_RADIUS) {
                sg.radius_m = r;
                double vc = sqrt(t->curve_lateral_ms2 * r);
                if (vc < sg.limit_ms) {
                    sg.limit_ms = vc;
                    sg.assumed = false;
                }
            }
        }
        if (VEC_PUSH(L->a, L->segs, sg) != 0)
            rc = util_nomem(diag, "laying out the route");
        L->length += len;
    }
    return rc;
}

/* ----- stops ----- */

typedef struct pstop {
    double pos;
    uint32_t node;          /* view node, or BOGIE_NONE */
    unsigned kinds;
    double dwell_s, change_s, border_s, reversal_s;
    uint16_t gauge;
    char detail[256];
    uint32_t via;           /* place index for origin/via/destination, else BOGIE_NONE */
} pstop;

static void append_detail(pstop *s, const char *text)
{
    size_t used = strlen(s->detail);
    snprintf(s->detail + used, sizeof s->detail - used, "%s%s", used ? "; " : "", text);
}

/* ----- the plan ----- */

void bogie_journey_request_init(bogie_journey_request *r)
{
    memset(r, 0, sizeof *r);
    r->via_dwell_s = -1;
    r->snap_radius_m = 5000;
    r->field_prefix = "--";
}

void bogie_journey_free(bogie_journey *j)
{
    if (!j)
        return;
    const bogie_allocator *a = j->alloc;
    util_free(a, j->stops, (j->n_stops ? j->n_stops : 1) * sizeof *j->stops);
    util_free(a, j->line, (j->n_line ? j->n_line : 1) * sizeof *j->line);
    util_free(a, j->line_km, (j->n_line ? j->n_line : 1) * sizeof *j->line_km);
    util_free(a, j->profile, (j->n_profile ? j->n_profile : 1) * sizeof *j->profile);
    util_free(a, j->path_nodes, (j->n_path_nodes ? j->n_path_nodes : 1) * sizeof *j->path_nodes);
    util_free(a, j, sizeof *j);
}

static void add_warning(bogie_journey *j, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void add_warning(bogie_journey *j, const char *fmt, ...)
{
    if (j->n_warnings >= BOGIE_MAX_WARNINGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->warnings[j->n_warnings++], sizeof j->warnings[0], fmt, ap);
    va_end(ap);
}

static phys_params physics_of(const bogie_train *t)
{
    phys_params p;
    memset(&p, 0, sizeof p);
    p.mass_kg = t->mass_kg;
    p.rot_factor = t->rotating_factor;
    p.power_w = t->power_w * t->efficiency;
    double adhesion = t->adhesion * t->adhesive_mass_kg * PHYS_G;
    p.max_effort_n = t->max_effort_n > 0 && t->max_effort_n < adhesion ? t->max_effort_n : adhesion;
    if (t->n_effort_points > 0) {
        p.curve = (const double (*)[2])t->effort_curve;
        p.n_curve = t->n_effort_points;
    }
    p.davis_a_n = t->davis_a_n;
    p.davis_b_n_s_m = t->davis_b_n_s_m;
    p.davis_c_n_s2_m2 = t->davis_c_n_s2_m2;
    p.brake_ms2 = t->brake_ms2;
    return p;
}

/* The time zone of a stop: its station's timezone tag, else the country table. */
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

static bogie_status plan(const bogie_planner *p, const bogie_journey_request *req, bogie_journey *j,
                         bogie_diag *diag)
{
    const bogie_train *t = req->train;
    const bogie_allocator *a = p->alloc;
    const bogie_network *net = p->net;
    if (!t)
        return util_fail(diag, BOGIE_ERR_ARG, "a journey needs a train");
    if (req->n_via > 30)
        return util_fail(diag, BOGIE_ERR_ARG, "at most 30 via points");
    snprintf(j->train, sizeof j->train, "%s", t->name);
    util_strlcpy_utf8(j->train_title, t->title, sizeof j->train_title);

    route_place places[32];
    size_t np = 0;
    double snap = req->snap_radius_m > 0 ? req->snap_radius_m : 5000;
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    char role[32];
    snprintf(role, sizeof role, "%sfrom", pre);
    bogie_status rc = resolve_place(p, t, role, req->from, snap, &places[np++], diag);
    snprintf(role, sizeof role, "%svia", pre);
    for (size_t i = 0; rc == BOGIE_OK && i < req->n_via; i++)
        rc = resolve_place(p, t, role, req->via[i], snap, &places[np++], diag);
    snprintf(role, sizeof role, "%sto", pre);
    if (rc == BOGIE_OK)
        rc = resolve_place(p, t, role, req->to, snap, &places[np++], diag);
    if (rc != BOGIE_OK)
        return rc;
    for (size_t i = 0; i + 1 < np; i++)
        if (!places[i].is_point && !places[i + 1].is_point && places[i].node == places[i + 1].node)
            return util_fail(diag, BOGIE_ERR_ARG, "\"%s\" and \"%s\" are the same place", places[i].label,
                             places[i + 1].label);

    /* Places to avoid: countries, or stations by name. */
    uint8_t *avoid_node = NULL, *avoid_edge = NULL;
    if (req->n_avoid) {
        avoid_node = util_calloc(a, net->n_nodes ? net->n_nodes : 1, 1);
        if (!avoid_node)
            return util_nomem(diag, "marking avoided places");
        for (size_t i = 0; rc == BOGIE_OK && i < req->n_avoid; i++) {
            /* A country, by its ISO code or name, comes first; anything else names a station. */
            uint16_t country = 0;
            for (uint32_t c = 0; c < net->n_countries && !country; c++)
                if ((net->countries[c].alpha2[0] && strcasecmp(req->avoid[i], net->countries[c].alpha2) == 0) ||
                    (net->countries[c].alpha3[0] && strcasecmp(req->avoid[i], net->countries[c].alpha3) == 0) ||
                    strcasecmp(req->avoid[i], net_str(net, net->countries[c].name)) == 0)
                    country = (uint16_t)(c + 1);
            if (country) {
                if (!avoid_edge) {
                    avoid_edge = util_calloc(a, net->n_edges ? net->n_edges : 1, 1);
                    if (!avoid_edge) {
                        rc = util_nomem(diag, "marking avoided places");
                        break;
                    }
                }
                for (size_t k = 0; k < np && rc == BOGIE_OK; k++) {
                    uint32_t v = places[k].is_point ? net->edges[places[k].edge].from : places[k].node;
                    if (net->node_country[v] == country)
                        rc = util_fail(diag, BOGIE_ERR_ARG, "%savoid \"%s\": %s lies in %s", pre, req->avoid[i],
                                       places[k].label, net_str(net, net->countries[country - 1].name));
                }
                for (uint32_t e = 0; e < net->n_edges; e++) {
                    const net_edge *ed = &net->edges[e];
                    bool in = net->node_country[ed->from] == country || net->node_country[ed->to] == country;
                    for (uint32_t k = net->edge_cross[e]; k < net->edge_cross[e + 1] && !in; k++)
                        in = net->crossings[k].from == country || net->crossings[k].to == country;
                    if (in)
                        avoid_edge[e] = 1;
                }
                continue;
            }
            route_place ap;
            snprintf(role, sizeof role, "%savoid", pre);
            rc = resolve_place(p, t, role, req->avoid[i], snap, &ap, diag);
            if (rc == BOGIE_OK && ap.is_point)
                rc = util_fail(diag, BOGIE_ERR_ARG, "%savoid \"%s\": name a station or a country", pre, req->avoid[i]);
            if (rc == BOGIE_OK) {
                for (size_t k = 0; k < np; k++)
                    if (!places[k].is_point && places[k].node == ap.node)
                        rc = util_fail(diag, BOGIE_ERR_ARG, "%savoid \"%s\" is also a place of the journey",
                                       pre, req->avoid[i]);
                avoid_node[ap.node] = 1;
            }
        }
    }
    route_query q;
    memset(&q, 0, sizeof q);
    q.base = &p->base;
    q.train = t;
    q.places = places;
    q.n_places = np;
    q.via_dwell_s = req->via_dwell_s >= 0 ? req->via_dwell_s : t->dwell_s;
    q.avoid_node = avoid_node;
    q.avoid_edge = avoid_edge;
    q.explain_failure = true;
    q.deadline = req->time_limit_s > 0 ? util_now() + req->time_limit_s : 0;
    route_result res;
    memset(&res, 0, sizeof res);
    if (rc == BOGIE_OK)
        rc = route_find(&q, &res, diag);
    j->weight_s = res.cost_s;
    util_free(a, avoid_node, net->n_nodes ? net->n_nodes : 1);
    util_free(a, avoid_edge, net->n_edges ? net->n_edges : 1);
    if (rc != BOGIE_OK)
        return rc;

    /* Lay the route out and collect its stops. */
    layout L;
    memset(&L, 0, sizeof L);
    L.a = a;
    VEC(pstop) stops = {0};
    pstop first;
    memset(&first, 0, sizeof first);
    first.kinds = BOGIE_STOP_ORIGIN;
    first.node = res.view.vnode_of_place[0] != BOGIE_NONE ? res.view.vnode_of_place[0] : places[0].node;
    first.via = 0;
    first.gauge = res.start_gauge;
    if (VEC_PUSH(a, stops, first) != 0)
        rc = util_nomem(diag, "laying out the route");
    double lat0, lon0;
    route_node_pos(&res.view, first.node, &lat0, &lon0);
    if (rc == BOGIE_OK && push_point(&L, lat0, lon0, 0) != 0)
        rc = util_nomem(diag, "laying out the route");
    mark m0 = {0, first.node, 0};
    if (rc == BOGIE_OK && VEC_PUSH(a, L.marks, m0) != 0)
        rc = util_nomem(diag, "laying out the route");
    uint16_t gauge = res.start_gauge;
    for (size_t i = 0; rc == BOGIE_OK && i < res.items.n; i++) {
        const route_item *it = &res.items.v[i];
        if (it->kind == RITEM_EDGE) {
            rc = lay_edge(&p->base, t, &res.view, it->h, &L, diag);
            mark m = {L.length, route_head(&res.view, it->h), i};
            if (rc == BOGIE_OK && VEC_PUSH(a, L.marks, m) != 0)
                rc = util_nomem(diag, "laying out the route");
            continue;
        }
        /* An event at the current end of the route: join it to a stop already there, or start one. */
        pstop *s = stops.n && stops.v[stops.n - 1].pos == L.length && stops.v[stops.n - 1].node == it->node
                       ? &stops.v[stops.n - 1]
                       : NULL;
        if (!s) {
            pstop ns;
            memset(&ns, 0, sizeof ns);
            ns.pos = L.length;
            ns.node = it->node;
            ns.via = BOGIE_NONE;
            if (VEC_PUSH(a, stops, ns) != 0) {
                rc = util_nomem(diag, "laying out the route");
                break;
            }
            s = &stops.v[stops.n - 1];
        }
        char text[200];
        switch (it->kind) {
        case RITEM_CHANGE: {
            s->kinds |= BOGIE_STOP_GAUGE_CHANGE;
            s->change_s += it->cost_s;
            gauge = it->to_gauge;
            const char *method = t->change == BOGIE_CHANGE_BOGIE_EXCHANGE   ? "bogie exchange"
                                 : t->change == BOGIE_CHANGE_VARIABLE_GAUGE ? "automatic gauge change"
                                                                            : "transshipment";
            if (it->facility != BOGIE_NONE)
                snprintf(text, sizeof text, "%s %u -> %u mm at the %s facility (%.0f min)", method, it->from_gauge,
                         it->to_gauge, p->world->facilities.v[it->facility].name, it->cost_s / 60);
            else
                snprintf(text, sizeof text,
                         "%s %u -> %u mm where the gauges meet; no facility is listed here, so %.0f min includes "
                         "%.0f min for an improvised change (assumed)",
                         method, it->from_gauge, it->to_gauge, it->cost_s / 60,
                         ROUTE_IMPROVISED_CHANGE_PENALTY_S / 60);
            append_detail(s, text);
            break;
        }
        case RITEM_REVERSAL:
            s->kinds |= BOGIE_STOP_REVERSAL;
            s->reversal_s += it->cost_s;
            snprintf(text, sizeof text, "the train reverses (%.0f min)", it->cost_s / 60);
            append_detail(s, text);
            break;
        case RITEM_VIA:
            s->kinds |= BOGIE_STOP_VIA;
            s->dwell_s += it->cost_s;
            s->via = it->via;
            break;
        case RITEM_EDGE:
            break;
        }
        s->gauge = gauge;
    }
    pstop last;
    memset(&last, 0, sizeof last);
    last.kinds = BOGIE_STOP_DESTINATION;
    last.pos = L.length;
    last.node = L.marks.n ? L.marks.v[L.marks.n - 1].node : first.node;
    last.via = (uint32_t)(np - 1);
    last.gauge = gauge;
    if (rc == BOGIE_OK && VEC_PUSH(a, stops, last) != 0)
        rc = util_nomem(diag, "laying out the route");

    /* Border stops: each crossing stops the train at the station on the route nearest to it (within 30 km), or
     * else where it crosses; the countries passed follow. */
    const char *first_country = net_node_country(net, first.node < net->n_nodes ? first.node : BOGIE_NONE);
    if (*first_country)
        snprintf(j->countries[j->n_countries++], sizeof j->countries[0], "%s", first_country);
    for (size_t i = 0; rc == BOGIE_OK && i < L.xings.n; i++) {
        const xing *x = &L.xings.v[i];
        const char *ca = net->countries[x->from - 1].alpha2, *cb = net->countries[x->to - 1].alpha2;
        if (j->n_countries == 0 && *ca)
            snprintf(j->countries[j->n_countries++], sizeof j->countries[0], "%s", ca);
        if (j->n_countries < 16 && *cb && strcmp(j->countries[j->n_countries - 1], cb) != 0)
            snprintf(j->countries[j->n_countries++], sizeof j->countries[0], "%s", cb);
        double best = 30000;
        size_t at = SIZE_MAX;
        for (size_t k = 0; k < L.marks.n; k++) {
            uint32_t v = L.marks.v[k].node;
            double d = fabs(L.marks.v[k].pos - x->pos);
            if (v < net->n_nodes && p->base.node_station[v] != BOGIE_NONE && d < best) {
                best = d;
                at = k;
            }
        }
        pstop bs;
        memset(&bs, 0, sizeof bs);
        bs.kinds = BOGIE_STOP_BORDER;
        bs.via = BOGIE_NONE;
        bs.pos = at != SIZE_MAX ? L.marks.v[at].pos : x->pos;
        bs.node = at != SIZE_MAX ? L.marks.v[at].node : BOGIE_NONE;
        bs.border_s = world_border_stop_s(p->world, ca, cb);
        char text[200];
        snprintf(text, sizeof text, "%s -> %s (%s -> %s), crossing at %.5f,%.5f",
                 net_str(net, net->countries[x->from - 1].name), net_str(net, net->countries[x->to - 1].name), ca, cb,
                 x->lat, x->lon);
        append_detail(&bs, text);
        /* Join a stop already there, or insert in order. */
        size_t k = 0;
        while (k < stops.n && stops.v[k].pos < bs.pos)
            k++;
        while (k < stops.n && stops.v[k].pos == bs.pos && stops.v[k].node != bs.node)
            k++;
        if (k < stops.n && stops.v[k].pos == bs.pos && stops.v[k].node == bs.node) {
            stops.v[k].kinds |= BOGIE_STOP_BORDER;
            stops.v[k].border_s += bs.border_s;
            append_detail(&stops.v[k], text);
            continue;
        }
        if (k == stops.n && stops.n > 0)
            k = stops.n - 1; /* before the destination */
        bs.gauge = k < stops.n ? stops.v[k > 0 ? k - 1 : 0].gauge : gauge;
        if (VEC_PUSH(a, stops, bs) != 0) {
            rc = util_nomem(diag, "laying out the route");
            break;
        }
        memmove(&stops.v[k + 1], &stops.v[k], (stops.n - 1 - k) * sizeof *stops.v);
        stops.v[k] = bs;
    }

    /* Running times: one physics run between consecutive stops. */
    phys_params pp = physics_of(t);
    VEC(phys_sample) prof = {0};
    double *arr = NULL, *dep = NULL;
    size_t ns = stops.n;
    if (rc == BOGIE_OK) {
        arr = util_calloc(a, ns ? ns : 1, sizeof *arr);
        dep = util_calloc(a, ns ? ns : 1, sizeof *dep);
        if (!arr || !dep)
            rc = util_nomem(diag, "timing the journey");
    }
    double clock = 0, allowance = t->allowance_pct / 100.0;
    size_t seg_i = 0;
    VEC(phys_piece) pieces = {0};
    for (size_t k = 0; rc == BOGIE_OK && k < ns; k++) {
        pstop *s = &stops.v[k];
        if (k > 0) {
            /* Run from the previous stop to this one. */
            double from = stops.v[k - 1].pos, to = s->pos;
            pieces.n = 0;
            while (seg_i < L.segs.n && L.segs.v[seg_i].s1 <= from)
                seg_i++;
            for (size_t i = seg_i; i < L.segs.n && L.segs.v[i].s0 < to; i++) {
                const seg *sg = &L.segs.v[i];
                double a0 = sg->s0 > from ? sg->s0 : from, a1 = sg->s1 < to ? sg->s1 : to;
                if (a1 <= a0)
                    continue;
                phys_piece pc = {a0 - from, a1 - from, sg->limit_ms, sg->radius_m};
                if (pieces.n && pieces.v[pieces.n - 1].limit_ms == pc.limit_ms &&
                    pieces.v[pieces.n - 1].radius_m == pc.radius_m)
                    pieces.v[pieces.n - 1].end_m = pc.end_m;
                else if (VEC_PUSH(a, pieces, pc) != 0)
                    rc = util_nomem(diag, "timing the journey");
            }
            double run = 0;
            if (rc == BOGIE_OK && pieces.n > 0) {
                phys_sample *smp;
                size_t nsmp;
                double step = (to - from) / 4000;
                step = step < 10 ? 10 : step > 100 ? 100 : step;
                rc = phys_run(&pp, pieces.v, pieces.n, step, a, &smp, &nsmp, &run, diag);
                if (rc == BOGIE_OK) {
                    double t0 = clock + t->startup_s;
                    for (size_t i = 0; i < nsmp && rc == BOGIE_OK; i++) {
                        phys_sample x = smp[i];
                        x.s_m += from;
                        x.t_s = t0 + x.t_s * (1 + allowance);
                        if (VEC_PUSH(a, prof, x) != 0)
                            rc = util_nomem(diag, "timing the journey");
                    }
                    util_free(a, smp, nsmp * sizeof *smp);
                    j->running_s += run + t->startup_s;
                    j->allowance_s += run * allowance;
                    clock = t0 + run * (1 + allowance);
                }
            }
        }
        arr[k] = clock;
        double stop = s->dwell_s + s->change_s + s->border_s + s->reversal_s;
        j->dwell_s += s->dwell_s;
        j->change_s += s->change_s;
        j->border_s += s->border_s;
        j->reversal_s += s->reversal_s;
        clock += stop;
        dep[k] = clock;
    }
    VEC_FREE(a, pieces);

    /* Stops and timing points, in order: every station passed becomes a timing point. */
    VEC(bogie_stop) out = {0};
    size_t mk = 0;
    for (size_t k = 0; rc == BOGIE_OK && k < ns; k++) {
        const pstop *s = &stops.v[k];
        /* Timing points before this stop. */
        for (; mk < L.marks.n && L.marks.v[mk].pos < s->pos; mk++) {
            uint32_t v = L.marks.v[mk].node;
            if (k == 0 || v >= net->n_nodes || p->base.node_station[v] == BOGIE_NONE || L.marks.v[mk].pos <= 0)
                continue;
            bogie_stop x;
            memset(&x, 0, sizeof x);
            x.kinds = BOGIE_STOP_PASS;
            x.station = p->base.node_station[v];
            x.km = L.marks.v[mk].pos / 1000;
            x.arrive_s = x.depart_s = phys_time_at(prof.v, prof.n, L.marks.v[mk].pos);
            x.gauge = stops.v[k - 1].gauge; /* the wheels the train left the last stop with */
            route_node_pos(&res.view, v, &x.lat, &x.lon);
            if (VEC_PUSH(a, out, x) != 0)
                rc = util_nomem(diag, "writing the timetable");
        }
        while (mk < L.marks.n && L.marks.v[mk].pos <= s->pos)
            mk++;
        bogie_stop x;
        memset(&x, 0, sizeof x);
        x.kinds = s->kinds;
        x.station = s->node < net->n_nodes ? p->base.node_station[s->node] : BOGIE_NONE;
        if (s->via != BOGIE_NONE && !places[s->via].is_point)
            x.station = places[s->via].station;
        x.km = s->pos / 1000;
        x.arrive_s = arr[k];
        x.depart_s = dep[k];
        x.dwell_s = s->dwell_s;
        x.change_s = s->change_s;
        x.border_s = s->border_s;
        x.reversal_s = s->reversal_s;
        x.gauge = s->gauge;
        snprintf(x.detail, sizeof x.detail, "%s", s->detail);
        route_node_pos(&res.view, s->node, &x.lat, &x.lon);
        if (s->via != BOGIE_NONE && places[s->via].is_point) {
            x.station = BOGIE_NONE;
            util_strlcpy_utf8(x.name, places[s->via].label, sizeof x.name);
        }
        if (VEC_PUSH(a, out, x) != 0)
            rc = util_nomem(diag, "writing the timetable");
    }
    if (rc == BOGIE_OK) {
        for (size_t i = 0; i < out.n; i++) {
            bogie_stop *x = &out.v[i];
            if (x->station != BOGIE_NONE) {
                const char *local;
                util_strlcpy_utf8(x->name, station_name(net, x->station, &local), sizeof x->name);
                util_strlcpy_utf8(x->local_name, local, sizeof x->local_name);
            } else if (!x->name[0]) {
                snprintf(x->name, sizeof x->name, "%.5f,%.5f", x->lat, x->lon);
            }
        }
    }

    /* The clock. */
    if (rc == BOGIE_OK && out.n) {
        j->has_clock = req->depart != NULL;
        tz_civil civ;
        int has_offset = 0, offset = 0;
        int64_t t0 = 0;
        if (req->depart) {
            rc = tz_parse_datetime(req->depart, &civ, &has_offset, &offset, diag);
            if (rc != BOGIE_OK) {
                char msg[sizeof diag->message];
                snprintf(msg, sizeof msg, "%s", diag ? diag->message : "");
                rc = util_fail(diag, BOGIE_ERR_ARG, "%sdepart %s", pre, msg);
            }
        }
        for (size_t i = 0; rc == BOGIE_OK && i < out.n; i++) {
            bogie_stop *x = &out.v[i];
            uint32_t node = BOGIE_NONE;
            if (x->station != BOGIE_NONE)
                node = net->stations[x->station].node;
            const char *zname = zone_of(p, node, x->station, x->lon);
            const char *country = node != BOGIE_NONE ? net_node_country(net, node) : "";
            snprintf(x->country, sizeof x->country, "%s", country);
            const tz_zone *zone = NULL;
            if (zname) {
                bogie_diag d2;
                if (tz_db_get(p->world->tz, zname, &zone, &d2) != BOGIE_OK)
                    zone = NULL;
            }
            if (zone)
                util_strlcpy_utf8(x->zone, tz_zone_name(zone), sizeof x->zone);
            if (i == 0 && j->has_clock) {
                if (has_offset) {
                    t0 = (tz_days_from_civil(civ.year, civ.month, civ.day) * 86400 + civ.hour * 3600 +
                          civ.minute * 60 + civ.second) - offset;
                } else if (zone) {
                    rc = tz_civil_to_utc(zone, &civ, &t0);
                    if (rc != BOGIE_OK)
                        rc = util_fail(diag, BOGIE_ERR_ARG, "%sdepart \"%s\": not a valid local time", pre, req->depart);
                } else {
                    add_warning(j, "the time zone of %s is unknown: %sdepart was read as UTC", x->name, pre);
                    t0 = (tz_days_from_civil(civ.year, civ.month, civ.day) * 86400 + civ.hour * 3600 +
                          civ.minute * 60 + civ.second);
                }
            }
            if (!j->has_clock || rc != BOGIE_OK)
                continue;
            x->arrive_utc = t0 + (int64_t)llround(x->arrive_s);
            x->depart_utc = t0 + (int64_t)llround(x->depart_s);
            tz_civil c;
            int off = 0;
            const char *abbr = "UTC";
            for (int which = 0; which < 2; which++) {
                int64_t when = which ? x->depart_utc : x->arrive_utc;
                if (zone) {
                    tz_utc_to_civil(zone, when, &c, &off, &abbr);
                } else {
                    int64_t days = when >= 0 ? when / 86400 : -((-when + 86399) / 86400);
                    int64_t secs = when - days * 86400;
                    tz_civil_from_days(days, &c.year, &c.month, &c.day);
                    c.hour = (int)(secs / 3600);
                    c.minute = (int)(secs / 60 % 60);
                    c.second = (int)(secs % 60);
                    off = 0;
                }
                tz_format_civil(&c, which ? x->depart_local : x->arrive_local,
                                which ? sizeof x->depart_local : sizeof x->arrive_local);
            }
            snprintf(x->abbr, sizeof x->abbr, "%s", abbr);
            x->utc_offset_s = off;
        }
    }

    /* Copy out the line and the profile. */
    if (rc == BOGIE_OK) {
        j->length_m = L.length;
        j->total_s = out.n ? out.v[out.n - 1].arrive_s : 0;
        j->n_line = L.line.n / 2;
        j->line = util_malloc(a, (j->n_line ? j->n_line : 1) * sizeof *j->line);
        j->line_km = util_malloc(a, (j->n_line ? j->n_line : 1) * sizeof *j->line_km);
        /* The profile is thinned: a point is kept only where leaving it out would move the speed or the limit
         * drawn between the kept points by more than PROFILE_TOL_KMH, or the time by more than PROFILE_TOL_S,
         * anywhere ("cone" line simplification, in one pass); stops are always kept. The kept samples' indices are
         * collected first so that the array has its exact size. */
        size_t n = 0;
        uint32_t *kept_i = prof.n ? util_malloc(a, prof.n * sizeof *kept_i) : NULL;
        if (kept_i) {
            size_t k = 0; /* the last kept sample */
            double lo_v = -INFINITY, hi_v = INFINITY, lo_t = -INFINITY, hi_t = INFINITY, lo_l = -INFINITY,
                   hi_l = INFINITY;
            for (size_t i = 0; i < prof.n; i++) {
                const phys_sample *x = &prof.v[i];
                bool keep = i == 0 || i + 1 == prof.n || x->v_ms == 0;
                if (!keep && i > k) {
                    /* Can the line from k to i + 1 still pass within tolerance of every point since k? Slopes are
                     * in km/h (or s) per metre. */
                    const phys_sample *kk = &prof.v[k], *nx = &prof.v[i + 1];
                    double ds = x->s_m - kk->s_m, dn = nx->s_m - kk->s_m;
                    if (ds > 0) {
                        double r = 1 / ds;
                        double dv = (x->v_ms - kk->v_ms) * 3.6, dt = x->t_s - kk->t_s,
                               dl = (x->limit_ms - kk->limit_ms) * 3.6;
                        double a0 = (dv - PROFILE_TOL_KMH) * r, z0 = (dv + PROFILE_TOL_KMH) * r;
                        double a1 = (dt - PROFILE_TOL_S) * r, z1 = (dt + PROFILE_TOL_S) * r;
                        double a2 = (dl - PROFILE_TOL_KMH) * r, z2 = (dl + PROFILE_TOL_KMH) * r;
                        lo_v = a0 > lo_v ? a0 : lo_v;
                        hi_v = z0 < hi_v ? z0 : hi_v;
                        lo_t = a1 > lo_t ? a1 : lo_t;
                        hi_t = z1 < hi_t ? z1 : hi_t;
                        lo_l = a2 > lo_l ? a2 : lo_l;
                        hi_l = z2 < hi_l ? z2 : hi_l;
                    }
                    double rn = dn > 0 ? 1 / dn : 0;
                    double sv = (nx->v_ms - kk->v_ms) * 3.6 * rn, st = (nx->t_s - kk->t_s) * rn,
                           sl = (nx->limit_ms - kk->limit_ms) * 3.6 * rn;
                    keep = !(sv >= lo_v && sv <= hi_v && st >= lo_t && st <= hi_t && sl >= lo_l && sl <= hi_l);
                }
                if (!keep)
                    continue;
                kept_i[n++] = (uint32_t)i;
                k = i;
                lo_v = lo_t = lo_l = -INFINITY;
                hi_v = hi_t = hi_l = INFINITY;
            }
            j->profile = util_malloc(a, (n ? n : 1) * sizeof *j->profile);
            j->n_profile = j->profile ? n : 0; /* bogie_journey_free frees by this count */
            for (size_t i = 0; j->profile && i < n; i++) {
                const phys_sample *x = &prof.v[kept_i[i]];
                j->profile[i] = (bogie_profile_point){x->s_m / 1000, x->t_s, x->v_ms * 3.6, x->limit_ms * 3.6};
            }
            util_free(a, kept_i, prof.n * sizeof *kept_i);
        } else if (prof.n == 0) {
            j->profile = util_malloc(a, sizeof *j->profile);
        }
        if (!j->line || !j->line_km || !j->profile) {
            rc = util_nomem(diag, "writing the journey");
        } else {
            memcpy(j->line, L.line.v, j->n_line * sizeof *j->line);
            memcpy(j->line_km, L.line_km.v, j->n_line * sizeof *j->line_km);
            j->n_profile = n;
        }
    }
    if (rc == BOGIE_OK) {
        j->path_nodes = util_malloc(a, (L.marks.n ? L.marks.n : 1) * sizeof *j->path_nodes);
        if (!j->path_nodes) {
            rc = util_nomem(diag, "writing the journey");
        } else {
            for (size_t i = 0; i < L.marks.n; i++) {
                uint32_t v = L.marks.v[i].node;
                j->path_nodes[i] = v < net->n_nodes ? net->node_osm[v] : 0;
            }
            j->n_path_nodes = L.marks.n;
        }
    }
    if (rc == BOGIE_OK) {
        j->stops = util_malloc(a, (out.n ? out.n : 1) * sizeof *j->stops);
        if (!j->stops)
            rc = util_nomem(diag, "writing the timetable");
        else
            memcpy(j->stops, out.v, out.n * sizeof *j->stops);
        j->n_stops = j->stops ? out.n : 0;
    }
    /* Warnings about the data the answer rests on. */
    if (rc == BOGIE_OK) {
        double assumed = 0, schematic = 0;
        for (size_t i = 0; i < L.segs.n; i++) {
            if (L.segs.v[i].assumed)
                assumed += L.segs.v[i].s1 - L.segs.v[i].s0;
            if (L.segs.v[i].schematic)
                schematic += L.segs.v[i].s1 - L.segs.v[i].s0;
        }
        if (assumed >= 50)
            add_warning(j, "speed limits are assumed (untagged or tagged as assumed) on %.1f of %.1f km",
                        assumed / 1000, L.length / 1000);
        if (schematic > 0)
            add_warning(j, "%.0f km run over schematic geometry: lengths from km posts, no curve limits",
                        schematic / 1000);
        if (res.unknown_gauge_m > 0)
            add_warning(j, "%.1f km of track on the route has no gauge tag and was taken to fit", res.unknown_gauge_m / 1000);
        if (t->traction == BOGIE_TRACTION_ELECTRIC && res.unpowered_m > 0)
            add_warning(j, "%.1f km without suitable wires is coasted", res.unpowered_m / 1000);
        for (size_t i = 0; i < np; i++)
            if (places[i].is_point && places[i].snap_m > 50)
                add_warning(j, "%s is %.0f m from the track; the journey starts or stops at the nearest track",
                            places[i].label, places[i].snap_m);
    }
    util_free(a, arr, (ns ? ns : 1) * sizeof *arr);
    util_free(a, dep, (ns ? ns : 1) * sizeof *dep);
    VEC_FREE(a, out);
    VEC_FREE(a, prof);
    VEC_FREE(a, stops);
    VEC_FREE(a, L.segs);
    VEC_FREE(a, L.xings);
    VEC_FREE(a, L.line);
    VEC_FREE(a, L.line_km);
    VEC_FREE(a, L.marks);
    route_result_free(a, &res);
    return rc;
}

bogie_status bogie_plan(const bogie_planner *p, const bogie_journey_request *req, bogie_journey **out,
                        bogie_diag *diag)
{
    *out = NULL;
    bogie_journey *j = util_calloc(p->alloc, 1, sizeof *j);
    if (!j)
        return util_nomem(diag, "planning the journey");
    j->alloc = p->alloc;
    bogie_status rc = plan(p, req, j, diag);
    if (rc != BOGIE_OK) {
        bogie_journey_free(j);
        return rc;
    }
    *out = j;
    return BOGIE_OK;
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

bogie_status bogie_table(const bogie_planner *p, const bogie_train *t, const char *const *sources, size_t ns,
                         const char *const *destinations, size_t nd, double time_limit_s, double *durations,
                         double *distances, bogie_diag *diag)
{
    const bogie_allocator *a = p->alloc;
    route_place *src = util_calloc(a, ns ? ns : 1, sizeof *src), *dst = util_calloc(a, nd ? nd : 1, sizeof *dst);
    bogie_status rc = src && dst ? BOGIE_OK : util_nomem(diag, "computing a table");
    for (size_t i = 0; rc == BOGIE_OK && i < ns; i++)
        rc = resolve_place(p, t, "sources", sources[i], 5000, &src[i], diag);
    for (size_t i = 0; rc == BOGIE_OK && i < nd; i++)
        rc = resolve_place(p, t, "destinations", destinations[i], 5000, &dst[i], diag);
    double deadline = time_limit_s > 0 ? util_now() + time_limit_s : 0;
    double *len = distances ? distances : util_malloc(a, (ns * nd > 0 ? ns * nd : 1) * sizeof *len);
    if (rc == BOGIE_OK && !len)
        rc = util_nomem(diag, "computing a table");
    /* A large matrix pays for the train's hierarchy (built once per planner and train). */
    if (rc == BOGIE_OK && ns * nd >= TABLE_PREPARE_PAIRS)
        rc = route_prepare(&p->base, t, diag);
    if (rc == BOGIE_OK)
        rc = route_matrix(&p->base, t, src, ns, dst, nd, deadline, durations, len, diag);
    for (size_t i = 0; rc == BOGIE_OK && i < ns * nd; i++)
        if (isinf(durations[i]))
            durations[i] = len[i] = -1;
    if (len && len != distances)
        util_free(a, len, (ns * nd > 0 ? ns * nd : 1) * sizeof *len);
    util_free(a, src, (ns ? ns : 1) * sizeof *src);
    util_free(a, dst, (nd ? nd : 1) * sizeof *dst);
    return rc;
}

bogie_status bogie_planner_prepare(const bogie_planner *p, const bogie_train *train, bogie_diag *diag)
{
    return route_prepare(&p->base, train, diag);
}
