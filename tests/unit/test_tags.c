/* test_tags.c: unit tests of tag value parsing: gauges, speeds, lengths and electrification, and the reports made
 * for values that cannot be read. */
#include "testutil.h"

#include "net/tags.h"

typedef struct reports {
    int n;
    char last_key[64], last_value[64], last_reason[128];
} reports;

static void collect(void *ud, const char *key, const char *value, const char *reason)
{
    reports *r = ud;
    r->n++;
    snprintf(r->last_key, sizeof r->last_key, "%s", key);
    snprintf(r->last_value, sizeof r->last_value, "%s", value);
    snprintf(r->last_reason, sizeof r->last_reason, "%s", reason);
}

static void test_gauge_single_and_multi(void **state)
{
    (void)state;
    net_class c = {0};
    reports r = {0};
    tags_parse_gauge("1520;1435", &c, collect, &r);
    assert_int_equal(r.n, 0);
    assert_int_equal(c.n_gauge, 2);
    assert_int_equal(c.gauge[0], 1435); /* sorted, smallest first */
    assert_int_equal(c.gauge[1], 1520);
    char label[32];
    tags_gauge_label(&c, label, sizeof label);
    assert_string_equal(label, "1435;1520");

    net_class d = {0};
    tags_parse_gauge(" 1435 ; 1435 ", &d, collect, &r);
    assert_int_equal(r.n, 0);
    assert_int_equal(d.n_gauge, 1); /* duplicates collapse */
}

static void test_gauge_bad_values_are_reported_not_used(void **state)
{
    (void)state;
    net_class c = {0};
    reports r = {0};
    tags_parse_gauge("184", &c, collect, &r);
    assert_int_equal(c.n_gauge, 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.last_key, "gauge");
    assert_string_equal(r.last_value, "184");
    assert_non_null(strstr(r.last_reason, "plausible"));

    net_class d = {0};
    reports r2 = {0};
    tags_parse_gauge("1435;narrow;1435.5", &d, collect, &r2);
    assert_int_equal(d.n_gauge, 1);
    assert_int_equal(d.gauge[0], 1435);
    assert_int_equal(r2.n, 2);

    net_class e = {0};
    reports r3 = {0};
    tags_parse_gauge("standard", &e, collect, &r3);
    assert_int_equal(e.n_gauge, 1);
    assert_int_equal(e.gauge[0], 1435);
    assert_int_equal(r3.n, 1); /* read, but reported as deprecated */
    assert_non_null(strstr(r3.last_reason, "deprecated"));
}

static void test_speed_units(void **state)
{
    (void)state;
    reports r = {0};
    float v = 0;
    assert_true(tags_parse_speed("maxspeed", "120", &v, collect, &r));
    assert_near(v, 120.0, 1e-6);
    assert_true(tags_parse_speed("maxspeed", "100 km/h", &v, collect, &r));
    assert_near(v, 100.0, 1e-6);
    assert_true(tags_parse_speed("maxspeed", "40 mph", &v, collect, &r));
    assert_near(v, 64.37376, 1e-4); /* 40 * 1.609344 exactly, within float precision */
    assert_true(tags_parse_speed("maxspeed", "12.5mph", &v, collect, &r));
    assert_near(v, 20.1168, 1e-4);
    assert_true(tags_parse_speed("maxspeed", "10 knots", &v, collect, &r));
    assert_near(v, 18.52, 1e-4);
    assert_int_equal(r.n, 0);
    v = -1;
    assert_false(tags_parse_speed("maxspeed", "fast", &v, collect, &r));
    assert_false(tags_parse_speed("maxspeed", "0", &v, collect, &r));
    assert_false(tags_parse_speed("maxspeed", "9000", &v, collect, &r));
    assert_false(tags_parse_speed("maxspeed", "50 furlongs", &v, collect, &r));
    assert_false(tags_parse_speed("maxspeed", "0x10", &v, collect, &r));
    assert_false(tags_parse_speed("maxspeed", "inf", &v, collect, &r));
    assert_near(v, -1, 0); /* untouched on failure */
    assert_int_equal(r.n, 6);
}

static void test_distance(void **state)
{
    (void)state;
    reports r = {0};
    double m = 0;
    assert_true(tags_parse_distance("4.7", &m, collect, &r));
    assert_near(m, 4700.0, 1e-9);
    assert_true(tags_parse_distance("2.5 km", &m, collect, &r));
    assert_near(m, 2500.0, 1e-9);
    assert_true(tags_parse_distance("800 m", &m, collect, &r));
    assert_near(m, 800.0, 1e-9);
    assert_true(tags_parse_distance("3 mi", &m, collect, &r));
    assert_near(m, 4828.032, 1e-9);
    assert_false(tags_parse_distance("far", &m, collect, &r));
    assert_false(tags_parse_distance("-3", &m, collect, &r));
    assert_int_equal(r.n, 2);
}

static void test_electrification(void **state)
{
    (void)state;
    reports r = {0};
    char label[64];
    net_class c = {0};
    tags_parse_electrification("contact_line", "25000", "50", &c, collect, &r);
    tags_power_label(&c, label, sizeof label);
    assert_string_equal(label, "25000 V 50 Hz");

    net_class d = {0};
    tags_parse_electrification("contact_line;rail", "15000;750", "16.7;0", &d, collect, &r);
    tags_power_label(&d, label, sizeof label);
    assert_string_equal(label, "15000 V 16.7 Hz + 750 V DC third rail");

    net_class e = {0};
    tags_parse_electrification("contact_line", "3000", "0", &e, collect, &r);
    tags_power_label(&e, label, sizeof label);
    assert_string_equal(label, "3000 V DC");

    net_class f = {0};
    tags_parse_electrification("no", NULL, NULL, &f, collect, &r);
    tags_power_label(&f, label, sizeof label);
    assert_string_equal(label, "not electrified");

    net_class g = {0};
    tags_power_label(&g, label, sizeof label);
    assert_string_equal(label, "unknown");
    assert_int_equal(r.n, 0);

    net_class h = {0};
    tags_parse_electrification("overhead", "15kV", "sixty", &h, collect, &r);
    assert_int_equal(r.n, 3);
    tags_power_label(&h, label, sizeof label);
    assert_string_equal(label, "unknown");
}

static void test_read_track(void **state)
{
    (void)state;
    osm_tag tags[] = {{"railway", "rail"},          {"gauge", "1435;1520"},
                      {"maxspeed", "60"},           {"maxspeed:backward", "40 mph"},
                      {"usage", "main"},            {"service", "siding"},
                      {"tunnel", "yes"},            {"bridge", "no"},
                      {"distance", "5"},            {"bogie:schematic", "yes"},
                      {"source:maxspeed", "assumed: reported 30-60 km/h"},
                      {"railway:preferred_direction", "forward"}};
    reports r = {0};
    net_class c;
    double d = tags_read_track(tags, sizeof tags / sizeof tags[0], NET_RAILWAY_RAIL, &c, collect, &r);
    assert_int_equal(r.n, 0);
    assert_near(d, 5000.0, 1e-9);
    assert_int_equal(c.n_gauge, 2);
    assert_near(c.maxspeed_fwd, 60.0, 1e-6);
    assert_near(c.maxspeed_bwd, 64.37376, 1e-4);
    assert_int_equal(c.usage, NET_USAGE_MAIN);
    assert_int_equal(c.service, NET_SERVICE_SIDING);
    assert_int_equal(c.pref_dir, NET_DIR_FORWARD);
    assert_true(c.flags & NET_CLASS_TUNNEL);
    assert_false(c.flags & NET_CLASS_BRIDGE);
    assert_true(c.flags & NET_CLASS_SCHEMATIC);
    assert_true(c.flags & NET_CLASS_SPEED_ASSUMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gauge_single_and_multi),
        cmocka_unit_test(test_gauge_bad_values_are_reported_not_used),
        cmocka_unit_test(test_speed_units),
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_electrification),
        cmocka_unit_test(test_read_track),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
