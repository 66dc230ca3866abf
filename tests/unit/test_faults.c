/* test_faults.c: planning with an allocator that fails the Nth allocation, for every N in turn: the planner, the
 * flagship journey and its JSON, the flagship re-timed to sightings (one at a point, one after a halt) and where its
 * train is, a train's contraction hierarchy, a route from it, a table, a GPX trace read and matched, and
 * alternative routes on the two-changer network (tests/data/tiny/two-changers.osm: the hierarchy built for them,
 * both routes planned and written) must each return BOGIE_ERR_NOMEM with a message, or succeed, and never crash or
 * leak. The import's own fault test lives in test_network.c. */
#include "testutil.h"

#include "bogie.h"

#include <math.h>
#include <stdbool.h>

typedef struct fixture {
    bogie_network *net, *two;
    bogie_world *world;
    bogie_train armoured, freight;
} fixture;

static int setup(void **state)
{
    static fixture fx;
    char out[4200];
    snprintf(out, sizeof out, "%s/corridor.bogie", test_tmpdir());
    bogie_diag d = {0};
    char two[4200];
    snprintf(two, sizeof two, "%s/two-changers.bogie", test_tmpdir());
    if (test_import("data/corridor/corridor.osm", out, 1, &d) != BOGIE_OK || bogie_network_open(out, 0, NULL, &fx.net, &d) != BOGIE_OK ||
        test_import("tests/data/tiny/two-changers.osm", two, 1, &d) != BOGIE_OK ||
        bogie_network_open(two, 0, NULL, &fx.two, &d) != BOGIE_OK ||
        bogie_world_open("data", NULL, &fx.world, &d) != BOGIE_OK ||
        bogie_train_load("data/trains/armoured.json", &fx.armoured, &d) != BOGIE_OK ||
        bogie_train_load("data/trains/china-europe-freight.json", &fx.freight, &d) != BOGIE_OK) {
        print_error("setup: %s\n", d.message);
        return -1;
    }
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    bogie_world_close(fx->world);
    bogie_network_close(fx->net);
    bogie_network_close(fx->two);
    return 0;
}

/* Checks one failure: NOMEM with an "out of memory" message, or success. Returns whether the step succeeded. */
static bool step_ok(long n, const char *what, bogie_status st, const bogie_diag *d)
{
    if (st == BOGIE_OK)
        return true;
    if (st != BOGIE_ERR_NOMEM)
        fail_msg("allocation %ld failing: %s gives status %d, not BOGIE_ERR_NOMEM: %s", n, what, st, d->message);
    if (!strstr(d->message, "out of memory"))
        fail_msg("allocation %ld failing: %s says \"%s\"", n, what, d->message);
    return false;
}

/* The flagship journey's request into *r: the armoured train from Pyongyang to Vladivostok at 15:00. */
static void flagship_request(fixture *fx, bogie_journey_request *r)
{
    bogie_journey_request_init(r);
    r->from = "Pyongyang";
    r->to = "Vladivostok";
    r->train = &fx->armoured;
    r->depart = "2023-09-10 15:00";
}

/* A request for train t from one station to another, without a departure time, into *r. */
static void station_request(bogie_journey_request *r, const bogie_train *t, const char *from, const char *to)
{
    bogie_journey_request_init(r);
    r->from = from;
    r->to = to;
    r->train = t;
}

/* Alternatives West - East on the two-changer network, through allocator a: the planner, the freight train's
 * hierarchy (built by the call), both routes and their JSON. Returns whether every step succeeded. */
static bool alternatives_ok(fixture *fx, const bogie_allocator *a, long n)
{
    bogie_diag d = {0};
    bogie_planner *p = NULL;
    bool all = step_ok(n, "opening the planner on two-changers", bogie_planner_new(fx->two, fx->world, a, &p, &d), &d);
    if (all) {
        bogie_journey_request r;
        station_request(&r, &fx->freight, "West", "East");
        bogie_journey **js = NULL;
        size_t nj = 0;
        all = step_ok(n, "alternatives", bogie_plan_alternatives(p, &r, 3, &js, &nj, &d), &d);
        if (all) {
            assert_int_equal(nj, 2);
            char *text = NULL;
            bogie_status st = bogie_journeys_write((const bogie_journey *const *)js, nj, BOGIE_FORMAT_JSON, &text);
            if (st != BOGIE_OK && st != BOGIE_ERR_NOMEM)
                fail_msg("allocation %ld failing: writing the alternatives gives status %d", n, st);
            free(text);
            bogie_journeys_free(js, nj);
        }
    }
    bogie_planner_free(p);
    return all;
}

/* A short trace from Pyongyang past Sunch'on (the flagship's first four track points and their times, one moved
 * 30 m), read from GPX with allocator a and matched by p; returns whether every step succeeded. */
static bool match_once(bogie_planner *p, const bogie_train *t, const bogie_allocator *a, long n)
{
    static const char gpx[] =
        "<gpx><trk><trkseg>"
        "<trkpt lat=\"39.0047200\" lon=\"125.7363900\"><time>2023-09-10T06:00:00Z</time></trkpt>"
        "<trkpt lat=\"39.0533300\" lon=\"125.7261100\"><time>2023-09-10T06:06:15Z</time></trkpt>"
        "<trkpt lat=\"39.2463900\" lon=\"125.8719400\"><time>2023-09-10T06:47:37Z</time></trkpt>"
        "<trkpt lat=\"39.4228000\" lon=\"125.9367000\"><time>2023-09-10T07:11:02Z</time></trkpt>"
        "</trkseg></trk></gpx>";
    bogie_diag d = {0};
    bogie_trace *tr = NULL;
    bool all = step_ok(n, "reading a GPX trace", bogie_trace_parse_gpx(gpx, sizeof gpx - 1, "t.gpx", a, &tr, &d), &d);
    if (all) {
        bogie_match_request q;
        bogie_match_request_init(&q);
        q.train = t;
        q.points = tr->points;
        q.n_points = tr->n_points;
        bogie_match_result *m = NULL;
        all = step_ok(n, "matching the trace", bogie_match(p, &q, &m, &d), &d);
        if (all) {
            assert_int_equal(m->n_matchings, 1);
            assert_int_equal(m->matchings[0].n_sections, 3); /* Pyongyang, Sopyongyang, P'yongsong, Sunch'on */
            /* The times are the flagship's: to Sopyongyang its run is the same (later, this journey brakes for
             * Sunch'on, where the flagship passes), and Sopyongyang's point, 30 m off along the track, moves the
             * observed time by 3 s: within 5 s. */
            const bogie_section *s0 = &m->matchings[0].sections[0];
            assert_true(fabs(s0->observed_s - s0->predicted_s) <= 5);
        }
        bogie_match_free(m);
    }
    bogie_trace_free(tr);
    return all;
}

/* The whole sequence with the Nth allocation failing; returns whether every step succeeded. */
static bool run_once(fixture *fx, long n)
{
    failing f = {n, 0, 0, 0};
    bogie_allocator a = {failing_alloc, &f};
    bogie_diag d = {0};
    bogie_planner *p = NULL;
    bool all = step_ok(n, "opening the planner", bogie_planner_new(fx->net, fx->world, &a, &p, &d), &d);
    if (all) {
        bogie_journey_request r;
        flagship_request(fx, &r);
        bogie_journey *j = NULL;
        all = step_ok(n, "the flagship journey", bogie_plan(p, &r, &j, &d), &d);
        if (all) {
            char *text = NULL;
            bogie_status st = bogie_journey_write(j, BOGIE_FORMAT_JSON, &text);
            if (st != BOGIE_OK && st != BOGIE_ERR_NOMEM)
                fail_msg("allocation %ld failing: writing the journey gives status %d", n, st);
            free(text);
            bogie_journey_free(j);
        }
    }
    if (all) {
        bogie_journey_request r;
        flagship_request(fx, &r);
        /* On time at Kowon, five hours late at Hamhung (a halt), then seen on open track between Kimch'aek and Kilju. */
        const char *seen[] = {"Kowon@2023-09-10 19:04", "Hamhung@2023-09-11 01:50",
                              "40.814060,129.261930@2023-09-11 06:30"};
        r.seen = seen;
        r.n_seen = 3;
        bogie_journey *j = NULL;
        all = step_ok(n, "the flagship re-timed to sightings", bogie_plan(p, &r, &j, &d), &d);
        if (all) {
            bogie_position pos;
            assert_int_equal(bogie_where(p, j, "2023-09-11 01:00", &pos, &d), BOGIE_OK);
            assert_int_equal(pos.state, BOGIE_WHERE_STOPPED); /* the halt before the sighting at Hamhung */
            assert_true(j->n_sightings == 3 && j->n_stretches == 4 && j->stretches[1].halt_s > 0);
            bogie_journey_free(j);
        }
    }
    if (all)
        all = step_ok(n, "preparing the hierarchy", bogie_planner_prepare(p, &fx->freight, &d), &d);
    if (all) {
        /* Routed from the hierarchy now: stations only, nothing avoided. */
        bogie_journey_request r;
        station_request(&r, &fx->freight, "Rajin", "Ussuriysk");
        bogie_journey *j = NULL;
        all = step_ok(n, "a journey from the hierarchy", bogie_plan(p, &r, &j, &d), &d);
        bogie_journey_free(j);
    }
    if (all) {
        const char *src[] = {"Pyongyang", "Rajin", "42.42,130.64"}, *dst[] = {"Vladivostok", "Khasan", "Hamhung"};
        double dur[9], dist[9];
        all = step_ok(n, "a table", bogie_table(p, &fx->freight, src, 3, dst, 3, 0, dur, dist, &d), &d);
    }
    if (all)
        all = match_once(p, &fx->armoured, &a, n);
    bogie_planner_free(p);
    if (all)
        all = alternatives_ok(fx, &a, n);
    if (f.live_blocks != 0 || f.live_bytes != 0)
        fail_msg("allocation %ld failing leaks %ld blocks (%zu bytes)", n, f.live_blocks, f.live_bytes);
    /* Done when no allocation was left to fail. */
    return all && f.countdown >= 0;
}

static void test_planning_survives_failing_allocations(void **state)
{
    fixture *fx = *state;
    long n;
    for (n = 0; !run_once(fx, n); n++)
        if (n > 200000)
            fail_msg("still failing after %ld allocations", n);
    print_message("# %ld allocation points failed in turn\n", n);
    assert_true(n > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planning_survives_failing_allocations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
