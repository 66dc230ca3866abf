/* layout.c: lays out the track of a route edge by edge, in travel order: segments with their speed limits and curve
 * radii, the known elevations, the line to draw, the node at the end of every edge, the border crossings, and the
 * countries passed. */
#include "journey/journey_int.h"

#include "net/network.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int push_point(jy_layout *L, double lat, double lon, double pos_m)
{
    if (L->line.n >= 2 && L->line.v[L->line.n - 2] == lat && L->line.v[L->line.n - 1] == lon)
        return 0;
    return VEC_PUSH(L->a, L->line, lat) || VEC_PUSH(L->a, L->line, lon) ||
                   VEC_PUSH(L->a, L->line_km, pos_m / 1000)
               ? -1
               : 0;
}

/* The span [s0, s1] of an edge that the route travels, in the edge's length units, and what holds along it. */
typedef struct span {
    const net_point *g;  /* the edge's geometry */
    const uint16_t *rad; /* curve radius per point */
    const float *ele;    /* elevation per point (NaN where unknown), or NULL when the network has none */
    const float *u;      /* positions of the points, in the edge's length units */
    double s0, s1;
    bool back;           /* travelled against the edge's direction */
    double limit_ms;     /* the line's limit */
    bool assumed, schematic;
    bogie_limit_kind kind; /* why limit_ms applies: the line's tag, an assumption or the train */
} span;

/* Appends the borders crossed on span sp of edge e, in travel order. */
static bogie_status lay_crossings(const bogie_network *net, const net_edge *e, const span *sp, jy_layout *L,
                                  bogie_diag *diag)
{
    uint32_t base = (uint32_t)(e - net->edges);
    uint32_t k0 = net->edge_cross[base], k1 = net->edge_cross[base + 1];
    for (uint32_t i = 0; i < k1 - k0; i++) {
        const net_crossing *x = &net->crossings[sp->back ? k1 - 1 - i : k0 + i];
        if (x->pos_m < sp->s0 || x->pos_m > sp->s1)
            continue;
        jy_xing xg = {L->length + (sp->back ? sp->s1 - x->pos_m : x->pos_m - sp->s0), x->lat * 1e-7, x->lon * 1e-7,
                      sp->back ? x->to : x->from, sp->back ? x->from : x->to};
        if (VEC_PUSH(L->a, L->xings, xg) != 0)
            return util_nomem(diag, "laying out the route");
    }
    return BOGIE_OK;
}

/* Appends the elevation z at pos metres from the origin to L's heights, continuing the run of the last one when
 * it ends at pos (the segment before was graded). */
static int push_height(jy_layout *L, double pos, double z)
{
    size_t n = L->heights.n;
    if (n > 0 && L->heights.v[n - 1].pos == pos)
        return 0;
    jy_height h = {pos, z, n};
    return VEC_PUSH(L->a, L->heights, h);
}

/* Marks segment sg, part [fa, fz] of geometry segment k .. k + 1 of span sp, graded and records its ends'
 * elevations when both points of the segment have one (never on schematic geometry). */
static int lay_heights(const span *sp, uint32_t k, double fa, double fz, jy_layout *L, jy_seg *sg)
{
    if (!sp->ele || sp->schematic || !isfinite(sp->ele[k]) || !isfinite(sp->ele[k + 1]))
        return 0;
    double za = sp->ele[k] + fa * ((double)sp->ele[k + 1] - sp->ele[k]);
    double zz = sp->ele[k] + fz * ((double)sp->ele[k + 1] - sp->ele[k]);
    if (sp->back) {
        double tmp = za;
        za = zz;
        zz = tmp;
    }
    size_t n = L->heights.n;
    bool joined = n > 0 && L->heights.v[n - 1].pos == sg->s0;
    if (push_height(L, sg->s0, za) != 0)
        return -1;
    jy_height h = {sg->s1, zz, joined ? L->heights.v[n - 1].run : L->heights.n - 1};
    sg->graded = true;
    return VEC_PUSH(L->a, L->heights, h);
}

/* Appends the part of geometry segment k .. k + 1 inside span sp: its points, and a segment whose limit is the
 * line's or, lower, the curve's. */
static bogie_status lay_piece(const bogie_train *t, const span *sp, uint32_t k, jy_layout *L, bogie_diag *diag)
{
    const float *u = sp->u;
    const net_point *g = sp->g;
    double a = u[k] > sp->s0 ? u[k] : sp->s0, z = u[k + 1] < sp->s1 ? u[k + 1] : sp->s1;
    if (z <= a && !(z == a && u[k + 1] == u[k] && a >= sp->s0 && a <= sp->s1))
        return BOGIE_OK;
    double len = z - a;
    double fa = u[k + 1] > u[k] ? (a - u[k]) / (u[k + 1] - u[k]) : 0;
    double fz = u[k + 1] > u[k] ? (z - u[k]) / (u[k + 1] - u[k]) : 1;
    double lat_a = (g[k].lat + fa * ((double)g[k + 1].lat - g[k].lat)) * 1e-7;
    double lon_a = (g[k].lon + fa * ((double)g[k + 1].lon - g[k].lon)) * 1e-7;
    double lat_z = (g[k].lat + fz * ((double)g[k + 1].lat - g[k].lat)) * 1e-7;
    double lon_z = (g[k].lon + fz * ((double)g[k + 1].lon - g[k].lon)) * 1e-7;
    if (sp->back) {
        double tl = lat_a, to = lon_a;
        lat_a = lat_z;
        lon_a = lon_z;
        lat_z = tl;
        lon_z = to;
    }
    if (push_point(L, lat_a, lon_a, L->length) || push_point(L, lat_z, lon_z, L->length + (len > 0 ? len : 0)))
        return util_nomem(diag, "laying out the route");
    if (len <= 0)
        return BOGIE_OK;
    jy_seg sg = {L->length, L->length + len, sp->limit_ms, 0, sp->assumed, sp->schematic, sp->kind, false, 0};
    if (!sp->schematic) {
        uint16_t r = sp->rad[k] < sp->rad[k + 1] ? sp->rad[k] : sp->rad[k + 1];
        if (r != NET_NO_RADIUS && r < NET_MAX_RADIUS) {
            sg.radius_m = r;
            double vc = sqrt(t->curve_lateral_ms2 * r);
            if (vc < sg.limit_ms) {
                sg.limit_ms = vc;
                sg.assumed = false;
                sg.kind = BOGIE_LIMIT_CURVE;
            }
        }
    }
    if (lay_heights(sp, k, fa, fz, L, &sg) != 0)
        return util_nomem(diag, "laying out the route");
    bogie_status rc = VEC_PUSH(L->a, L->segs, sg) != 0 ? util_nomem(diag, "laying out the route") : BOGIE_OK;
    L->length += len;
    return rc;
}

/* Appends the span of half-edge h that the route travels, in travel direction. */
static bogie_status lay_edge(const route_base *b, const bogie_train *t, const route_view *v, uint32_t h,
                             jy_layout *L, bogie_diag *diag)
{
    const bogie_network *net = b->net;
    const net_edge *e = route_base_edge(v, h >> 1);
    const net_class *c = &net->classes[e->cls];
    span sp;
    sp.back = h & 1;
    route_edge_span(v, h >> 1, &sp.s0, &sp.s1);
    bogie_status rc = lay_crossings(net, e, &sp, L, diag);
    if (rc != BOGIE_OK)
        return rc;
    sp.limit_ms = route_line_limit_kmh(b, t, e, sp.back, &sp.assumed) / 3.6;
    sp.kind = sp.assumed                              ? BOGIE_LIMIT_ASSUMED
              : sp.limit_ms >= t->max_speed_ms - 1e-9 ? BOGIE_LIMIT_TRAIN
                                                      : BOGIE_LIMIT_LINE;
    sp.schematic = (c->flags & NET_CLASS_SCHEMATIC) != 0;
    sp.g = net->geom + e->geom_first;
    sp.rad = net->radius + e->geom_first;
    sp.ele = net->elev ? net->elev + e->geom_first : NULL;
    sp.u = net->geom_pos + e->geom_first;
    uint32_t n = e->geom_count;
    for (uint32_t j = 0; j + 1 < n && rc == BOGIE_OK; j++)
        rc = lay_piece(t, &sp, sp.back ? n - 2 - j : j, L, diag); /* the segment k .. k + 1, in travel order */
    return rc;
}

/* Reserves room in L for the segments, points and heights of res's edges (one segment, about one point and at most
 * two heights per geometry point), so that a long route does not copy its layout as it grows. */
static int reserve_layout(const route_result *res, jy_layout *L)
{
    size_t n = 1;
    for (size_t i = 0; i < res->items.n; i++)
        if (res->items.v[i].kind == RITEM_EDGE)
            n += route_base_edge(&res->view, res->items.v[i].h >> 1)->geom_count;
    return VEC_RESERVE(L->a, L->segs, L->segs.n + n) || VEC_RESERVE(L->a, L->line, L->line.n + 2 * n) ||
                   VEC_RESERVE(L->a, L->line_km, L->line_km.n + n) ||
                   VEC_RESERVE(L->a, L->heights, L->heights.n + 2 * n) ||
                   VEC_RESERVE(L->a, L->marks, L->marks.n + res->items.n + 1)
               ? -1
               : 0;
}

bogie_status jy_lay_out(const route_base *b, const bogie_train *t, const route_result *res, uint32_t origin,
                        jy_layout *L, bogie_diag *diag)
{
    if (reserve_layout(res, L) != 0)
        return util_nomem(diag, "laying out the route");
    double lat0, lon0;
    route_node_pos(&res->view, origin, &lat0, &lon0);
    if (push_point(L, lat0, lon0, 0) != 0)
        return util_nomem(diag, "laying out the route");
    jy_mark m0 = {0, origin, 0};
    if (VEC_PUSH(L->a, L->marks, m0) != 0)
        return util_nomem(diag, "laying out the route");
    bogie_status rc = BOGIE_OK;
    for (size_t i = 0; rc == BOGIE_OK && i < res->items.n; i++) {
        const route_item *it = &res->items.v[i];
        if (it->kind != RITEM_EDGE)
            continue;
        rc = lay_edge(b, t, &res->view, it->h, L, diag);
        jy_mark m = {L->length, route_head(&res->view, it->h), i};
        if (rc == BOGIE_OK && VEC_PUSH(L->a, L->marks, m) != 0)
            rc = util_nomem(diag, "laying out the route");
    }
    if (rc == BOGIE_OK)
        rc = jy_grade_segments(L, diag);
    return rc;
}

void jy_layout_free(jy_layout *L)
{
    VEC_FREE(L->a, L->segs);
    VEC_FREE(L->a, L->xings);
    VEC_FREE(L->a, L->line);
    VEC_FREE(L->a, L->line_km);
    VEC_FREE(L->a, L->marks);
    VEC_FREE(L->a, L->heights);
}

uint16_t jy_country_at(const jy_layout *L, uint16_t first, double pos)
{
    uint16_t c = first;
    for (size_t i = 0; i < L->xings.n && L->xings.v[i].pos <= pos; i++)
        c = L->xings.v[i].to;
    return c;
}

void jy_countries_passed(const bogie_network *net, uint16_t first, const jy_layout *L, bogie_journey *j)
{
    const char *first_country = first ? net->countries[first - 1].alpha2 : "";
    if (*first_country)
        snprintf(j->countries[j->n_countries++], sizeof j->countries[0], "%s", first_country);
    for (size_t i = 0; i < L->xings.n; i++) {
        const jy_xing *x = &L->xings.v[i];
        const char *ca = net->countries[x->from - 1].alpha2, *cb = net->countries[x->to - 1].alpha2;
        if (j->n_countries == 0 && *ca)
            snprintf(j->countries[j->n_countries++], sizeof j->countries[0], "%s", ca);
        if (j->n_countries < 16 && *cb && (j->n_countries == 0 || strcmp(j->countries[j->n_countries - 1], cb) != 0))
            snprintf(j->countries[j->n_countries++], sizeof j->countries[0], "%s", cb);
    }
}
