/* build.c: turns what the import gathered (nodes, track ways, station candidates) into the routable graph, step by
 * step: junctions and ends become nodes, chains of degree-2 OSM nodes become edges with their full geometry, curve
 * radii and positions along edges are measured, stations attach to the nearest track node (build_stations.c), nodes
 * and crossings are put in countries (build_countries.c), and breaks of gauge are found. build_int.h lists the
 * build's files. */
#include "net/build_int.h"

#include "base/geo.h"
#include "net/curves.h"
#include "net/tags.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct seg_end {
    uint32_t node;   /* OSM node index */
    uint32_t end;    /* segment index << 1 | 1 for its last point */
} seg_end;

static bogie_status nomem(builder *b, const char *what)
{
    return util_nomem(b->diag, what);
}

/* ----- edges ----- */

static bool is_graph_node(const builder *b, uint32_t v)
{
    return b->inc[v] != 2 || (b->nf[v] & (NF_CONFLICT | NF_FORCED));
}

static bogie_status add_graph_node(builder *b, uint32_t v)
{
    if (b->graph_nodes.n >= BOGIE_NONE - 1)
        return util_fail(b->diag, BOGIE_ERR_LIMIT, "too many graph nodes for one graph file");
    b->gid[v] = (uint32_t)b->graph_nodes.n;
    if (VEC_PUSH(b->a, b->graph_nodes, v) != 0)
        return nomem(b, "numbering nodes");
    return BOGIE_OK;
}

/* Cuts every piece at graph nodes into segments, measuring each one's length. */
static bogie_status make_segments(builder *b)
{
    imp_state *st = b->st;
    bogie_status rc = BOGIE_OK;
    for (size_t pi = 0; pi < b->pieces.n && rc == BOGIE_OK; pi++) {
        const piece *p = &b->pieces.v[pi];
        double scale = b->way_scale[p->way];
        uint32_t start = 0;
        double len = 0;
        for (uint32_t k = 1; k < p->count; k++) {
            uint32_t u = b->pnodes.v[p->first + k - 1], v = b->pnodes.v[p->first + k];
            len += bld_node_dist(st, u, v);
            if (k + 1 < p->count && b->gid[v] == BOGIE_NONE)
                continue;
            segment s = {p->first + start, k - start + 1, p->way, len * scale};
            if (VEC_PUSH(b->a, b->segs, s) != 0) {
                rc = nomem(b, "cutting edges");
                break;
            }
            start = k;
            len = 0;
        }
    }
    return rc;
}

static int cmp_seg_end(const void *pa, const void *pb)
{
    const seg_end *a = pa, *b = pb;
    if (a->node != b->node)
        return a->node < b->node ? -1 : 1;
    return a->end < b->end ? -1 : a->end > b->end;
}

static int cmp_ele(const void *pa, const void *pb)
{
    const imp_node_ele *a = pa, *b = pb;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Sorts the nodes' elevations by id, keeping the first of a node given twice (as the nodes themselves). */
static void sort_elevations(imp_state *st)
{
    util_sort(st->node_ele.v, st->node_ele.n, sizeof *st->node_ele.v, cmp_ele);
    size_t w = 0;
    for (size_t i = 0; i < st->node_ele.n; i++)
        if (w == 0 || st->node_ele.v[w - 1].id != st->node_ele.v[i].id)
            st->node_ele.v[w++] = st->node_ele.v[i];
    st->node_ele.n = w;
}

/* The elevation of node id (sort_elevations() done), or NaN when it has none. */
static float elevation_of(const imp_state *st, int64_t id)
{
    imp_node_ele key = {id, 0};
    const imp_node_ele *e = st->node_ele.n ? bsearch(&key, st->node_ele.v, st->node_ele.n, sizeof key, cmp_ele) : NULL;
    return e ? e->ele_m : NAN;
}

/* Appends the points of segment s to the current edge, forward or backward, skipping the first point when the edge
 * already has points (it repeats the previous segment's last one), with their elevations when any node has one. */
static bogie_status append_segment(builder *b, const segment *s, bool backward, bool skip_first)
{
    net_build *o = b->out;
    for (uint32_t k = skip_first ? 1 : 0; k < s->count; k++) {
        size_t at = s->first + (backward ? s->count - 1 - k : k);
        const imp_node *nd = &b->st->nodes.v[b->pnodes.v[at]];
        net_point pt = {nd->lat, nd->lon};
        if (VEC_PUSH(b->a, o->geom, pt) != 0 ||
            (b->st->node_ele.n > 0 && VEC_PUSH(b->a, o->elev, elevation_of(b->st, nd->id)) != 0))
            return nomem(b, "storing geometry");
    }
    return BOGIE_OK;
}

/* Joins segments through merge nodes into edges. link[end] is the segment end met at the same merge node. */
static bogie_status walk_edge(builder *b, uint32_t s, bool backward, const uint32_t *link, uint8_t *visited)
{
    net_build *o = b->out;
    imp_state *st = b->st;
    net_edge e = {0};
    const segment *first = &b->segs.v[s];
    uint32_t start = b->pnodes.v[backward ? first->first + first->count - 1 : first->first];
    e.from = b->gid[start];
    e.cls = st->ways.v[first->way].cls;
    e.osm_way = st->ways.v[first->way].id;
    e.geom_first = (uint32_t)o->geom.n;
    double length = 0;
    bool first_seg = true;
    for (;;) {
        const segment *sg = &b->segs.v[s];
        visited[s] = 1;
        bogie_status rc = append_segment(b, sg, backward, !first_seg);
        if (rc != BOGIE_OK)
            return rc;
        length += sg->length_m;
        if (st->ways.v[sg->way].distance_m > 0)
            e.flags |= NET_EDGE_DISTANCE_TAG;
        first_seg = false;
        uint32_t end_at = backward ? 0 : 1;
        uint32_t end_node = b->pnodes.v[backward ? sg->first : sg->first + sg->count - 1];
        if (b->gid[end_node] != BOGIE_NONE) {
            e.to = b->gid[end_node];
            break;
        }
        uint32_t next = link[(size_t)s << 1 | end_at];
        if (next == BOGIE_NONE || visited[next >> 1])
            return util_fail(b->diag, BOGIE_ERR_INPUT, "internal error: broken track chain at OSM node %lld",
                             (long long)st->nodes.v[end_node].id);
        s = next >> 1;
        backward = (next & 1) != 0;
    }
    if (o->geom.n - e.geom_first > UINT32_MAX)
        return util_fail(b->diag, BOGIE_ERR_LIMIT, "an edge has too many points");
    e.geom_count = (uint32_t)(o->geom.n - e.geom_first);
    e.length_m = (float)length;
    e.min_radius_m = NET_NO_RADIUS;
    if (o->edges.n >= BOGIE_NONE / 2)
        return util_fail(b->diag, BOGIE_ERR_LIMIT, "too many edges for one graph file");
    if (VEC_PUSH(b->a, o->edges, e) != 0)
        return nomem(b, "storing edges");
    return BOGIE_OK;
}

static bogie_status make_edges(builder *b)
{
    size_t ns = b->segs.n;
    seg_end *ends = NULL;
    uint32_t *link = util_malloc(b->a, (ns ? ns : 1) * 2 * sizeof *link);
    uint8_t *visited = util_calloc(b->a, ns ? ns : 1, 1);
    size_t n_ends = 0;
    bogie_status rc = BOGIE_OK;
    if (!link || !visited) {
        rc = nomem(b, "joining edges");
        goto done;
    }
    for (size_t i = 0; i < 2 * ns; i++)
        link[i] = BOGIE_NONE;
    /* Segment ends at merge nodes (not graph nodes) pair up: each such node has exactly two. */
    for (size_t s = 0; s < ns; s++) {
        const segment *sg = &b->segs.v[s];
        uint32_t a = b->pnodes.v[sg->first], z = b->pnodes.v[sg->first + sg->count - 1];
        n_ends += (b->gid[a] == BOGIE_NONE) + (b->gid[z] == BOGIE_NONE);
    }
    ends = util_malloc(b->a, (n_ends ? n_ends : 1) * sizeof *ends);
    if (!ends) {
        rc = nomem(b, "joining edges");
        goto done;
    }
    size_t k = 0;
    for (size_t s = 0; s < ns; s++) {
        const segment *sg = &b->segs.v[s];
        uint32_t a = b->pnodes.v[sg->first], z = b->pnodes.v[sg->first + sg->count - 1];
        if (b->gid[a] == BOGIE_NONE)
            ends[k++] = (seg_end){a, (uint32_t)(s << 1)};
        if (b->gid[z] == BOGIE_NONE)
            ends[k++] = (seg_end){z, (uint32_t)(s << 1 | 1)};
    }
    util_sort(ends, n_ends, sizeof *ends, cmp_seg_end);
    for (size_t i = 0; i + 1 < n_ends; i += 2) {
        if (ends[i].node != ends[i + 1].node) {
            rc = util_fail(b->diag, BOGIE_ERR_INPUT, "internal error: unpaired track end at OSM node %lld",
                           (long long)b->st->nodes.v[ends[i].node].id);
            goto done;
        }
        /* Leaving segment X through end x continues into segment Y at end y. Entered at its first point (end bit
         * 0) Y runs forward, entered at its last point (end bit 1) it runs backward: so y is also "Y << 1 |
         * backward", and the walk reads it as such. */
        uint32_t x = ends[i].end, y = ends[i + 1].end;
        link[x] = y;
        link[y] = x;
    }
    /* Walk from every graph node. Track whose tags depend on the direction is walked along its ways (the pieces
     * of such a chain agree in direction: bld_make_pieces keeps a node where they do not), so that the edge's
     * forward is the ways' forward; in a first pass, such a chain is only entered at its first point. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < ns && rc == BOGIE_OK; s++) {
            if (visited[s])
                continue;
            const segment *sg = &b->segs.v[s];
            uint32_t a = b->pnodes.v[sg->first], z = b->pnodes.v[sg->first + sg->count - 1];
            bool along_only = pass == 0 && bld_directional(&b->st->classes.v[b->st->ways.v[sg->way].cls]);
            if (b->gid[a] != BOGIE_NONE)
                rc = walk_edge(b, (uint32_t)s, false, link, visited);
            else if (b->gid[z] != BOGIE_NONE && !along_only)
                rc = walk_edge(b, (uint32_t)s, true, link, visited);
        }
    /* Whatever is left forms closed loops without a junction: give each loop a node. */
    for (size_t s = 0; s < ns && rc == BOGIE_OK; s++) {
        if (visited[s])
            continue;
        uint32_t a = b->pnodes.v[b->segs.v[s].first];
        rc = add_graph_node(b, a);
        if (rc == BOGIE_OK)
            rc = walk_edge(b, (uint32_t)s, false, link, visited);
    }
done:
    util_free(b->a, ends, (n_ends ? n_ends : 1) * sizeof *ends);
    util_free(b->a, link, (ns ? ns : 1) * 2 * sizeof *link);
    util_free(b->a, visited, ns ? ns : 1);
    return rc;
}

/* ----- curve radii ----- */

/* How far beyond an edge's ends the geometry of the track continuing through a degree-2 node is borrowed, so that
 * the longest radius window fits up to the edge's ends. */
#define RADIUS_CONTEXT_M (CURVE_WINDOW_MAX_M + 50)

/* Appends to ll the points of the edge continuing the track beyond node v (reached by half-edge h of e), walking away
 * from v for up to RADIUS_CONTEXT_M metres, nearest first. Nothing is added at junctions, dead ends, switches (where
 * the geometry of the ways meeting kinks even when only two are mapped) or where the continuation is schematic: no
 * window spans them, so their kinks never read as curves. */
static int context_points(const builder *b, uint32_t v, uint32_t e, void *llvec)
{
    const net_build *o = b->out;
    VEC(int32_t) *ll = llvec;
    if (o->node_adj.v[v + 1] - o->node_adj.v[v] != 2 || (o->node_flags.v[v] & NET_NODE_SWITCH))
        return 0;
    uint32_t h0 = o->adj.v[o->node_adj.v[v]], h1 = o->adj.v[o->node_adj.v[v] + 1];
    uint32_t other = (h0 >> 1) == e ? h1 : h0;
    if ((other >> 1) == e)
        return 0; /* a loop edge meeting itself */
    const net_edge *f = &o->edges.v[other >> 1];
    if (b->st->classes.v[f->cls].flags & NET_CLASS_SCHEMATIC)
        return 0;
    bool from_end = (other & 1) != 0; /* f touches v at its last point */
    double run = 0;
    const net_point *prev = &o->geom.v[from_end ? f->geom_first + f->geom_count - 1 : f->geom_first];
    for (uint32_t k = 1; k < f->geom_count && run < RADIUS_CONTEXT_M; k++) {
        const net_point *p = &o->geom.v[from_end ? f->geom_first + f->geom_count - 1 - k : f->geom_first + k];
        run += geo_distance_e7(prev->lat, prev->lon, p->lat, p->lon);
        if (VEC_PUSH(b->a, *ll, p->lat) != 0 || VEC_PUSH(b->a, *ll, p->lon) != 0)
            return -1;
        prev = p;
    }
    return 0;
}

/* Measures curve radii along every edge that has surveyed geometry, borrowing the geometry of the track that
 * continues through degree-2 nodes so that a way split at a bridge or a station does not blind the measurement. */
static bogie_status compute_radii(builder *b)
{
    net_build *o = b->out;
    if (VEC_RESERVE(b->a, o->radius, o->geom.n ? o->geom.n : 1) != 0)
        return nomem(b, "measuring curves");
    for (size_t i = 0; i < o->geom.n; i++)
        o->radius.v[i] = NET_NO_RADIUS;
    o->radius.n = o->geom.n;
    VEC(int32_t) before = {0}, ll = {0};
    VEC(double) scratch = {0};
    VEC(uint16_t) rad = {0};
    bogie_status rc = BOGIE_OK;
    for (uint32_t e = 0; e < o->edges.n && rc == BOGIE_OK; e++) {
        net_edge *ed = &o->edges.v[e];
        if (b->st->classes.v[ed->cls].flags & NET_CLASS_SCHEMATIC)
            continue;
        before.n = ll.n = 0;
        if (context_points(b, ed->from, e, &before) != 0) {
            rc = nomem(b, "measuring curves");
            break;
        }
        /* The context before the edge was gathered walking away from it: reverse it into ll. */
        for (size_t k = before.n / 2; k-- > 0;)
            if (VEC_PUSH(b->a, ll, before.v[2 * k]) != 0 || VEC_PUSH(b->a, ll, before.v[2 * k + 1]) != 0)
                rc = nomem(b, "measuring curves");
        size_t lead = before.n / 2;
        for (uint32_t k = 0; k < ed->geom_count && rc == BOGIE_OK; k++)
            if (VEC_PUSH(b->a, ll, o->geom.v[ed->geom_first + k].lat) != 0 ||
                VEC_PUSH(b->a, ll, o->geom.v[ed->geom_first + k].lon) != 0)
                rc = nomem(b, "measuring curves");
        if (rc == BOGIE_OK && context_points(b, ed->to, e, &ll) != 0)
            rc = nomem(b, "measuring curves");
        size_t n = ll.n / 2;
        if (rc != BOGIE_OK || VEC_RESERVE(b->a, scratch, 2 * n) != 0 || VEC_RESERVE(b->a, rad, n) != 0) {
            rc = nomem(b, "measuring curves");
            break;
        }
        /* The windows suit the line's tagged limit, the higher of its two directions. */
        const net_class *cl = &b->st->classes.v[ed->cls];
        double kmh = cl->maxspeed_fwd > cl->maxspeed_bwd ? cl->maxspeed_fwd : cl->maxspeed_bwd;
        curve_radius_profile_for(ll.v, n, kmh, scratch.v, rad.v);
        uint16_t minr = NET_NO_RADIUS;
        for (uint32_t k = 0; k < ed->geom_count; k++) {
            uint16_t r = rad.v[lead + k];
            o->radius.v[ed->geom_first + k] = r;
            if (r != NET_NO_RADIUS && (minr == NET_NO_RADIUS || r < minr))
                minr = r;
        }
        ed->min_radius_m = minr;
    }
    VEC_FREE(b->a, before);
    VEC_FREE(b->a, ll);
    VEC_FREE(b->a, scratch);
    VEC_FREE(b->a, rad);
    return rc;
}

/* ----- positions along edges ----- */

/* Stores, for every geometry point, its distance from its edge's start in the edge's length units, so that queries
 * never recompute great-circle distances. */
static bogie_status compute_positions(builder *b)
{
    net_build *o = b->out;
    if (VEC_RESERVE(b->a, o->geom_pos, o->geom.n ? o->geom.n : 1) != 0)
        return nomem(b, "measuring positions");
    o->geom_pos.n = o->geom.n;
    for (size_t e = 0; e < o->edges.n; e++) {
        const net_edge *ed = &o->edges.v[e];
        const net_point *g = &o->geom.v[ed->geom_first];
        double geo = 0;
        for (uint32_t k = 1; k < ed->geom_count; k++)
            geo += geo_distance_e7(g[k - 1].lat, g[k - 1].lon, g[k].lat, g[k].lon);
        double scale = geo > 0 ? ed->length_m / geo : 0, run = 0;
        float *pos = &o->geom_pos.v[ed->geom_first];
        pos[0] = 0;
        for (uint32_t k = 1; k < ed->geom_count; k++) {
            run += geo_distance_e7(g[k - 1].lat, g[k - 1].lon, g[k].lat, g[k].lon);
            pos[k] = (float)(run * scale);
        }
        /* The last point sits exactly at the edge's length, whatever the rounding (and where all points
         * coincide, the whole length is there). */
        pos[ed->geom_count - 1] = ed->length_m;
    }
    return BOGIE_OK;
}

/* ----- adjacency, flags, stations, breaks ----- */

static bogie_status make_adjacency(builder *b)
{
    net_build *o = b->out;
    size_t nn = o->nodes.n, ne = o->edges.n;
    if (VEC_RESERVE(b->a, o->node_adj, nn + 1) != 0 || VEC_RESERVE(b->a, o->adj, (ne ? 2 * ne : 1)) != 0)
        return nomem(b, "building adjacency");
    memset(o->node_adj.v, 0, (nn + 1) * sizeof *o->node_adj.v);
    o->node_adj.n = nn + 1;
    for (size_t e = 0; e < ne; e++) {
        o->node_adj.v[o->edges.v[e].from + 1]++;
        o->node_adj.v[o->edges.v[e].to + 1]++;
    }
    for (size_t v = 0; v < nn; v++)
        o->node_adj.v[v + 1] += o->node_adj.v[v];
    uint32_t *fill = util_malloc(b->a, (nn ? nn : 1) * sizeof *fill);
    if (!fill)
        return nomem(b, "building adjacency");
    memcpy(fill, o->node_adj.v, nn * sizeof *fill);
    for (size_t e = 0; e < ne; e++) {
        o->adj.v[fill[o->edges.v[e].from]++] = (uint32_t)(e << 1);
        o->adj.v[fill[o->edges.v[e].to]++] = (uint32_t)(e << 1 | 1);
    }
    o->adj.n = 2 * ne;
    util_free(b->a, fill, (nn ? nn : 1) * sizeof *fill);
    return BOGIE_OK;
}

static bool same_gauges(const net_class *x, const net_class *y)
{
    return x->n_gauge == y->n_gauge && memcmp(x->gauge, y->gauge, x->n_gauge * sizeof x->gauge[0]) == 0;
}

static bool disjoint_gauges(const net_class *x, const net_class *y)
{
    for (unsigned i = 0; i < x->n_gauge; i++)
        for (unsigned j = 0; j < y->n_gauge; j++)
            if (x->gauge[i] == y->gauge[j])
                return false;
    return true;
}


/* Whether the tracks meeting at node v have different gauges; *disjoint tells whether any two of them share no
 * gauge at all (a break proper, not only the end of a dual-gauge section). */
static bool gauges_differ_at(const builder *b, size_t v, bool *disjoint)
{
    const imp_state *st = b->st;
    const net_build *o = b->out;
    const net_class *first = NULL;
    bool differ = false;
    *disjoint = false;
    for (uint32_t h = o->node_adj.v[v]; h < o->node_adj.v[v + 1]; h++) {
        const net_class *c = &st->classes.v[o->edges.v[o->adj.v[h] >> 1].cls];
        if (c->n_gauge == 0)
            continue;
        if (!first) {
            first = c;
            continue;
        }
        if (!same_gauges(first, c)) {
            differ = true;
            if (disjoint_gauges(first, c))
                *disjoint = true;
        }
    }
    if (!differ)
        return false;
    /* Any pair of disjoint sets makes it a break proper, not only the end of a dual-gauge section. */
    for (uint32_t h = o->node_adj.v[v]; h < o->node_adj.v[v + 1] && !*disjoint; h++)
        for (uint32_t g = h + 1; g < o->node_adj.v[v + 1] && !*disjoint; g++) {
            const net_class *x = &st->classes.v[o->edges.v[o->adj.v[h] >> 1].cls];
            const net_class *y = &st->classes.v[o->edges.v[o->adj.v[g] >> 1].cls];
            if (x->n_gauge && y->n_gauge && disjoint_gauges(x, y))
                *disjoint = true;
        }
    return true;
}

/* Records a break of gauge at every node where the gauges of its tracks differ (except where tracks cross without
 * connecting), with the nearest station within 50 km (grid: the stations). */
static bogie_status record_breaks(builder *b, const geo_grid *grid)
{
    net_build *o = b->out;
    for (size_t v = 0; v < o->nodes.n; v++) {
        if (o->node_flags.v[v] & NET_NODE_CROSSING)
            continue; /* tracks cross here without connecting, so their gauges need not agree */
        bool disjoint;
        if (!gauges_differ_at(b, v, &disjoint))
            continue;
        net_break br = {(uint32_t)v, BOGIE_NONE, -1.0f, disjoint ? NET_BREAK_GAUGE : NET_BREAK_DUAL};
        double d;
        size_t k = geo_grid_nearest(grid, o->nodes.v[v].lat * 1e-7, o->nodes.v[v].lon * 1e-7, 50000.0, NULL, NULL,
                                    &d);
        if (k != SIZE_MAX) {
            br.station = (uint32_t)k;
            br.station_dist_m = (float)d;
        }
        o->node_flags.v[v] |= NET_NODE_BREAK;
        if (VEC_PUSH(b->a, o->breaks, br) != 0)
            return nomem(b, "storing breaks of gauge");
    }
    return BOGIE_OK;
}

/* Finds the breaks of gauge and their nearest stations (which must be stored already). */
static bogie_status find_breaks(builder *b)
{
    net_build *o = b->out;
    int32_t *sll = util_malloc(b->a, (o->stations.n ? o->stations.n : 1) * 2 * sizeof *sll);
    if (!sll)
        return nomem(b, "indexing stations");
    for (size_t i = 0; i < o->stations.n; i++) {
        sll[2 * i] = o->stations.v[i].lat;
        sll[2 * i + 1] = o->stations.v[i].lon;
    }
    geo_grid *grid = NULL;
    bogie_status rc = geo_grid_build(sll, o->stations.n, b->a, &grid);
    if (rc != BOGIE_OK)
        nomem(b, "indexing stations");
    else
        rc = record_breaks(b, grid);
    geo_grid_free(grid);
    util_free(b->a, sll, (o->stations.n ? o->stations.n : 1) * 2 * sizeof *sll);
    return rc;
}

static int cmp_flag(const void *pa, const void *pb)
{
    const imp_node_flag *a = pa, *b = pb;
    return a->id < b->id ? -1 : a->id > b->id;
}

static bogie_status report_progress(builder *b, bogie_progress_fn fn, void *ud, bogie_progress *prog)
{
    if (fn && fn(ud, prog))
        return util_fail(b->diag, BOGIE_ERR_CANCELLED, "import cancelled");
    return BOGIE_OK;
}

void net_build_free(net_build *o)
{
    const bogie_allocator *a = o->alloc;
    /* The landmark distances first: their size depends on the node count. */
    if (o->landmarks)
        util_free(a, o->landmarks, o->n_landmarks * sizeof *o->landmarks);
    if (o->landmark_dist)
        util_free(a, o->landmark_dist, o->nodes.n * o->n_landmarks * sizeof *o->landmark_dist);
    o->landmarks = o->landmark_dist = NULL;
    VEC_FREE(a, o->nodes);
    VEC_FREE(a, o->node_osm);
    VEC_FREE(a, o->node_flags);
    VEC_FREE(a, o->node_adj);
    VEC_FREE(a, o->adj);
    VEC_FREE(a, o->edges);
    VEC_FREE(a, o->geom);
    VEC_FREE(a, o->radius);
    VEC_FREE(a, o->stations);
    VEC_FREE(a, o->station_names);
    VEC_FREE(a, o->breaks);
    VEC_FREE(a, o->countries);
    VEC_FREE(a, o->node_country);
    VEC_FREE(a, o->edge_cross);
    VEC_FREE(a, o->crossings);
    VEC_FREE(a, o->geom_pos);
    VEC_FREE(a, o->elev);
}

static void builder_free(builder *b)
{
    size_t n = b->n_nodes ? b->n_nodes : 1, ns = b->st->stations.n ? b->st->stations.n : 1;
    util_free(b->a, b->inc, n);
    util_free(b->a, b->nf, n);
    util_free(b->a, b->kinds, n);
    util_free(b->a, b->end_cls, n * sizeof *b->end_cls);
    util_free(b->a, b->end_piece, n * sizeof *b->end_piece);
    util_free(b->a, b->gid, n * sizeof *b->gid);
    VEC_FREE(b->a, b->pnodes);
    VEC_FREE(b->a, b->pieces);
    VEC_FREE(b->a, b->segs);
    util_free(b->a, b->way_scale, (b->st->ways.n ? b->st->ways.n : 1) * sizeof *b->way_scale);
    VEC_FREE(b->a, b->graph_nodes);
    util_free(b->a, b->st_node, ns * sizeof *b->st_node);
    util_free(b->a, b->st_dist, ns * sizeof *b->st_dist);
    util_free(b->a, b->st_merge, ns * sizeof *b->st_merge);
}


/* Makes border markers and stop positions on track graph nodes (so routes can report them and reverse there), then
 * numbers the graph nodes: the track nodes that are junctions, ends, class changes, Vs or forced (stations, borders,
 * stop positions). */
static bogie_status number_graph_nodes(builder *b)
{
    imp_state *st = b->st;
    util_sort(st->node_flags.v, st->node_flags.n, sizeof *st->node_flags.v, cmp_flag);
    for (size_t i = 0; i < st->node_flags.n; i++) {
        uint32_t v = bld_find_node(st, st->node_flags.v[i].id);
        if (v != BOGIE_NONE && (b->nf[v] & NF_TRACK) && (st->node_flags.v[i].flags & (NET_NODE_BORDER | NET_NODE_STOP)))
            b->nf[v] |= NF_FORCED;
    }
    b->gid = util_malloc(b->a, (b->n_nodes ? b->n_nodes : 1) * sizeof *b->gid);
    if (!b->gid)
        return util_nomem(b->diag, "numbering nodes");
    bogie_status rc = BOGIE_OK;
    for (size_t v = 0; rc == BOGIE_OK && v < b->n_nodes; v++) {
        b->gid[v] = BOGIE_NONE;
        if ((b->nf[v] & NF_TRACK) && is_graph_node(b, (uint32_t)v))
            rc = add_graph_node(b, (uint32_t)v);
    }
    return rc;
}

/* Writes the graph nodes' positions, OSM ids and the flags the inputs gave them. */
static bogie_status store_nodes(builder *b)
{
    imp_state *st = b->st;
    net_build *out = b->out;
    size_t nn = b->graph_nodes.n;
    if (VEC_RESERVE(b->a, out->nodes, nn) != 0 || VEC_RESERVE(b->a, out->node_osm, nn) != 0 ||
        VEC_RESERVE(b->a, out->node_flags, nn) != 0)
        return util_nomem(b->diag, "storing nodes");
    for (size_t g = 0; g < nn; g++) {
        const imp_node *nd = &st->nodes.v[b->graph_nodes.v[g]];
        out->nodes.v[g] = (net_node){nd->lat, nd->lon};
        out->node_osm.v[g] = nd->id;
        out->node_flags.v[g] = 0;
    }
    out->nodes.n = out->node_osm.n = out->node_flags.n = nn;
    for (size_t i = 0; i < st->node_flags.n; i++) {
        uint32_t v = bld_find_node(st, st->node_flags.v[i].id);
        if (v != BOGIE_NONE && b->gid[v] != BOGIE_NONE)
            out->node_flags.v[b->gid[v]] |= st->node_flags.v[i].flags;
    }
    return BOGIE_OK;
}

/* The first steps: nodes sorted, ways cut into pieces, stations placed. */
static bogie_status read_track(builder *b, bogie_progress_fn progress, void *progress_ud, bogie_progress *prog)
{
    imp_state *st = b->st;
    bogie_status rc = bld_sort_nodes(b);
    if (rc == BOGIE_OK)
        rc = report_progress(b, progress, progress_ud, prog);
    if (rc == BOGIE_OK)
        rc = bld_make_pieces(b);
    if (rc == BOGIE_OK && st->failed)
        rc = util_nomem(b->diag, "recording suspicious values");
    if (rc == BOGIE_OK && b->pieces.n == 0)
        rc = util_fail(b->diag, BOGIE_ERR_EMPTY,
                       "the inputs hold no usable track: no railway=rail or narrow_gauge way (%llu ways read) with "
                       "two or more nodes present",
                       (unsigned long long)st->stats.ways_read);
    if (rc == BOGIE_OK)
        rc = bld_place_stations(b);
    return rc;
}

bogie_status net_build_graph(imp_state *st, net_build *out, bogie_progress_fn progress, void *progress_ud,
                             bogie_progress *prog, bogie_diag *diag)
{
    memset(out, 0, sizeof *out);
    out->alloc = st->alloc;
    builder b = {0};
    b.st = st;
    b.out = out;
    b.a = st->alloc;
    b.diag = diag;
    bogie_status rc = read_track(&b, progress, progress_ud, prog);
    if (rc == BOGIE_OK)
        rc = number_graph_nodes(&b);
    if (rc == BOGIE_OK)
        rc = report_progress(&b, progress, progress_ud, prog);
    if (rc == BOGIE_OK)
        rc = make_segments(&b);
    if (rc == BOGIE_OK) {
        sort_elevations(st);
        rc = make_edges(&b);
    }
    if (rc == BOGIE_OK)
        rc = store_nodes(&b);
    if (rc == BOGIE_OK)
        rc = make_adjacency(&b);
    if (rc == BOGIE_OK)
        rc = compute_radii(&b);
    if (rc == BOGIE_OK)
        rc = compute_positions(&b);
    if (rc == BOGIE_OK)
        rc = bld_assign_countries(&b);
    if (rc == BOGIE_OK)
        rc = bld_store_stations(&b);
    if (rc == BOGIE_OK)
        rc = find_breaks(&b);
    if (rc == BOGIE_OK)
        rc = report_progress(&b, progress, progress_ud, prog);
    builder_free(&b);
    if (rc != BOGIE_OK)
        net_build_free(out);
    return rc;
}
