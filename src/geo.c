/* geo.c: distances, bearings and curve radii on the sphere, and a uniform grid for nearest-point queries. */
#include "geo.h"

#include "netfmt.h"
#include "util.h"

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

/* A point in a local plane around a reference latitude, in metres. */
typedef struct xy {
    double x, y;
} xy;

static xy to_plane(double lat, double lon, double lat0, double lon0)
{
    xy p = {(lon - lon0) * DEG2RAD * GEO_EARTH_RADIUS_M * cos(lat0 * DEG2RAD),
            (lat - lat0) * DEG2RAD * GEO_EARTH_RADIUS_M};
    return p;
}

static uint16_t median3(uint16_t a, uint16_t b, uint16_t c)
{
    if (a > b) {
        uint16_t t = a;
        a = b;
        b = t;
    }
    if (b > c)
        b = c;
    return a > b ? a : b;
}

/* Computes the radius at vertex i through the nearest vertices at least w metres before and after it along the
 * line, or returns a negative number when there are none. Vertices rather than interpolated points are used because
 * a point interpolated on a chord lies inside the curve, which would make sparse curves look sharper than they are.
 * back and front are sweep hints that only move forward as i grows. */
static double radius_at(const int32_t *ll, const double *cum, size_t n, size_t i, double w, size_t *back,
                        size_t *front)
{
    double s = cum[i];
    if (s - w < 0 || s + w > cum[n - 1])
        return -1;
    size_t a = *back;
    while (a + 1 < i && s - cum[a + 1] >= w)
        a++;
    if (s - cum[a] < w)
        return -1;
    *back = a;
    size_t b = *front > i ? *front : i + 1;
    while (b < n && cum[b] - s < w)
        b++;
    if (b >= n)
        return -1;
    *front = b;
    double plat = ll[2 * i] * 1e-7, plon = ll[2 * i + 1] * 1e-7;
    xy pa = to_plane(ll[2 * a] * 1e-7, ll[2 * a + 1] * 1e-7, plat, plon);
    xy pb = to_plane(ll[2 * b] * 1e-7, ll[2 * b + 1] * 1e-7, plat, plon);
    /* The circle through A, P (the origin) and B: R = |A| |B| |A - B| / (2 |A x B|). */
    double cross = pa.x * pb.y - pa.y * pb.x;
    double la = hypot(pa.x, pa.y), lb = hypot(pb.x, pb.y), lab = hypot(pa.x - pb.x, pa.y - pb.y);
    return fabs(cross) > 1e-9 ? la * lb * lab / (2 * fabs(cross)) : INFINITY;
}

static uint16_t clamp_radius(double r)
{
    return r >= NET_MAX_RADIUS ? NET_MAX_RADIUS : (uint16_t)(r < 1 ? 1 : r);
}

void geo_radius_profile(const int32_t *ll, size_t n, double *scratch, uint16_t *radius)
{
    for (size_t i = 0; i < n; i++)
        radius[i] = NET_NO_RADIUS;
    if (n < 3)
        return;
    double *cum = scratch, *mid = scratch + n;
    cum[0] = 0;
    for (size_t i = 1; i < n; i++)
        cum[i] = cum[i - 1] + geo_distance_e7(ll[2 * i - 2], ll[2 * i - 1], ll[2 * i], ll[2 * i + 1]);
    size_t b1 = 0, f1 = 0, b2 = 0, f2 = 0, b3 = 0, f3 = 0;
    for (size_t i = 1; i + 1 < n; i++)
        mid[i] = radius_at(ll, cum, n, i, GEO_RADIUS_WINDOW_M * 3, &b2, &f2);
    for (size_t i = 1; i + 1 < n; i++) {
        double r1 = radius_at(ll, cum, n, i, GEO_RADIUS_WINDOW_M, &b1, &f1);
        if (r1 < 0)
            continue;
        double r = r1;
        /* Sharp curves show in the short window; gentle ones need a long window to rise above node noise. */
        if (r1 >= GEO_RADIUS_SHARP_M && mid[i] >= 0) {
            r = mid[i];
            if (r >= GEO_RADIUS_GENTLE_M) {
                double r3 = radius_at(ll, cum, n, i, GEO_RADIUS_WINDOW_M * 6, &b3, &f3);
                if (r3 >= 0)
                    r = r3;
            }
        }
        radius[i] = clamp_radius(r);
    }
    /* Median of three over measured vertices; ends and unmeasured neighbours keep their own value. */
    uint16_t prev = radius[0];
    for (size_t i = 1; i + 1 < n; i++) {
        uint16_t cur = radius[i];
        if (cur != NET_NO_RADIUS && prev != NET_NO_RADIUS && radius[i + 1] != NET_NO_RADIUS)
            radius[i] = median3(prev, cur, radius[i + 1]);
        prev = cur;
    }
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
    util_sort(entries, m, sizeof *entries, cmp_u64);
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
    double bound = max_m;
    for (int32_t r = 0; r <= max_ring; r++) {
        if (r >= 2 && (r - 1) * cell_m > bound)
            break;
        for (int32_t dy = -r; dy <= r; dy++) {
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
