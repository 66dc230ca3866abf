/* test_geo.c: unit tests of distances, bearings, curve radii measured from polylines, and the nearest-point grid. */
#include "testutil.h"

#include "base/geo.h"
#include "net/curves.h"
#include "net/netfmt.h"

#include <math.h>

#define PI 3.14159265358979323846

static void test_distance_and_bearing(void **state)
{
    (void)state;
    /* One degree of latitude on a sphere of radius R is R * pi / 180. */
    assert_near(geo_distance_m(50, 7, 51, 7), GEO_EARTH_RADIUS_M * PI / 180, 1e-6);
    assert_near(geo_distance_m(10, 20, 10, 20), 0, 0);
    /* Along the equator, one degree of longitude is the same. */
    assert_near(geo_distance_e7(0, 0, 0, 10000000), GEO_EARTH_RADIUS_M * PI / 180, 1e-6);
    assert_near(geo_bearing_deg(0, 0, 1, 0), 0, 1e-9);
    assert_near(geo_bearing_deg(0, 0, 0, 1), 90, 1e-9);
    assert_near(geo_bearing_deg(0, 0, -1, 0), 180, 1e-9);
    assert_near(geo_bearing_deg(0, 0, 0, -1), 270, 1e-9);
}

/* Fills ll with n points on a circle of radius r metres around (lat0, lon0), spaced step metres along the arc, with
 * a deterministic pseudo-random radial error of up to +/- noise metres. */
static void circle(int32_t *ll, size_t n, double lat0, double lon0, double r, double step, double noise)
{
    uint32_t seed = 12345;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        double e = noise * (((seed >> 8) & 0xFFFF) / 32767.5 - 1.0);
        double a = (double)i * step / r;
        double x = (r + e) * cos(a), y = (r + e) * sin(a);
        double lat = lat0 + y / GEO_EARTH_RADIUS_M * 180 / PI;
        double lon = lon0 + x / (GEO_EARTH_RADIUS_M * cos(lat0 * PI / 180)) * 180 / PI;
        ll[2 * i] = (int32_t)lround(lat * 1e7);
        ll[2 * i + 1] = (int32_t)lround(lon * 1e7);
    }
}

static void test_radius_on_a_clean_circle(void **state)
{
    (void)state;
    enum { N = 200 };
    int32_t ll[2 * N];
    double scratch[2 * N];
    uint16_t r[N];
    circle(ll, N, 50.0, 7.0, 500.0, 10.0, 0.0);
    curve_radius_profile(ll, N, scratch, r);
    /* Within 100 m of either end there is no full window. */
    assert_int_equal(r[0], NET_NO_RADIUS);
    assert_int_equal(r[5], NET_NO_RADIUS);
    assert_int_equal(r[N - 1], NET_NO_RADIUS);
    /* Chords are slightly shorter than arcs, and coordinates are rounded to 1e-7 degrees: 1 % tolerance. */
    for (size_t i = 15; i < N - 15; i++)
        assert_near(r[i], 500.0, 5.0);
}

static void test_radius_with_noise_and_sparse_nodes(void **state)
{
    (void)state;
    enum { N = 400 };
    int32_t ll[2 * N];
    double scratch[2 * N];
    uint16_t r[N];
    /* 1 m of noise on nodes 5 m apart: the 300 m window keeps a 1000 m radius within 5 %. */
    circle(ll, N, 60.0, 25.0, 1000.0, 5.0, 1.0);
    curve_radius_profile(ll, N, scratch, r);
    for (size_t i = 60; i < N - 60; i++)
        assert_near(r[i], 1000.0, 50.0);
    /* A high-speed curve, 5000 m, with 1 m of noise on nodes 10 m apart: the 600 m window keeps it within 5 %. */
    enum { H = 400 };
    int32_t lh[2 * H];
    double sh[2 * H];
    uint16_t rh[H];
    circle(lh, H, 51.0, 11.5, 5000.0, 10.0, 1.0);
    curve_radius_profile(lh, H, sh, rh);
    for (size_t i = 60; i < H - 60; i++)
        assert_near(rh[i], 5000.0, 250.0);
    /* A sharp curve stays sharp: 250 m with 1 m of noise on nodes 5 m apart, from the 100 m window, within 10 %. */
    circle(lh, 300, 51.0, 11.5, 250.0, 5.0, 1.0);
    curve_radius_profile(lh, 300, sh, rh);
    for (size_t i = 25; i < 300 - 25; i++) /* 400 nodes 5 m apart would wrap the 250 m circle: use 300 */
        assert_near(rh[i], 250.0, 25.0);
    /* Sparse nodes, 80 m apart, on a 600 m curve. */
    enum { M = 40 };
    int32_t l2[2 * M];
    double s2[2 * M];
    uint16_t r2[M];
    circle(l2, M, 43.0, 131.0, 600.0, 80.0, 0.0);
    curve_radius_profile(l2, M, s2, r2);
    for (size_t i = 3; i < M - 3; i++)
        assert_near(r2[i], 600.0, 30.0);
}

static void test_radius_straight_and_short(void **state)
{
    (void)state;
    int32_t ll[2 * 50];
    double scratch[100];
    uint16_t r[50];
    for (int i = 0; i < 50; i++) {
        ll[2 * i] = 500000000 + i * 1000; /* north, about 11 m apart */
        ll[2 * i + 1] = 70000000;
    }
    curve_radius_profile(ll, 50, scratch, r);
    assert_int_equal(r[25], NET_MAX_RADIUS);
    /* Too short for a window: nothing measured. */
    curve_radius_profile(ll, 5, scratch, r);
    for (int i = 0; i < 5; i++)
        assert_int_equal(r[i], NET_NO_RADIUS);
}

static void test_median_removes_a_spike(void **state)
{
    (void)state;
    enum { N = 100 };
    int32_t ll[2 * N];
    double scratch[2 * N];
    uint16_t r[N];
    for (int i = 0; i < N; i++) {
        ll[2 * i] = 500000000 + i * 900; /* 10 m apart */
        ll[2 * i + 1] = 70000000;
    }
    ll[2 * 50 + 1] += 300; /* one node 2 m off the line */
    curve_radius_profile(ll, N, scratch, r);
    /* A single displaced node gives a radius of about 2.5 km at that node alone; the median removes it. */
    assert_true(r[50] > 2000);
}

static void test_grid_nearest(void **state)
{
    (void)state;
    int32_t ll[] = {500000000, 70000000, 500010000, 70000000, 510000000, 70000000, -335000000, 1510000000};
    geo_grid *g;
    assert_int_equal(geo_grid_build(ll, 4, NULL, &g), BOGIE_OK);
    double d;
    size_t k = geo_grid_nearest(g, 50.0008, 7.0, 5000, NULL, NULL, &d);
    assert_int_equal(k, 1);
    assert_near(d, geo_distance_m(50.0008, 7, 50.001, 7), 1e-6);
    assert_int_equal(geo_grid_nearest(g, 50.5, 7.0, 1000, NULL, NULL, &d), SIZE_MAX);
    k = geo_grid_nearest(g, 50.5, 7.0, 60000, NULL, NULL, &d);
    assert_int_equal(k, 1);
    assert_int_equal(geo_grid_nearest(g, -33.51, 151.0, 2000, NULL, NULL, &d), 3);
    geo_grid_free(g);
}

/* Near the poles a cell is a few metres wide: the scan keeps to the rows in reach (it once took half a second at
 * 89.9 degrees) and must still find points round the parallel and across the date line. */
static void test_grid_near_the_pole(void **state)
{
    (void)state;
    int32_t ll[] = {899500000, 100000000, 899000000, 1799000000, 0, 0};
    geo_grid *g;
    assert_int_equal(geo_grid_build(ll, 3, NULL, &g), BOGIE_OK);
    double d;
    assert_int_equal(geo_grid_nearest(g, 89.9, 0.0, 20000, NULL, NULL, &d), 0);
    assert_near(d, geo_distance_m(89.9, 0, 89.95, 10), 1e-6);
    assert_int_equal(geo_grid_nearest(g, 89.9, -179.9, 1000, NULL, NULL, &d), 1);
    assert_near(d, geo_distance_m(89.9, -179.9, 89.9, 179.9), 1e-6);
    geo_grid_free(g);
}

/* A grid of 5,000 points (more than the 1,024 from which the grid sorts its cells by radix instead of qsort) over a
 * 2 x 2 degree square, scattered by a fixed linear congruential sequence: its nearest point to 200 query points must
 * be the one a scan of every point finds (the same distance exactly: both compute it by geo_distance_m). */
static void test_grid_nearest_many(void **state)
{
    (void)state;
    enum { N = 5000 };
    static int32_t ll[2 * N];
    uint32_t x = 12345;
    for (size_t i = 0; i < 2 * N; i++) {
        x = x * 1103515245u + 12345u;
        ll[i] = (int32_t)(i % 2 ? 1290000000 : 420000000) + (int32_t)(x % 20000000u);
    }
    geo_grid *g;
    assert_int_equal(geo_grid_build(ll, N, NULL, &g), BOGIE_OK);
    for (int q = 0; q < 200; q++) {
        double lat = 42.0 + 0.01 * q, lon = 129.0 + 0.0099 * q, d;
        size_t best = SIZE_MAX;
        double best_d = 30000;
        for (size_t i = 0; i < N; i++) {
            double di = geo_distance_m(lat, lon, ll[2 * i] * 1e-7, ll[2 * i + 1] * 1e-7);
            if (di < best_d)
                best_d = di, best = i;
        }
        size_t k = geo_grid_nearest(g, lat, lon, 30000, NULL, NULL, &d);
        assert_true(k != SIZE_MAX);
        assert_near(d, best_d, 1e-9);
        (void)best;
    }
    geo_grid_free(g);
}

/* Fills ll with n points 40 m apart heading north on a curve of radius r (0: straight) with a kink of 6 degrees
 * at point n / 2, as OSM geometry of high-speed lines has (6 degrees over 170 m at km 57.4 of Erfurt-Halle). */
static void kinked(int32_t *ll, size_t n, double r)
{
    double x = 0, y = 0, heading = 0, rad = 3.14159265358979 / 180;
    for (size_t i = 0; i < n; i++) {
        ll[2 * i] = (int32_t)lround((51.0 + y / 111194.9) * 1e7);
        ll[2 * i + 1] = (int32_t)lround((11.5 + x / (111194.9 * cos(51.0 * rad))) * 1e7);
        heading += (r > 0 ? 40 / r : 0) + (i == n / 2 ? 6 * rad : 0);
        x += 40 * sin(heading);
        y += 40 * cos(heading);
    }
}

/* The lowest radius measured on the n points of ll for a line tagged kmh. */
static unsigned lowest_radius(const int32_t *ll, size_t n, double kmh, double *scratch, uint16_t *r)
{
    curve_radius_profile_for(ll, n, kmh, scratch, r);
    unsigned lo = NET_MAX_RADIUS;
    for (size_t i = 0; i < n; i++)
        lo = r[i] < lo ? r[i] : lo;
    return lo;
}

/* On a line tagged 300 km/h the windows are 833 m: a 6 degree kink on straight track reads as at least
 * 300^2 / 3.6^2 / 1.0 = 6944 m (the window's aim), and inside a real 8000 m curve as over 4000 m, where the
 * 100 to 600 m windows read it as under 2500 m (under 180 km/h at 1.0 m/s^2); a real 4000 m curve stays 4000 m. */
static void test_kink_on_a_fast_line(void **state)
{
    (void)state;
    enum { N = 125 };
    int32_t ll[2 * N];
    double scratch[2 * N];
    uint16_t r[N];
    assert_near(curve_window_for_speed(300), 833.3, 0.1);
    assert_near(curve_window_for_speed(80), 100, 1e-9);
    assert_near(curve_window_for_speed(0), 100, 1e-9);
    kinked(ll, N, 0);
    assert_true(lowest_radius(ll, N, 300, scratch, r) >= 6944);
    kinked(ll, N, 8000);
    assert_true(lowest_radius(ll, N, 0, scratch, r) < 2500);
    assert_true(lowest_radius(ll, N, 300, scratch, r) > 4000);
    enum { H = 500 };
    int32_t lh[2 * H];
    double sh[2 * H];
    uint16_t rh[H];
    circle(lh, H, 51.0, 11.5, 4000.0, 20.0, 1.0);
    curve_radius_profile_for(lh, H, 300, sh, rh);
    for (size_t i = 60; i < H - 60; i++)
        assert_near(rh[i], 4000.0, 200.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance_and_bearing),
        cmocka_unit_test(test_radius_on_a_clean_circle),
        cmocka_unit_test(test_radius_with_noise_and_sparse_nodes),
        cmocka_unit_test(test_radius_straight_and_short),
        cmocka_unit_test(test_median_removes_a_spike),
        cmocka_unit_test(test_kink_on_a_fast_line),
        cmocka_unit_test(test_grid_nearest),
        cmocka_unit_test(test_grid_near_the_pole),
        cmocka_unit_test(test_grid_nearest_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
