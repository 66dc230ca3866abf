/* test_train.c: train profiles: the shipped ones load with their figures in SI units; broken ones are rejected with a
 * message naming the file and the field. */
#include "testutil.h"

#include "bogie.h"
#include "journey/physics.h"
#include "journey/train.h"

#include <math.h>

static void test_shipped_profiles_load(void **state)
{
    (void)state;
    const char *names[] = {"armoured", "ru-passenger", "china-europe-freight", "talgo-variable", "emu-1435"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "data/trains/%s.json", names[i]);
        bogie_train t;
        bogie_diag d = {0};
        if (bogie_train_load(path, &t, &d) != BOGIE_OK)
            fail_msg("%s", d.message);
        assert_string_equal(t.name, names[i]);
        assert_true(t.n_gauges >= 1);
        assert_true(t.mass_kg > 0 && t.power_w > 0 && t.brake_ms2 > 0);
    }
}

static void test_armoured_figures(void **state)
{
    (void)state;
    bogie_train t;
    bogie_diag d = {0};
    assert_int_equal(bogie_train_load("data/trains/armoured.json", &t, &d), BOGIE_OK);
    assert_int_equal(t.n_gauges, 1);
    assert_int_equal(t.gauges[0], 1435);
    assert_int_equal(t.change, BOGIE_CHANGE_BOGIE_EXCHANGE);
    assert_int_equal(t.change_to[0], 1520);
    assert_near(t.change_s, 7200, 1e-9);
    assert_int_equal(t.traction, BOGIE_TRACTION_DIESEL);
    assert_near(t.max_speed_ms * 3.6, 64, 1e-9); /* under 40 mph */
    assert_near(t.mass_kg, 1630e3, 1e-6);
    assert_near(t.power_w, 5884e3, 1e-6);
    /* Davis B: 0.16 kN per km/h is 160 * 3.6 N per m/s. */
    assert_near(t.davis_b_n_s_m, 576, 1e-9);
    assert_near(t.davis_c_n_s2_m2, 0.0045 * 1000 * 3.6 * 3.6, 1e-9);
    bogie_train e;
    assert_int_equal(bogie_train_load("data/trains/emu-1435.json", &e, &d), BOGIE_OK);
    assert_int_equal(e.traction, BOGIE_TRACTION_ELECTRIC);
    assert_int_equal(e.n_systems, 1);
    assert_int_equal(e.systems[0].voltage, 15000);
    assert_near(e.systems[0].frequency_hz, 16.7, 1e-9);
}

static void expect_rejected(const char *file, const char *needle)
{
    bogie_train t;
    bogie_diag d = {0};
    const char *path = test_data(file);
    bogie_status st = bogie_train_load(path, &t, &d);
    if (st == BOGIE_OK)
        fail_msg("%s was accepted", file);
    if (!strstr(d.message, path) || !strstr(d.message, needle))
        fail_msg("%s: message \"%s\" lacks the path or \"%s\"", file, d.message, needle);
}

static void test_broken_profiles(void **state)
{
    (void)state;
    expect_rejected("trains/negative-mass.json", "field \"mass_t\": -5 is out of range");
    expect_rejected("trains/no-gauges.json", "field \"gauges\": \"value\" must be a non-empty list");
    expect_rejected("trains/no-source.json", "field \"power_kw\": has no \"source\"");
    expect_rejected("trains/unknown-field.json", "field \"colour\": unknown field");
    expect_rejected("trains/malformed.json", "line 3");
    bogie_train t;
    bogie_diag d = {0};
    assert_int_equal(bogie_train_load("no/such/train.json", &t, &d), BOGIE_ERR_IO);
}

/* Reads a whole file into a malloc'd buffer; *len receives its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* train_parse() reads a profile from memory exactly as bogie_train_load() reads the file, and names what it was given
 * in its messages. */
static void test_parse_from_memory(void **state)
{
    (void)state;
    size_t len;
    char *text = slurp("data/trains/armoured.json", &len);
    bogie_train a, b;
    bogie_diag d = {0};
    assert_int_equal(bogie_train_load("data/trains/armoured.json", &a, &d), BOGIE_OK);
    assert_int_equal(train_parse("armoured", text, len, &b, &d), BOGIE_OK);
    assert_memory_equal(&a, &b, sizeof a);
    /* Not NUL-terminated: only len bytes are read. */
    text[len] = '}';
    assert_int_equal(train_parse("armoured", text, len, &b, &d), BOGIE_OK);
    free(text);
    static const char broken[] = "{\n  \"name\": \"x\",\n  \"gauges\": [1435,\n}";
    assert_int_equal(train_parse("mem.json", broken, sizeof broken - 1, &b, &d), BOGIE_ERR_INPUT);
    if (!strstr(d.message, "mem.json: line 4"))
        fail_msg("message \"%s\" lacks the name and line", d.message);
}

/* An effort curve must stay within the bounds of max_speed_kmh and max_tractive_effort_kn: [100, 1e308] once became
 * an infinite effort (found by fuzz/fuzz_train.c). */
static void test_effort_curve_bounds(void **state)
{
    (void)state;
    expect_rejected("fuzz/train/effort-curve-infinite.json", "field \"effort_curve\": point 1 must be [km/h, kN]");
    size_t len;
    char *text = slurp(test_data("fuzz/train/effort-curve-infinite.json"), &len);
    bogie_train t;
    bogie_diag d = {0};
    /* The same profile with the point put right loads, with the curve in SI units. */
    char *p = strstr(text, "1e+308");
    assert_non_null(p);
    memcpy(p, "250   ", 6);
    if (train_parse("curve", text, len, &t, &d) != BOGIE_OK)
        fail_msg("%s", d.message);
    assert_int_equal(t.n_effort_points, 4);
    assert_near(t.effort_curve[1][0], 100 / 3.6, 1e-9);
    assert_near(t.effort_curve[1][1], 250e3, 1e-6);
    free(text);
}

/* A profile whose effort curve has n points [i km/h, 300 - i kN], i = 0 .. n - 1: the fuzz seed with its curve
 * replaced. Returns the text (malloc'd, the caller frees it) and its length in *len. */
static char *curve_profile(size_t n, size_t *len)
{
    size_t seed_len;
    char *seed = slurp(test_data("fuzz/train/effort-curve-infinite.json"), &seed_len);
    char *cut = strstr(seed, "\"effort_curve\"");
    assert_non_null(cut);
    size_t head = (size_t)(cut - seed), cap = head + 32 * n + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    memcpy(text, seed, head);
    size_t at = head + (size_t)snprintf(text + head, cap - head, "\"effort_curve\": {\"value\": [");
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(text + at, cap - at, "%s[%zu, %zu]", i ? ", " : "", i, 300 - i);
    at += (size_t)snprintf(text + at, cap - at, "], \"source\": \"assumed\"}}");
    free(seed);
    *len = at;
    return text;
}

/* Published effort curves have 100 to 160 points (TrainRuns.jl's Desiro has 121): a 161-point curve loads whole and
 * the integrator reads it between its points; 256 is the most, and one more is refused. */
static void test_long_effort_curve(void **state)
{
    (void)state;
    size_t len;
    char *text = curve_profile(161, &len);
    bogie_train t;
    bogie_diag d = {0};
    if (train_parse("curve161", text, len, &t, &d) != BOGIE_OK)
        fail_msg("%s", d.message);
    free(text);
    assert_int_equal(t.n_effort_points, 161);
    assert_near(t.effort_curve[160][0], 160 / 3.6, 1e-9);
    assert_near(t.effort_curve[160][1], 140e3, 1e-6);
    phys_params p = {0};
    p.curve = (const double (*)[2])t.effort_curve;
    p.n_curve = t.n_effort_points;
    /* Linear between points: 300 - v kN at v km/h, exact to rounding (1e-6 N); flat beyond the last point. */
    for (double kmh = 0; kmh <= 160; kmh += 0.37)
        assert_near(phys_effort(&p, kmh / 3.6), (300 - kmh) * 1e3, 1e-6);
    assert_near(phys_effort(&p, 250 / 3.6), 140e3, 1e-6);
    text = curve_profile(256, &len);
    assert_int_equal(train_parse("curve256", text, len, &t, &d), BOGIE_OK);
    free(text);
    text = curve_profile(257, &len);
    assert_int_equal(train_parse("curve257", text, len, &t, &d), BOGIE_ERR_INPUT);
    free(text);
    if (!strstr(d.message, "2 to 256 points"))
        fail_msg("message \"%s\" does not give the limit", d.message);
}

/* wrong_track_percent: the shipped profiles state it, a profile without it gets 25, and it is checked like any
 * figure. */
static void test_wrong_track_percent(void **state)
{
    (void)state;
    bogie_train t;
    bogie_diag d = {0};
    assert_int_equal(bogie_train_load("data/trains/emu-1435.json", &t, &d), BOGIE_OK);
    assert_near(t.wrong_track_pct, 25, 1e-9);
    assert_int_equal(bogie_train_load(test_data("trains/shunter-200.json"), &t, &d), BOGIE_OK);
    assert_near(t.wrong_track_pct, 25, 1e-9);
    assert_near(t.length_m, 200, 1e-9);
    size_t len;
    char *text = slurp("data/trains/emu-1435.json", &len);
    char *p = strstr(text, "\"wrong_track_percent\": {\"value\": 25");
    assert_non_null(p);
    memcpy(strstr(p, "25"), "-5", 2);
    assert_int_equal(train_parse("mem.json", text, len, &t, &d), BOGIE_ERR_INPUT);
    if (!strstr(d.message, "wrong_track_percent"))
        fail_msg("message \"%s\" does not name the field", d.message);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_profiles_load),
        cmocka_unit_test(test_armoured_figures),
        cmocka_unit_test(test_broken_profiles),
        cmocka_unit_test(test_parse_from_memory),
        cmocka_unit_test(test_effort_curve_bounds),
        cmocka_unit_test(test_long_effort_curve),
        cmocka_unit_test(test_wrong_track_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
