/* test_network.c: opening graph files: a good file opens and reads back; damaged headers, checksums, offsets and
 * indices fail cleanly with a clear message; every single-byte flip and every truncation is caught or harmless; and
 * import and open survive an allocator that fails at every allocation in turn. */
#include "testutil.h"

#include "bogie.h"
#include "netfmt.h"
#include "network.h"

#include <xxhash.h>

static char net_path[4200];
static uint8_t *file_bytes;
static size_t file_len;

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
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(file_bytes);
    return 0;
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
            /* With checksums a flip is caught unless it lands in padding, which no checksum covers and nothing
             * reads; without them, the structure checks must still keep every read in bounds. */
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
    /* Only padding bytes may open: fewer than 8 per section. */
    assert_true(opened < 16 * 8 * 2);
    assert_true(rejected > 0);
    for (size_t len = 0; len < file_len; len++) {
        bogie_diag d = {0};
        assert_int_not_equal(open_copy(file_bytes, len, 0, &d), BOGIE_OK);
    }
    free(b);
}

/* An allocator that fails the Nth allocation and counts what is live. */
typedef struct failing {
    long countdown;
    long live_blocks;
    size_t live_bytes;
    long allocations;
} failing;

static void *failing_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    failing *f = ud;
    if (new_size == 0) {
        if (ptr) {
            f->live_blocks--;
            f->live_bytes -= old_size;
        }
        free(ptr);
        return NULL;
    }
    f->allocations++;
    if (f->countdown >= 0 && f->countdown-- == 0)
        return NULL;
    void *p = realloc(ptr, new_size);
    if (!p)
        return NULL;
    if (!ptr)
        f->live_blocks++;
    f->live_bytes = f->live_bytes - (ptr ? old_size : 0) + new_size;
    return p;
}

static void test_import_survives_failing_allocations(void **state)
{
    (void)state;
    const char *in = test_data("tiny/gauges.osm");
    char out[4200];
    snprintf(out, sizeof out, "%s/fault.bogie", test_tmpdir());
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
    for (n = 0;; n++) {
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
        cmocka_unit_test(test_every_byte_flip),
        cmocka_unit_test(test_import_survives_failing_allocations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
