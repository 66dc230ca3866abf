/* test_journey_stages.c: unit tests of the stages of a plan (src/journey/journey_int.h), called one by one: reading
 * coordinates, resolving places on the hand-made network, the stops of a route's items and the insertion of border
 * stops on small routes built here, the pieces and the physics between stops, the thinning of a speed profile, the
 * clock conversions, and every stage in turn on the bundled corridor (Pyongyang to Vladivostok). */
#include "testutil.h"

#include "bogie.h"
#include "journey/journey_int.h"
#include "net/network.h"

#include <math.h>

typedef struct fixture {
    bogie_network *hand, *corridor;
    bogie_world *world;
    bogie_planner *hand_p, *corridor_p;
    bogie_train armoured, emu;
} fixture;

static fixture fx;

/* Imports osm into the test's temporary folder as name (with the country outlines when borders) and opens it. */
static bogie_status import_open(const char *osm, const char *name, bool borders, bogie_network **out, bogie_diag *d)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
    bogie_status rc = test_import(osm, path, borders, d);
    return rc == BOGIE_OK ? bogie_network_open(path, 0, NULL, out, d) : rc;
}

static int setup(void **state)
{
    bogie_diag d = {0};
    if (import_open(test_data("tiny/journey.osm"), "journey.bogie", false, &fx.hand, &d) != BOGIE_OK ||
        import_open("data/corridor/corridor.osm", "corridor.bogie", true, &fx.corridor, &d) != BOGIE_OK ||
        bogie_world_open("data", NULL, &fx.world, &d) != BOGIE_OK ||
        bogie_planner_new(fx.hand, fx.world, NULL, &fx.hand_p, &d) != BOGIE_OK ||
        bogie_planner_new(fx.corridor, fx.world, NULL, &fx.corridor_p, &d) != BOGIE_OK ||
        bogie_train_load("data/trains/armoured.json", &fx.armoured, &d) != BOGIE_OK ||
        bogie_train_load("data/trains/emu-1435.json", &fx.emu, &d) != BOGIE_OK) {
        print_error("setup: %s\n", d.message);
        return -1;
    }
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bogie_planner_free(fx.hand_p);
    bogie_planner_free(fx.corridor_p);
    bogie_world_close(fx.world);
    bogie_network_close(fx.hand);
    bogie_network_close(fx.corridor);
    return 0;
}

static const bogie_allocator *std_alloc(void)
{
    return util_alloc_or_default(NULL);
}

/* ----- places ----- */

static void test_parse_coordinates(void **state)
{
    (void)state;
    double lat = 0, lon = 0;
    assert_true(jy_parse_coordinates(" 50.1 , 8.03 ", &lat, &lon));
    assert_near(lat, 50.1, 1e-12);
    assert_near(lon, 8.03, 1e-12);
    assert_true(jy_parse_coordinates("-33.9,+18.5", &lat, &lon));
    assert_near(lat, -33.9, 1e-12);
    assert_near(lon, 18.5, 1e-12);
    assert_true(jy_parse_coordinates(".5,-.25", &lat, &lon));
    assert_near(lat, 0.5, 1e-12);
    assert_near(lon, -0.25, 1e-12);
    /* Out of range is still of the form; the resolver refuses it. */
    assert_true(jy_parse_coordinates("95,10", &lat, &lon));
    lat = lon = 7;
    const char *not_coordinates[] = {"", "  ", "Pyongyang", "50.1", "50.1,", ",8", "50.1,8.0x", "50.1;8.0",
                                     "1,2,3", "x1,2"};
    for (size_t i = 0; i < sizeof not_coordinates / sizeof *not_coordinates; i++)
        if (jy_parse_coordinates(not_coordinates[i], &lat, &lon))
            fail_msg("\"%s\" was read as coordinates", not_coordinates[i]);
    assert_near(lat, 7, 0); /* untouched */
    assert_near(lon, 7, 0);
}

static void test_resolve_place(void **state)
{
    fixture *f = *state;
    route_place pl;
    bogie_diag d = {0};
    /* A name. */
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "--from", "west", 5000, &pl, &d), BOGIE_OK);
    assert_false(pl.is_point);
    assert_string_equal(pl.label, "West");
    assert_int_equal(f->hand->node_osm[pl.node], 1);
    assert_near(pl.lat, 50.0, 1e-7);
    assert_near(pl.lon, 8.0, 1e-7);
    /* Coordinates 100 m from a station mean the station. */
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "--from", "50.0009,8.0", 5000, &pl, &d), BOGIE_OK);
    assert_false(pl.is_point);
    assert_string_equal(pl.label, "West");
    /* Other coordinates snap to the track: 50.1001,8.030 lies 11 m north of the line Ivy - Juniper. */
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "--from", "50.1001,8.030", 5000, &pl, &d), BOGIE_OK);
    assert_true(pl.is_point);
    assert_near(pl.lat, 50.1, 1e-6);
    assert_near(pl.lon, 8.03, 1e-6);
    assert_near(pl.snap_m, 11.1, 0.1);
    /* Refusals, each naming the field. */
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "--to", "Twin", 5000, &pl, &d), BOGIE_ERR_ARG);
    assert_non_null(strstr(d.message, "--to \"Twin\" is ambiguous; it matches 2 stations:"));
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "to", "Atlantis", 5000, &pl, &d), BOGIE_ERR_NOT_FOUND);
    assert_string_equal(d.message, "to \"Atlantis\": no station of this name in the network");
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "--via", "Junipr", 5000, &pl, &d), BOGIE_ERR_NOT_FOUND);
    assert_string_equal(d.message, "--via \"Junipr\": no station of this name; did you mean Juniper (50.1000,8.0600)?");
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "--from", "95,10", 5000, &pl, &d), BOGIE_ERR_ARG);
    assert_non_null(strstr(d.message, "latitude must be within"));
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "--from", "", 5000, &pl, &d), BOGIE_ERR_ARG);
    assert_string_equal(d.message, "--from: a station name or lat,lon is needed");
    assert_int_equal(jy_resolve_place(f->hand_p, &f->armoured, "--from", "51,8", 5000, &pl, &d), BOGIE_ERR_NOT_FOUND);
    assert_non_null(strstr(d.message, "--from "));
}

static void test_resolve_places(void **state)
{
    fixture *f = *state;
    bogie_journey_request r;
    bogie_journey_request_init(&r);
    r.train = &f->armoured;
    r.from = "Ivy";
    const char *via[] = {"50.11,8.03"};
    r.via = via;
    r.n_via = 1;
    r.to = "Juniper";
    r.field_prefix = "";
    route_place places[32];
    size_t n = 0;
    bogie_diag d = {0};
    assert_int_equal(jy_resolve_places(f->hand_p, &r, NULL, places, &n, &d), BOGIE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(places[0].label, "Ivy");
    assert_true(places[1].is_point);
    assert_string_equal(places[2].label, "Juniper");
    /* The same station twice in a row, and a field named without "--". */
    r.n_via = 0;
    r.to = "IVY";
    assert_int_equal(jy_resolve_places(f->hand_p, &r, NULL, places, &n, &d), BOGIE_ERR_ARG);
    assert_string_equal(d.message, "\"Ivy\" and \"Ivy\" are the same place");
    r.to = "Atlantis";
    assert_int_equal(jy_resolve_places(f->hand_p, &r, NULL, places, &n, &d), BOGIE_ERR_NOT_FOUND);
    assert_string_equal(d.message, "to \"Atlantis\": no station of this name in the network");
}

/* ----- what the vias ask ----- */

/* The suffixes of a via's text, the request's per-via arrays over them, and the refusals. */
static void test_via_asks(void **state)
{
    (void)state;
    bogie_journey_request r;
    bogie_journey_request_init(&r);
    const char *via[] = {"Ussuriysk+12h", "Khabarovsk@2023-09-13 09:00", "Hamhung", "Tumen+1h30", "Rajin+45",
                         "Ivy+2d6h", "C+D"};
    r.via = via;
    r.n_via = 7;
    r.depart = "2023-09-12 08:00";
    jy_via_ask a[7];
    bogie_diag d = {0};
    assert_int_equal(jy_via_asks(&r, a, &d), BOGIE_OK);
    assert_string_equal(a[0].place, "Ussuriysk");
    assert_true(fabs(a[0].dwell_s - 12 * 3600) < 1e-9);
    assert_null(a[0].leave);
    assert_string_equal(a[1].place, "Khabarovsk");
    assert_string_equal(a[1].leave, "2023-09-13 09:00");
    assert_true(a[1].dwell_s < 0);
    assert_string_equal(a[2].place, "Hamhung");
    assert_true(a[2].dwell_s < 0 && !a[2].leave);
    assert_true(fabs(a[3].dwell_s - 5400) < 1e-9);   /* a bare number after hours is minutes */
    assert_true(fabs(a[4].dwell_s - 2700) < 1e-9);   /* a bare number alone is minutes */
    assert_true(fabs(a[5].dwell_s - 194400) < 1e-9); /* 2 days and 6 hours */
    assert_string_equal(a[6].place, "C+D");           /* no digit after '+': part of the name */
    /* The arrays take precedence over the text. */
    const double each[] = {60, -1, 600, -1, -1, -1, -1};
    const char *leave[] = {NULL, NULL, "2023-09-14 10:00", NULL, NULL, NULL, NULL};
    r.via_dwell_each = each;
    assert_int_equal(jy_via_asks(&r, a, &d), BOGIE_OK);
    assert_true(fabs(a[0].dwell_s - 60) < 1e-9 && fabs(a[2].dwell_s - 600) < 1e-9);
    r.via_leave = leave;
    assert_int_equal(jy_via_asks(&r, a, &d), BOGIE_ERR_ARG);
    assert_string_equal(d.message, "--via Hamhung: give a stop's length or a time to leave, not both");
    r.via_dwell_each = NULL;
    assert_int_equal(jy_via_asks(&r, a, &d), BOGIE_OK);
    assert_string_equal(a[2].leave, "2023-09-14 10:00");
    /* Refusals: a duration it cannot read, and a time to leave without a departure. */
    r.via_leave = NULL;
    const char *bad[] = {"Ussuriysk+12x"};
    r.via = bad;
    r.n_via = 1;
    assert_int_equal(jy_via_asks(&r, a, &d), BOGIE_ERR_ARG);
    assert_non_null(strstr(d.message, "--via \"Ussuriysk+12x\": the stop after '+' is a duration"));
    const char *too_long[] = {"Ussuriysk+31d"}, *order[] = {"Ussuriysk+30m2h"};
    r.via = too_long;
    assert_int_equal(jy_via_asks(&r, a, &d), BOGIE_ERR_ARG);
    r.via = order;
    assert_int_equal(jy_via_asks(&r, a, &d), BOGIE_ERR_ARG);
    r.via = via;
    r.n_via = 2;
    r.depart = NULL;
    assert_int_equal(jy_via_asks(&r, a, &d), BOGIE_ERR_ARG);
    assert_string_equal(d.message, "--via Khabarovsk@2023-09-13 09:00: a time to leave a via needs --depart");
}

/* ----- stops ----- */

/* A layout of marks only: the origin at node 100, then the end of each edge item. */
static void marks_layout(jy_layout *L, const jy_mark *marks, size_t n)
{
    memset(L, 0, sizeof *L);
    L->a = std_alloc();
    for (size_t i = 0; i < n; i++)
        assert_int_equal(VEC_PUSH(L->a, L->marks, marks[i]), 0);
    L->length = marks[n - 1].pos;
}

static route_item item(route_item_kind kind, uint32_t node, double cost_s)
{
    route_item it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.node = node;
    it.cost_s = cost_s;
    it.facility = BOGIE_NONE;
    it.via = BOGIE_NONE;
    return it;
}

static void test_event_stops(void **state)
{
    fixture *f = *state;
    const bogie_allocator *a = std_alloc();
    route_result res;
    memset(&res, 0, sizeof res);
    res.start_gauge = 1435;
    /* A reversal at the origin before anything else, an edge, a gauge change and a reversal at node 7, an edge, a
     * via stop at node 9 (the second place), an edge to the destination. */
    route_item items[7] = {item(RITEM_REVERSAL, 100, 600), item(RITEM_EDGE, 0, 0), item(RITEM_CHANGE, 7, 3600),
                           item(RITEM_REVERSAL, 7, 1800), item(RITEM_EDGE, 0, 0), item(RITEM_VIA, 9, 900),
                           item(RITEM_EDGE, 0, 0)};
    items[2].from_gauge = 1435;
    items[2].to_gauge = 1520;
    items[2].facility = 0;
    items[5].via = 1;
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(VEC_PUSH(a, res.items, items[i]), 0);
    jy_mark marks[] = {{0, 100, 0}, {1000, 7, 1}, {2500, 9, 4}, {4000, 11, 6}};
    jy_layout L;
    marks_layout(&L, marks, 4);
    jy_stops stops = {0};
    bogie_diag d = {0};
    assert_int_equal(jy_event_stops(f->world, &f->armoured, &res, &L, 3, a, &stops, &d), BOGIE_OK);
    assert_int_equal(stops.n, 4);
    const jy_stop *s = stops.v;
    assert_int_equal(s[0].kinds, BOGIE_STOP_ORIGIN | BOGIE_STOP_REVERSAL);
    assert_int_equal(s[0].node, 100);
    assert_int_equal(s[0].via, 0);
    assert_near(s[0].reversal_s, 600, 0);
    assert_string_equal(s[0].detail, "the train reverses (10 min)");
    assert_near(s[1].pos, 1000, 0);
    assert_int_equal(s[1].node, 7);
    assert_int_equal(s[1].kinds, BOGIE_STOP_GAUGE_CHANGE | BOGIE_STOP_REVERSAL);
    assert_near(s[1].change_s, 3600, 0);
    assert_near(s[1].reversal_s, 1800, 0);
    assert_int_equal(s[1].gauge, 1520);
    assert_int_equal(s[1].via, BOGIE_NONE);
    char want[256];
    snprintf(want, sizeof want, "bogie exchange 1435 -> 1520 mm at the %s facility (60 min); the train reverses (30 min)",
             f->world->facilities.v[0].name);
    assert_string_equal(s[1].detail, want);
    assert_near(s[2].pos, 2500, 0);
    assert_int_equal(s[2].kinds, BOGIE_STOP_VIA);
    assert_int_equal(s[2].via, 1);
    assert_near(s[2].dwell_s, 900, 0);
    assert_int_equal(s[2].gauge, 1520);
    assert_int_equal(s[3].kinds, BOGIE_STOP_DESTINATION);
    assert_near(s[3].pos, 4000, 0);
    assert_int_equal(s[3].node, 11);
    assert_int_equal(s[3].via, 2);
    assert_int_equal(s[3].gauge, 1520);
    assert_int_equal(s[0].gauge, 1435);
    VEC_FREE(a, stops);
    VEC_FREE(a, res.items);
    jy_layout_free(&L);
}

static void test_change_without_facility(void **state)
{
    fixture *f = *state;
    const bogie_allocator *a = std_alloc();
    route_result res;
    memset(&res, 0, sizeof res);
    res.start_gauge = 1520;
    route_item ch = item(RITEM_CHANGE, 5, 4 * 3600);
    ch.from_gauge = 1520;
    ch.to_gauge = 1435;
    route_item edge = item(RITEM_EDGE, 0, 0);
    assert_int_equal(VEC_PUSH(a, res.items, edge), 0);
    assert_int_equal(VEC_PUSH(a, res.items, ch), 0);
    assert_int_equal(VEC_PUSH(a, res.items, edge), 0);
    jy_mark marks[] = {{0, 1, 0}, {300, 5, 0}, {800, 6, 2}};
    jy_layout L;
    marks_layout(&L, marks, 3);
    jy_stops stops = {0};
    bogie_diag d = {0};
    bogie_train t = f->armoured;
    t.change = BOGIE_CHANGE_VARIABLE_GAUGE;
    assert_int_equal(jy_event_stops(f->world, &t, &res, &L, 2, a, &stops, &d), BOGIE_OK);
    assert_int_equal(stops.n, 3);
    assert_near(stops.v[1].pos, 300, 0);
    char want[256];
    snprintf(want, sizeof want,
             "automatic gauge change 1520 -> 1435 mm where the gauges meet; no facility is listed here, so 240 min "
             "includes %.0f min for an improvised change (assumed)",
             ROUTE_IMPROVISED_CHANGE_PENALTY_S / 60);
    assert_string_equal(stops.v[1].detail, want);
    assert_int_equal(stops.v[0].gauge, 1520);
    assert_int_equal(stops.v[1].gauge, 1435);
    assert_int_equal(stops.v[2].gauge, 1435);
    assert_int_equal(stops.v[2].via, 1);
    VEC_FREE(a, stops);
    VEC_FREE(a, res.items);
    jy_layout_free(&L);
}

static jy_stop stop(double pos, uint32_t node, unsigned kinds, uint16_t gauge)
{
    jy_stop s;
    memset(&s, 0, sizeof s);
    s.pos = pos;
    s.node = node;
    s.kinds = kinds;
    s.gauge = gauge;
    s.via = BOGIE_NONE;
    return s;
}

static void test_insert_stop(void **state)
{
    (void)state;
    const bogie_allocator *a = std_alloc();
    jy_stops stops = {0};
    jy_stop first = stop(0, 1, BOGIE_STOP_ORIGIN, 1435), change = stop(100, 5, BOGIE_STOP_GAUGE_CHANGE, 1520),
            last = stop(200, 9, BOGIE_STOP_DESTINATION, 1520);
    snprintf(change.detail, sizeof change.detail, "bogie exchange");
    assert_int_equal(VEC_PUSH(a, stops, first), 0);
    assert_int_equal(VEC_PUSH(a, stops, change), 0);
    assert_int_equal(VEC_PUSH(a, stops, last), 0);
    bogie_diag d = {0};
    /* At the same position and node: joined. */
    jy_stop b = stop(100, 5, BOGIE_STOP_BORDER, 0);
    b.border_s = 3600;
    snprintf(b.detail, sizeof b.detail, "A -> B");
    assert_int_equal(jy_insert_stop(a, &stops, &b, &d), BOGIE_OK);
    assert_int_equal(stops.n, 3);
    assert_int_equal(stops.v[1].kinds, BOGIE_STOP_GAUGE_CHANGE | BOGIE_STOP_BORDER);
    assert_near(stops.v[1].border_s, 3600, 0);
    assert_string_equal(stops.v[1].detail, "bogie exchange; A -> B");
    /* At the same position but another node: after it. Between stops: in order, with the wheels of the stop before. */
    jy_stop c = stop(100, 6, BOGIE_STOP_BORDER, 0), e = stop(50, BOGIE_NONE, BOGIE_STOP_BORDER, 0);
    assert_int_equal(jy_insert_stop(a, &stops, &c, &d), BOGIE_OK);
    assert_int_equal(jy_insert_stop(a, &stops, &e, &d), BOGIE_OK);
    assert_int_equal(stops.n, 5);
    assert_near(stops.v[1].pos, 50, 0);
    assert_int_equal(stops.v[1].gauge, 1435);
    assert_int_equal(stops.v[2].node, 5);
    assert_int_equal(stops.v[3].node, 6);
    assert_int_equal(stops.v[3].gauge, 1520);
    /* Beyond the destination: just before it. */
    jy_stop z = stop(250, BOGIE_NONE, BOGIE_STOP_BORDER, 0);
    assert_int_equal(jy_insert_stop(a, &stops, &z, &d), BOGIE_OK);
    assert_int_equal(stops.n, 6);
    assert_near(stops.v[4].pos, 250, 0);
    assert_int_equal(stops.v[5].kinds, BOGIE_STOP_DESTINATION);
    VEC_FREE(a, stops);
}

/* ----- running ----- */

static void push_seg(jy_layout *L, double s0, double s1, double limit_ms, double radius_m)
{
    jy_seg s = {s0, s1, limit_ms, radius_m, false, false, BOGIE_LIMIT_LINE, false, 0};
    assert_int_equal(VEC_PUSH(L->a, L->segs, s), 0);
    L->length = s1;
}

/* A graded layout of n segments of len metres whose heights are z(x), x from the origin. */
static void graded_layout(jy_layout *L, size_t n, double len, double (*z)(double))
{
    for (size_t i = 0; i < n; i++) {
        push_seg(L, (double)i * len, (double)(i + 1) * len, 20, 0);
        L->segs.v[i].graded = true;
        jy_height h0 = {(double)i * len, z((double)i * len), 0}, h1 = {(double)(i + 1) * len, 0, 0};
        h1.z = z(h1.pos);
        if (i == 0)
            assert_int_equal(VEC_PUSH(L->a, L->heights, h0), 0);
        assert_int_equal(VEC_PUSH(L->a, L->heights, h1), 0);
    }
}

static double climb(double x)
{
    return 100 + 0.008 * x;
}

/* The climb with a dip of 20 m over 200 m at 5 km: a terrain model's valley floor under a bridge. */
static double climb_with_dip(double x)
{
    double d = fabs(x - 5000);
    return climb(x) - (d < 100 ? 20 * (1 - d / 100) : 0);
}

static void test_grades_fitted(void **state)
{
    (void)state;
    /* A constant 8 per mille: the least-squares slope of a straight line is its slope, in every window, also where
     * the window is clipped at the ends of the run. */
    jy_layout L;
    memset(&L, 0, sizeof L);
    L.a = std_alloc();
    graded_layout(&L, 100, 100, climb);
    assert_int_equal(jy_grade_segments(&L, NULL), BOGIE_OK);
    for (size_t i = 0; i < L.segs.n; i++)
        assert_near(L.segs.v[i].grade, 0.008, 1e-12);
    /* The dip (area 2000 m^2) moves no grade by more than its area times 6 / W^2 = 1.33 per mille (W = 3 km),
     * where on its own 100 m it is 200 per mille. */
    jy_layout_free(&L);
    memset(&L, 0, sizeof L);
    L.a = std_alloc();
    graded_layout(&L, 100, 100, climb_with_dip);
    assert_int_equal(jy_grade_segments(&L, NULL), BOGIE_OK);
    double worst = 0;
    for (size_t i = 0; i < L.segs.n; i++)
        worst = fmax(worst, fabs(L.segs.v[i].grade - 0.008));
    assert_true(worst > 0 && worst <= 2000 * 6 / (JY_GRADE_HALF_WINDOW_M * JY_GRADE_HALF_WINDOW_M) + 1e-4);
    jy_layout_free(&L);
    /* Two runs of known elevations, 8 per mille then a gap of one segment then -5 per mille from another height:
     * each window stays in its run, so both grades are exact and the gap makes no grade. */
    memset(&L, 0, sizeof L);
    L.a = std_alloc();
    graded_layout(&L, 100, 100, climb);
    L.segs.v[50].graded = false;
    L.heights.n = 51; /* the points 0 .. 50, then those from 51 on as a second run */
    for (size_t i = 51; i <= 100; i++) {
        jy_height h = {(double)i * 100, 900 - 0.005 * (double)i * 100, 51};
        assert_int_equal(VEC_PUSH(L.a, L.heights, h), 0);
    }
    assert_int_equal(jy_grade_segments(&L, NULL), BOGIE_OK);
    for (size_t i = 0; i < L.segs.n; i++)
        assert_near(L.segs.v[i].grade, i < 50 ? 0.008 : i == 50 ? 0 : -0.005, 1e-12);
    jy_layout_free(&L);
}

static void test_pieces_between(void **state)
{
    (void)state;
    jy_layout L;
    memset(&L, 0, sizeof L);
    L.a = std_alloc();
    push_seg(&L, 0, 100, 10, 0);
    push_seg(&L, 100, 250, 10, 0);
    push_seg(&L, 250, 400, 20, 500);
    push_seg(&L, 400, 600, 20, 0);
    jy_pieces pc = {0};
    size_t seg_i = 0;
    bogie_diag d = {0};
    assert_int_equal(jy_pieces_between(&L, 50, 450, &seg_i, L.a, &pc, &d), BOGIE_OK);
    assert_int_equal(seg_i, 0);
    assert_int_equal(pc.n, 3);
    const double want[3][4] = {{0, 200, 10, 0}, {200, 350, 20, 500}, {350, 400, 20, 0}};
    for (size_t i = 0; i < 3; i++) {
        assert_near(pc.v[i].start_m, want[i][0], 1e-9);
        assert_near(pc.v[i].end_m, want[i][1], 1e-9);
        assert_near(pc.v[i].limit_ms, want[i][2], 0);
        assert_near(pc.v[i].radius_m, want[i][3], 0);
    }
    assert_int_equal(jy_pieces_between(&L, 450, 600, &seg_i, L.a, &pc, &d), BOGIE_OK);
    assert_int_equal(seg_i, 3);
    assert_int_equal(pc.n, 1);
    assert_near(pc.v[0].start_m, 0, 0);
    assert_near(pc.v[0].end_m, 150, 1e-9);
    VEC_FREE(L.a, pc);
    jy_layout_free(&L);
}

static void test_run(void **state)
{
    fixture *f = *state;
    const bogie_allocator *a = std_alloc();
    jy_layout L;
    memset(&L, 0, sizeof L);
    L.a = a;
    push_seg(&L, 0, 6000, 25, 0);
    push_seg(&L, 6000, 10000, 15, 0);
    jy_stops stops = {0};
    jy_stop mid = stop(5000, 3, BOGIE_STOP_VIA, 1435);
    mid.dwell_s = 120;
    mid.border_s = 30;
    assert_int_equal(VEC_PUSH(a, stops, stop(0, 1, BOGIE_STOP_ORIGIN, 1435)), 0);
    assert_int_equal(VEC_PUSH(a, stops, mid), 0);
    assert_int_equal(VEC_PUSH(a, stops, stop(10000, 5, BOGIE_STOP_DESTINATION, 1435)), 0);
    jy_profile prof = {0};
    bogie_journey j;
    memset(&j, 0, sizeof j);
    bogie_diag d = {0};
    const bogie_train *t = &f->emu;
    assert_int_equal(jy_run(t, &L, &stops, 0, a, &prof, &j, &d), BOGIE_OK);
    const jy_stop *s = stops.v;
    assert_near(s[0].arrive_s, 0, 0);
    assert_near(s[0].depart_s, 0, 0);
    /* Slower than running at the limits all the way, no slower than a tenth of them. */
    double at_limits = 5000 / 25.0 * (1 + t->allowance_pct / 100) + t->startup_s;
    if (!(s[1].arrive_s > at_limits && s[1].arrive_s < 10 * at_limits))
        fail_msg("arrival at 5 km at %.1f s, the limits give %.1f s", s[1].arrive_s, at_limits);
    assert_near(s[1].depart_s, s[1].arrive_s + 150, 1e-9);
    assert_true(s[2].arrive_s > s[1].depart_s + 1000 / 25.0 + 3000 / 15.0);
    assert_near(s[2].depart_s, s[2].arrive_s, 0);
    /* The times add up: two runs, each with the start-up time, the allowance and the stop. */
    assert_near(j.dwell_s, 120, 0);
    assert_near(j.border_s, 30, 0);
    assert_near(s[2].arrive_s, j.running_s + j.allowance_s + 150, 1e-6);
    assert_near(j.allowance_s, (j.running_s - 2 * t->startup_s) * t->allowance_pct / 100, 1e-6);
    /* The profile runs from the origin to the destination, stops at the via, keeps to the limits. */
    assert_true(prof.n > 10);
    assert_near(prof.v[0].s_m, 0, 1e-9);
    assert_near(prof.v[prof.n - 1].s_m, 10000, 1e-6);
    size_t at_via = 0;
    for (size_t i = 1; i < prof.n; i++) {
        at_via += prof.v[i].s_m == 5000 && prof.v[i].v_ms == 0;
        assert_true(prof.v[i].s_m >= prof.v[i - 1].s_m);
        assert_true(prof.v[i].v_ms <= (prof.v[i].s_m <= 6000 ? 25 : 15) + 1e-9);
    }
    assert_int_equal(at_via, 2); /* the arrival there and the departure */
    VEC_FREE(a, prof);
    VEC_FREE(a, stops);
    jy_layout_free(&L);
}

/* ----- the profile ----- */

/* Eleven samples 100 m apart: speed s / 100 m/s (capped at cap), time s / 10, limit 30 m/s. */
static void ramp(phys_sample *p, double cap)
{
    for (int i = 0; i <= 10; i++) {
        double s = 100.0 * i;
        p[i] = (phys_sample){s, s / 10, s / 100 < cap ? s / 100 : cap, 30};
    }
}

/* Checks that thinning the eleven samples keeps exactly want[0 .. n_want), naming what it kept when not. */
static void expect_kept(const phys_sample *p, const uint32_t *want, size_t n_want)
{
    uint32_t kept[11];
    size_t n = jy_thin_profile(p, 11, kept);
    bool same = n == n_want;
    for (size_t i = 0; same && i < n; i++)
        same = kept[i] == want[i];
    if (!same) {
        char got[100] = "";
        for (size_t i = 0; i < n; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), " %u", kept[i]);
        fail_msg("kept samples%s, expected %zu of them starting %u, %u", got, n_want, want[0], want[1]);
    }
}

static void test_thin_profile(void **state)
{
    (void)state;
    phys_sample p[11];
    /* A straight line keeps its ends only. */
    ramp(p, 100);
    expect_kept(p, (uint32_t[]){0, 10}, 2);
    /* A bump of 0.3 km/h is within tolerance; one of 0.7 km/h is not. */
    p[3].v_ms += 0.3 / 3.6;
    expect_kept(p, (uint32_t[]){0, 10}, 2);
    p[3].v_ms += 0.4 / 3.6;
    expect_kept(p, (uint32_t[]){0, 3, 6, 10}, 4); /* from the bump, the straight line is lost again after 6 */
    /* A kink where the speed levels off is kept. */
    ramp(p, 5);
    expect_kept(p, (uint32_t[]){0, 5, 10}, 3);
    /* A stop (speed 0) is always kept, even within tolerance of its neighbours (here creeping at 0.1 km/h); and so
     * is a jump in the limit. */
    ramp(p, 0.1 / 3.6);
    p[0].v_ms = 0.1 / 3.6;
    p[7].v_ms = 0;
    expect_kept(p, (uint32_t[]){0, 7, 10}, 3);
    p[7].v_ms = 0.1 / 3.6;
    expect_kept(p, (uint32_t[]){0, 10}, 2);
    ramp(p, 100);
    for (int i = 6; i <= 10; i++)
        p[i].limit_ms = 20;
    expect_kept(p, (uint32_t[]){0, 5, 6, 10}, 4);
    /* A sample 3 s late is off by more than the time tolerance. */
    ramp(p, 100);
    p[4].t_s += 3;
    expect_kept(p, (uint32_t[]){0, 3, 4, 5, 10}, 5);
    uint32_t kept[11];
    assert_int_equal(jy_thin_profile(p, 0, kept), 0);
    assert_int_equal(jy_thin_profile(p, 1, kept), 1);
}

/* ----- the clock ----- */

static void test_departure_utc(void **state)
{
    fixture *f = *state;
    const tz_zone *pyongyang, *berlin;
    bogie_diag d = {0};
    assert_int_equal(tz_db_get(f->world->tz, "Asia/Pyongyang", &pyongyang, &d), BOGIE_OK);
    assert_int_equal(tz_db_get(f->world->tz, "Europe/Berlin", &berlin, &d), BOGIE_OK);
    tz_civil civ = {2023, 9, 10, 15, 0, 0};
    int64_t t = 0;
    bool as_utc = true;
    /* 2023-09-10 15:00 in Pyongyang (UTC+9) is 06:00 UTC, whether the offset is given or the zone's. */
    assert_int_equal(jy_departure_utc(&civ, true, 9 * 3600, NULL, &t, &as_utc), BOGIE_OK);
    assert_int_equal(t, 1694325600);
    assert_false(as_utc);
    t = 0;
    assert_int_equal(jy_departure_utc(&civ, false, 0, pyongyang, &t, &as_utc), BOGIE_OK);
    assert_int_equal(t, 1694325600);
    /* A given offset wins over the zone. */
    assert_int_equal(jy_departure_utc(&civ, true, -5 * 3600 - 1800, berlin, &t, &as_utc), BOGIE_OK);
    assert_int_equal(t, 1694358000 + 5 * 3600 + 1800);
    /* Summer time in Berlin. */
    assert_int_equal(jy_departure_utc(&civ, false, 0, berlin, &t, &as_utc), BOGIE_OK);
    assert_int_equal(t, 1694358000 - 2 * 3600);
    /* No zone: read as UTC, and said so. */
    assert_int_equal(jy_departure_utc(&civ, false, 0, NULL, &t, &as_utc), BOGIE_OK);
    assert_int_equal(t, 1694358000);
    assert_true(as_utc);
    /* Not a date. */
    tz_civil bad = {2023, 2, 30, 10, 0, 0};
    assert_int_equal(jy_departure_utc(&bad, false, 0, berlin, &t, &as_utc), BOGIE_ERR_ARG);
}

static void test_local_time(void **state)
{
    fixture *f = *state;
    const tz_zone *vladivostok;
    bogie_diag d = {0};
    assert_int_equal(tz_db_get(f->world->tz, "Asia/Vladivostok", &vladivostok, &d), BOGIE_OK);
    char buf[32];
    int off = -1;
    const char *abbr = NULL;
    jy_local_time(NULL, 1694325600 + 59, buf, sizeof buf, &off, &abbr);
    assert_string_equal(buf, "2023-09-10 06:00");
    assert_int_equal(off, 0);
    assert_string_equal(abbr, "UTC");
    /* Before 1970 the day is counted down, not towards zero. */
    jy_local_time(NULL, -1, buf, sizeof buf, &off, &abbr);
    assert_string_equal(buf, "1969-12-31 23:59");
    jy_local_time(NULL, -86400 * 366 + 3600, buf, sizeof buf, &off, &abbr);
    assert_string_equal(buf, "1968-12-31 01:00");
    jy_local_time(vladivostok, 1694325600, buf, sizeof buf, &off, &abbr);
    assert_string_equal(buf, "2023-09-10 16:00");
    assert_int_equal(off, 36000);
    assert_string_equal(abbr, "+10");
}

static void test_local_fold(void **state)
{
    fixture *f = *state;
    const tz_zone *berlin;
    bogie_diag d = {0};
    assert_int_equal(tz_db_get(f->world->tz, "Europe/Berlin", &berlin, &d), BOGIE_OK);
    int64_t t, other;
    /* 2024-03-31 02:30 does not exist in Berlin: the clocks go from 02:00 CET to 03:00 CEST. */
    tz_civil gap = {2024, 3, 31, 2, 30, 0};
    assert_int_equal(tz_civil_to_utc(berlin, &gap, &t), BOGIE_OK);
    assert_int_equal(jy_local_fold(berlin, &gap, t, &other), JY_TIME_SKIPPED);
    /* 2024-10-27 02:30 happens twice: at 00:30 UTC (CEST) and an hour later (CET). */
    tz_civil twice = {2024, 10, 27, 2, 30, 0};
    assert_int_equal(tz_civil_to_utc(berlin, &twice, &t), BOGIE_OK);
    assert_int_equal(jy_local_fold(berlin, &twice, t, &other), JY_TIME_TWICE);
    assert_int_equal(t, 1729989000);
    assert_int_equal(other, t + 3600);
    /* An ordinary hour, and UTC. */
    tz_civil once = {2024, 7, 1, 12, 0, 0};
    assert_int_equal(tz_civil_to_utc(berlin, &once, &t), BOGIE_OK);
    assert_int_equal(jy_local_fold(berlin, &once, t, &other), JY_TIME_ONCE);
    assert_int_equal(other, t);
    assert_int_equal(jy_local_fold(NULL, &gap, 0, &other), JY_TIME_ONCE);
}

/* Points given as coordinates lie in the country of the track they snap to, on either side of the border. */
static void test_place_country(void **state)
{
    fixture *f = *state;
    route_place pl;
    bogie_diag d = {0};
    const char *where[][2] = {{"42.4279,130.6282", "KP"}, {"43.1111,131.8869", "RU"}, {"39.1,125.75", "KP"}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(jy_resolve_place(f->corridor_p, &f->armoured, "--from", where[i][0], 5000, &pl, &d),
                         BOGIE_OK);
        assert_true(pl.is_point);
        uint16_t c = jy_place_country(f->corridor, &pl);
        assert_true(c > 0);
        assert_string_equal(f->corridor->countries[c - 1].alpha2, where[i][1]);
    }
}

/* ----- every stage on the corridor ----- */

static void test_stages_on_the_corridor(void **state)
{
    fixture *f = *state;
    const bogie_planner *p = f->corridor_p;
    const bogie_allocator *a = p->alloc;
    bogie_journey_request r;
    bogie_journey_request_init(&r);
    r.train = &f->armoured;
    r.from = "Pyongyang";
    r.to = "Vladivostok";
    r.depart = "2023-09-10 15:00";
    bogie_journey *j = util_calloc(a, 1, sizeof *j);
    assert_non_null(j);
    j->alloc = a;
    route_place places[32];
    size_t np = 0;
    route_result res;
    bogie_diag d = {0};
    assert_int_equal(jy_resolve_places(p, &r, NULL, places, &np, &d), BOGIE_OK);
    assert_int_equal(np, 2);
    double shared;
    size_t n_res;
    bool searched;
    assert_int_equal(jy_search(p, &r, NULL, r.train, places, np, 0, 1, &res, &shared, &n_res, &searched, &d), BOGIE_OK);
    assert_int_equal(n_res, 1);
    assert_true(res.cost_s > 20 * 3600 && res.cost_s < 30 * 3600);
    jy_layout L;
    memset(&L, 0, sizeof L);
    L.a = a;
    assert_int_equal(jy_lay_out(&p->base, r.train, &res, places[0].node, &L, &d), BOGIE_OK);
    /* km posts give 1186 km (tests/cli/test_route.sh); one crossing, North Korea to Russia. */
    assert_near(L.length / 1000, 1186, 12);
    assert_int_equal(L.line.n, 2 * L.line_km.n);
    assert_near(L.line_km.v[L.line_km.n - 1], L.length / 1000, 1e-9);
    assert_int_equal(L.xings.n, 1);
    jy_countries_passed(p->net, jy_place_country(p->net, &places[0]), &L, j);
    assert_int_equal(j->n_countries, 2);
    assert_string_equal(j->countries[0], "KP");
    assert_string_equal(j->countries[1], "RU");
    jy_stops stops = {0};
    assert_int_equal(jy_event_stops(p->world, r.train, &res, &L, np, a, &stops, &d), BOGIE_OK);
    size_t n_events = stops.n;
    assert_int_equal(jy_border_stops(p, &L, &stops, &d), BOGIE_OK);
    /* The origin, the gauge change at Tumangang, the border at Khasan, the reversal at Baranovsky, Vladivostok. */
    assert_int_equal(n_events, 4);
    assert_int_equal(stops.n, 5);
    const unsigned kinds[5] = {BOGIE_STOP_ORIGIN, BOGIE_STOP_GAUGE_CHANGE, BOGIE_STOP_BORDER, BOGIE_STOP_REVERSAL,
                               BOGIE_STOP_DESTINATION};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(stops.v[i].kinds, kinds[i]);
        if (i)
            assert_true(stops.v[i].pos >= stops.v[i - 1].pos);
    }
    assert_string_equal(jy_station_name(p->net, p->base.node_station[stops.v[2].node], NULL), "Khasan");
    assert_non_null(strstr(stops.v[2].detail, "North Korea -> Russia (KP -> RU)"));
    assert_int_equal(stops.v[2].gauge, 1520);
    assert_near(stops.v[2].border_s, 3600, 0);
    jy_profile prof = {0};
    assert_int_equal(jy_run(r.train, &L, &stops, 0, a, &prof, j, &d), BOGIE_OK);
    jy_rows rows = {0};
    assert_int_equal(jy_timetable(p, &res.view, places, &L, &stops, &prof, &rows, &d), BOGIE_OK);
    assert_int_equal(jy_put_on_clock(p, &r, "--", &rows, j, &d), BOGIE_OK);
    assert_true(j->has_clock);
    const bogie_stop *first = &rows.v[0], *last = &rows.v[rows.n - 1];
    assert_string_equal(first->name, "Pyongyang");
    assert_string_equal(first->zone, "Asia/Pyongyang");
    assert_string_equal(first->depart_local, "2023-09-10 15:00");
    assert_int_equal(first->depart_utc, 1694325600);
    assert_string_equal(last->name, "Vladivostok");
    assert_string_equal(last->country, "RU");
    assert_int_equal(last->utc_offset_s, 36000);
    assert_int_equal(last->arrive_utc, 1694325600 + llround(stops.v[4].arrive_s));
    /* Stations passed come between the stops, in order of distance and time. */
    size_t passes = 0;
    for (size_t i = 1; i < rows.n; i++) {
        assert_true(rows.v[i].km >= rows.v[i - 1].km);
        assert_true(rows.v[i].arrive_s >= rows.v[i - 1].depart_s);
        passes += rows.v[i].kinds == BOGIE_STOP_PASS;
    }
    assert_int_equal(rows.n, 5 + passes);
    assert_true(passes > 30);
    assert_int_equal(jy_fill_journey(p->net, &L, &prof, &rows, j, &d), BOGIE_OK);
    assert_int_equal(j->n_stops, rows.n);
    assert_true(j->n_profile > 2 && j->n_profile < prof.n);
    assert_near(j->total_s, stops.v[4].depart_s, 0);
    assert_true(jy_totals_add_up(j));
    VEC_FREE(a, rows);
    VEC_FREE(a, prof);
    VEC_FREE(a, stops);
    jy_layout_free(&L);
    route_result_free(a, &res);
    bogie_journey_free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_coordinates),
        cmocka_unit_test(test_resolve_place),
        cmocka_unit_test(test_resolve_places),
        cmocka_unit_test(test_via_asks),
        cmocka_unit_test(test_event_stops),
        cmocka_unit_test(test_change_without_facility),
        cmocka_unit_test(test_insert_stop),
        cmocka_unit_test(test_pieces_between),
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_thin_profile),
        cmocka_unit_test(test_departure_utc),
        cmocka_unit_test(test_local_time),
        cmocka_unit_test(test_local_fold),
        cmocka_unit_test(test_place_country),
        cmocka_unit_test(test_stages_on_the_corridor),
        cmocka_unit_test(test_grades_fitted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
