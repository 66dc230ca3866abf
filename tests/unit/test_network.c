/* test_network.c: opening graph files: a good file opens and reads back; damaged headers, checksums, offsets and
 * indices fail cleanly with a clear message; every single-byte flip and every truncation is caught or harmless; and
 * import and open survive an allocator that fails at every allocation in turn. */
#include "testutil.h"

#include "bogie.h"
#include "net/netfmt.h"
#include "net/network.h"

#include <math.h>
#include <xxhash.h>

static char net_path[4200], corridor_path[4200];
static uint8_t *file_bytes, *corridor_bytes;
static size_t file_len, corridor_len;
static bogie_world *world;
static bogie_train armoured, freight;

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int setup(void **state)
{
    (void)state;
    snprintf(net_path, sizeof net_path, "%s/gauges.bogie", test_tmpdir());
    const char *in = test_data("tiny/gauges.osm");
    bogie_diag d = {0};
    if (bogie_import(&in, 1, net_path, NULL, &d) != BOGIE_OK) {
        fprintf(stderr, "import failed: %s\n", d.message);
        return -1;
    }
    file_bytes = read_all(net_path, &file_len);
    snprintf(corridor_path, sizeof corridor_path, "%s/corridor.bogie", test_tmpdir());
    const char *corridor = "data/corridor/corridor.osm";
    if (bogie_import(&corridor, 1, corridor_path, NULL, &d) != BOGIE_OK ||
        bogie_world_open("data", NULL, &world, &d) != BOGIE_OK ||
        bogie_train_load("data/trains/armoured.json", &armoured, &d) != BOGIE_OK ||
        bogie_train_load("data/trains/china-europe-freight.json", &freight, &d) != BOGIE_OK) {
        fprintf(stderr, "setup failed: %s\n", d.message);
        return -1;
    }
    corridor_bytes = read_all(corridor_path, &corridor_len);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(file_bytes);
    free(corridor_bytes);
    bogie_world_close(world);
    return 0;
}

/* Uses a network that opened: a planner, journeys by name and by coordinates, a train's hierarchy and a table.
 * Whatever they answer, a damaged network that passed validation must not make them crash or read out of bounds
 * (the sanitizer run checks the latter). */
static void exercise(const bogie_network *n, const char *from, const char *to, const char *point)
{
    bogie_planner *p;
    bogie_diag d;
    if (bogie_planner_new(n, world, NULL, &p, &d) != BOGIE_OK)
        return;
    const char *places[][2] = {{from, to}, {point, to}};
    for (size_t i = 0; i < 2; i++) {
        bogie_journey_request r;
        bogie_journey_request_init(&r);
        r.from = places[i][0];
        r.to = places[i][1];
        r.train = &armoured;
        r.depart = "2023-09-10 15:00";
        r.time_limit_s = 2;
        bogie_journey *j = NULL;
        if (bogie_plan(p, &r, &j, &d) == BOGIE_OK) {
            char *text = NULL;
            if (bogie_journey_write(j, BOGIE_FORMAT_JSON, &text) == BOGIE_OK)
                free(text);
            bogie_journey_free(j);
        }
    }
    if (bogie_planner_prepare(p, &freight, &d) == BOGIE_OK) {
        const char *src[] = {from, point}, *dst[] = {to, from};
        double dur[4], dist[4];
        bogie_table(p, &freight, src, 2, dst, 2, 2, dur, dist, &d);
    }
    bogie_planner_free(p);
}

/* Opens a modified copy of the file from memory. */
static bogie_status open_copy(const uint8_t *bytes, size_t len, unsigned flags, bogie_diag *d)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, bytes, len);
    bogie_network *n = NULL;
    bogie_status st = net_open_buffer("copy.bogie", copy, len, flags, NULL, &n, d);
    if (st == BOGIE_OK) {
        bogie_summary *s;
        assert_int_equal(bogie_network_summary(n, &s), BOGIE_OK);
        bogie_summary_free(n, s);
        exercise(n, "Alpha", "Beta", "50.0,8.03");
        net_close_buffer(n);
    }
    free(copy);
    return st;
}

static void test_good_file_opens(void **state)
{
    (void)state;
    bogie_network *n;
    bogie_diag d = {0};
    assert_int_equal(bogie_network_open(net_path, 0, NULL, &n, &d), BOGIE_OK);
    assert_int_equal(bogie_network_edge_count(n), 6);
    bogie_summary *s;
    assert_int_equal(bogie_network_summary(n, &s), BOGIE_OK);
    assert_int_equal(s->nodes, 7);
    assert_int_equal(s->stations, 2);
    assert_int_equal(s->n_breaks, 3);
    bogie_summary_free(n, s);
    bogie_network_close(n);
}

static void rehash_header(uint8_t *b)
{
    netfmt_header h;
    memcpy(&h, b, sizeof h);
    h.header_hash = 0;
    h.header_hash = XXH3_64bits(&h, sizeof h);
    memcpy(b, &h, sizeof h);
}

static void rehash_table(uint8_t *b)
{
    netfmt_header h;
    memcpy(&h, b, sizeof h);
    h.table_hash = XXH3_64bits(b + sizeof h, h.section_count * sizeof(netfmt_section));
    memcpy(b, &h, sizeof h);
    rehash_header(b);
}

static netfmt_section *find_section(uint8_t *b, uint32_t id)
{
    netfmt_header h;
    memcpy(&h, b, sizeof h);
    netfmt_section *t = (netfmt_section *)(b + sizeof h);
    for (uint32_t i = 0; i < h.section_count; i++)
        if (t[i].id == id)
            return &t[i];
    fail_msg("section %u not found", id);
    return NULL;
}

static void test_damaged_headers(void **state)
{
    (void)state;
    uint8_t *b = malloc(file_len);
    bogie_diag d = {0};

    memcpy(b, file_bytes, file_len);
    b[0] = 'X';
    assert_int_equal(open_copy(b, file_len, 0, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "copy.bogie: byte 0: not a bogie graph file"));

    memcpy(b, file_bytes, file_len);
    ((netfmt_header *)b)->major = 99;
    rehash_header(b);
    assert_int_equal(open_copy(b, file_len, 0, &d), BOGIE_ERR_VERSION);
    assert_non_null(strstr(d.message, "format version 99"));

    memcpy(b, file_bytes, file_len);
    ((netfmt_header *)b)->reserved[3] ^= 1;
    assert_int_equal(open_copy(b, file_len, 0, &d), BOGIE_ERR_CHECKSUM);
    assert_non_null(strstr(d.message, "header checksum"));

    assert_int_equal(open_copy(file_bytes, file_len - 8, 0, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "truncated"));
    assert_int_equal(open_copy(file_bytes, 10, 0, &d), BOGIE_ERR_GRAPH);

    /* The section table: an offset pointing past the end, with the checksums made to match. */
    memcpy(b, file_bytes, file_len);
    find_section(b, NETSEC_EDGES)->offset = file_len + 64;
    rehash_table(b);
    assert_int_equal(open_copy(b, file_len, 0, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "out of the file"));

    memcpy(b, file_bytes, file_len);
    find_section(b, NETSEC_EDGES)->offset += 4; /* misaligned */
    rehash_table(b);
    assert_int_equal(open_copy(b, file_len, 0, &d), BOGIE_ERR_GRAPH);

    memcpy(b, file_bytes, file_len);
    find_section(b, NETSEC_EDGES)->count += 1000;
    rehash_table(b);
    assert_int_equal(open_copy(b, file_len, 0, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "runs past the end"));

    memcpy(b, file_bytes, file_len);
    find_section(b, NETSEC_BREAKS)->id = 999; /* an unknown section is skipped, so BREAKS is missing */
    rehash_table(b);
    assert_int_equal(open_copy(b, file_len, 0, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "BREAKS is missing"));
    free(b);
}

static void test_damaged_contents(void **state)
{
    (void)state;
    uint8_t *b = malloc(file_len);
    bogie_diag d = {0};
    netfmt_section *s;

    /* A flipped byte in a section fails its checksum. */
    memcpy(b, file_bytes, file_len);
    s = find_section(b, NETSEC_EDGES);
    b[s->offset + 3] ^= 0x40;
    assert_int_equal(open_copy(b, file_len, 0, &d), BOGIE_ERR_CHECKSUM);
    assert_non_null(strstr(d.message, "checksum mismatch"));

    /* Without checksums, the same damage is caught by the index checks. */
    memcpy(b, file_bytes, file_len);
    s = find_section(b, NETSEC_EDGES);
    net_edge *e = (net_edge *)(b + s->offset);
    e[2].to = 5000;
    assert_int_equal(open_copy(b, file_len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "section EDGES record 2: node out of range"));

    memcpy(b, file_bytes, file_len);
    e = (net_edge *)(b + find_section(b, NETSEC_EDGES)->offset);
    e[0].geom_count = 100000;
    assert_int_equal(open_copy(b, file_len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "geometry range"));

    memcpy(b, file_bytes, file_len);
    net_station *st = (net_station *)(b + find_section(b, NETSEC_STATIONS)->offset);
    st[1].name = 0x7fffffff;
    assert_int_equal(open_copy(b, file_len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "STATIONS record 1"));

    /* A station attached to no node (once followed into the node arrays by `bogie route` and the server). */
    memcpy(b, file_bytes, file_len);
    st = (net_station *)(b + find_section(b, NETSEC_STATIONS)->offset);
    st[0].node = BOGIE_NONE;
    assert_int_equal(open_copy(b, file_len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "STATIONS record 0: the station is attached to no node"));

    memcpy(b, file_bytes, file_len);
    uint32_t *adj = (uint32_t *)(b + find_section(b, NETSEC_ADJ)->offset);
    adj[0] ^= 1; /* the half-edge now claims the wrong end of its edge */
    assert_int_equal(open_copy(b, file_len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);

    memcpy(b, file_bytes, file_len);
    s = find_section(b, NETSEC_STRINGS);
    b[s->offset + s->count - 1] = 'x'; /* strings must end with NUL */
    assert_int_equal(open_copy(b, file_len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);
    free(b);
}

/* A border crossing from or to "no country", or from a country to itself: once read as countries[-1] by the journey's
 * border stop (found by fuzz_network; tests/data/fuzz/network/crossing-from-no-country). The corridor crosses KP -> RU. */
static void test_crossing_countries_checked(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/corridor-borders.bogie", test_tmpdir());
    bogie_diag d = {0};
    assert_int_equal(test_import("data/corridor/corridor.osm", path, 1, &d), BOGIE_OK);
    size_t len;
    uint8_t *good = read_all(path, &len), *b = malloc(len);
    assert_int_equal(open_copy(good, len, 0, &d), BOGIE_OK);
    for (int damage = 0; damage < 3; damage++) {
        memcpy(b, good, len);
        netfmt_section *s = find_section(b, NETSEC_CROSSINGS);
        assert_true(s->count > 0);
        net_crossing *x = (net_crossing *)(b + s->offset);
        if (damage == 0)
            x[0].from = 0;
        else if (damage == 1)
            x[0].to = 0;
        else
            x[0].to = x[0].from;
        assert_int_equal(open_copy(b, len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);
        assert_non_null(strstr(d.message, "section CROSSINGS record 0: a field is out of range"));
    }
    free(b);
    free(good);
}

/* A three-node line whose first two nodes carry ele=*, imported into the test's scratch directory; *len gets the
 * file's size and the caller frees the bytes. */
static uint8_t *import_elevated(size_t *len)
{
    char osm[4200], out[4200];
    snprintf(osm, sizeof osm, "%s/ele.osm", test_tmpdir());
    snprintf(out, sizeof out, "%s/ele.bogie", test_tmpdir());
    FILE *f = fopen(osm, "w");
    assert_non_null(f);
    fputs("<osm version=\"0.6\">\n"
          "<node id=\"1\" lat=\"50.0\" lon=\"8.0\"><tag k=\"ele\" v=\"120.5\"/></node>\n"
          "<node id=\"2\" lat=\"50.0\" lon=\"8.01\"><tag k=\"ele\" v=\"130 m\"/></node>\n"
          "<node id=\"3\" lat=\"50.0\" lon=\"8.02\"/>\n"
          "<way id=\"1\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/><tag k=\"railway\" v=\"rail\"/></way>\n"
          "</osm>\n",
          f);
    fclose(f);
    const char *in = osm;
    bogie_diag d = {0};
    assert_int_equal(bogie_import(&in, 1, out, NULL, &d), BOGIE_OK);
    return read_all(out, len);
}

static void test_elevations(void **state)
{
    (void)state;
    /* A file without elevations has no ELEV section and opens with none. */
    const netfmt_section *t = (const netfmt_section *)(file_bytes + sizeof(netfmt_header));
    for (uint32_t i = 0; i < ((const netfmt_header *)file_bytes)->section_count; i++)
        assert_int_not_equal(t[i].id, NETSEC_ELEV);
    bogie_network *n = NULL;
    bogie_diag d = {0};
    assert_int_equal(net_open_buffer("gauges.bogie", file_bytes, file_len, 0, NULL, &n, &d), BOGIE_OK);
    assert_null(n->elev);
    net_close_buffer(n);
    /* With them: one per point, NaN where the node had none, and format 2.2. */
    size_t len;
    uint8_t *b = import_elevated(&len);
    assert_int_equal(((const netfmt_header *)b)->minor, 2);
    assert_int_equal(net_open_buffer("ele.bogie", b, len, 0, NULL, &n, &d), BOGIE_OK);
    assert_non_null(n->elev);
    assert_int_equal(n->n_geom, 3);
    assert_near(n->elev[0], 120.5, 0);
    assert_near(n->elev[1], 130, 0);
    assert_true(isnan(n->elev[2]));
    net_close_buffer(n);
    /* An elevation off the Earth, and a count that does not match the points, are refused. */
    netfmt_section *s = find_section(b, NETSEC_ELEV);
    float *z = (float *)(b + s->offset);
    z[1] = 1e6f;
    assert_int_equal(open_copy(b, len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "section ELEV record 1"));
    z[1] = 130;
    s->count = 2;
    rehash_table(b);
    assert_int_equal(open_copy(b, len, BOGIE_OPEN_SKIP_CHECKSUM, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "section ELEV has 2 elevations for 3 points"));
    free(b);
}

static void test_every_byte_flip(void **state)
{
    (void)state;
    uint8_t *b = malloc(file_len);
    size_t opened = 0, rejected = 0;
    for (size_t i = 0; i < file_len; i++) {
        for (int pass = 0; pass < 2; pass++) {
            memcpy(b, file_bytes, file_len);
            b[i] ^= pass ? 0x01 : 0xFF;
            bogie_diag d = {0};
            /* With checksums every flip is caught: the padding, which no checksum covers, must be zero; without
             * them, the structure checks must still keep every read in bounds. */
            bogie_status st = open_copy(b, file_len, 0, &d);
            if (st == BOGIE_OK)
                opened++;
            else {
                rejected++;
                assert_true(strlen(d.message) > 0);
            }
            open_copy(b, file_len, BOGIE_OPEN_SKIP_CHECKSUM, &d);
        }
    }
    assert_int_equal(opened, 0);
    assert_true(rejected > 0);
    for (size_t len = 0; len < file_len; len++) {
        bogie_diag d = {0};
        assert_int_not_equal(open_copy(file_bytes, len, 0, &d), BOGIE_OK);
    }
    free(b);
}

/* The threaded verification (which the open of a file of 16 MiB or more uses) answers as the one on the calling
 * thread does: the same status and message for the corridor as written, for a flip of every fifth byte, with and
 * without checksums (so that a checksum mismatch still wins over a fault of the contents, and the first fault in the
 * order of the checks over later ones); and a byte of padding set is refused by name. */
static void test_threaded_verification(void **state)
{
    (void)state;
    uint8_t *b = malloc(corridor_len);
    size_t differ = 0, refused = 0;
    for (size_t at = 0; at <= corridor_len; at += 5) {
        memcpy(b, corridor_bytes, corridor_len);
        if (at < corridor_len)
            b[at] ^= 0xff;
        for (unsigned skip = 0; skip <= BOGIE_OPEN_SKIP_CHECKSUM; skip += BOGIE_OPEN_SKIP_CHECKSUM) {
            bogie_diag d1 = {0}, d2 = {0};
            bogie_network *n1 = NULL, *n2 = NULL;
            bogie_status s1 = net_open_buffer("flipped.bogie", b, corridor_len, skip, NULL, &n1, &d1);
            bogie_status s2 = net_open_buffer("flipped.bogie", b, corridor_len, skip | NET_OPEN_THREADED, NULL, &n2, &d2);
            differ += s1 != s2 || (s1 != BOGIE_OK && strcmp(d1.message, d2.message) != 0);
            refused += s1 != BOGIE_OK;
            net_close_buffer(n1);
            net_close_buffer(n2);
        }
    }
    assert_int_equal(differ, 0);
    assert_true(refused > corridor_len / 5); /* every flip with checksums, and many without */
    /* The padding after the header and the table, before the first section. */
    memcpy(b, corridor_bytes, corridor_len);
    const netfmt_header *h = (const netfmt_header *)b;
    const netfmt_section *t = (const netfmt_section *)(b + sizeof *h);
    uint64_t first = t[0].offset;
    for (uint32_t i = 1; i < h->section_count; i++)
        first = t[i].offset < first ? t[i].offset : first;
    uint64_t pad = sizeof *h + h->section_count * sizeof *t;
    assert_true(pad < first);
    b[pad] = 1;
    bogie_diag d = {0};
    bogie_network *n = NULL;
    assert_int_equal(net_open_buffer("padded.bogie", b, corridor_len, BOGIE_OPEN_SKIP_CHECKSUM | NET_OPEN_THREADED,
                                     NULL, &n, &d), BOGIE_ERR_GRAPH);
    assert_non_null(strstr(d.message, "padding between sections is not zero"));
    free(b);
}

/* Damages byte at of the corridor's copy b with mask, opens it without checksums and, when it opens, plans on it;
 * then opens it again with checksums. Counts the outcomes in c: [0] opened without checksums (and planned on), [1]
 * refused by the structure checks, [2] opened with checksums verified (none should). */
static void flip_and_route(uint8_t *b, size_t at, uint8_t mask, size_t c[3])
{
    memcpy(b, corridor_bytes, corridor_len);
    b[at] ^= mask;
    bogie_network *n = NULL;
    bogie_diag d = {0};
    if (net_open_buffer("flipped.bogie", b, corridor_len, BOGIE_OPEN_SKIP_CHECKSUM, NULL, &n, &d) == BOGIE_OK) {
        c[0]++;
        exercise(n, "Pyongyang", "Vladivostok", "42.43,130.64");
        net_close_buffer(n);
    } else {
        c[1]++;
        assert_true(strlen(d.message) > 0);
    }
    memcpy(b, corridor_bytes, corridor_len);
    b[at] ^= mask;
    if (net_open_buffer("flipped.bogie", b, corridor_len, 0, NULL, &n, &d) == BOGIE_OK) {
        c[2]++;
        net_close_buffer(n);
    } else {
        assert_true(strlen(d.message) > 0);
    }
}

/* The corridor network, with many random bytes flipped one at a time and opened without checksums, so that only the
 * structure checks stand between the damage and the planner: every file that opens must plan without crashing.
 * With BOGIE_FLIP_SWEEP=full (`make soak`), every byte of the file is flipped in turn instead (all eight bits), and a
 * line "# flip sweep: ..." gives the counts. */
static void test_random_flips_then_route(void **state)
{
    (void)state;
    uint8_t *b = malloc(corridor_len);
    size_t c[3] = {0, 0, 0};
    const char *sweep = getenv("BOGIE_FLIP_SWEEP");
    if (sweep && strcmp(sweep, "full") == 0) {
        for (size_t at = 0; at < corridor_len; at++)
            flip_and_route(b, at, 0xff, c);
        print_message("# flip sweep: %zu bytes flipped one at a time; without checksums %zu opened and were planned on, "
                      "%zu were refused by the structure checks; with checksums %zu opened\n",
                      corridor_len, c[0], c[1], c[2]);
        /* Nothing may open with checksums verified: the header and the section table are covered by their own
         * checksums, each section by its own, and the padding between them must be zero. */
        assert_int_equal(c[2], 0);
    } else {
        uint32_t seed = 12345;
        for (int i = 0; i < 600; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 4) % corridor_len;
            seed = seed * 1103515245u + 12345u;
            flip_and_route(b, at, (uint8_t)(1u << ((seed >> 16) % 8)), c);
        }
        print_message("# %zu of 600 damaged corridor files opened without checksums and were routed on\n", c[0]);
    }
    /* Truncations at many lengths are refused, with and without checksums. */
    for (size_t len = 0; len < corridor_len; len += 1 + len / 7) {
        bogie_network *n = NULL;
        bogie_diag d = {0};
        assert_int_not_equal(net_open_buffer("cut.bogie", corridor_bytes, len, BOGIE_OPEN_SKIP_CHECKSUM, NULL, &n, &d),
                             BOGIE_OK);
        assert_int_not_equal(net_open_buffer("cut.bogie", corridor_bytes, len, 0, NULL, &n, &d), BOGIE_OK);
    }
    free(b);
}

/* Imports the test input rel with an allocator that fails the Nth allocation, for every N until the import
 * succeeds (into out), checking each failure's status, message and leaks. */
static void import_with_failures(const char *rel, const char *out)
{
    const char *in = test_data(rel);
    long n;
    for (n = 0;; n++) {
        failing f = {n, 0, 0, 0};
        bogie_allocator a = {failing_alloc, &f};
        bogie_import_options o;
        bogie_import_options_init(&o);
        o.alloc = &a;
        bogie_diag d = {0};
        bogie_status st = bogie_import(&in, 1, out, &o, &d);
        if (f.live_blocks != 0 || f.live_bytes != 0)
            fail_msg("allocation %ld failing leaks %ld blocks (%zu bytes); status %d: %s", n, f.live_blocks,
                     f.live_bytes, st, d.message);
        if (st == BOGIE_OK)
            break;
        if (st != BOGIE_ERR_NOMEM)
            fail_msg("allocation %ld failing gives status %d, not BOGIE_ERR_NOMEM: %s", n, st, d.message);
        if (!strstr(d.message, "out of memory"))
            fail_msg("allocation %ld failing gives the message \"%s\"", n, d.message);
        if (n > 100000)
            fail_msg("import never succeeded");
    }
    assert_true(n > 20); /* the loop did fail real allocation points */
}

static void test_import_survives_failing_allocations(void **state)
{
    (void)state;
    char out[4200];
    snprintf(out, sizeof out, "%s/fault.bogie", test_tmpdir());
    /* stations.osm: stations of stop positions, platforms and a stop area, merged and attached. */
    import_with_failures("tiny/stations.osm", out);
    import_with_failures("tiny/gauges.osm", out);
    for (long n = 0;; n++) {
        failing f = {n, 0, 0, 0};
        bogie_allocator a = {failing_alloc, &f};
        bogie_network *net = NULL;
        bogie_diag d = {0};
        bogie_status st = bogie_network_open(out, 0, &a, &net, &d);
        if (st == BOGIE_OK) {
            bogie_summary *s;
            st = bogie_network_summary(net, &s);
            if (st == BOGIE_OK)
                bogie_summary_free(net, s);
            bogie_network_close(net);
            assert_int_equal(f.live_blocks, 0);
            if (st == BOGIE_OK)
                break;
            assert_int_equal(st, BOGIE_ERR_NOMEM);
            continue;
        }
        assert_int_equal(st, BOGIE_ERR_NOMEM);
        assert_int_equal(f.live_blocks, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file_opens),
        cmocka_unit_test(test_damaged_headers),
        cmocka_unit_test(test_damaged_contents),
        cmocka_unit_test(test_crossing_countries_checked),
        cmocka_unit_test(test_elevations),
        cmocka_unit_test(test_every_byte_flip),
        cmocka_unit_test(test_random_flips_then_route),
        cmocka_unit_test(test_threaded_verification),
        cmocka_unit_test(test_import_survives_failing_allocations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
