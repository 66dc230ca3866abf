/* geo.c: distances and bearings on the sphere, and a uniform grid for nearest-point queries. */
#include "base/geo.h"

#include "base/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG2RAD, p2 = lat2 * DEG2RAD;
    double dp = p2 - p1, dl = (lon2 - lon1) * DEG2RAD;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (a > 1)
        a = 1;
    return 2 * GEO_EARTH_RADIUS_M * asin(sqrt(a));
}

double geo_distance_e7(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2)
{
    return geo_distance_m(lat1 * 1e-7, lon1 * 1e-7, lat2 * 1e-7, lon2 * 1e-7);
}

double geo_bearing_deg(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG2RAD, p2 = lat2 * DEG2RAD, dl = (lon2 - lon1) * DEG2RAD;
    double y = sin(dl) * cos(p2);
    double x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
    double b = atan2(y, x) / DEG2RAD;
    return b < 0 ? b + 360 : b;
}


/* Grid cells are GRID_CELL_DEG degrees square. */
#define GRID_CELL_DEG 0.01
#define GRID_LAT_CELLS 18001u
#define GRID_LON_CELLS 36001u

struct geo_grid {
    const bogie_allocator *alloc;
    const int32_t *ll;
    size_t n;        /* entries */
    uint32_t *keys;  /* cell key per entry, ascending */
    uint32_t *index; /* point (or segment start) index per entry */
};

static int32_t cell_lat(double lat)
{
    return (int32_t)floor((lat + 90.0) / GRID_CELL_DEG);
}

static int32_t cell_lon(double lon)
{
    return (int32_t)floor((lon + 180.0) / GRID_CELL_DEG);
}

static uint32_t cell_key(int32_t clat, int32_t clon)
{
    return (uint32_t)clat * GRID_LON_CELLS + (uint32_t)clon;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Whether the entries' indices (their low 32 bits) never decrease: how both builders below make them. */
static bool indices_ascend(const uint64_t *e, size_t m)
{
    for (size_t i = 1; i < m; i++)
        if ((uint32_t)e[i] < (uint32_t)e[i - 1])
            return false;
    return true;
}

/* One stable counting pass of a least-significant-digit radix sort: the m entries of from, by their 16-bit digit at
 * bit shift, into to; count is scratch of 65,536 entries. */
static void radix_pass(const uint64_t *from, uint64_t *to, size_t m, unsigned shift, size_t *count)
{
    memset(count, 0, 65536 * sizeof *count);
    for (size_t i = 0; i < m; i++)
        count[(from[i] >> shift) & 0xffffu]++;
    size_t sum = 0;
    for (size_t d = 0; d < 65536; d++) {
        size_t c = count[d];
        count[d] = sum;
        sum += c;
    }
    for (size_t i = 0; i < m; i++)
        to[count[(from[i] >> shift) & 0xffffu]++] = from[i];
}

/* Sorts the m entries ascending. With ascending indices (indices_ascend), a stable sort by the 32-bit cell key alone
 * gives the order of the whole 64-bit value: two radix passes over the key, some ten times faster than qsort on the
 * 120,000 segment entries of the eurasia network, whose grid every query process builds first. Otherwise, or when
 * the scratch cannot be had, qsort. The scratch is allocated and freed here, with alloc. */
static void sort_entries(uint64_t *e, size_t m, const bogie_allocator *alloc)
{
    uint64_t *tmp = NULL;
    size_t *count = NULL;
    if (m > 1024 && indices_ascend(e, m)) {
        tmp = util_malloc(alloc, m * sizeof *tmp);
        count = util_malloc(alloc, 65536 * sizeof *count);
    }
    if (tmp && count) {
        radix_pass(e, tmp, m, 32, count);
        radix_pass(tmp, e, m, 48, count);
    } else {
        util_sort(e, m, sizeof *e, cmp_u64);
    }
    if (tmp)
        util_free(alloc, tmp, m * sizeof *tmp);
    if (count)
        util_free(alloc, count, 65536 * sizeof *count);
}

/* Makes *out a grid over points ll from m (cell key << 32 | index) entries, which it sorts; frees the entries
 * (allocated with alloc, cap of them) either way. */
static bogie_status grid_from_entries(const int32_t *ll, uint64_t *entries, size_t m, size_t cap,
                                     const bogie_allocator *alloc, geo_grid **out)
{
    geo_grid *g = util_calloc(alloc, 1, sizeof *g);
    if (g) {
        g->alloc = alloc;
        g->ll = ll;
        g->n = m;
        g->keys = util_malloc(alloc, (m ? m : 1) * sizeof *g->keys);
        g->index = util_malloc(alloc, (m ? m : 1) * sizeof *g->index);
    }
    if (!g || !g->keys || !g->index) {
        util_free(alloc, entries, cap * sizeof *entries);
        geo_grid_free(g);
        return BOGIE_ERR_NOMEM;
    }
    sort_entries(entries, m, alloc);
    for (size_t i = 0; i < m; i++) {
        g->keys[i] = (uint32_t)(entries[i] >> 32);
        g->index[i] = (uint32_t)entries[i];
    }
    util_free(alloc, entries, cap * sizeof *entries);
    *out = g;
    return BOGIE_OK;
}

bogie_status geo_grid_build(const int32_t *ll, size_t n, const bogie_allocator *alloc, geo_grid **out)
{
    *out = NULL;
    if (n > UINT32_MAX)
        return BOGIE_ERR_LIMIT;
    uint64_t *entries = util_malloc(alloc, (n ? n : 1) * sizeof *entries);
    if (!entries)
        return BOGIE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = cell_key(cell_lat(ll[2 * i] * 1e-7), cell_lon(ll[2 * i + 1] * 1e-7));
        entries[i] = (uint64_t)k << 32 | (uint32_t)i;
    }
    return grid_from_entries(ll, entries, n, n ? n : 1, alloc, out);
}

void geo_grid_free(geo_grid *g)
{
    if (!g)
        return;
    size_t cap = g->n ? g->n : 1;
    util_free(g->alloc, g->keys, cap * sizeof *g->keys);
    util_free(g->alloc, g->index, cap * sizeof *g->index);
    util_free(g->alloc, g, sizeof *g);
}

bogie_status geo_grid_build_segments(const int32_t *ll, size_t n, bool (*is_segment)(void *ud, size_t i), void *ud,
                                     const bogie_allocator *alloc, geo_grid **out)
{
    *out = NULL;
    if (n > UINT32_MAX)
        return BOGIE_ERR_LIMIT;
    VEC(uint64_t) entries = {0};
    for (size_t i = 0; i + 1 < n; i++) {
        if (!is_segment(ud, i))
            continue;
        double la0 = ll[2 * i] * 1e-7, lo0 = ll[2 * i + 1] * 1e-7, la1 = ll[2 * i + 2] * 1e-7,
               lo1 = ll[2 * i + 3] * 1e-7;
        int32_t y0 = cell_lat(la0 < la1 ? la0 : la1), y1 = cell_lat(la0 < la1 ? la1 : la0);
        int32_t x0 = cell_lon(lo0 < lo1 ? lo0 : lo1), x1 = cell_lon(lo0 < lo1 ? lo1 : lo0);
        /* Every cell of the segment's bounding box: exact for the short segments of surveyed track, generous for
         * long schematic ones. */
        for (int32_t y = y0; y <= y1; y++)
            for (int32_t x = x0; x <= x1; x++)
                if (VEC_PUSH(alloc, entries, (uint64_t)cell_key(y, x) << 32 | (uint32_t)i) != 0) {
                    VEC_FREE(alloc, entries);
                    return BOGIE_ERR_NOMEM;
                }
    }
    if (!entries.v && !(entries.v = util_malloc(alloc, sizeof *entries.v)))
        return BOGIE_ERR_NOMEM;
    return grid_from_entries(ll, entries.v, entries.n, entries.cap ? entries.cap : 1, alloc, out);
}

/* Returns the first entry whose key is >= key. */
static size_t lower_bound(const uint32_t *keys, size_t n, uint32_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The state of geo_grid_nearest's visit. */
typedef struct nearest_ctx {
    const geo_grid *g;
    double lat, lon;
    int (*accept)(void *ud, size_t index);
    void *ud;
    size_t best;
    double best_d;
} nearest_ctx;

static double nearest_visit(void *ud, size_t p)
{
    nearest_ctx *c = ud;
    if (c->accept && !c->accept(c->ud, p))
        return c->best_d;
    double d = geo_distance_m(c->lat, c->lon, c->g->ll[2 * p] * 1e-7, c->g->ll[2 * p + 1] * 1e-7);
    /* Ties go to the lowest index, whatever order the cells are visited in. */
    if (d <= c->best_d && (c->best == SIZE_MAX || d < c->best_d || p < c->best)) {
        c->best = p;
        c->best_d = d;
    }
    return c->best_d;
}

size_t geo_grid_nearest(const geo_grid *g, double lat, double lon, double max_m,
                        int (*accept)(void *ud, size_t index), void *ud, double *dist_m)
{
    nearest_ctx c = {g, lat, lon, accept, ud, SIZE_MAX, max_m};
    geo_grid_visit(g, lat, lon, max_m, nearest_visit, &c);
    if (c.best != SIZE_MAX && dist_m)
        *dist_m = c.best_d;
    return c.best;
}

void geo_grid_visit(const geo_grid *g, double lat, double lon, double max_m, double (*visit)(void *ud, size_t index),
                    void *ud)
{
    if (!g || g->n == 0 || !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
        return;
    int32_t clat = cell_lat(lat), clon = cell_lon(lon);
    double reach_deg = max_m / (GEO_EARTH_RADIUS_M * DEG2RAD);
    double hi_lat = fabs(lat) + reach_deg;
    if (hi_lat > 89)
        hi_lat = 89;
    double cell_m = GRID_CELL_DEG * DEG2RAD * GEO_EARTH_RADIUS_M * cos(hi_lat * DEG2RAD);
    int32_t max_ring = (int32_t)ceil(max_m / cell_m) + 1;
    if (max_ring > (int32_t)GRID_LON_CELLS / 2)
        max_ring = (int32_t)GRID_LON_CELLS / 2; /* once round the parallel */
    /* Rows farther than max_m in latitude alone hold nothing within reach: near the poles, where a cell is narrow and
     * the rings many, only the few rows within reach are scanned, so the cost does not grow as 1 / cos(lat). */
    int32_t lat_rows = (int32_t)ceil(reach_deg / GRID_CELL_DEG) + 1;
    double bound = max_m;
    for (int32_t r = 0; r <= max_ring; r++) {
        if (r >= 2 && (r - 1) * cell_m > bound)
            break;
        for (int32_t dy = r < lat_rows ? -r : -lat_rows; dy <= (r < lat_rows ? r : lat_rows); dy++) {
            int32_t y = clat + dy;
            if (y < 0 || y >= (int32_t)GRID_LAT_CELLS)
                continue;
            int32_t step = (dy == -r || dy == r) ? 1 : 2 * r;
            for (int32_t dx = -r; dx <= r; dx += step ? step : 1) {
                int32_t x = clon + dx;
                if (x < 0)
                    x += GRID_LON_CELLS - 1;
                else if (x >= (int32_t)GRID_LON_CELLS - 1)
                    x -= GRID_LON_CELLS - 1;
                uint32_t key = cell_key(y, x);
                for (size_t i = lower_bound(g->keys, g->n, key); i < g->n && g->keys[i] == key; i++) {
                    double b = visit(ud, g->index[i]);
                    if (b < bound)
                        bound = b;
                }
                if (r == 0)
                    break;
            }
        }
    }
}
