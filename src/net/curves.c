/* curves.c: the curve radius at every vertex of a track's polyline, measured at import and stored per geometry
 * point in the graph file (see curves.h for the method). */
#include "net/curves.h"
#include "base/geo.h"
#include "net/netfmt.h"

#include <math.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)

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

double curve_window_for_speed(double line_kmh)
{
    double v = line_kmh > 0 ? line_kmh / 3.6 : 0;
    double w = CURVE_KINK_RAD * v * v / CURVE_LATERAL_MAX_MS2;
    return w < CURVE_RADIUS_WINDOW_M ? CURVE_RADIUS_WINDOW_M : w > CURVE_WINDOW_MAX_M ? CURVE_WINDOW_MAX_M : w;
}

void curve_radius_profile(const int32_t *ll, size_t n, double *scratch, uint16_t *radius)
{
    curve_radius_profile_for(ll, n, 0, scratch, radius);
}

void curve_radius_profile_for(const int32_t *ll, size_t n, double line_kmh, double *scratch, uint16_t *radius)
{
    /* The three windows, each at least the line speed's. */
    double wmin = curve_window_for_speed(line_kmh);
    double w1 = CURVE_RADIUS_WINDOW_M > wmin ? CURVE_RADIUS_WINDOW_M : wmin;
    double w2 = CURVE_RADIUS_WINDOW_M * 3 > wmin ? CURVE_RADIUS_WINDOW_M * 3 : wmin;
    double w3 = CURVE_RADIUS_WINDOW_M * 6 > wmin ? CURVE_RADIUS_WINDOW_M * 6 : wmin;
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
        mid[i] = radius_at(ll, cum, n, i, w2, &b2, &f2);
    for (size_t i = 1; i + 1 < n; i++) {
        double r1 = radius_at(ll, cum, n, i, w1, &b1, &f1);
        if (r1 < 0)
            continue;
        double r = r1;
        /* Sharp curves show in the short window; gentle ones need a long window to rise above node noise. */
        if (r1 >= CURVE_RADIUS_SHARP_M && mid[i] >= 0) {
            r = mid[i];
            if (r >= CURVE_RADIUS_GENTLE_M) {
                double r3 = radius_at(ll, cum, n, i, w3, &b3, &f3);
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
