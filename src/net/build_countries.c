/* build_countries.c: puts the graph's nodes in countries and finds where its edges cross borders, from the Natural
 * Earth outlines the import was given (ref/borders.h), with a station's addr:country overriding the outlines at its
 * node; the network keeps a compact table of the countries it touches. */
#include "net/build_int.h"

#include "ref/borders.h"
#include "base/geo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The state of placing one network in countries: compact[i] is the network's index of country i of the outlines, or
 * -1 before its first use; buf holds one edge's crossings. compact and buf are allocated with b's allocator. */
typedef struct country_ctx {
    builder *b;
    const borders *bd;
    int *compact;
    size_t n_compact;
    VEC(borders_crossing) buf;
} country_ctx;

/* Gives country idx of the outlines (or -1 for none) its code in the network's compact table, adding it to the table
 * when it is new: 1 + its index, or 0 for none. Returns false when memory runs out. */
static bool use_country(builder *b, const borders *bd, int *compact, int idx, uint16_t *code)
{
    net_build *o = b->out;
    if (idx < 0) {
        *code = 0;
        return true;
    }
    if (compact[idx] < 0) {
        net_country c;
        memset(&c, 0, sizeof c);
        snprintf(c.alpha2, sizeof c.alpha2, "%s", borders_alpha2(bd, idx));
        snprintf(c.alpha3, sizeof c.alpha3, "%s", borders_alpha3(bd, idx));
        if (strtab_intern(&b->st->strings, borders_name(bd, idx), &c.name) != BOGIE_OK ||
            VEC_PUSH(b->a, o->countries, c) != 0)
            return false;
        compact[idx] = (int)o->countries.n - 1;
    }
    *code = (uint16_t)(1 + compact[idx]);
    return true;
}

/* use_country() for the context's outlines and table. */
static bool code_of(country_ctx *cc, int idx, uint16_t *code)
{
    return use_country(cc->b, cc->bd, cc->compact, idx, code);
}

/* Sizes NODE_COUNTRY and EDGE_CROSS, all zero (unknown country, no crossings). */
static bogie_status alloc_country_sections(builder *b)
{
    net_build *o = b->out;
    size_t nn = o->nodes.n, ne = o->edges.n;
    if (VEC_RESERVE(b->a, o->node_country, nn ? nn : 1) != 0 || VEC_RESERVE(b->a, o->edge_cross, ne + 1) != 0)
        return util_nomem(b->diag, "placing nodes in countries");
    memset(o->node_country.v, 0, (nn ? nn : 1) * sizeof *o->node_country.v);
    memset(o->edge_cross.v, 0, (ne + 1) * sizeof *o->edge_cross.v);
    o->node_country.n = nn;
    o->edge_cross.n = ne + 1;
    return BOGIE_OK;
}

/* Puts every node in the country the outlines give its position. */
static bogie_status place_nodes(country_ctx *cc)
{
    net_build *o = cc->b->out;
    for (size_t v = 0; v < o->nodes.n; v++) {
        int c = borders_country_at(cc->bd, o->nodes.v[v].lat * 1e-7, o->nodes.v[v].lon * 1e-7);
        if (!code_of(cc, c, &o->node_country.v[v]))
            return util_nomem(cc->b->diag, "placing nodes in countries");
    }
    return BOGIE_OK;
}

/* A station's addr:country overrides the outlines at its node: at 1:10 million a border may run a few hundred metres
 * off, enough to put a border station on the wrong side. */
static bogie_status apply_station_countries(country_ctx *cc)
{
    builder *b = cc->b;
    for (size_t i = 0; i < b->st->stations.n; i++) {
        const imp_station *is = &b->st->stations.v[i];
        if (is->dropped || !is->country || b->st_merge[i] != BOGIE_NONE || b->st_node[i] == BOGIE_NONE)
            continue;
        int c = borders_find(cc->bd, strtab_get(&b->st->strings, is->country));
        uint16_t code;
        if (c < 0)
            continue; /* not a code the outlines know: the outlines decide */
        if (!code_of(cc, c, &code))
            return util_nomem(b->diag, "placing nodes in countries");
        b->out->node_country.v[b->gid[b->st_node[i]]] = code;
    }
    return BOGIE_OK;
}

/* The great-circle length in metres of a polyline (lat, lon pairs in degrees * 1e7) up to fraction frac of its
 * segment seg. */
static double distance_along(const int32_t *pts, size_t seg, double frac)
{
    double pos = 0;
    for (size_t k = 1; k <= seg; k++)
        pos += geo_distance_e7(pts[2 * k - 2], pts[2 * k - 1], pts[2 * k], pts[2 * k + 1]);
    return pos + frac * geo_distance_e7(pts[2 * seg], pts[2 * seg + 1], pts[2 * seg + 2], pts[2 * seg + 3]);
}

/* Finds the outline crossings of edge e into cc->buf (grown to hold them all); returns how many. */
static bogie_status outline_crossings(country_ctx *cc, const net_edge *ed, size_t *n_out)
{
    const int32_t *pts = (const int32_t *)&cc->b->out->geom.v[ed->geom_first];
    int start;
    size_t n = borders_crossings(cc->bd, pts, ed->geom_count, cc->buf.v, cc->buf.cap, &start);
    if (n > cc->buf.cap) {
        if (VEC_RESERVE(cc->b->a, cc->buf, n) != 0)
            return util_nomem(cc->b->diag, "finding border crossings");
        n = borders_crossings(cc->bd, pts, ed->geom_count, cc->buf.v, cc->buf.cap, &start);
    }
    *n_out = n;
    return BOGIE_OK;
}

/* Keeps the n outline crossings of edge e that change the country from one real country to another: where the
 * outline puts a stretch of coastal track in the sea (no country), the track has not left the country. *cur starts
 * as the country of the edge's start and ends as the country it reaches; scale turns metres of geometry into the
 * edge's length. */
static bogie_status keep_real_crossings(country_ctx *cc, uint32_t e, size_t n, double scale, uint16_t *cur)
{
    net_build *o = cc->b->out;
    const int32_t *pts = (const int32_t *)&o->geom.v[o->edges.v[e].geom_first];
    for (size_t i = 0; i < n; i++) {
        const borders_crossing *x = &cc->buf.v[i];
        uint16_t to;
        if (!code_of(cc, x->to, &to))
            return util_nomem(cc->b->diag, "placing nodes in countries");
        if (to == 0 || to == *cur)
            continue;
        double pos = distance_along(pts, x->segment, x->fraction);
        net_crossing cr;
        memset(&cr, 0, sizeof cr);
        cr.edge = e;
        cr.seg = (uint32_t)x->segment;
        cr.frac = (float)x->fraction;
        cr.pos_m = (float)(pos * scale);
        cr.lat = (int32_t)lround(x->lat * 1e7);
        cr.lon = (int32_t)lround(x->lon * 1e7);
        cr.from = *cur;
        cr.to = to;
        if (*cur != 0 && VEC_PUSH(cc->b->a, o->crossings, cr) != 0)
            return util_nomem(cc->b->diag, "finding border crossings");
        *cur = to;
    }
    return BOGIE_OK;
}

/* Where the ends of edge e disagree with the outline (an addr:country override, or a border drawn off the track),
 * replaces the edge's crossings (from first on) with one from the start's country to the end's, at a railway=border
 * end if there is one, else where the outline last crossed (the last of the n in cc->buf), else half-way. */
static bogie_status one_crossing_between_ends(country_ctx *cc, uint32_t e, size_t first, size_t n, double scale)
{
    net_build *o = cc->b->out;
    const net_edge *ed = &o->edges.v[e];
    const int32_t *pts = (const int32_t *)&o->geom.v[ed->geom_first];
    uint16_t a = o->node_country.v[ed->from], z = o->node_country.v[ed->to];
    o->crossings.n = first;
    net_crossing cr;
    memset(&cr, 0, sizeof cr);
    cr.edge = e;
    cr.from = a;
    cr.to = z;
    uint32_t seg = ed->geom_count - 2;
    double frac = 1;
    if (o->node_flags.v[ed->from] & NET_NODE_BORDER) {
        seg = 0;
        frac = 0;
    } else if (!(o->node_flags.v[ed->to] & NET_NODE_BORDER)) {
        seg = (ed->geom_count - 1) / 2;
        frac = ed->geom_count == 2 ? 0.5 : 0;
        if (n > 0) {
            seg = (uint32_t)cc->buf.v[n - 1].segment;
            frac = cc->buf.v[n - 1].fraction;
        }
    }
    double pos = distance_along(pts, seg, frac);
    cr.seg = seg;
    cr.frac = (float)frac;
    cr.pos_m = (float)(pos * scale);
    cr.lat = (int32_t)lround(pts[2 * seg] + frac * (pts[2 * seg + 2] - pts[2 * seg]));
    cr.lon = (int32_t)lround(pts[2 * seg + 1] + frac * (pts[2 * seg + 3] - pts[2 * seg + 1]));
    if (a != 0 && a != z && VEC_PUSH(cc->b->a, o->crossings, cr) != 0)
        return util_nomem(cc->b->diag, "finding border crossings");
    return BOGIE_OK;
}

/* Finds where edge e crosses borders and appends its crossings. */
static bogie_status edge_crossings(country_ctx *cc, uint32_t e)
{
    net_build *o = cc->b->out;
    const net_edge *ed = &o->edges.v[e];
    o->edge_cross.v[e] = (uint32_t)o->crossings.n;
    size_t n = 0;
    bogie_status rc = outline_crossings(cc, ed, &n);
    if (rc != BOGIE_OK)
        return rc;
    const int32_t *pts = (const int32_t *)&o->geom.v[ed->geom_first];
    uint16_t z = o->node_country.v[ed->to], cur = o->node_country.v[ed->from];
    size_t first = o->crossings.n;
    double geo = distance_along(pts, ed->geom_count - 2, 1.0);
    double scale = geo > 0 ? ed->length_m / geo : 0;
    rc = keep_real_crossings(cc, e, n, scale, &cur);
    if (rc == BOGIE_OK && z != 0 && cur != 0 && cur != z)
        rc = one_crossing_between_ends(cc, e, first, n, scale);
    return rc;
}

bogie_status bld_assign_countries(builder *b)
{
    net_build *o = b->out;
    bogie_status rc = alloc_country_sections(b);
    if (rc != BOGIE_OK || !b->st->borders)
        return rc;
    country_ctx cc = {b, b->st->borders, NULL, borders_count(b->st->borders), {0}};
    cc.compact = util_malloc(b->a, (cc.n_compact ? cc.n_compact : 1) * sizeof *cc.compact);
    if (!cc.compact || VEC_RESERVE(b->a, cc.buf, 16) != 0) {
        rc = util_nomem(b->diag, "placing nodes in countries");
    } else {
        for (size_t i = 0; i < cc.n_compact; i++)
            cc.compact[i] = -1;
        rc = place_nodes(&cc);
        if (rc == BOGIE_OK)
            rc = apply_station_countries(&cc);
        for (size_t e = 0; e < o->edges.n && rc == BOGIE_OK; e++)
            rc = edge_crossings(&cc, (uint32_t)e);
        if (rc == BOGIE_OK)
            o->edge_cross.v[o->edges.n] = (uint32_t)o->crossings.n;
    }
    util_free(b->a, cc.compact, (cc.n_compact ? cc.n_compact : 1) * sizeof *cc.compact);
    VEC_FREE(b->a, cc.buf);
    return rc;
}
