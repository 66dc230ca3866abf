/* test_borders.c: unit tests of the country borders module on the committed Natural Earth data (data/world/) and on
 * small TopoJSON files written here: which country a point is in, codes and names, where lines cross borders, clean
 * errors for bad files, and no leaks when allocations fail. */
#include "testutil.h"

#include "ref/borders.h"
#include "base/util.h"

#include <math.h>
#include <unistd.h>

#define WORLD_JSON "data/world/countries-10m.json" /* relative to the repository root, where the tests run */
#define WORLD_CSV "data/world/countries.csv"

static char *write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(path);
    sprintf(path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

/* The committed data, loaded once for the tests that only read it. */
static int setup_world(void **state)
{
    borders *b = NULL;
    bogie_diag d = {0};
    if (borders_load(WORLD_JSON, WORLD_CSV, NULL, &b, &d) != BOGIE_OK) {
        fprintf(stderr, "cannot load the world: %s\n", d.message);
        return -1;
    }
    *state = b;
    return 0;
}

static int teardown_world(void **state)
{
    borders_free(*state);
    return 0;
}

static void assert_country(const borders *b, double lat, double lon, const char *alpha2)
{
    int c = borders_country_at(b, lat, lon);
    if (strcmp(borders_alpha2(b, c), alpha2) != 0)
        fail_msg("(%.5f, %.5f) is in \"%s\" (%s), expected \"%s\"", lat, lon, borders_alpha2(b, c),
                 borders_name(b, c), alpha2);
}

static void test_country_at(void **state)
{
    const borders *b = *state;
    assert_true(borders_count(b) > 200);
    assert_country(b, 39.00472, 125.73639, "KP"); /* Pyongyang station */
    assert_country(b, 42.42806, 130.64528, "RU"); /* Khasan station */
    assert_country(b, 43.11124, 131.88191, "RU"); /* Vladivostok station */
    assert_country(b, 40.12186, 124.38224, "CN"); /* Dandong station */
    assert_country(b, 40.10700, 124.40180, "KP"); /* Sinuiju Ch'ongnyon station */
    assert_country(b, 52.0986, 23.6780, "BY");    /* Brest-Tsentralny */
    assert_country(b, 52.0756, 23.6156, "PL");    /* Terespol */
    assert_country(b, 52.5200, 13.4050, "DE");    /* Berlin */
    assert_country(b, 40.0, -40.0, "");           /* mid-Atlantic */
    assert_int_equal(borders_country_at(b, 40.0, -40.0), -1);
    /* South Africa's outline has Lesotho as a hole. */
    assert_country(b, -29.6, 28.2, "LS");
    assert_country(b, -29.3, 27.0, "ZA");
    /* Features sharing a code are one country: the Baikonur lease area is Kazakhstan. */
    assert_country(b, 45.62, 63.31, "KZ");
    /* Rings across the antimeridian (Chukotka) must not paint a band around the world. */
    assert_country(b, 67.85, 20.22, "SE");    /* Kiruna */
    assert_country(b, 68.36, -133.72, "CA");  /* Inuvik */
    assert_country(b, 65.06, -100.0, "CA");
    assert_country(b, 67.5, 179.5, "RU");
    assert_country(b, 67.5, -179.5, "RU");
    assert_country(b, 67.5, 180.0, "RU");
    assert_country(b, 67.5, -180.0, "RU");
    assert_country(b, 67.5, 540.0, "RU");
    assert_country(b, -16.85, -179.95, "FJ");
    assert_country(b, -80.0, 0.0, "AQ");
    assert_int_equal(borders_country_at(b, NAN, 10.0), -1);
    assert_int_equal(borders_country_at(b, 89.9, 0.0), -1);
}

/* Tumangang station lies on the Korean side of the Tumen, about 2 km west of the Friendship Bridge. Natural Earth
 * 1:10m, as world-atlas quantizes it, draws the KP-RU boundary there along a simplified line: about 1 km west of the
 * river's Russian bank at the bridge's latitude, and about 60 m south of the station, which so falls in Russia. These tests pin that down,
 * so that a change of data shows. The corridor's bogie:border tag on the bridge is the better source for this
 * crossing. */
static void test_tumen(void **state)
{
    const borders *b = *state;
    int kp = borders_find(b, "KP"), ru = borders_find(b, "RU");
    assert_country(b, 42.42139, 130.60806, "RU"); /* Tumangang station: should be KP; see above */
    assert_country(b, 42.41000, 130.60000, "KP"); /* Tumangang, 1.4 km south-west of the station */

    /* The straight line Tumangang station -> Khasan station: both ends are in Russia in this data. */
    int32_t line[] = {424213900, 1306080600, 424280600, 1306452800};
    int start = -2;
    borders_crossing c[4];
    assert_int_equal(borders_crossings(b, line, 2, c, 4, &start), 0);
    assert_int_equal(start, ru);

    /* From the south-west edge of Tumangang to Khasan: one crossing, KP -> RU, between the two. */
    int32_t line2[] = {424100000, 1306000000, 424280600, 1306452800};
    assert_int_equal(borders_crossings(b, line2, 2, c, 4, &start), 1);
    assert_int_equal(start, kp);
    assert_int_equal(c[0].segment, 0);
    assert_int_equal(c[0].from, kp);
    assert_int_equal(c[0].to, ru);
    assert_true(c[0].fraction > 0.3 && c[0].fraction < 0.5);
    assert_true(c[0].lat > 42.410 && c[0].lat < 42.42806);
    assert_true(c[0].lon > 130.600 && c[0].lon < 130.64528);
    assert_near(c[0].lat, 42.4175, 0.001);
    assert_near(c[0].lon, 130.6188, 0.001);

    /* The corridor's way Hongui -> Tumangang -> Khasan: the border is passed on the Hongui -> Tumangang segment,
     * about 120 m before the station. */
    int32_t corridor[] = {424255000, 1305366000, 424213900, 1306080600, 424280600, 1306452800};
    assert_int_equal(borders_crossings(b, corridor, 3, c, 4, &start), 1);
    assert_int_equal(start, kp);
    assert_int_equal(c[0].segment, 0);
    assert_int_equal(c[0].from, kp);
    assert_int_equal(c[0].to, ru);
    assert_true(c[0].fraction > 0.95 && c[0].fraction < 1.0);
    double d = 111195.0 * hypot(c[0].lat - 42.42139, (c[0].lon - 130.60806) * cos(42.42 * M_PI / 180));
    assert_true(d > 50 && d < 200);
}

static void test_find(void **state)
{
    const borders *b = *state;
    int kp = borders_find(b, "kp");
    assert_true(kp >= 0);
    assert_int_equal(borders_find(b, "PRK"), kp);
    assert_int_equal(borders_find(b, "North Korea"), kp);
    assert_int_equal(borders_find(b, "north korea"), kp);
    assert_string_equal(borders_alpha2(b, kp), "KP");
    assert_string_equal(borders_alpha3(b, kp), "PRK");
    assert_string_equal(borders_name(b, kp), "North Korea");
    assert_int_equal(borders_find(b, "Atlantis"), -1);
    assert_int_equal(borders_find(b, ""), -1);
    assert_int_equal(borders_find(b, NULL), -1);
    /* Merged features: the country is named after its largest one, and the others' names still find it. */
    int au = borders_find(b, "AU");
    assert_string_equal(borders_name(b, au), "Australia");
    assert_int_equal(borders_find(b, "Ashmore and Cartier Is."), au);
    int kz = borders_find(b, "KAZ");
    assert_string_equal(borders_name(b, kz), "Kazakhstan");
    assert_int_equal(borders_find(b, "Baikonur"), kz);
    /* Kosovo gets the user-assigned XK; features without a code keep their name only. */
    int xk = borders_find(b, "Kosovo");
    assert_string_equal(borders_alpha2(b, xk), "XK");
    int nc = borders_find(b, "N. Cyprus");
    assert_true(nc >= 0);
    assert_string_equal(borders_alpha2(b, nc), "");
    assert_string_equal(borders_alpha3(b, nc), "");
    assert_string_equal(borders_name(b, -1), "");
    assert_string_equal(borders_alpha2(b, 100000), "");
}

/* Checks a crossing list: in order, chained from start, and each leg's midpoint in the leg's country. */
static void assert_chain(const borders *b, const int32_t *ll, size_t n, const borders_crossing *c, size_t k,
                         int start)
{
    int cur = start;
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(c[i].from, cur);
        assert_int_not_equal(c[i].from, c[i].to);
        assert_true(c[i].segment + 1 < n);
        assert_true(c[i].fraction >= 0 && c[i].fraction <= 1);
        if (i > 0)
            assert_true(c[i].segment > c[i - 1].segment ||
                        (c[i].segment == c[i - 1].segment && c[i].fraction >= c[i - 1].fraction));
        cur = c[i].to;
    }
    assert_int_equal(cur, borders_country_at(b, ll[2 * n - 2] * 1e-7, ll[2 * n - 1] * 1e-7));
}

static void test_crossings(void **state)
{
    const borders *b = *state;
    int kp = borders_find(b, "KP"), cn = borders_find(b, "CN"), by = borders_find(b, "BY"), pl = borders_find(b, "PL");
    int za = borders_find(b, "ZA"), ls = borders_find(b, "LS");
    borders_crossing c[8];
    int start;

    /* Sinuiju -> Dandong over the Yalu: the crossing is ~110 m from the Sino-Korean bridge's mid-span
     * (40.11452, 124.39300). */
    int32_t yalu[] = {401070000, 1244018000, 401218600, 1243822400};
    assert_int_equal(borders_crossings(b, yalu, 2, c, 8, &start), 1);
    assert_int_equal(start, kp);
    assert_int_equal(c[0].from, kp);
    assert_int_equal(c[0].to, cn);
    assert_true(c[0].lat > 40.10700 && c[0].lat < 40.12186 && c[0].lon > 124.38224 && c[0].lon < 124.40180);
    assert_near(c[0].lat, 40.1147, 0.001);

    /* Brest -> Terespol over the Bug. */
    int32_t bug[] = {520986000, 236780000, 520756000, 236156000};
    assert_int_equal(borders_crossings(b, bug, 2, c, 8, &start), 1);
    assert_int_equal(start, by);
    assert_int_equal(c[0].from, by);
    assert_int_equal(c[0].to, pl);
    assert_true(c[0].fraction > 0 && c[0].fraction < 1);
    assert_true(c[0].lon > 23.6156 && c[0].lon < 23.6780);

    /* Bloemfontein -> Durban in one segment leaves South Africa through Lesotho and comes back. */
    int32_t lesotho[] = {-291200000, 262100000, -298600000, 310200000};
    assert_int_equal(borders_crossings(b, lesotho, 2, c, 8, &start), 2);
    assert_int_equal(start, za);
    assert_int_equal(c[0].from, za);
    assert_int_equal(c[0].to, ls);
    assert_int_equal(c[1].from, ls);
    assert_int_equal(c[1].to, za);
    assert_true(c[0].fraction < c[1].fraction);
    assert_int_equal(borders_country_at(b, (c[0].lat + c[1].lat) / 2, (c[0].lon + c[1].lon) / 2), ls);
    assert_chain(b, lesotho, 2, c, 2, start);

    /* More crossings than room: the count is still the whole, and the first ones are written. */
    borders_crossing one[1];
    assert_int_equal(borders_crossings(b, lesotho, 2, one, 1, &start), 2);
    assert_int_equal(one[0].to, ls);
    assert_int_equal(borders_crossings(b, lesotho, 2, NULL, 0, NULL), 2);

    /* Paris -> Berlin -> Warsaw -> Moscow. */
    int32_t europe[] = {488500000, 23500000, 525200000, 134000000, 522300000, 210100000, 557500000, 376200000};
    size_t k = borders_crossings(b, europe, 4, c, 8, &start);
    assert_int_equal(k, 6);
    assert_string_equal(borders_alpha2(b, start), "FR");
    const char *seq[] = {"BE", "LU", "DE", "PL", "BY", "RU"};
    for (size_t i = 0; i < k; i++)
        assert_string_equal(borders_alpha2(b, c[i].to), seq[i]);
    assert_int_equal(c[3].segment, 1);
    assert_int_equal(c[5].segment, 2);
    assert_chain(b, europe, 4, c, k, start);

    /* Degenerate input. */
    assert_int_equal(borders_crossings(b, europe, 0, c, 8, &start), 0);
    assert_int_equal(start, -1);
    assert_int_equal(borders_crossings(b, europe, 1, c, 8, &start), 0);
    assert_string_equal(borders_alpha2(b, start), "FR");
    int32_t same[] = {488500000, 23500000, 488500000, 23500000};
    assert_int_equal(borders_crossings(b, same, 2, c, 8, &start), 0);
}

static void test_crossings_antimeridian(void **state)
{
    const borders *b = *state;
    borders_crossing c[16];
    int start;
    /* Across Chukotka, both ways, and from or to exactly +-180: Russia all along. */
    int32_t lines[][4] = {
        {675000000, 1795000000, 675000000, -1795000000},
        {675000000, -1795000000, 675000000, 1795000000},
        {675000000, 1795000000, 675000000, 1800000000},
        {675000000, 1800000000, 675000000, 1795000000},
        {675000000, -1800000000, 675000000, -1795000000},
        {676000000, 1800000000, 675000000, -1795000000},
    };
    for (size_t i = 0; i < ARRAY_LEN(lines); i++) {
        assert_int_equal(borders_crossings(b, lines[i], 2, c, 16, &start), 0);
        assert_string_equal(borders_alpha2(b, start), "RU");
    }
    /* Over Fiji's Vanua Levu across the antimeridian: in and out again. */
    int32_t fiji[] = {-162000000, 1795000000, -161000000, -1795000000};
    assert_int_equal(borders_crossings(b, fiji, 2, c, 16, &start), 2);
    assert_int_equal(start, -1);
    assert_string_equal(borders_alpha2(b, c[0].to), "FJ");
    assert_true(c[0].lon > 179.5);
    assert_true(c[1].lon < -179.5);
    assert_chain(b, fiji, 2, c, 2, start);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Small files: a square Westland with a hole (Enclave), Eastland sharing its east side, West Isle (no id, merged
 * into Westland by its code), and Dateland across the antimeridian at 20 N. Scale 0.001 degrees; x 190000 is 10 E.
 * ------------------------------------------------------------------------------------------------------------- */

static const char small_json[] =
    "{\"type\":\"Topology\",\"transform\":{\"scale\":[0.001,0.001],\"translate\":[-180,-90]},"
    "\"objects\":{\"countries\":{\"type\":\"GeometryCollection\",\"geometries\":["
    "{\"type\":\"Polygon\",\"id\":\"901\",\"properties\":{\"name\":\"Westland\"},\"arcs\":[[1,0],[3]]},"
    "{\"type\":\"Polygon\",\"id\":\"902\",\"properties\":{\"name\":\"Eastland\"},\"arcs\":[[2,-1]]},"
    "{\"type\":\"Polygon\",\"id\":\"903\",\"properties\":{\"name\":\"Enclave\"},\"arcs\":[[-4]]},"
    "{\"type\":\"Polygon\",\"properties\":{\"name\":\"West Isle\"},\"arcs\":[[4]]},"
    "{\"type\":\"MultiPolygon\",\"id\":\"904\",\"properties\":{\"name\":\"Dateland\"},\"arcs\":[[[5]]]},"
    "{\"type\":null,\"properties\":{\"name\":\"Nowhere\"}}"
    "]}},\"arcs\":["
    "[[190100,100000],[0,100]],"                                     /* 0: shared side, x = 10.1 E */
    "[[190100,100100],[-100,0],[0,-100],[100,0]],"                   /* 1: rest of Westland */
    "[[190100,100000],[100,0],[0,100],[-100,0]],"                    /* 2: rest of Eastland */
    "[[190040,100040],[20,0],[0,20],[-20,0],[0,-20]],"               /* 3: the hole */
    "[[190000,100120],[20,0],[0,20],[-20,0],[0,-20]],"               /* 4: West Isle */
    "[[359990,110000],[-359985,0],[0,10],[359985,0],[0,-10]]"        /* 5: Dateland, 179.99 E .. 179.995 W */
    "]}";

static const char small_csv[] = "numeric,alpha2,alpha3,name\n"
                                "901,WL,WLD,Westland\n"
                                "902,EL,ELD,Eastland\n"
                                "\"903\",EN,ENC,\"Enclave\"\r\n"
                                ",WL,WLD,West Isle\n"
                                "904,DL,DLD,Dateland\n"
                                "\n";

typedef struct small_files {
    char *dir, *json, *csv;
} small_files;

static small_files write_small(const char *json, const char *csv)
{
    small_files f;
    f.dir = strdup(test_tmpdir());
    f.json = write_file(f.dir, "small.json", json, strlen(json));
    f.csv = write_file(f.dir, "small.csv", csv, strlen(csv));
    return f;
}

static void free_small(small_files *f)
{
    remove(f->json);
    remove(f->csv);
    rmdir(f->dir);
    free(f->json);
    free(f->csv);
    free(f->dir);
}

static void test_small(void **state)
{
    (void)state;
    small_files f = write_small(small_json, small_csv);
    borders *b = NULL;
    bogie_diag d = {0};
    assert_int_equal(borders_load(f.json, f.csv, NULL, &b, &d), BOGIE_OK);
    assert_int_equal(borders_count(b), 5); /* West Isle is part of Westland */
    int wl = borders_find(b, "wl"), el = borders_find(b, "ELD"), en = borders_find(b, "Enclave");
    int dl = borders_find(b, "DL"), nowhere = borders_find(b, "Nowhere");
    assert_true(wl >= 0 && el >= 0 && en >= 0 && dl >= 0 && nowhere >= 0);
    assert_int_equal(borders_find(b, "West Isle"), wl);
    assert_string_equal(borders_name(b, wl), "Westland");
    assert_string_equal(borders_alpha2(b, nowhere), "");
    assert_int_equal(borders_country_at(b, 10.02, 10.05), wl);
    assert_int_equal(borders_country_at(b, 10.05, 10.05), en); /* in the hole */
    assert_int_equal(borders_country_at(b, 10.05, 10.15), el);
    assert_int_equal(borders_country_at(b, 10.13, 10.01), wl); /* West Isle */
    assert_int_equal(borders_country_at(b, 10.11, 10.05), -1);
    assert_int_equal(borders_country_at(b, 20.005, 179.995), dl);
    assert_int_equal(borders_country_at(b, 20.005, -179.998), dl);
    assert_int_equal(borders_country_at(b, 20.005, 0.0), -1); /* no band around the world */
    assert_int_equal(borders_country_at(b, 20.02, 179.995), -1);

    /* West to east through the hole: WL, EN, WL, EL at 10.04, 10.06 and 10.10 E. */
    int32_t line[] = {100500000, 100100000, 100500000, 101900000};
    borders_crossing c[8];
    int start;
    assert_int_equal(borders_crossings(b, line, 2, c, 8, &start), 3);
    assert_int_equal(start, wl);
    assert_int_equal(c[0].to, en);
    assert_int_equal(c[1].to, wl);
    assert_int_equal(c[2].to, el);
    assert_near(c[0].fraction, 0.03 / 0.18, 1e-9);
    assert_near(c[1].fraction, 0.05 / 0.18, 1e-9);
    assert_near(c[2].fraction, 0.09 / 0.18, 1e-9);
    assert_near(c[2].lon, 10.10, 1e-9);
    assert_near(c[2].lat, 10.05, 1e-9);
    /* Along the shared side and through the tripoint at (10.1, 10.1): the result must be a consistent chain. */
    int32_t corner[] = {100900000, 100900000, 101100000, 101100000};
    size_t k = borders_crossings(b, corner, 2, c, 8, &start);
    assert_true(k >= 1 && k <= 2);
    assert_int_equal(start, wl);
    assert_int_equal(c[k - 1].to, -1);
    assert_chain(b, corner, 2, c, k, start);
    int32_t along[] = {100000000, 101000000, 101000000, 101000000}; /* on the shared side, south to north */
    k = borders_crossings(b, along, 2, c, 8, &start);
    assert_chain(b, along, 2, c, k, start);
    /* Dateland across the antimeridian, from the sea to the sea. */
    int32_t date[] = {200050000, 1799000000, 200050000, -1799000000};
    assert_int_equal(borders_crossings(b, date, 2, c, 8, &start), 2);
    assert_int_equal(start, -1);
    assert_int_equal(c[0].to, dl);
    assert_near(c[0].lon, 179.99, 1e-6);
    assert_near(c[1].lon, -179.995, 1e-6);
    assert_chain(b, date, 2, c, 2, start);
    borders_free(b);
    free_small(&f);
}

/* Loads json and csv (as text) with a counting allocator and expects status and a message holding each of want. */
static void expect_load_error(const char *json, size_t json_len, const char *csv, bogie_status status,
                              const char *want1, const char *want2)
{
    const char *dir = test_tmpdir();
    char *jp = write_file(dir, "bad.json", json, json_len);
    char *cp = write_file(dir, "bad.csv", csv, strlen(csv));
    failing f = {-1, 0, 0, 0};
    bogie_allocator a = {failing_alloc, &f};
    borders *b = (borders *)1;
    bogie_diag d = {0};
    bogie_status st = borders_load(jp, cp, &a, &b, &d);
    if (st != status || !strstr(d.message, want1) || (want2 && !strstr(d.message, want2)))
        fail_msg("status %d (expected %d), message \"%s\" (expected \"%s\" and \"%s\")", st, status, d.message,
                 want1, want2 ? want2 : "");
    assert_null(b);
    assert_int_equal(d.status, status);
    assert_int_equal(f.live_blocks, 0);
    assert_int_equal(f.live_bytes, 0);
    remove(jp);
    remove(cp);
    rmdir(dir);
    free(jp);
    free(cp);
}

/* small_json with one substring replaced. */
static char *small_json_with(const char *from, const char *to)
{
    const char *at = strstr(small_json, from);
    assert_non_null(at);
    size_t n = strlen(small_json) - strlen(from) + strlen(to);
    char *s = malloc(n + 1);
    assert_non_null(s);
    size_t pre = (size_t)(at - small_json);
    memcpy(s, small_json, pre);
    strcpy(s + pre, to);
    strcat(s, at + strlen(from));
    return s;
}

static void test_bad_files(void **state)
{
    (void)state;
    borders *b = (borders *)1;
    bogie_diag d = {0};
    /* Missing files. */
    assert_int_equal(borders_load("no/such/countries-10m.json", WORLD_CSV, NULL, &b, &d), BOGIE_ERR_IO);
    assert_null(b);
    assert_non_null(strstr(d.message, "no/such/countries-10m.json"));
    assert_int_equal(borders_load(WORLD_JSON, "no/such/countries.csv", NULL, &b, &d), BOGIE_ERR_IO);
    assert_non_null(strstr(d.message, "no/such/countries.csv"));

    /* A truncated copy of the real file. */
    FILE *fp = fopen(WORLD_JSON, "rb");
    assert_non_null(fp);
    size_t cut = 1000000;
    char *buf = malloc(cut);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, cut, fp), cut);
    fclose(fp);
    expect_load_error(buf, cut, small_csv, BOGIE_ERR_INPUT, "bad.json: line 1 column ", NULL);
    free(buf);

    /* Structure. */
    char *s = small_json_with("[[1,0],[3]]", "[[1,99999],[3]]");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_INPUT, "bad.json: objects.countries.geometries[0]: "
                      "arc index 99999 out of range", NULL);
    free(s);
    s = small_json_with("[[2,-1]]", "[[2,-7]]");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_INPUT, "geometries[1]: arc index -7 out of range", NULL);
    free(s);
    s = small_json_with("[[2,-1]]", "[[2]]");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_INPUT, "geometries[1]: polygon 0 ring 0: ring is not closed",
                      NULL);
    free(s);
    s = small_json_with("[[1,0],[3]]", "[[1,3],[3]]");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_INPUT, "geometries[0]: polygon 0 ring 0: arc 3 does not "
                      "start where the previous one ends", NULL);
    free(s);
    s = small_json_with("\"type\":\"Polygon\",\"id\":\"902\"", "\"type\":\"LineString\",\"id\":\"902\"");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_INPUT, "geometries[1]: type \"LineString\"", NULL);
    free(s);
    s = small_json_with("[[190100,100000],[0,100]]", "[[190100,100000],[0,100.5]]");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_INPUT, "bad.json: arcs[0][1]: not a position", NULL);
    free(s);
    s = small_json_with("\"transform\":{\"scale\":[0.001,0.001],\"translate\":[-180,-90]},", "");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_UNSUPPORTED, "bad.json: transform: missing", NULL);
    free(s);
    s = small_json_with("\"Topology\"", "\"FeatureCollection\"");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_INPUT, "bad.json: type: not a TopoJSON Topology", NULL);
    free(s);
    s = small_json_with("\"countries\":{", "\"land\":{");
    expect_load_error(s, strlen(s), small_csv, BOGIE_ERR_INPUT, "bad.json: objects.countries: missing", NULL);
    free(s);

    /* countries.csv. */
    const char *csv_bad_code = "numeric,alpha2,alpha3,name\n901,WL,WLD,Westland\n902,E1,ELD,Eastland\n";
    expect_load_error(small_json, strlen(small_json), csv_bad_code, BOGIE_ERR_INPUT,
                      "bad.csv: line 3: alpha2 \"E1\" is not two letters A-Z", NULL);
    const char *csv_fields = "numeric,alpha2,alpha3,name\n901,WL,WLD,Westland\n\n902,EL,Eastland\n";
    expect_load_error(small_json, strlen(small_json), csv_fields, BOGIE_ERR_INPUT,
                      "bad.csv: line 4: expected 4 fields", "found 3");
    const char *csv_numeric = "numeric,alpha2,alpha3,name\n9x1,WL,WLD,Westland\n";
    expect_load_error(small_json, strlen(small_json), csv_numeric, BOGIE_ERR_INPUT,
                      "bad.csv: line 2: numeric \"9x1\" is not three digits", NULL);
    const char *csv_quote = "numeric,alpha2,alpha3,name\n901,WL,WLD,\"Westland\n";
    expect_load_error(small_json, strlen(small_json), csv_quote, BOGIE_ERR_INPUT,
                      "bad.csv: line 2: unterminated quoted field", NULL);
    const char *csv_header = "code,name\n";
    expect_load_error(small_json, strlen(small_json), csv_header, BOGIE_ERR_INPUT,
                      "bad.csv: line 1: expected the header", NULL);
    const char *csv_mismatch = "numeric,alpha2,alpha3,name\n901,WL,WLD,Westland\n999,EL,ELD,Eastland\n";
    expect_load_error(small_json, strlen(small_json), csv_mismatch, BOGIE_ERR_INPUT,
                      "bad.csv: line 3: numeric 999 for \"Eastland\" differs from the id 902", "bad.json");
}

/* Every allocation of a load of the small files fails in turn: each gives BOGIE_ERR_NOMEM and frees everything. */
static void test_failing_allocations(void **state)
{
    (void)state;
    small_files sf = write_small(small_json, small_csv);
    long n;
    for (n = 0;; n++) {
        failing f = {n, 0, 0, 0};
        bogie_allocator a = {failing_alloc, &f};
        borders *b = NULL;
        bogie_diag d = {0};
        bogie_status st = borders_load(sf.json, sf.csv, &a, &b, &d);
        if (st == BOGIE_OK) {
            assert_int_equal(borders_country_at(b, 10.05, 10.05), borders_find(b, "EN"));
            borders_free(b);
        }
        if (f.live_blocks != 0 || f.live_bytes != 0)
            fail_msg("allocation %ld failing leaks %ld blocks (%zu bytes); status %d: %s", n, f.live_blocks,
                     f.live_bytes, st, d.message);
        if (st == BOGIE_OK)
            break;
        if (st != BOGIE_ERR_NOMEM || !strstr(d.message, "out of memory"))
            fail_msg("allocation %ld failing gives status %d: %s", n, st, d.message);
        assert_null(b);
        assert_true(n < 1000);
    }
    assert_true(n > 20); /* the loop did reach real allocation points, the antimeridian split's among them */
    free_small(&sf);

    /* The real data: count its allocations, then fail a few of them (each load parses 3.6 MB of JSON). */
    failing all = {-1, 0, 0, 0};
    bogie_allocator a = {failing_alloc, &all};
    borders *b = NULL;
    bogie_diag d = {0};
    assert_int_equal(borders_load(WORLD_JSON, WORLD_CSV, &a, &b, &d), BOGIE_OK);
    borders_free(b);
    assert_int_equal(all.live_blocks, 0);
    long total = all.allocations;
    long picks[] = {0, 1, total / 3, total / 2, total - 2, total - 1};
    for (size_t i = 0; i < ARRAY_LEN(picks); i++) {
        failing f = {picks[i], 0, 0, 0};
        bogie_allocator fa = {failing_alloc, &f};
        b = NULL;
        assert_int_equal(borders_load(WORLD_JSON, WORLD_CSV, &fa, &b, &d), BOGIE_ERR_NOMEM);
        assert_null(b);
        assert_int_equal(f.live_blocks, 0);
        assert_int_equal(f.live_bytes, 0);
    }
}

int main(void)
{
    const struct CMUnitTest world[] = {
        cmocka_unit_test(test_country_at),
        cmocka_unit_test(test_tumen),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_crossings),
        cmocka_unit_test(test_crossings_antimeridian),
    };
    const struct CMUnitTest files[] = {
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_failing_allocations),
    };
    int failed = cmocka_run_group_tests_name("borders on the world", world, setup_world, teardown_world);
    failed += cmocka_run_group_tests_name("borders on small files", files, NULL, NULL);
    return failed;
}
