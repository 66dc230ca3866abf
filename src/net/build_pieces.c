/* build_pieces.c: the build's first steps: the gathered nodes sorted by id (first copy wins) and found by id, every
 * way cut into pieces of the nodes the inputs hold, and the pieces' ends and inner points counted at each node, which
 * decides where the graph's nodes go. */
#include "net/build_int.h"

#include "base/geo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Sorts nodes by id, keeping the first copy of each id (input order decides), and counts the duplicates. */
bogie_status bld_sort_nodes(builder *b)
{
    imp_state *st = b->st;
    size_t n = st->nodes.n;
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = st->nodes.v[i - 1].id <= st->nodes.v[i].id;
    if (!sorted) {
        /* A stable LSD radix sort over the id's four 16-bit digits (sign bit flipped): equal ids keep input
         * order, so "first copy wins" holds across inputs. */
        imp_node *tmp = util_malloc(b->a, n * sizeof *tmp);
        size_t *count = util_malloc(b->a, 65537 * sizeof *count);
        if (!tmp || !count) {
            util_free(b->a, tmp, n * sizeof *tmp);
            util_free(b->a, count, 65537 * sizeof *count);
            return util_nomem(b->diag, "sorting nodes");
        }
        imp_node *src = st->nodes.v, *dst = tmp;
        for (int pass = 0; pass < 4; pass++) {
            int shift = pass * 16;
            memset(count, 0, 65537 * sizeof *count);
            for (size_t i = 0; i < n; i++)
                count[(((uint64_t)src[i].id ^ (1ull << 63)) >> shift & 0xFFFF) + 1]++;
            for (size_t d = 0; d < 65536; d++)
                count[d + 1] += count[d];
            for (size_t i = 0; i < n; i++)
                dst[count[((uint64_t)src[i].id ^ (1ull << 63)) >> shift & 0xFFFF]++] = src[i];
            imp_node *t = src;
            src = dst;
            dst = t;
        }
        /* After an even number of passes the sorted data is back in st->nodes.v. */
        util_free(b->a, tmp, n * sizeof *tmp);
        util_free(b->a, count, 65537 * sizeof *count);
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w > 0 && st->nodes.v[w - 1].id == st->nodes.v[i].id) {
            st->stats.duplicate_nodes++;
            continue;
        }
        st->nodes.v[w++] = st->nodes.v[i];
    }
    st->nodes.n = w;
    if (w > UINT32_MAX - 1)
        return util_fail(b->diag, BOGIE_ERR_LIMIT, "the inputs hold %zu nodes; a graph file holds at most 2^32 - 2",
                         w);
    b->n_nodes = w;
    return BOGIE_OK;
}

/* Returns the index of OSM node id, or BOGIE_NONE. */
uint32_t bld_find_node(const imp_state *st, int64_t id)
{
    size_t lo = 0, hi = st->nodes.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->nodes.v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < st->nodes.n && st->nodes.v[lo].id == id ? (uint32_t)lo : BOGIE_NONE;
}

static int cmp_way(const void *pa, const void *pb)
{
    const imp_way *a = pa, *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ----- pieces ----- */

double bld_node_dist(const imp_state *st, uint32_t a, uint32_t b)
{
    const imp_node *x = &st->nodes.v[a], *y = &st->nodes.v[b];
    return geo_distance_e7(x->lat, x->lon, y->lat, y->lon);
}


/* Keeps the first copy of each way (by id, then by the order read). */
static void dedupe_ways(imp_state *st)
{
    util_sort(st->ways.v, st->ways.n, sizeof *st->ways.v, cmp_way);
    size_t w = 0;
    for (size_t i = 0; i < st->ways.n; i++) {
        if (w > 0 && st->ways.v[w - 1].id == st->ways.v[i].id) {
            st->stats.duplicate_ways++;
            continue;
        }
        st->ways.v[w++] = st->ways.v[i];
    }
    st->ways.n = w;
}

/* Ends the piece of resolved nodes that began at pnodes[start]: kept when it has two nodes or more. */
static bogie_status close_piece(builder *b, size_t start, size_t wi)
{
    size_t cnt = b->pnodes.n - start;
    if (cnt >= 2) {
        piece p = {start, (uint32_t)cnt, (uint32_t)wi};
        if (VEC_PUSH(b->a, b->pieces, p) != 0)
            return util_nomem(b->diag, "splitting ways");
    } else {
        b->pnodes.n = start;
    }
    return BOGIE_OK;
}

/* A distance=* tag is reported as far longer than its way when it is more than BLD_DISTANCE_FAR times the way's
 * geometry and at least BLD_DISTANCE_FAR_M longer: real track is rarely twice its OSM polyline, even drawn
 * schematically between stations (the corridor's tags are at most 1.8 times theirs). */
#define BLD_DISTANCE_FAR 4.0
#define BLD_DISTANCE_FAR_M 10000.0

/* The length scale of a way: its distance=* tag over its geometry's length geo_len, 1 without a tag; a tag shorter
 * than the chord between the way's ends, or far longer than the geometry, is reported. */
static double way_scale(imp_state *st, const imp_way *way, double geo_len, uint32_t first, uint32_t last)
{
    double scale = 1.0;
    if (way->distance_m > 0 && first != BOGIE_NONE) {
        if (geo_len > 0)
            scale = way->distance_m / geo_len;
        double chord = bld_node_dist(st, first, last);
        if (way->distance_m < 0.98 * chord) {
            char value[64];
            snprintf(value, sizeof value, "%.3f km", way->distance_m / 1000);
            imp_report(st, "distance", value, "shorter than the straight line between the way's ends; used as tagged");
        }
        if (way->distance_m > BLD_DISTANCE_FAR * geo_len && way->distance_m - geo_len >= BLD_DISTANCE_FAR_M) {
            char value[64], reason[128];
            snprintf(value, sizeof value, "%.3f km", way->distance_m / 1000);
            snprintf(reason, sizeof reason, "more than %.0f times the way's drawn length and %.0f km or more beyond it; "
                     "used as tagged", BLD_DISTANCE_FAR, BLD_DISTANCE_FAR_M / 1000);
            imp_report(st, "distance", value, reason);
        }
    }
    return scale;
}

/* Cuts way wi into pieces at the nodes the inputs lack, and sets its length scale. */
static bogie_status split_way(builder *b, size_t wi)
{
    imp_state *st = b->st;
    const imp_way *way = &st->ways.v[wi];
    st->cur_type = 'w';
    st->cur_id = way->id;
    uint32_t prev = BOGIE_NONE;
    size_t start = b->pnodes.n;
    double geo_len = 0;
    uint32_t first_resolved = BOGIE_NONE, last_resolved = BOGIE_NONE;
    for (uint32_t k = 0; k <= way->n_refs; k++) {
        uint32_t v = BOGIE_NONE;
        if (k < way->n_refs) {
            v = bld_find_node(st, st->refs.v[way->refs_first + k]);
            if (v == BOGIE_NONE)
                st->stats.missing_node_refs++;
            else if (v == prev)
                continue; /* a node repeated back to back adds nothing */
        }
        if (v == BOGIE_NONE) {
            /* Close the current piece. */
            bogie_status rc = close_piece(b, start, wi);
            if (rc != BOGIE_OK)
                return rc;
            start = b->pnodes.n;
            prev = BOGIE_NONE;
            continue;
        }
        if (prev != BOGIE_NONE)
            geo_len += bld_node_dist(st, prev, v);
        if (VEC_PUSH(b->a, b->pnodes, v) != 0)
            return util_nomem(b->diag, "splitting ways");
        if (first_resolved == BOGIE_NONE)
            first_resolved = v;
        last_resolved = v;
        prev = v;
    }
    b->way_scale[wi] = way_scale(st, way, geo_len, first_resolved, last_resolved);
    return BOGIE_OK;
}

bool bld_directional(const net_class *c)
{
    return c->pref_dir == NET_DIR_FORWARD || c->pref_dir == NET_DIR_BACKWARD || c->maxspeed_fwd != c->maxspeed_bwd;
}

/* How far along a piece its bearing at an end is measured: as the router measures its edges' bearings. */
#define LEG_BEARING_M 50.0

/* The bearing leaving piece p's end (its last point when last is set) along the piece, to the point about
 * LEG_BEARING_M along it (or its other end); degrees. */
static double leg_bearing(const builder *b, const piece *p, bool last)
{
    const imp_state *st = b->st;
    uint32_t v0 = b->pnodes.v[last ? p->first + p->count - 1 : p->first], prev = v0, v = v0;
    double run = 0;
    for (uint32_t k = 1; k < p->count && run < LEG_BEARING_M; k++) {
        v = b->pnodes.v[last ? p->first + p->count - 1 - k : p->first + k];
        run += bld_node_dist(st, prev, v);
        prev = v;
    }
    const imp_node *a = &st->nodes.v[v0], *z = &st->nodes.v[v];
    return geo_bearing_deg(a->lat * 1e-7, a->lon * 1e-7, z->lat * 1e-7, z->lon * 1e-7);
}

/* Whether the second piece end met at a node (end, piece index << 1 | last; of the same class as the first) keeps
 * the node a graph node, given the first one seen there (b->end_piece): they meet in a V on surveyed track, or run
 * head to head or tail to tail on directional track. */
static bool ends_must_stay_apart(const builder *b, uint32_t first, uint32_t second)
{
    const piece *p = &b->pieces.v[first >> 1], *q = &b->pieces.v[second >> 1];
    const net_class *c = &b->st->classes.v[b->st->ways.v[p->way].cls];
    if ((first & 1) == (second & 1) && bld_directional(c))
        return true;
    if (c->flags & NET_CLASS_SCHEMATIC)
        return false; /* drawn through its stations: a bend there means nothing */
    /* Arriving along one leg and leaving along the other turns by 180 degrees less the angle between the legs. */
    double d = fabs(fmod(leg_bearing(b, p, first & 1) - leg_bearing(b, q, second & 1) + 540.0, 360.0) - 180.0);
    return 180.0 - d > NET_MAX_BEND_DEG;
}

/* Counts at every node the pieces through it (ends once, inner points twice), the kinds of track, and whether
 * two piece ends there must not be joined into one edge (ends_must_stay_apart, or different classes). */
static bogie_status count_incidences(builder *b)
{
    imp_state *st = b->st;
    size_t n = b->n_nodes;
    b->inc = util_calloc(b->a, n ? n : 1, 1);
    b->nf = util_calloc(b->a, n ? n : 1, 1);
    b->kinds = util_calloc(b->a, n ? n : 1, 1);
    b->end_cls = util_malloc(b->a, (n ? n : 1) * sizeof *b->end_cls);
    b->end_piece = util_malloc(b->a, (n ? n : 1) * sizeof *b->end_piece);
    if (!b->inc || !b->nf || !b->kinds || !b->end_cls || !b->end_piece)
        return util_nomem(b->diag, "counting junctions");
    for (size_t pi = 0; pi < b->pieces.n; pi++) {
        const piece *p = &b->pieces.v[pi];
        uint32_t cls = st->ways.v[p->way].cls;
        uint8_t kind = (uint8_t)(1u << st->classes.v[cls].railway);
        for (uint32_t k = 0; k < p->count; k++) {
            uint32_t v = b->pnodes.v[p->first + k];
            b->kinds[v] |= kind;
            unsigned add = (k == 0 || k + 1 == p->count) ? 1 : 2;
            b->inc[v] = (uint8_t)(b->inc[v] + add > 255 ? 255 : b->inc[v] + add);
            b->nf[v] |= NF_TRACK;
            if (add == 1) {
                uint32_t end = (uint32_t)pi << 1 | (k != 0);
                if (!(b->nf[v] & NF_ENDPOINT)) {
                    b->nf[v] |= NF_ENDPOINT;
                    b->end_cls[v] = cls;
                    b->end_piece[v] = end;
                } else if (b->end_cls[v] != cls || (b->inc[v] == 2 && ends_must_stay_apart(b, b->end_piece[v], end))) {
                    b->nf[v] |= NF_CONFLICT;
                }
            }
        }
    }
    return BOGIE_OK;
}

bogie_status bld_make_pieces(builder *b)
{
    imp_state *st = b->st;
    dedupe_ways(st);
    size_t w = st->ways.n;
    b->way_scale = util_malloc(b->a, (w ? w : 1) * sizeof *b->way_scale);
    if (!b->way_scale)
        return util_nomem(b->diag, "measuring ways");
    for (size_t wi = 0; wi < w; wi++) {
        bogie_status rc = split_way(b, wi);
        if (rc != BOGIE_OK)
            return rc;
    }
    if (b->pnodes.n > UINT32_MAX)
        return util_fail(b->diag, BOGIE_ERR_LIMIT, "too many track points for one graph file");
    return count_incidences(b);
}
