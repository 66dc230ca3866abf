/* network.c: opens a graph file by mapping it read-only, and validates its header, section table, checksums and
 * every index it holds before anything reads it. The checksums and the checks of the contents are independent jobs,
 * which a large file shares out among a few threads; each check first runs a fast pass over its records (branch-free,
 * in blocks the compiler can vectorize) and only when that finds a fault the exact pass that names it. */
#include "net/network.h"

#include "net/landmarks.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

typedef struct sec_spec {
    uint32_t id;
    const char *name;
    uint32_t elem_size;
    bool optional;      /* a file may lack it (a section added by a minor version) */
} sec_spec;

static const sec_spec specs[] = {
    {NETSEC_META, "META", 1, false},
    {NETSEC_STRINGS, "STRINGS", 1, false},
    {NETSEC_NODES, "NODES", sizeof(net_node), false},
    {NETSEC_NODE_OSM, "NODE_OSM", sizeof(int64_t), false},
    {NETSEC_NODE_ADJ, "NODE_ADJ", sizeof(uint32_t), false},
    {NETSEC_ADJ, "ADJ", sizeof(uint32_t), false},
    {NETSEC_EDGES, "EDGES", sizeof(net_edge), false},
    {NETSEC_CLASSES, "CLASSES", sizeof(net_class), false},
    {NETSEC_GEOM, "GEOM", sizeof(net_point), false},
    {NETSEC_RADIUS, "RADIUS", sizeof(uint16_t), false},
    {NETSEC_STATIONS, "STATIONS", sizeof(net_station), false},
    {NETSEC_STATION_NAMES, "STATION_NAMES", sizeof(net_name), false},
    {NETSEC_BREAKS, "BREAKS", sizeof(net_break), false},
    {NETSEC_ISSUES, "ISSUES", sizeof(net_issue), false},
    {NETSEC_STATS, "STATS", sizeof(net_stat), false},
    {NETSEC_NODE_FLAGS, "NODE_FLAGS", sizeof(uint16_t), false},
    {NETSEC_COUNTRIES, "COUNTRIES", sizeof(net_country), false},
    {NETSEC_NODE_COUNTRY, "NODE_COUNTRY", sizeof(uint16_t), false},
    {NETSEC_EDGE_CROSS, "EDGE_CROSS", sizeof(uint32_t), false},
    {NETSEC_CROSSINGS, "CROSSINGS", sizeof(net_crossing), false},
    {NETSEC_GEOM_POS, "GEOM_POS", sizeof(float), false},
    {NETSEC_LANDMARKS, "LANDMARKS", sizeof(uint32_t), false},
    {NETSEC_LANDMARK_DIST, "LANDMARK_DIST", sizeof(uint32_t), false},
    {NETSEC_ELEV, "ELEV", sizeof(float), true},
};
enum { SPEC_ELEV = 23 }; /* the index of the optional ELEV section in specs[] */
enum { N_SPECS = sizeof specs / sizeof specs[0] };

#define MAX_SECTIONS 256

/* Validation context: the file's name for messages and the diag to fill. */
typedef struct vctx {
    const char *name;
    bogie_diag *diag;
} vctx;

#define BAD(vc, ...) util_fail((vc)->diag, BOGIE_ERR_GRAPH, __VA_ARGS__)

static bool str_ok(const bogie_network *n, uint32_t off)
{
    return off < n->strings_size;
}

static bool coord_ok(int32_t lat, int32_t lon)
{
    return lat >= -900000000 && lat <= 900000000 && lon >= -1800000000 && lon <= 1800000000;
}

/* Whether any of n points is out of range: without early exit, so that the compiler can vectorize it; the caller
 * looks for the first bad one only when there is one. */
static bool any_bad_point(const net_point *p, size_t n)
{
    unsigned bad = 0;
    size_t i = 0;
    /* Blocks of a fixed count, which gcc's -O2 vectorizes (it leaves a loop of unknown count scalar). */
    for (; i + 32 <= n; i += 32) {
        unsigned b = 0;
        for (size_t j = i; j < i + 32; j++)
            b |= ((uint32_t)p[j].lat + 900000000u > 1800000000u) | ((uint32_t)p[j].lon + 1800000000u > 3600000000u);
        bad |= b;
    }
    for (; i < n; i++)
        bad |= ((uint32_t)p[i].lat + 900000000u > 1800000000u) | ((uint32_t)p[i].lon + 1800000000u > 3600000000u);
    return bad != 0;
}

#if defined(__GNUC__)
/* Four floats or four lanes of comparison results (gcc and clang vector extensions; SSE2 on x86-64). */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
static inline v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* Whether the c >= 2 positions at pos never decrease (a NaN counts as a decrease). */
static inline bool rising(const float *pos, uint32_t c)
{
#if defined(__GNUC__)
    if (c >= 5) {
        v4i ok = {-1, -1, -1, -1};
        for (uint32_t k = 1; k + 4 <= c; k += 4)
            ok &= (v4i)(load4(pos + k) >= load4(pos + k - 1));
        ok &= (v4i)(load4(pos + c - 4) >= load4(pos + c - 5)); /* the last four pairs, overlapping the loop's */
        return (ok[0] & ok[1] & ok[2] & ok[3]) == -1;
    }
#endif
    unsigned bad = 0;
    for (uint32_t k = 1; k < c; k++)
        bad |= !(pos[k] >= pos[k - 1]);
    return !bad;
}

/* The fast pass of validate_edges(): whether some edge may be faulty. It never passes an edge the exact pass
 * refuses: positions that rise to a last one equal to a length of at most 3.4e38 are all at most 3.4e38. */
static bool any_bad_edge(const bogie_network *n)
{
    unsigned bad = 0;
    for (uint32_t e = 0; e < n->n_edges; e++) {
        const net_edge *ed = &n->edges[e];
        uint32_t c = ed->geom_count;
        bad |= (ed->from >= n->n_nodes) | (ed->to >= n->n_nodes) | (ed->cls >= n->n_classes) |
               !(ed->length_m >= 0) | !(ed->length_m <= 3.4e38f);
        if (c < 2 || ed->geom_first > n->n_geom || c > n->n_geom - ed->geom_first)
            return true;
        const float *pos = n->geom_pos + ed->geom_first;
        bad |= (pos[0] != 0) | (pos[c - 1] != ed->length_m) | !rising(pos, c);
    }
    return bad != 0;
}

/* Checks the strings, the nodes' coordinates and every edge: its nodes, class, geometry, length and positions. */
static bogie_status validate_edges(const bogie_network *n, const vctx *vc)
{
    const char *nm = vc->name;
    if (n->strings_size == 0 || n->strings[0] != '\0' || n->strings[n->strings_size - 1] != '\0')
        return BAD(vc, "%s: section STRINGS: must start and end with a NUL byte", nm);
    if (any_bad_point(n->nodes, n->n_nodes))
        for (uint32_t v = 0; v < n->n_nodes; v++)
            if (!coord_ok(n->nodes[v].lat, n->nodes[v].lon))
                return BAD(vc, "%s: section NODES record %u: coordinates out of range", nm, v);
    bool suspect = any_bad_edge(n); /* then the exact pass below names the fault */
    for (uint32_t e = 0; suspect && e < n->n_edges; e++) {
        const net_edge *ed = &n->edges[e];
        if (ed->from >= n->n_nodes || ed->to >= n->n_nodes)
            return BAD(vc, "%s: section EDGES record %u: node out of range (%u nodes)", nm, e, n->n_nodes);
        if (ed->cls >= n->n_classes)
            return BAD(vc, "%s: section EDGES record %u: class %u out of range (%u classes)", nm, e, ed->cls,
                       n->n_classes);
        if (ed->geom_count < 2 || ed->geom_first > n->n_geom || ed->geom_count > n->n_geom - ed->geom_first)
            return BAD(vc, "%s: section EDGES record %u: geometry range out of bounds", nm, e);
        if (!(ed->length_m >= 0) || !isfinite(ed->length_m))
            return BAD(vc, "%s: section EDGES record %u: length is not a non-negative number", nm, e);
        const float *pos = n->geom_pos + ed->geom_first;
        if (pos[0] != 0 || pos[ed->geom_count - 1] != ed->length_m)
            return BAD(vc, "%s: section GEOM_POS: edge %u does not run from 0 to its length", nm, e);
        for (uint32_t k = 1; k < ed->geom_count; k++)
            if (!(pos[k] >= pos[k - 1]) || !(pos[k] <= 3.4e38f))
                return BAD(vc, "%s: section GEOM_POS record %u: positions along edge %u must not decrease", nm,
                           ed->geom_first + k, e);
    }
    return BOGIE_OK;
}

/* Checks that every elevation, when the file has them, is unknown (NaN) or a height on Earth's surface. */
static bogie_status validate_elevations(const bogie_network *n, const vctx *vc)
{
    for (size_t i = 0; n->elev && i < n->n_geom; i++)
        if (!isnan(n->elev[i]) && !(n->elev[i] >= NET_MIN_ELEV_M && n->elev[i] <= NET_MAX_ELEV_M))
            return BAD(vc, "%s: section ELEV record %zu: elevation %g m is neither unknown nor within %g .. %g m",
                       vc->name, i, (double)n->elev[i], NET_MIN_ELEV_M, NET_MAX_ELEV_M);
    return BOGIE_OK;
}

/* Checks that every node's half-edges lie within ADJ and name edges that touch it. */
static bogie_status validate_adjacency(const bogie_network *n, const vctx *vc)
{
    const char *nm = vc->name;
    if (n->node_adj[0] != 0 || n->node_adj[n->n_nodes] != n->n_adj)
        return BAD(vc, "%s: section NODE_ADJ: must run from 0 to %zu half-edges", nm, n->n_adj);
    for (uint32_t v = 0; v < n->n_nodes; v++) {
        if (n->node_adj[v] > n->node_adj[v + 1] || n->node_adj[v + 1] > n->n_adj)
            return BAD(vc, "%s: section NODE_ADJ record %u: not ascending within the half-edges", nm, v);
        for (uint32_t h = n->node_adj[v]; h < n->node_adj[v + 1]; h++) {
            uint32_t e = n->adj[h] >> 1;
            if (e >= n->n_edges)
                return BAD(vc, "%s: section ADJ record %u: edge %u out of range (%u edges)", nm, h, e, n->n_edges);
            const net_edge *ed = &n->edges[e];
            if ((n->adj[h] & 1 ? ed->to : ed->from) != v)
                return BAD(vc, "%s: section ADJ record %u: edge %u does not touch node %u", nm, h, e, v);
        }
    }
    return BOGIE_OK;
}

/* Checks the geometry's coordinates and the classes' fields. */
static bogie_status validate_geometry_and_classes(const bogie_network *n, const vctx *vc)
{
    const char *nm = vc->name;
    if (any_bad_point(n->geom, n->n_geom))
        for (size_t p = 0; p < n->n_geom; p++)
            if (!coord_ok(n->geom[p].lat, n->geom[p].lon))
                return BAD(vc, "%s: section GEOM record %zu: coordinates out of range", nm, p);
    for (uint32_t c = 0; c < n->n_classes; c++) {
        const net_class *k = &n->classes[c];
        if (k->n_gauge > BOGIE_MAX_GAUGES || k->n_power > BOGIE_MAX_POWER || k->railway >= NET_RAILWAY_COUNT ||
            k->usage >= NET_USAGE_COUNT || k->service >= NET_SERVICE_COUNT || k->electrified > NET_ELEC_YES ||
            k->pref_dir > NET_DIR_BACKWARD || !str_ok(n, k->name) || !str_ok(n, k->ref) ||
            !(k->maxspeed_fwd >= 0 && k->maxspeed_fwd <= 1000) || !(k->maxspeed_bwd >= 0 && k->maxspeed_bwd <= 1000))
            return BAD(vc, "%s: section CLASSES record %u: a field is out of range", nm, c);
    }
    return BOGIE_OK;
}

/* Checks the stations and their names. The stations' name ranges follow one another without overlapping, as the
 * writer lays them out: readers size per-name tables by the section's count. */
static bogie_status validate_stations(const bogie_network *n, const vctx *vc)
{
    const char *nm = vc->name;
    size_t names_end = 0;
    for (uint32_t s = 0; s < n->n_stations; s++) {
        const net_station *st = &n->stations[s];
        /* Every station the writer keeps is attached to a node (netfmt.h allows none, but every reader indexes by
         * it): a station without one is refused here rather than followed into the node arrays. */
        if (st->node == BOGIE_NONE)
            return BAD(vc, "%s: section STATIONS record %u: the station is attached to no node", nm, s);
        if (st->node >= n->n_nodes || st->names_first > n->n_names ||
            st->names_count > n->n_names - st->names_first || !str_ok(n, st->name) || !str_ok(n, st->uic_ref) ||
            !str_ok(n, st->railway_ref) || !str_ok(n, st->timezone) || !coord_ok(st->lat, st->lon))
            return BAD(vc, "%s: section STATIONS record %u: an index is out of range", nm, s);
        if (st->names_first < names_end)
            return BAD(vc, "%s: section STATIONS record %u: its names overlap the previous station's", nm, s);
        names_end = (size_t)st->names_first + st->names_count;
    }
    for (size_t i = 0; i < n->n_names; i++)
        if (!str_ok(n, n->names[i].key) || !str_ok(n, n->names[i].value))
            return BAD(vc, "%s: section STATION_NAMES record %zu: string out of range", nm, i);
    return BOGIE_OK;
}

/* Checks the breaks of gauge, the import's issues and its statistics. */
static bogie_status validate_reports(const bogie_network *n, const vctx *vc)
{
    const char *nm = vc->name;
    for (size_t i = 0; i < n->n_breaks; i++) {
        const net_break *br = &n->breaks[i];
        if (br->node >= n->n_nodes || (br->station != BOGIE_NONE && br->station >= n->n_stations) ||
            br->kind > NET_BREAK_DUAL)
            return BAD(vc, "%s: section BREAKS record %zu: an index is out of range", nm, i);
    }
    for (size_t i = 0; i < n->n_issues; i++) {
        const net_issue *is = &n->issues[i];
        if (!str_ok(n, is->what) || !str_ok(n, is->value) || !str_ok(n, is->reason))
            return BAD(vc, "%s: section ISSUES record %zu: string out of range", nm, i);
    }
    for (size_t i = 0; i < n->n_stats; i++)
        if (!str_ok(n, n->stats[i].name))
            return BAD(vc, "%s: section STATS record %zu: string out of range", nm, i);
    return BOGIE_OK;
}

/* Whether a crossing goes from one country of the network to another: a journey names both (src/journey/stops.c), and
 * the importer writes none into or out of "no country" (src/net/build_countries.c). */
static bool crossing_countries_ok(const bogie_network *n, const net_crossing *x)
{
    return x->from >= 1 && x->from <= n->n_countries && x->to >= 1 && x->to <= n->n_countries && x->from != x->to;
}

/* Checks the countries, the nodes' countries and every edge's border crossings. */
static bogie_status validate_countries(const bogie_network *n, const vctx *vc)
{
    const char *nm = vc->name;
    for (uint32_t c = 0; c < n->n_countries; c++)
        if (!str_ok(n, n->countries[c].name) || n->countries[c].alpha2[3] || n->countries[c].alpha3[3])
            return BAD(vc, "%s: section COUNTRIES record %u: a field is out of range", nm, c);
    for (uint32_t v = 0; v < n->n_nodes; v++)
        if (n->node_country[v] > n->n_countries)
            return BAD(vc, "%s: section NODE_COUNTRY record %u: country out of range", nm, v);
    if (n->edge_cross[0] != 0 || n->edge_cross[n->n_edges] != n->n_crossings)
        return BAD(vc, "%s: section EDGE_CROSS: must run from 0 to %zu crossings", nm, n->n_crossings);
    for (uint32_t e = 0; e < n->n_edges; e++) {
        if (n->edge_cross[e] > n->edge_cross[e + 1] || n->edge_cross[e + 1] > n->n_crossings)
            return BAD(vc, "%s: section EDGE_CROSS record %u: not ascending within the crossings", nm, e);
        for (uint32_t k = n->edge_cross[e]; k < n->edge_cross[e + 1]; k++) {
            const net_crossing *x = &n->crossings[k];
            if (x->edge != e || x->seg + 1 >= n->edges[e].geom_count || !crossing_countries_ok(n, x) ||
                !(x->pos_m >= 0) || !coord_ok(x->lat, x->lon))
                return BAD(vc, "%s: section CROSSINGS record %u: a field is out of range", nm, k);
        }
    }
    return BOGIE_OK;
}

/* ceil(len) + 1 for a length of at least 0, or UINT32_MAX when that is more: the most two landmark distances at
 * the ends of an edge that long may differ by (a difference of two uint32_t is never more than UINT32_MAX). */
static uint32_t landmark_slack(float len)
{
    if (!(len < 4294967040.0f)) /* the largest float below 2^32 */
        return UINT32_MAX;
    uint32_t t = (uint32_t)len;
    return t + ((double)t < (double)len) + 1;
}

/* Whether two rows a and b of k landmark distances differ anywhere by more than slack. In unsigned arithmetic, and
 * for the usual count in a loop of fixed length, so that gcc vectorizes it. */
static inline unsigned rows_differ(const uint32_t *a, const uint32_t *b, unsigned k, uint32_t slack)
{
    unsigned bad = 0;
    if (k == LM_DEFAULT_COUNT) {
        for (unsigned i = 0; i < LM_DEFAULT_COUNT; i++)
            bad |= (a[i] > b[i] ? a[i] - b[i] : b[i] - a[i]) > slack;
        return bad;
    }
    for (unsigned i = 0; i < k; i++)
        bad |= (a[i] > b[i] ? a[i] - b[i] : b[i] - a[i]) > slack;
    return bad;
}

/* The fast pass of validate_landmarks() over the edges (whose ends are valid nodes): whether the distances at the ends
 * of some edge differ by more than its slack, with the rows of the edges ahead prefetched (most edges join nodes
 * numbered close together, but one in ten reaches far off in the node-major table). */
static bool any_bad_landmark_edge(const bogie_network *n)
{
    const unsigned k = n->n_landmarks;
    const uint32_t ahead = 16;
    unsigned bad = 0;
    for (uint32_t e = 0; e < n->n_edges; e++) {
        if (e + ahead < n->n_edges) {
            PREFETCH(n->landmark_dist + (size_t)n->edges[e + ahead].from * k);
            PREFETCH(n->landmark_dist + (size_t)n->edges[e + ahead].to * k);
        }
        const uint32_t *a = n->landmark_dist + (size_t)n->edges[e].from * k,
                       *b = n->landmark_dist + (size_t)n->edges[e].to * k;
        bad |= rows_differ(a, b, k, landmark_slack(n->edges[e].length_m));
    }
    return bad != 0;
}

/* Landmark distances must be lower bounds the search can trust: along every edge they change by no more than its
 * length (plus the metre of rounding), and both ends are reachable from a landmark or neither is. */
static bogie_status validate_landmarks(const bogie_network *n, const vctx *vc)
{
    const char *nm = vc->name;
    const unsigned k = n->n_landmarks;
    for (unsigned i = 0; i < k; i++)
        if (n->landmarks[i] >= n->n_nodes)
            return BAD(vc, "%s: section LANDMARKS record %u: node out of range", nm, i);
    bool suspect = k > 0 && any_bad_landmark_edge(n); /* then the exact pass below names the edge */
    for (uint32_t e = 0; suspect && e < n->n_edges; e++) {
        const uint32_t *a = n->landmark_dist + (size_t)n->edges[e].from * k,
                       *b = n->landmark_dist + (size_t)n->edges[e].to * k;
        /* Whole metres, rounded down at both ends: they may differ by the length rounded up, plus one. */
        int64_t len = (int64_t)ceil(n->edges[e].length_m) + 1;
        unsigned bad = 0;
        for (unsigned i = 0; i < k; i++) {
            int64_t d = (int64_t)a[i] - (int64_t)b[i];
            /* Both unreachable gives 0; one of them unreachable gives a difference beyond any edge's length. */
            bad |= (d > len) | (-d > len);
        }
        if (bad)
            return BAD(vc, "%s: section LANDMARK_DIST: a landmark's distances at the ends of edge %u differ by more "
                           "than its length", nm, e);
    }
    return BOGIE_OK;
}

/* Checks the header of the len bytes at base (magic, byte order, version, checksum, sizes) and copies it into *h. */
static bogie_status check_header(const uint8_t *base, size_t len, netfmt_header *h, const vctx *vc)
{
    const char *name = vc->name;
    bogie_diag *diag = vc->diag;
    if (len < sizeof(netfmt_header))
        return BAD(vc, "%s: %zu bytes is too short for a bogie graph file (the header alone is %zu)", name, len,
                   sizeof(netfmt_header));
    memcpy(h, base, sizeof *h);
    if (memcmp(h->magic, NETFMT_MAGIC, 8) != 0)
        return BAD(vc, "%s: byte 0: not a bogie graph file (bad magic)", name);
    if (h->endian != NETFMT_ENDIAN_TAG)
        return util_fail(diag, BOGIE_ERR_VERSION, "%s: byte 16: written with another byte order", name);
    if (h->major != NETFMT_MAJOR)
        return util_fail(diag, BOGIE_ERR_VERSION,
                         "%s: byte 8: format version %u.%u; this bogie reads version %u.x (re-run bogie import)",
                         name, h->major, h->minor, NETFMT_MAJOR);
    uint64_t stored = h->header_hash;
    h->header_hash = 0;
    if (XXH3_64bits(h, sizeof *h) != stored)
        return util_fail(diag, BOGIE_ERR_CHECKSUM, "%s: byte 48: header checksum mismatch", name);
    if (h->header_size != sizeof *h || h->flags != 0)
        return BAD(vc, "%s: byte 20: unexpected header size or flags", name);
    if (h->file_size != len)
        return BAD(vc, "%s: the header says %llu bytes but the file has %zu (truncated or extended)", name,
                   (unsigned long long)h->file_size, len);
    if (h->section_count == 0 || h->section_count > MAX_SECTIONS ||
        sizeof *h + (uint64_t)h->section_count * sizeof(netfmt_section) > len)
        return BAD(vc, "%s: byte 28: section count %u does not fit the file", name, h->section_count);
    const netfmt_section *table = (const netfmt_section *)(base + sizeof *h);
    if (XXH3_64bits(table, h->section_count * sizeof *table) != h->table_hash)
        return util_fail(diag, BOGIE_ERR_CHECKSUM, "%s: byte 64: section table checksum mismatch", name);
    return BOGIE_OK;
}

/* Checks section i of table (of count sections, in a file of len bytes): where it lies, that it overlaps no
 * earlier one, and its record size when it is a known section (then found[] gets it). Its checksum is left to
 * verify_contents(). */
static bogie_status check_section(size_t len, const netfmt_section *table, uint32_t count, uint32_t i,
                                  const netfmt_section **found, const vctx *vc)
{
    const char *name = vc->name;
    const netfmt_section *s = &table[i];
    uint64_t data_start = sizeof(netfmt_header) + (uint64_t)count * sizeof *table;
    uint64_t at = sizeof(netfmt_header) + (uint64_t)i * sizeof *s;
    if (s->offset % 8 != 0 || s->offset < data_start || s->offset > len)
        return BAD(vc, "%s: byte %llu: section %u offset %llu is misaligned or out of the file", name,
                   (unsigned long long)at, s->id, (unsigned long long)s->offset);
    if (s->elem_size == 0 || s->count > (len - s->offset) / s->elem_size)
        return BAD(vc, "%s: byte %llu: section %u (%llu records of %u bytes) runs past the end of the file",
                   name, (unsigned long long)at, s->id, (unsigned long long)s->count, s->elem_size);
    for (uint32_t j = 0; j < i; j++) {
        const netfmt_section *t = &table[j];
        uint64_t s_end = s->offset + s->count * s->elem_size, t_end = t->offset + t->count * t->elem_size;
        if (t->id == s->id)
            return BAD(vc, "%s: byte %llu: section %u appears twice", name, (unsigned long long)at, s->id);
        if (s->offset < t_end && t->offset < s_end)
            return BAD(vc, "%s: byte %llu: sections %u and %u overlap", name, (unsigned long long)at, s->id,
                       t->id);
    }
    for (size_t k = 0; k < N_SPECS; k++) {
        if (specs[k].id != s->id)
            continue;
        if (s->elem_size != specs[k].elem_size)
            return BAD(vc, "%s: byte %llu: section %s has records of %u bytes, expected %u", name,
                       (unsigned long long)at, specs[k].name, s->elem_size, specs[k].elem_size);
        found[k] = s;
    }
    return BOGIE_OK;
}

/* Whether section s of the file at base (in place within it) has the checksum its table entry gives. */
static bool section_hash_ok(const uint8_t *base, const netfmt_section *s)
{
    return XXH3_64bits(base + s->offset, (size_t)(s->count * s->elem_size)) == s->hash;
}

/* Fills vc's diag for the checksum mismatch of section s and returns BOGIE_ERR_CHECKSUM. */
static bogie_status hash_fail(const netfmt_section *s, const vctx *vc)
{
    return util_fail(vc->diag, BOGIE_ERR_CHECKSUM, "%s: byte %llu: section %u checksum mismatch", vc->name,
                     (unsigned long long)s->offset, s->id);
}

/* A section's checksum is checked before anything after it in the table and before any check of the contents, as
 * though the sections were hashed one by one as they are found: when rc (a later failure) is an error, the mismatch
 * of the first of table's first count sections whose checksum is wrong takes its place. */
static bogie_status checksum_first(bogie_status rc, const uint8_t *base, const netfmt_section *table, uint32_t count,
                                   unsigned flags, const vctx *vc)
{
    for (uint32_t i = 0; rc != BOGIE_OK && !(flags & BOGIE_OPEN_SKIP_CHECKSUM) && i < count; i++)
        if (!section_hash_ok(base, &table[i]))
            return hash_fail(&table[i], vc);
    return rc;
}

/* The offset of the first byte of the len bytes at base, from `from` up to `to`, that is not zero, or `to`. */
static uint64_t first_nonzero(const uint8_t *base, uint64_t from, uint64_t to)
{
    while (from < to && base[from] == 0)
        from++;
    return from;
}

/* Checks that every byte the header, the table and the count sections of table (placed, without overlaps) leave
 * uncovered in the file of len bytes at base is zero, as the writer pads them: then every byte of the file is
 * checked, by a checksum or here. */
static bogie_status check_padding(const uint8_t *base, size_t len, const netfmt_section *table, uint32_t count,
                                  const vctx *vc)
{
    uint32_t order[MAX_SECTIONS];
    for (uint32_t i = 0; i < count; i++) { /* by offset */
        uint32_t k = i;
        for (; k > 0 && table[order[k - 1]].offset > table[i].offset; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    uint64_t at = sizeof(netfmt_header) + (uint64_t)count * sizeof *table, bad;
    for (uint32_t k = 0; k <= count; k++) {
        uint64_t end = k < count ? table[order[k]].offset : len;
        if ((bad = first_nonzero(base, at, end)) < end)
            return BAD(vc, "%s: byte %llu: the padding between sections is not zero", vc->name,
                       (unsigned long long)bad);
        if (k < count)
            at = end + table[order[k]].count * table[order[k]].elem_size;
    }
    return BOGIE_OK;
}

/* Checks the section table (of h->section_count entries after the header) and finds every required section
 * (found[], in the order of specs[]). */
static bogie_status find_sections(const uint8_t *base, size_t len, const netfmt_header *h, unsigned flags,
                                  const netfmt_section **found, const vctx *vc)
{
    const netfmt_section *table = (const netfmt_section *)(base + sizeof *h);
    for (uint32_t i = 0; i < h->section_count; i++) {
        bogie_status rc = check_section(len, table, h->section_count, i, found, vc);
        if (rc != BOGIE_OK)
            return checksum_first(rc, base, table, i, flags, vc);
    }
    for (size_t k = 0; k < N_SPECS; k++)
        if (!found[k] && !specs[k].optional)
            return checksum_first(BAD(vc, "%s: required section %s is missing", vc->name, specs[k].name), base,
                                  table, h->section_count, flags, vc);
    return BOGIE_OK;
}

#define SEC(k, T) ((const T *)(base + found[k]->offset))
#define CNT(k) (found[k]->count)

/* Points n's arrays at the sections found[] (in the order of specs[]) of the file at base. */
static void map_sections(bogie_network *n, const uint8_t *base, const netfmt_section *const *found)
{
    n->meta = SEC(0, char);
    n->meta_size = CNT(0);
    n->strings = SEC(1, char);
    n->strings_size = CNT(1);
    n->nodes = SEC(2, net_node);
    n->node_osm = SEC(3, int64_t);
    n->node_adj = SEC(4, uint32_t);
    n->adj = SEC(5, uint32_t);
    n->n_adj = CNT(5);
    n->edges = SEC(6, net_edge);
    n->classes = SEC(7, net_class);
    n->geom = SEC(8, net_point);
    n->n_geom = CNT(8);
    n->radius = SEC(9, uint16_t);
    n->stations = SEC(10, net_station);
    n->names = SEC(11, net_name);
    n->n_names = CNT(11);
    n->breaks = SEC(12, net_break);
    n->n_breaks = CNT(12);
    n->issues = SEC(13, net_issue);
    n->n_issues = CNT(13);
    n->stats = SEC(14, net_stat);
    n->n_stats = CNT(14);
    n->node_flags = SEC(15, uint16_t);
    n->countries = SEC(16, net_country);
    n->node_country = SEC(17, uint16_t);
    n->edge_cross = SEC(18, uint32_t);
    n->crossings = SEC(19, net_crossing);
    n->n_crossings = CNT(19);
    n->geom_pos = SEC(20, float);
    n->landmarks = SEC(21, uint32_t);
    n->landmark_dist = SEC(22, uint32_t);
    n->elev = found[SPEC_ELEV] ? SEC(SPEC_ELEV, float) : NULL;
}
#undef SEC

/* Checks that the sections' record counts fit a graph file and agree with one another, and sets n's counts. */
static bogie_status check_counts(bogie_network *n, const netfmt_section *const *found, const vctx *vc)
{
    const char *name = vc->name;
    if (CNT(2) >= BOGIE_NONE || CNT(6) >= BOGIE_NONE / 2 || CNT(7) >= BOGIE_NONE || CNT(10) >= BOGIE_NONE)
        return BAD(vc, "%s: a section has more records than a graph file allows", name);
    if (CNT(3) != CNT(2) || CNT(15) != CNT(2) || CNT(4) != CNT(2) + 1 || CNT(5) != 2 * CNT(6) ||
        CNT(9) != CNT(8) || CNT(17) != CNT(2) || CNT(18) != CNT(6) + 1 || CNT(16) >= 0xFFFF || CNT(20) != CNT(8) ||
        CNT(21) > LM_MAX || CNT(22) != CNT(21) * CNT(2))
        return BAD(vc, "%s: section record counts disagree (nodes %llu, node ids %llu, node flags %llu, adjacency "
                       "%llu/%llu, edges %llu, points %llu, radii %llu)",
                   name, (unsigned long long)CNT(2), (unsigned long long)CNT(3), (unsigned long long)CNT(15),
                   (unsigned long long)CNT(4), (unsigned long long)CNT(5), (unsigned long long)CNT(6),
                   (unsigned long long)CNT(8), (unsigned long long)CNT(9));
    if (found[SPEC_ELEV] && CNT(SPEC_ELEV) != CNT(8))
        return BAD(vc, "%s: section ELEV has %llu elevations for %llu points", name,
                   (unsigned long long)CNT(SPEC_ELEV), (unsigned long long)CNT(8));
    n->n_nodes = (uint32_t)CNT(2);
    n->n_edges = (uint32_t)CNT(6);
    n->n_classes = (uint32_t)CNT(7);
    n->n_stations = (uint32_t)CNT(10);
    n->n_countries = (uint32_t)CNT(16);
    n->n_landmarks = (unsigned)CNT(21);
    return BOGIE_OK;
}
#undef CNT

/* The checks of the contents, in the order in which the first failing one is reported. validate_landmarks() reads
 * the edges' ends, so it runs only after validate_edges() has passed them, in the same job. */
enum { V_EDGES, V_ADJACENCY, V_GEOMETRY, V_STATIONS, V_REPORTS, V_COUNTRIES, V_LANDMARKS, V_ELEVATIONS, N_VALIDATORS };
static bogie_status (*const validators[N_VALIDATORS])(const bogie_network *, const vctx *) = {
    validate_edges, validate_adjacency, validate_geometry_and_classes, validate_stations, validate_reports,
    validate_countries, validate_landmarks, validate_elevations,
};

/* The check jobs, the longest first (on the world-size network: the edges and landmarks about half the checks'
 * time): each runs the validators of its mask in order, stopping at the first that fails. */
static const unsigned check_jobs[] = {
    1u << V_EDGES | 1u << V_LANDMARKS, 1u << V_ADJACENCY, 1u << V_GEOMETRY,
    1u << V_STATIONS | 1u << V_REPORTS | 1u << V_COUNTRIES | 1u << V_ELEVATIONS,
};
enum { N_CHECK_JOBS = sizeof check_jobs / sizeof check_jobs[0] };

/* The threads a large file's verification may use (the calling one included), and the size from which it does:
 * below it, starting a thread costs more than it saves. */
enum { MAX_VERIFY_THREADS = 4 };
#define PARALLEL_MIN_BYTES ((size_t)16 << 20)

/* The verification of an opened file's contents, shared by the threads that take its jobs in turn: the check jobs,
 * then one job per section to hash, the largest first. Each job writes only its own results. */
typedef struct verify_jobs {
    const bogie_network *n;
    const char *name;
    const netfmt_section *table;
    uint32_t n_hash;                 /* sections to hash: 0 with BOGIE_OPEN_SKIP_CHECKSUM */
    uint32_t hash_order[MAX_SECTIONS];
    atomic_uint next;                /* the next job to take */
    bogie_status rc[N_VALIDATORS];
    bogie_diag diag[N_VALIDATORS];
    bool hash_bad[MAX_SECTIONS];
} verify_jobs;

/* Runs job j of vj. */
static void run_job(verify_jobs *vj, unsigned j)
{
    if (j >= N_CHECK_JOBS) {
        uint32_t i = vj->hash_order[j - N_CHECK_JOBS];
        vj->hash_bad[i] = !section_hash_ok(vj->n->base, &vj->table[i]);
        return;
    }
    for (unsigned v = 0; v < N_VALIDATORS; v++) {
        if (!(check_jobs[j] & 1u << v))
            continue;
        vctx vc = {vj->name, &vj->diag[v]};
        vj->rc[v] = validators[v](vj->n, &vc);
        if (vj->rc[v] != BOGIE_OK)
            return;
    }
}

/* A thread's work: jobs taken in turn until none is left. arg is the shared verify_jobs. */
static void *verify_worker(void *arg)
{
    verify_jobs *vj = arg;
    unsigned total = N_CHECK_JOBS + vj->n_hash;
    for (unsigned j; (j = atomic_fetch_add(&vj->next, 1)) < total;)
        run_job(vj, j);
    return NULL;
}

/* How many threads to verify a file of len bytes on: one below PARALLEL_MIN_BYTES, else one per processor online,
 * at most MAX_VERIFY_THREADS; at least two with NET_OPEN_THREADED in flags. */
static unsigned verify_threads(size_t len, unsigned flags)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned least = flags & NET_OPEN_THREADED ? 2 : 1;
    if (len < PARALLEL_MIN_BYTES && !(flags & NET_OPEN_THREADED))
        return 1;
    unsigned t = cpus < MAX_VERIFY_THREADS ? (cpus > 0 ? (unsigned)cpus : 1) : MAX_VERIFY_THREADS;
    return t < least ? least : t;
}

/* Puts the indices of table's count sections into order, the largest first. */
static void order_by_size(const netfmt_section *table, uint32_t count, uint32_t *order)
{
    for (uint32_t i = 0; i < count; i++) {
        uint64_t size = table[i].count * table[i].elem_size;
        uint32_t k = i;
        for (; k > 0 && table[order[k - 1]].count * table[order[k - 1]].elem_size < size; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
}

/* Checks every section's checksum (unless flags has BOGIE_OPEN_SKIP_CHECKSUM) and every index in the sections of n,
 * whose placement and counts are checked, on as many threads as verify_threads() allows (the calling one included;
 * fewer when a thread cannot be started). The result is the one the checks would give run one after another: the
 * first checksum mismatch in the table's order, else the first failing validator in the order of validators[]. The
 * job state (a few kilobytes) is allocated with n's allocator and freed before returning. */
static bogie_status verify_contents(const bogie_network *n, unsigned flags, const vctx *vc)
{
    verify_jobs *vj = util_calloc(n->alloc, 1, sizeof *vj);
    if (!vj)
        return util_nomem(vc->diag, "verifying the network");
    vj->n = n;
    vj->name = vc->name;
    vj->table = (const netfmt_section *)(n->base + sizeof(netfmt_header));
    vj->n_hash = flags & BOGIE_OPEN_SKIP_CHECKSUM ? 0 : n->header->section_count;
    order_by_size(vj->table, vj->n_hash, vj->hash_order);
    atomic_init(&vj->next, 0);
    pthread_t helpers[MAX_VERIFY_THREADS - 1];
    unsigned started = 0, want = verify_threads(n->size, flags);
    while (started + 1 < want && pthread_create(&helpers[started], NULL, verify_worker, vj) == 0)
        started++;
    verify_worker(vj);
    for (unsigned t = 0; t < started; t++)
        pthread_join(helpers[t], NULL);
    bogie_status rc = BOGIE_OK;
    for (uint32_t i = 0; rc == BOGIE_OK && i < vj->n_hash; i++)
        if (vj->hash_bad[i])
            rc = hash_fail(&vj->table[i], vc);
    for (unsigned v = 0; rc == BOGIE_OK && v < N_VALIDATORS; v++)
        if ((rc = vj->rc[v]) != BOGIE_OK && vc->diag)
            *vc->diag = vj->diag[v];
    util_free(n->alloc, vj, sizeof *vj);
    return rc;
}

bogie_status net_open_buffer(const char *name, const void *data, size_t len, unsigned flags,
                             const bogie_allocator *alloc, bogie_network **out, bogie_diag *diag)
{
    *out = NULL;
    vctx vc = {name, diag};
    const uint8_t *base = data;
    netfmt_header h;
    const netfmt_section *found[N_SPECS] = {0};
    bogie_status rc = check_header(base, len, &h, &vc);
    if (rc == BOGIE_OK)
        rc = find_sections(base, len, &h, flags, found, &vc);
    if (rc != BOGIE_OK)
        return rc;
    bogie_network *n = util_calloc(alloc, 1, sizeof *n);
    if (!n)
        return util_nomem(diag, "opening the network");
    n->alloc = alloc;
    n->base = base;
    n->size = len;
    n->header = (const netfmt_header *)base;
    map_sections(n, base, found);
    const netfmt_section *table = (const netfmt_section *)(base + sizeof h);
    rc = check_counts(n, found, &vc);
    if (rc == BOGIE_OK)
        rc = check_padding(base, len, table, h.section_count, &vc);
    rc = checksum_first(rc, base, table, h.section_count, flags, &vc);
    if (rc == BOGIE_OK)
        rc = verify_contents(n, flags, &vc);
    if (rc != BOGIE_OK) {
        util_free(alloc, n, sizeof *n);
        return rc;
    }
    *out = n;
    return BOGIE_OK;
}

void net_close_buffer(bogie_network *net)
{
    if (net)
        util_free(net->alloc, net, sizeof *net);
}

bogie_status bogie_network_open(const char *path, unsigned flags, const bogie_allocator *alloc,
                                bogie_network **out, bogie_diag *diag)
{
    *out = NULL;
    alloc = util_alloc_or_default(alloc);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return util_io_fail(diag, path, "cannot open", errno);
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return util_io_fail(diag, path, "cannot stat", e);
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return util_fail(diag, BOGIE_ERR_IO, "%s: not a regular file", path);
    }
    size_t len = (size_t)sb.st_size;
    if (len < sizeof(netfmt_header)) {
        close(fd);
        return util_fail(diag, BOGIE_ERR_GRAPH, "%s: %zu bytes is too short for a bogie graph file", path, len);
    }
    /* Validation reads every page at once: populating the mapping up front costs far less than a fault per page. */
    int populate = 0;
#ifdef MAP_POPULATE
    populate = MAP_POPULATE;
#endif
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | populate, fd, 0);
    int e = errno;
    close(fd);
    if (map == MAP_FAILED)
        return util_io_fail(diag, path, "cannot map", e);
    bogie_status rc = net_open_buffer(path, map, len, flags, alloc, out, diag);
    if (rc != BOGIE_OK)
        munmap(map, len);
    return rc;
}

void bogie_network_close(bogie_network *net)
{
    if (!net)
        return;
    munmap((void *)net->base, net->size);
    net_close_buffer(net);
}

const char *net_node_country(const bogie_network *net, uint32_t v)
{
    if (v >= net->n_nodes || net->node_country[v] == 0)
        return "";
    return net->countries[net->node_country[v] - 1].alpha2;
}
