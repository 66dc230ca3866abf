/* test_service.c: the HTTP API's service (src/serve/api*.c) called directly, without a server in front: the limits
 * on query parameters (count, name and value lengths), the bbox of /api/network and the annotations of /table, each
 * refused as a JSON error naming the parameter. */
#include "testutil.h"

#include "bogie.h"
#include "serve/api.h"

static bogie_service *service;

static int setup(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/journey.bogie", test_tmpdir());
    const char *osm = test_data("tiny/journey.osm");
    bogie_import_options io;
    bogie_import_options_init(&io);
    bogie_diag d = {0};
    bogie_service_options o;
    bogie_service_options_init(&o);
    o.network_path = path;
    o.data_dir = "data";
    o.prepare = false;
    if (bogie_import(&osm, 1, path, &io, &d) != BOGIE_OK || bogie_service_open(&o, &service, &d) != BOGIE_OK) {
        print_error("setup: %s\n", d.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bogie_service_close(service);
    return 0;
}

/* Answers target; the caller frees the body. */
static bogie_response ask(const char *target)
{
    bogie_response r;
    bogie_service_handle(service, "GET", target, &r);
    return r;
}

/* Checks that target gets status with a JSON body whose code is code and whose message contains needle. */
static void expect_error(const char *target, int status, const char *code, const char *needle)
{
    bogie_response r = ask(target);
    char want[80];
    snprintf(want, sizeof want, "{\"code\":\"%s\",\"message\":", code);
    if (r.status != status || !r.body || strncmp(r.body, want, strlen(want)) != 0 || !strstr(r.body, needle)) {
        print_error("%.120s: got %d %.300s; expected %d %s naming %s\n", target, r.status, r.body ? r.body : "",
                    status, code, needle);
        fail();
    }
    free(r.body);
}

/* Checks that target is not refused for its parameters: it gets 200, or an answer from the search itself. */
static void expect_accepted(const char *target)
{
    bogie_response r = ask(target);
    bool refused = r.status == 414 || (r.body && (strstr(r.body, "InvalidOptions") || strstr(r.body, "bbox")));
    if (refused)
        print_error("%.120s: refused: %d %.300s\n", target, r.status, r.body ? r.body : "");
    assert_false(refused);
    free(r.body);
}

/* Checks that prefix followed by each of the n values gets 400 with code, its message naming needle. */
static void expect_each_refused(const char *prefix, const char *const *values, size_t n, const char *code,
                                const char *needle)
{
    for (size_t i = 0; i < n; i++) {
        char t[300];
        snprintf(t, sizeof t, "%s%s", prefix, values[i]);
        expect_error(t, 400, code, needle);
    }
}

/* "/api/stations?q=Q" followed by extra parameters p1=1&p2=1...; malloc'd. */
static char *stations_with(const char *q, int extra)
{
    size_t cap = strlen(q) + 32 + (size_t)extra * 12;
    char *t = malloc(cap);
    assert_non_null(t);
    int n = snprintf(t, cap, "/api/stations?q=%s", q);
    for (int i = 1; i <= extra; i++)
        n += snprintf(t + n, cap - (size_t)n, "&p%d=1", i);
    return t;
}

static void test_parameter_count(void **state)
{
    (void)state;
    char *t = stations_with("Alpha", 63); /* 64 in all */
    expect_accepted(t);
    free(t);
    t = stations_with("Alpha", 64); /* 65: the last is named */
    expect_error(t, 414, "TooManyParameters", "p64");
    free(t);
    /* Pieces without a name are not parameters. */
    expect_accepted("/api/stations?q=Alpha&&&=x&=y");
}

static void test_parameter_length(void **state)
{
    (void)state;
    char q[4 * 1024 + 64];
    memset(q, 'x', 1023);
    q[1023] = '\0';
    char *t = stations_with(q, 0);
    expect_accepted(t);
    free(t);
    strcpy(q + 1023, "y");
    t = stations_with(q, 0);
    expect_error(t, 414, "TooLong", "parameter q is 1024 bytes");
    free(t);
    /* 512 two-byte characters: 1,024 bytes once decoded; cutting at 1,023 would split the last one. */
    q[0] = '\0';
    for (int i = 0; i < 512; i++)
        strcat(q, "%C3%A9");
    t = stations_with(q, 0);
    expect_error(t, 414, "TooLong", "parameter q is 1024 bytes");
    free(t);
    char name[200];
    memset(name, 'k', 64);
    strcpy(name + 64, "=1");
    t = stations_with("Alpha&", 0);
    char *t2 = malloc(strlen(t) + sizeof name);
    assert_non_null(t2);
    strcpy(t2, t);
    strcat(t2, name);
    expect_error(t2, 414, "TooLong", "parameter name kkkk");
    free(t);
    free(t2);
}

static void test_bbox(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "nan,nan,nan,nan", "1,2,3,4,5", "1,2,3", "", "1,2,3,4x", "inf,0,1,1", "0,0,1,nan",
        "-181,0,1,1", "0,-91,1,1", "0,0,181,1", "0,0,1,90.5",                    /* out of range */
        "10,0,5,1", "0,10,1,5",                                                  /* inverted */
    };
    expect_each_refused("/api/network?bbox=", bad, sizeof bad / sizeof bad[0], "InvalidValue", "bbox");
    expect_accepted("/api/network?bbox=7.9,49.9,8.5,50.2&zoom=10");
    expect_accepted("/api/network?bbox=-180,-90,180,90");
    expect_accepted("/api/network?bbox=8,50,8,50");
}

static void test_annotations(void **state)
{
    (void)state;
    static const char *const bad[] = {"speed", "duration,speed", "durations", "duration,,distance", "",
                                      "duration distance"};
    expect_each_refused("/table/v1/armoured/8.0,50.0;8.04,50.0?annotations=", bad, sizeof bad / sizeof bad[0],
                        "InvalidOptions", "annotations");
    expect_accepted("/table/v1/armoured/8.0,50.0;8.04,50.0?annotations=distance");
    expect_accepted("/table/v1/armoured/8.0,50.0;8.04,50.0?annotations=duration,distance");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameter_count),
        cmocka_unit_test(test_parameter_length),
        cmocka_unit_test(test_bbox),
        cmocka_unit_test(test_annotations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
