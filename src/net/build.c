/* build.c: turns what the import gathered (nodes, track ways, station candidates) into the routable graph: junctions
 * and ends become nodes, chains of degree-2 OSM nodes become edges with their full geometry, stations attach to the
 * nearest track node, and breaks of gauge are found. */
#include "net/build.h"

#include "ref/borders.h"
#include "base/geo.h"
#include "net/curves.h"
#include "net/tags.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per-OSM-node flags used while building. */
enum {
    NF_TRACK = 1u << 0,       /* on a kept track */
    NF_ENDPOINT = 1u << 1,    /* a piece of a way ends here */
    NF_CONFLICT = 1u << 2,    /* pieces of different classes end here */
    NF_FORCED = 1u << 3       /* must be a graph node (station, border) */
};

/* A maximal run of a way's resolved nodes (missing nodes split a way into pieces). */
typedef struct piece {
    size_t first;    /* into pnodes */
    uint32_t count;
    uint32_t way;    /* index into st->ways */
} piece;

/* A run of a piece between two graph nodes, or ending where it merges with the next piece. */
typedef struct segment {
    size_t first;    /* into pnodes */
    uint32_t count;
    uint32_t way;
    double length_m; /* scaled by the way's distance=* tag when it has one */
} segment;

typedef struct seg_end {
    uint32_t node;   /* OSM node index */
    uint32_t end;    /* segment index << 1 | 1 for its last point */
} seg_end;

typedef struct builder {
    imp_state *st;
    net_build *out;
    const bogie_allocator *a;
    bogie_diag *diag;
    size_t n_nodes;
    uint8_t *inc;      /* incidence count per OSM node, saturating at 255 */
    uint8_t *nf;       /* NF_* per OSM node */
    uint8_t *kinds;    /* 1 << net_railway of the tracks through each OSM node */
    uint32_t *end_cls; /* class of the first piece end seen at the node */
    uint32_t *gid;     /* graph node id per OSM node, or BOGIE_NONE */
    VEC(uint32_t) pnodes;
    VEC(piece) pieces;
    VEC(segment) segs;
    double *way_scale; /* per way: metres of track per metre of geometry */
    VEC(uint32_t) graph_nodes; /* OSM node index per graph node */
    uint32_t *st_node;  /* per station candidate: attached OSM node index, or BOGIE_NONE */
    float *st_dist;
    uint32_t *st_merge; /* per station candidate: the station it was merged into, or BOGIE_NONE */
} builder;

static bogie_status nomem(builder *b, const char *what)
{
    return util_nomem(b->diag, what);
}

/* ----- nodes ----- */

/* Sorts nodes by id, keeping the first copy of each id (input order decides), and counts the duplicates. */
static bogie_status sort_nodes(builder *b)
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
            return nomem(b, "sorting nodes");
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
static uint32_t find_node(const imp_state *st, int64_t id)
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

static double node_dist(const imp_state *st, uint32_t a, uint32_t b)
{
    const imp_node *x = &st->nodes.v[a], *y = &st->nodes.v[b];
    return geo_distance_e7(x->lat, x->lon, y->lat, y->lon);
}

/* Splits every way into pieces of resolved nodes, counts incidences, and computes each way's length scale. */
static bogie_status make_pieces(builder *b)
{
    imp_state *st = b->st;
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

    b->way_scale = util_malloc(b->a, (w ? w : 1) * sizeof *b->way_scale);
    if (!b->way_scale)
        return nomem(b, "measuring ways");
    for (size_t wi = 0; wi < w; wi++) {
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
                v = find_node(st, st->refs.v[way->refs_first + k]);
                if (v == BOGIE_NONE)
                    st->stats.missing_node_refs++;
                else if (v == prev)
                    continue; /* a node repeated back to back adds nothing */
            }
            if (v == BOGIE_NONE) {
                /* Close the current piece. */
                size_t cnt = b->pnodes.n - start;
                if (cnt >= 2) {
                    piece p = {start, (uint32_t)cnt, (uint32_t)wi};
                    if (VEC_PUSH(b->a, b->pieces, p) != 0)
                        return nomem(b, "splitting ways");
                } else {
                    b->pnodes.n = start;
                }
                start = b->pnodes.n;
                prev = BOGIE_NONE;
                continue;
            }
            if (prev != BOGIE_NONE)
                geo_len += node_dist(st, prev, v);
            if (VEC_PUSH(b->a, b->pnodes, v) != 0)
                return nomem(b, "splitting ways");
            if (first_resolved == BOGIE_NONE)
                first_resolved = v;
            last_resolved = v;
            prev = v;
        }
        double scale = 1.0;
        if (way->distance_m > 0 && first_resolved != BOGIE_NONE) {
            if (geo_len > 0)
                scale = way->distance_m / geo_len;
            double chord = node_dist(st, first_resolved, last_resolved);
            if (way->distance_m < 0.98 * chord) {
                char value[64];
                snprintf(value, sizeof value, "%.3f km", way->distance_m / 1000);
                imp_report(st, "distance", value,
                           "shorter than the straight line between the way's ends; used as tagged");
            }
        }
        b->way_scale[wi] = scale;
    }
    if (b->pnodes.n > UINT32_MAX)
        return util_fail(b->diag, BOGIE_ERR_LIMIT, "too many track points for one graph file");

    size_t n = b->n_nodes;
    b->inc = util_calloc(b->a, n ? n : 1, 1);
    b->nf = util_calloc(b->a, n ? n : 1, 1);
    b->kinds = util_calloc(b->a, n ? n : 1, 1);
    b->end_cls = util_malloc(b->a, (n ? n : 1) * sizeof *b->end_cls);
    if (!b->inc || !b->nf || !b->kinds || !b->end_cls)
        return nomem(b, "counting junctions");
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
                if (!(b->nf[v] & NF_ENDPOINT)) {
                    b->nf[v] |= NF_ENDPOINT;
                    b->end_cls[v] = cls;
                } else if (b->end_cls[v] != cls) {
                    b->nf[v] |= NF_CONFLICT;
                }
            }
        }
    }
    return BOGIE_OK;
}

/* ----- stations ----- */

typedef struct st_key {
    int64_t id;
    uint32_t index;
    char type;
} st_key;

static int cmp_st_key(const void *pa, const void *pb)
{
    const st_key *a = pa, *b = pb;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static uint32_t find_station(const st_key *keys, size_t n, char type, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].type < type || (keys[mid].type == type && keys[mid].id < id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo].type == type && keys[lo].id == id ? keys[lo].index : BOGIE_NONE;
}

/* Returns the station candidate's primary name: name, else name:en, else its first name. */
static uint32_t primary_name(const imp_state *st, const imp_station *s)
{
    uint32_t first = 0, en = 0;
    for (uint32_t k = 0; k < s->names_count; k++) {
        const net_name *nm = &st->names.v[s->names_first + k];
        const char *key = strtab_get(&st->strings, nm->key);
        if (strcmp(key, "name") == 0)
            return nm->value;
        if (!en && strcmp(key, "name:en") == 0)
            en = nm->value;
        if (!first && strncmp(key, "name", 4) == 0)
            first = nm->value;
    }
    return en ? en : first;
}

/* Union-find over station candidates, with path halving. */
static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(uint32_t *parent, uint32_t x, uint32_t y)
{
    x = uf_find(parent, x);
    y = uf_find(parent, y);
    if (x != y)
        parent[y] = x;
}

/* Follows merge links to the station that absorbed s. */
static uint32_t merge_root(const builder *b, uint32_t s)
{
    while (b->st_merge[s] != BOGIE_NONE)
        s = b->st_merge[s];
    return s;
}

typedef struct name_order {
    uint32_t name;
    uint32_t index;
} name_order;

static int cmp_name_order(const void *pa, const void *pb)
{
    const name_order *a = pa, *b = pb;
    if (a->name != b->name)
        return a->name < b->name ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

typedef struct attach_ctx {
    const builder *b;
    const uint32_t *track_idx;
    uint8_t modes;
} attach_ctx;

/* Accepts a track node for a station when a kind of track the station serves passes through it. */
static int accept_mode(void *ud, size_t k)
{
    const attach_ctx *ac = ud;
    return (ac->b->kinds[ac->track_idx[k]] & ac->modes) != 0;
}

/* Places every station candidate, merges those that describe one station, and attaches the rest to the nearest
 * track node of a kind it serves. */
static bogie_status place_stations(builder *b)
{
    imp_state *st = b->st;
    size_t ns = st->stations.n;
    b->st_node = util_malloc(b->a, (ns ? ns : 1) * sizeof *b->st_node);
    b->st_dist = util_malloc(b->a, (ns ? ns : 1) * sizeof *b->st_dist);
    b->st_merge = util_malloc(b->a, (ns ? ns : 1) * sizeof *b->st_merge);
    st_key *keys = util_malloc(b->a, (ns ? ns : 1) * sizeof *keys);
    if (!b->st_node || !b->st_dist || !b->st_merge || !keys) {
        util_free(b->a, keys, (ns ? ns : 1) * sizeof *keys);
        return nomem(b, "placing stations");
    }
    for (size_t i = 0; i < ns; i++) {
        b->st_node[i] = BOGIE_NONE;
        b->st_merge[i] = (uint32_t)i; /* a union-find forest until the merges are settled */
        b->st_dist[i] = -1;
        keys[i] = (st_key){st->stations.v[i].id, (uint32_t)i, st->stations.v[i].type};
    }
    util_sort(keys, ns, sizeof *keys, cmp_st_key);
    /* The same object read twice (from two inputs) is one station. */
    for (size_t i = 1; i < ns; i++)
        if (keys[i].type == keys[i - 1].type && keys[i].id == keys[i - 1].id)
            st->stations.v[keys[i].index].dropped = true;

    for (size_t i = 0; i < ns; i++) {
        imp_station *s = &st->stations.v[i];
        if (s->dropped)
            continue;
        if (s->type == 'w') {
            double lat = 0, lon = 0;
            size_t cnt = 0;
            for (uint32_t k = 0; k < s->n_members; k++) {
                uint32_t v = find_node(st, st->refs.v[s->members_first + k]);
                if (v == BOGIE_NONE)
                    continue;
                lat += st->nodes.v[v].lat;
                lon += st->nodes.v[v].lon;
                cnt++;
            }
            if (cnt) {
                s->lat = (int32_t)lround(lat / (double)cnt);
                s->lon = (int32_t)lround(lon / (double)cnt);
            }
        } else if (s->type == 'r') {
            /* A stop area joins the stations among its members. Without one it stands for a station itself, but
             * only when one of its nodes (a stop position) lies on kept track: platforms alone may be a metro's. */
            double lat = 0, lon = 0;
            size_t cnt = 0;
            bool on_track = false, joined = false;
            for (uint32_t k = 0; k < s->n_members; k++) {
                const imp_member *m = &st->members.v[s->members_first + k];
                uint32_t other = (m->type == 'n' || m->type == 'w') ? find_station(keys, ns, m->type, m->ref)
                                                                     : BOGIE_NONE;
                if (other != BOGIE_NONE && other != i && !st->stations.v[other].dropped &&
                    st->stations.v[other].type != 'r') {
                    uf_union(b->st_merge, (uint32_t)i, other);
                    joined = true;
                }
                if (m->type != 'n')
                    continue;
                uint32_t v = find_node(st, m->ref);
                if (v == BOGIE_NONE)
                    continue;
                lat += st->nodes.v[v].lat;
                lon += st->nodes.v[v].lon;
                cnt++;
                if (b->nf[v] & NF_TRACK)
                    on_track = true;
            }
            if (!joined && !on_track) {
                s->dropped = true;
                st->stats.stop_areas_off_track++;
                continue;
            }
            if (cnt) {
                s->lat = (int32_t)lround(lat / (double)cnt);
                s->lon = (int32_t)lround(lon / (double)cnt);
            }
        }
        if (s->lat == OSM_NO_COORD)
            s->dropped = true;
    }
    util_free(b->a, keys, (ns ? ns : 1) * sizeof *keys);

    /* Objects within 300 m of each other that share any name (name, name:*, official_name, ...) describe one
     * station: a station node and the station building, say, or a node named "Helsinki" and an area whose name is
     * the node's official_name. */
    VEC(name_order) order = {0};
    for (size_t i = 0; i < ns; i++) {
        const imp_station *si = &st->stations.v[i];
        if (si->dropped)
            continue;
        for (uint32_t k = 0; k < si->names_count; k++) {
            name_order o = {st->names.v[si->names_first + k].value, (uint32_t)i};
            if (VEC_PUSH(b->a, order, o) != 0) {
                VEC_FREE(b->a, order);
                return nomem(b, "merging stations");
            }
        }
    }
    util_sort(order.v, order.n, sizeof *order.v, cmp_name_order);
    for (size_t lo = 0; lo < order.n;) {
        size_t hi = lo + 1;
        while (hi < order.n && order.v[hi].name == order.v[lo].name)
            hi++;
        for (size_t x = lo; x < hi; x++)
            for (size_t y = x + 1; y < hi; y++) {
                const imp_station *si = &st->stations.v[order.v[x].index], *sj = &st->stations.v[order.v[y].index];
                if (order.v[x].index != order.v[y].index &&
                    geo_distance_e7(si->lat, si->lon, sj->lat, sj->lon) <= 300.0)
                    uf_union(b->st_merge, order.v[x].index, order.v[y].index);
            }
        lo = hi;
    }
    VEC_FREE(b->a, order);

    /* Each merged group keeps the member from the most specific source (a railway=station node first), then the
     * one read first; the others point at it. */
    for (size_t i = 0; i < ns; i++) {
        uint32_t r = uf_find(b->st_merge, (uint32_t)i);
        if (r == i)
            continue;
        const imp_station *si = &st->stations.v[i], *sr = &st->stations.v[r];
        if (!si->dropped && (si->source < sr->source || (si->source == sr->source && i < r))) {
            /* Make i the root of its set. */
            b->st_merge[r] = (uint32_t)i;
            b->st_merge[i] = (uint32_t)i;
        }
    }
    for (size_t i = 0; i < ns; i++)
        b->st_merge[i] = uf_find(b->st_merge, (uint32_t)i); /* every member now points straight at its root */
    for (size_t i = 0; i < ns; i++) {
        if (b->st_merge[i] == i) {
            b->st_merge[i] = BOGIE_NONE;
        } else if (!st->stations.v[i].dropped) {
            st->stats.stations_merged++;
        }
    }

    /* Attach every remaining station to the nearest track node. */
    size_t n_track = 0;
    for (size_t v = 0; v < b->n_nodes; v++)
        n_track += (b->nf[v] & NF_TRACK) != 0;
    int32_t *ll = util_malloc(b->a, (n_track ? n_track : 1) * 2 * sizeof *ll);
    uint32_t *track_idx = util_malloc(b->a, (n_track ? n_track : 1) * sizeof *track_idx);
    if (!ll || !track_idx) {
        util_free(b->a, ll, (n_track ? n_track : 1) * 2 * sizeof *ll);
        util_free(b->a, track_idx, (n_track ? n_track : 1) * sizeof *track_idx);
        return nomem(b, "attaching stations");
    }
    size_t t = 0;
    for (size_t v = 0; v < b->n_nodes; v++) {
        if (!(b->nf[v] & NF_TRACK))
            continue;
        ll[2 * t] = st->nodes.v[v].lat;
        ll[2 * t + 1] = st->nodes.v[v].lon;
        track_idx[t++] = (uint32_t)v;
    }
    geo_grid *grid = NULL;
    bogie_status rc = geo_grid_build(ll, n_track, b->a, &grid);
    if (rc == BOGIE_OK) {
        for (size_t i = 0; i < ns; i++) {
            imp_station *s = &st->stations.v[i];
            if (s->dropped || b->st_merge[i] != BOGIE_NONE)
                continue;
            double d;
            attach_ctx ac = {b, track_idx, s->modes};
            size_t k = geo_grid_nearest(grid, s->lat * 1e-7, s->lon * 1e-7, st->station_radius_m, accept_mode, &ac,
                                        &d);
            if (k == SIZE_MAX) {
                s->dropped = true;
                st->stats.stations_too_far++;
                continue;
            }
            b->st_node[i] = track_idx[k];
            b->st_dist[i] = (float)d;
            b->nf[track_idx[k]] |= NF_FORCED;
            st->stats.stations_kept++;
        }
    } else {
        nomem(b, "indexing track nodes");
    }
    geo_grid_free(grid);
    util_free(b->a, ll, (n_track ? n_track : 1) * 2 * sizeof *ll);
    util_free(b->a, track_idx, (n_track ? n_track : 1) * sizeof *track_idx);
    return rc;
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
            len += node_dist(st, u, v);
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

/* Appends the points of segment s to the current edge, forward or backward, skipping the first point when the edge
 * already has points (it repeats the previous segment's last one). */
static bogie_status append_segment(builder *b, const segment *s, bool backward, bool skip_first)
{
    net_build *o = b->out;
    for (uint32_t k = skip_first ? 1 : 0; k < s->count; k++) {
        size_t at = s->first + (backward ? s->count - 1 - k : k);
        const imp_node *nd = &b->st->nodes.v[b->pnodes.v[at]];
        net_point pt = {nd->lat, nd->lon};
        if (VEC_PUSH(b->a, o->geom, pt) != 0)
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
    /* Walk from every graph node. */
    for (size_t s = 0; s < ns && rc == BOGIE_OK; s++) {
        if (visited[s])
            continue;
        const segment *sg = &b->segs.v[s];
        uint32_t a = b->pnodes.v[sg->first], z = b->pnodes.v[sg->first + sg->count - 1];
        if (b->gid[a] != BOGIE_NONE)
            rc = walk_edge(b, (uint32_t)s, false, link, visited);
        else if (b->gid[z] != BOGIE_NONE)
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
#define RADIUS_CONTEXT_M (CURVE_RADIUS_WINDOW_M * 6 + 50)

/* Appends to ll the points of the edge continuing the track beyond node v (reached by half-edge h of e), walking away
 * from v for up to RADIUS_CONTEXT_M metres, nearest first. Nothing is added at junctions, dead ends or where the
 * continuation is schematic. */
static int context_points(const builder *b, uint32_t v, uint32_t e, void *llvec)
{
    const net_build *o = b->out;
    VEC(int32_t) *ll = llvec;
    if (o->node_adj.v[v + 1] - o->node_adj.v[v] != 2)
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
        curve_radius_profile(ll.v, n, scratch.v, rad.v);
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

/* ----- countries ----- */

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

/* Puts every node in its country and finds where every edge crosses a border, from the Natural Earth outlines the
 * import was given. Without outlines the sections stay empty and every node's country is unknown (0). */
static bogie_status assign_countries(builder *b)
{
    net_build *o = b->out;
    const borders *bd = b->st->borders;
    size_t nn = o->nodes.n, ne = o->edges.n;
    if (VEC_RESERVE(b->a, o->node_country, nn ? nn : 1) != 0 || VEC_RESERVE(b->a, o->edge_cross, ne + 1) != 0)
        return nomem(b, "placing nodes in countries");
    memset(o->node_country.v, 0, (nn ? nn : 1) * sizeof *o->node_country.v);
    memset(o->edge_cross.v, 0, (ne + 1) * sizeof *o->edge_cross.v);
    o->node_country.n = nn;
    o->edge_cross.n = ne + 1;
    if (!bd)
        return BOGIE_OK;
    size_t nc = borders_count(bd);
    int *compact = util_malloc(b->a, (nc ? nc : 1) * sizeof *compact);
    VEC(borders_crossing) buf = {0};
    VEC(int32_t) ll = {0};
    bogie_status rc = BOGIE_OK;
    if (!compact || VEC_RESERVE(b->a, buf, 16) != 0) {
        rc = nomem(b, "placing nodes in countries");
        goto done;
    }
    for (size_t i = 0; i < nc; i++)
        compact[i] = -1;
    for (size_t v = 0; v < nn; v++) {
        int c = borders_country_at(bd, o->nodes.v[v].lat * 1e-7, o->nodes.v[v].lon * 1e-7);
        if (!use_country(b, bd, compact, c, &o->node_country.v[v])) {
            rc = nomem(b, "placing nodes in countries");
            goto done;
        }
    }
    /* A station's addr:country overrides the outlines at its node: at 1:10 million a border may run a few hundred
     * metres off, enough to put a border station on the wrong side. */
    for (size_t i = 0; i < b->st->stations.n; i++) {
        const imp_station *is = &b->st->stations.v[i];
        if (is->dropped || !is->country || b->st_merge[i] != BOGIE_NONE || b->st_node[i] == BOGIE_NONE)
            continue;
        int c = borders_find(bd, strtab_get(&b->st->strings, is->country));
        uint16_t code;
        if (c < 0)
            continue; /* not a code the outlines know: the outlines decide */
        if (!use_country(b, bd, compact, c, &code)) {
            rc = nomem(b, "placing nodes in countries");
            goto done;
        }
        o->node_country.v[b->gid[b->st_node[i]]] = code;
    }
    for (size_t e = 0; e < ne; e++) {
        net_edge *ed = &o->edges.v[e];
        o->edge_cross.v[e] = (uint32_t)o->crossings.n;
        const int32_t *pts = (const int32_t *)&o->geom.v[ed->geom_first];
        int start;
        size_t n = borders_crossings(bd, pts, ed->geom_count, buf.v, buf.cap, &start);
        if (n > buf.cap) {
            if (VEC_RESERVE(b->a, buf, n) != 0) {
                rc = nomem(b, "finding border crossings");
                goto done;
            }
            n = borders_crossings(bd, pts, ed->geom_count, buf.v, buf.cap, &start);
        }
        /* Keep the crossings that change the country from one real country to another: where the outline puts
         * a stretch of coastal track in the sea (no country), the track has not left the country. */
        uint16_t a = o->node_country.v[ed->from], z = o->node_country.v[ed->to], cur = a;
        size_t first = o->crossings.n;
        double geo = 0;
        for (uint32_t k = 1; k < ed->geom_count; k++)
            geo += geo_distance_e7(pts[2 * k - 2], pts[2 * k - 1], pts[2 * k], pts[2 * k + 1]);
        double scale = geo > 0 ? ed->length_m / geo : 0;
        for (size_t i = 0; i < n; i++) {
            const borders_crossing *x = &buf.v[i];
            uint16_t to;
            if (!use_country(b, bd, compact, x->to, &to)) {
                rc = nomem(b, "placing nodes in countries");
                goto done;
            }
            if (to == 0 || to == cur)
                continue;
            double pos = 0;
            for (size_t k = 1; k <= x->segment; k++)
                pos += geo_distance_e7(pts[2 * k - 2], pts[2 * k - 1], pts[2 * k], pts[2 * k + 1]);
            pos += x->fraction * geo_distance_e7(pts[2 * x->segment], pts[2 * x->segment + 1],
                                                 pts[2 * x->segment + 2], pts[2 * x->segment + 3]);
            net_crossing cr;
            memset(&cr, 0, sizeof cr);
            cr.edge = (uint32_t)e;
            cr.seg = (uint32_t)x->segment;
            cr.frac = (float)x->fraction;
            cr.pos_m = (float)(pos * scale);
            cr.lat = (int32_t)lround(x->lat * 1e7);
            cr.lon = (int32_t)lround(x->lon * 1e7);
            cr.from = cur;
            cr.to = to;
            if (cur != 0 && VEC_PUSH(b->a, o->crossings, cr) != 0) {
                rc = nomem(b, "finding border crossings");
                goto done;
            }
            cur = to;
        }
        if (z != 0 && cur != 0 && cur != z) {
            /* The ends disagree with the outline (an addr:country override, or a border drawn off the track): one
             * crossing from the start's country to the end's, at a railway=border end if there is one, else where
             * the outline last crossed, else half-way. */
            o->crossings.n = first;
            net_crossing cr;
            memset(&cr, 0, sizeof cr);
            cr.edge = (uint32_t)e;
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
                    seg = (uint32_t)buf.v[n - 1].segment;
                    frac = buf.v[n - 1].fraction;
                }
            }
            double pos = 0;
            for (uint32_t k = 1; k <= seg; k++)
                pos += geo_distance_e7(pts[2 * k - 2], pts[2 * k - 1], pts[2 * k], pts[2 * k + 1]);
            pos += frac * geo_distance_e7(pts[2 * seg], pts[2 * seg + 1], pts[2 * seg + 2], pts[2 * seg + 3]);
            cr.seg = seg;
            cr.frac = (float)frac;
            cr.pos_m = (float)(pos * scale);
            cr.lat = (int32_t)lround(pts[2 * seg] + frac * (pts[2 * seg + 2] - pts[2 * seg]));
            cr.lon = (int32_t)lround(pts[2 * seg + 1] + frac * (pts[2 * seg + 3] - pts[2 * seg + 1]));
            if (a != 0 && a != z && VEC_PUSH(b->a, o->crossings, cr) != 0) {
                rc = nomem(b, "finding border crossings");
                goto done;
            }
        }
    }
    o->edge_cross.v[ne] = (uint32_t)o->crossings.n;
done:
    util_free(b->a, compact, (nc ? nc : 1) * sizeof *compact);
    VEC_FREE(b->a, buf);
    VEC_FREE(b->a, ll);
    return rc;
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

/* Writes the kept stations with their names, then finds breaks of gauge and their nearest stations. */
static bogie_status finish_stations_and_breaks(builder *b)
{
    imp_state *st = b->st;
    net_build *o = b->out;
    size_t ns = st->stations.n;
    /* Pairs (absorbing station, absorbed station), sorted, so each kept station finds the names of those it
     * absorbed. */
    VEC(name_order) groups = {0};
    for (size_t j = 0; j < ns; j++) {
        if (b->st_merge[j] == BOGIE_NONE)
            continue;
        name_order g = {merge_root(b, (uint32_t)j), (uint32_t)j};
        if (VEC_PUSH(b->a, groups, g) != 0) {
            VEC_FREE(b->a, groups);
            return nomem(b, "merging stations");
        }
    }
    util_sort(groups.v, groups.n, sizeof *groups.v, cmp_name_order);
    size_t gpos = 0;
    for (size_t i = 0; i < ns; i++) {
        while (gpos < groups.n && groups.v[gpos].name < i)
            gpos++;
        const imp_station *s = &st->stations.v[i];
        if (s->dropped || b->st_merge[i] != BOGIE_NONE || b->st_node[i] == BOGIE_NONE)
            continue;
        net_station out = {0};
        out.osm_id = s->id;
        out.osm_type = (uint8_t)s->type;
        out.kind = s->kind;
        out.lat = s->lat;
        out.lon = s->lon;
        out.node = b->gid[b->st_node[i]];
        out.attach_m = b->st_dist[i];
        out.uic_ref = s->uic_ref;
        out.railway_ref = s->railway_ref;
        out.timezone = s->timezone;
        out.name = primary_name(st, s);
        out.names_first = (uint32_t)o->station_names.n;
        for (size_t q = gpos;; q++) {
            size_t j;
            if (q == gpos)
                j = i;
            else if (q - 1 < groups.n && groups.v[q - 1].name == i)
                j = groups.v[q - 1].index;
            else
                break;
            const imp_station *m = &st->stations.v[j];
            if (j != i) {
                out.flags |= NET_STATION_MERGED;
                if (!out.uic_ref)
                    out.uic_ref = m->uic_ref;
                if (!out.railway_ref)
                    out.railway_ref = m->railway_ref;
                if (!out.timezone)
                    out.timezone = m->timezone;
            }
            for (uint32_t k = 0; k < m->names_count; k++) {
                net_name nm = st->names.v[m->names_first + k];
                bool dup = false;
                for (size_t q = out.names_first; q < o->station_names.n && !dup; q++)
                    dup = o->station_names.v[q].key == nm.key;
                if (!dup && VEC_PUSH(b->a, o->station_names, nm) != 0) {
                    VEC_FREE(b->a, groups);
                    return nomem(b, "storing station names");
                }
            }
        }
        out.names_count = (uint32_t)(o->station_names.n - out.names_first);
        if (!out.name && out.names_count)
            out.name = o->station_names.v[out.names_first].value;
        if (VEC_PUSH(b->a, o->stations, out) != 0) {
            VEC_FREE(b->a, groups);
            return nomem(b, "storing stations");
        }
        o->node_flags.v[out.node] |= NET_NODE_STATION;
    }
    VEC_FREE(b->a, groups);

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
    for (size_t v = 0; v < o->nodes.n && rc == BOGIE_OK; v++) {
        if (o->node_flags.v[v] & NET_NODE_CROSSING)
            continue; /* tracks cross here without connecting, so their gauges need not agree */
        const net_class *first = NULL;
        bool differ = false, disjoint = false;
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
                    disjoint = true;
            }
        }
        if (!differ)
            continue;
        /* Any pair of disjoint sets makes it a break proper, not only the end of a dual-gauge section. */
        for (uint32_t h = o->node_adj.v[v]; h < o->node_adj.v[v + 1] && !disjoint; h++)
            for (uint32_t g = h + 1; g < o->node_adj.v[v + 1] && !disjoint; g++) {
                const net_class *x = &st->classes.v[o->edges.v[o->adj.v[h] >> 1].cls];
                const net_class *y = &st->classes.v[o->edges.v[o->adj.v[g] >> 1].cls];
                if (x->n_gauge && y->n_gauge && disjoint_gauges(x, y))
                    disjoint = true;
            }
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
            rc = nomem(b, "storing breaks of gauge");
    }
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
}

static void builder_free(builder *b)
{
    size_t n = b->n_nodes ? b->n_nodes : 1, ns = b->st->stations.n ? b->st->stations.n : 1;
    util_free(b->a, b->inc, n);
    util_free(b->a, b->nf, n);
    util_free(b->a, b->kinds, n);
    util_free(b->a, b->end_cls, n * sizeof *b->end_cls);
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
    bogie_status rc = sort_nodes(&b);
    if (rc == BOGIE_OK)
        rc = report_progress(&b, progress, progress_ud, prog);
    if (rc == BOGIE_OK)
        rc = make_pieces(&b);
    if (rc == BOGIE_OK && st->failed)
        rc = util_nomem(diag, "recording suspicious values");
    if (rc == BOGIE_OK && b.pieces.n == 0)
        rc = util_fail(diag, BOGIE_ERR_EMPTY,
                       "the inputs hold no usable track: no railway=rail or narrow_gauge way (%llu ways read) with "
                       "two or more nodes present",
                       (unsigned long long)st->stats.ways_read);
    if (rc == BOGIE_OK)
        rc = place_stations(&b);
    if (rc == BOGIE_OK) {
        /* Border markers become graph nodes so routes can report them. */
        util_sort(st->node_flags.v, st->node_flags.n, sizeof *st->node_flags.v, cmp_flag);
        for (size_t i = 0; i < st->node_flags.n; i++) {
            uint32_t v = find_node(st, st->node_flags.v[i].id);
            if (v != BOGIE_NONE && (b.nf[v] & NF_TRACK) && (st->node_flags.v[i].flags & NET_NODE_BORDER))
                b.nf[v] |= NF_FORCED;
        }
        b.gid = util_malloc(b.a, (b.n_nodes ? b.n_nodes : 1) * sizeof *b.gid);
        if (!b.gid)
            rc = util_nomem(diag, "numbering nodes");
    }
    for (size_t v = 0; rc == BOGIE_OK && v < b.n_nodes; v++) {
        b.gid[v] = BOGIE_NONE;
        if ((b.nf[v] & NF_TRACK) && is_graph_node(&b, (uint32_t)v))
            rc = add_graph_node(&b, (uint32_t)v);
    }
    if (rc == BOGIE_OK)
        rc = report_progress(&b, progress, progress_ud, prog);
    if (rc == BOGIE_OK)
        rc = make_segments(&b);
    if (rc == BOGIE_OK)
        rc = make_edges(&b);
    if (rc == BOGIE_OK) {
        size_t nn = b.graph_nodes.n;
        if (VEC_RESERVE(b.a, out->nodes, nn) != 0 || VEC_RESERVE(b.a, out->node_osm, nn) != 0 ||
            VEC_RESERVE(b.a, out->node_flags, nn) != 0) {
            rc = util_nomem(diag, "storing nodes");
        } else {
            for (size_t g = 0; g < nn; g++) {
                const imp_node *nd = &st->nodes.v[b.graph_nodes.v[g]];
                out->nodes.v[g] = (net_node){nd->lat, nd->lon};
                out->node_osm.v[g] = nd->id;
                out->node_flags.v[g] = 0;
            }
            out->nodes.n = out->node_osm.n = out->node_flags.n = nn;
            for (size_t i = 0; i < st->node_flags.n; i++) {
                uint32_t v = find_node(st, st->node_flags.v[i].id);
                if (v != BOGIE_NONE && b.gid[v] != BOGIE_NONE)
                    out->node_flags.v[b.gid[v]] |= st->node_flags.v[i].flags;
            }
        }
    }
    if (rc == BOGIE_OK)
        rc = make_adjacency(&b);
    if (rc == BOGIE_OK)
        rc = compute_radii(&b);
    if (rc == BOGIE_OK)
        rc = compute_positions(&b);
    if (rc == BOGIE_OK)
        rc = assign_countries(&b);
    if (rc == BOGIE_OK)
        rc = finish_stations_and_breaks(&b);
    if (rc == BOGIE_OK)
        rc = report_progress(&b, progress, progress_ud, prog);
    builder_free(&b);
    if (rc != BOGIE_OK)
        net_build_free(out);
    return rc;
}
