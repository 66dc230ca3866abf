/* test_pbf.c: tests of the native PBF reader (osm_pbf.c): a differential comparison with readosm on real extracts,
 * hand-built files for every kind of object and field, error messages, damaged input, sink cancellation and failing
 * allocations. */
#include "testutil.h"

#include "osm/osm.h"
#include "base/util.h"

#include <libdeflate.h>
#include <readosm.h>

#include <inttypes.h>
#include <math.h>
#include <unistd.h>

static const char *const fixtures[] = {"osm/Helsinki.osm.pbf", "osm/cologne-railway.osm.pbf",
                                       "osm/vde8.2-rail.osm.pbf"};

/* ---------------------------------------------------------------------------------------------------------------
 * Helpers: whole files in memory, and a little protobuf writer.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void b_put(buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void b_free(buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static void b_varint(buf *b, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;
    do {
        t[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    b_put(b, t, n);
}

static uint64_t zz(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void b_key(buf *b, unsigned field, unsigned wt)
{
    b_varint(b, (uint64_t)field << 3 | wt);
}

static void b_uint(buf *b, unsigned field, uint64_t v)
{
    b_key(b, field, 0);
    b_varint(b, v);
}

static void b_sint(buf *b, unsigned field, int64_t v)
{
    b_uint(b, field, zz(v));
}

static void b_bytes(buf *b, unsigned field, const void *d, size_t n)
{
    b_key(b, field, 2);
    b_varint(b, n);
    b_put(b, d, n);
}

static void b_str(buf *b, unsigned field, const char *s)
{
    b_bytes(b, field, s, strlen(s));
}

/* Appends sub as a length-delimited field and frees it. */
static void b_msg(buf *b, unsigned field, buf *sub)
{
    b_bytes(b, field, sub->p, sub->n);
    b_free(sub);
}

/* Appends n values as a packed field: zigzag-coded (and delta-coded when delta) if sint, plain varints otherwise. */
static void b_packed(buf *b, unsigned field, const int64_t *v, size_t n, int sint, int delta)
{
    buf t = {0};
    int64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t x = delta ? v[i] - prev : v[i];
        prev = v[i];
        b_varint(&t, sint ? zz(x) : (uint64_t)x);
    }
    b_key(b, field, 2);
    b_varint(b, t.n);
    b_put(b, t.p, t.n);
    b_free(&t);
}

/* Appends one blob frame holding block (freed) to file: raw, zlib-compressed, or with zstd_data when method is 7. */
static void b_frame(buf *file, const char *type, buf *block, int method)
{
    buf blob = {0}, hdr = {0};
    if (method == 3) {
        struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
        assert_non_null(c);
        size_t cap = libdeflate_zlib_compress_bound(c, block->n);
        uint8_t *z = malloc(cap);
        assert_non_null(z);
        size_t zn = libdeflate_zlib_compress(c, block->p, block->n, z, cap);
        assert_true(zn > 0);
        b_uint(&blob, 2, block->n);
        b_bytes(&blob, 3, z, zn);
        free(z);
        libdeflate_free_compressor(c);
    } else if (method == 1) {
        b_bytes(&blob, 1, block->p, block->n);
        b_uint(&blob, 2, block->n);
    } else {
        b_uint(&blob, 2, block->n);
        b_bytes(&blob, (unsigned)method, block->p, block->n);
    }
    b_str(&hdr, 1, type);
    b_uint(&hdr, 3, blob.n);
    uint8_t be[4] = {(uint8_t)(hdr.n >> 24), (uint8_t)(hdr.n >> 16), (uint8_t)(hdr.n >> 8), (uint8_t)hdr.n};
    b_put(file, be, 4);
    b_put(file, hdr.p, hdr.n);
    b_put(file, blob.p, blob.n);
    b_free(&hdr);
    b_free(&blob);
    b_free(block);
}

/* Appends an OSMHeader blob requiring the given features (NULL-terminated list). */
static void b_header(buf *file, const char *const *required)
{
    buf h = {0};
    for (size_t i = 0; required[i]; i++)
        b_str(&h, 4, required[i]);
    b_str(&h, 5, "LocationsOnWays");
    b_str(&h, 16, "test_pbf");
    b_frame(file, "OSMHeader", &h, 1);
}

static const char *const std_features[] = {"OsmSchema-V0.6", "DenseNodes", NULL};

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *d = malloc((size_t)n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return d;
}

static void write_file(const char *path, const void *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(d, 1, n, f), n);
    fclose(f);
}

/* Test-side protobuf reading, for walking the frames of real files. */
static uint64_t t_varint(const uint8_t **p)
{
    uint64_t v = 0;
    for (unsigned s = 0;; s += 7) {
        uint8_t c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << s;
        if (c < 0x80)
            return v;
    }
}

typedef struct frame {
    size_t pos;               /* offset of the length prefix */
    size_t blob_pos, blob_n;  /* the Blob message */
    size_t data_pos, data_n;  /* the Blob's raw or zlib_data payload */
    int zlib;
    size_t raw_size;
    char type[16];
} frame;

/* Splits the PBF in d into at most max frames; returns how many there are. */
static size_t walk_frames(const uint8_t *d, size_t len, frame *out, size_t max)
{
    size_t n = 0, pos = 0;
    while (pos < len && n < max) {
        frame *f = &out[n++];
        memset(f, 0, sizeof *f);
        f->pos = pos;
        size_t hlen = (size_t)d[pos] << 24 | (size_t)d[pos + 1] << 16 | (size_t)d[pos + 2] << 8 | d[pos + 3];
        const uint8_t *p = d + pos + 4, *end = p + hlen;
        while (p < end) {
            uint64_t key = t_varint(&p);
            if ((key & 7) == 2) {
                size_t l = (size_t)t_varint(&p);
                if (key >> 3 == 1)
                    snprintf(f->type, sizeof f->type, "%.*s", (int)l, (const char *)p);
                p += l;
            } else {
                uint64_t v = t_varint(&p);
                if (key >> 3 == 3)
                    f->blob_n = (size_t)v;
            }
        }
        f->blob_pos = pos + 4 + hlen;
        p = d + f->blob_pos;
        end = p + f->blob_n;
        while (p < end) {
            uint64_t key = t_varint(&p);
            if ((key & 7) == 2) {
                size_t l = (size_t)t_varint(&p);
                f->data_pos = (size_t)(p - d);
                f->data_n = l;
                f->zlib = key >> 3 == 3;
                p += l;
            } else {
                uint64_t v = t_varint(&p);
                if (key >> 3 == 2)
                    f->raw_size = (size_t)v;
            }
        }
        pos = f->blob_pos + f->blob_n;
    }
    return n;
}

/* Re-encodes the frames [first, first + count) of the PBF d (and its header frame 0) with raw blobs, so that damage
 * reaches the protobuf decoder rather than stopping at zlib. */
static void raw_copy(const uint8_t *d, size_t len, const size_t *which, size_t n_which, buf *out)
{
    frame fr[256];
    size_t n = walk_frames(d, len, fr, ARRAY_LEN(fr));
    struct libdeflate_decompressor *dec = libdeflate_alloc_decompressor();
    assert_non_null(dec);
    for (size_t k = 0; k < n_which; k++) {
        assert_true(which[k] < n);
        const frame *f = &fr[which[k]];
        buf block = {0};
        if (f->zlib) {
            block.p = malloc(f->raw_size);
            block.n = block.cap = f->raw_size;
            assert_int_equal(libdeflate_zlib_decompress(dec, d + f->data_pos, f->data_n, block.p, f->raw_size, NULL),
                             LIBDEFLATE_SUCCESS);
        } else {
            b_put(&block, d + f->data_pos, f->data_n);
        }
        b_frame(out, f->type, &block, 1);
    }
    libdeflate_free_decompressor(dec);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Canonical dumps: one line per object, from either reader.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct dump {
    strbuf sb;
    uint64_t nodes, ways, relations;
    int with_coords; /* also print way coordinates (native reader only) */
} dump;

static void dump_tags(dump *d, const char *const *kv, size_t n)
{
    sb_puts(&d->sb, " |");
    for (size_t i = 0; i < n; i++)
        sb_printf(&d->sb, " %s=%s", kv[2 * i], kv[2 * i + 1]);
    sb_puts(&d->sb, "\n");
}

static bogie_status d_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags, size_t n_tags)
{
    dump *d = ud;
    d->nodes++;
    sb_printf(&d->sb, "n %" PRId64 " %" PRId32 " %" PRId32, id, lat, lon);
    dump_tags(d, (const char *const *)tags, n_tags);
    return BOGIE_OK;
}

static bogie_status d_way(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const int32_t *coords,
                          const osm_tag *tags, size_t n_tags)
{
    dump *d = ud;
    d->ways++;
    sb_printf(&d->sb, "w %" PRId64, id);
    for (size_t i = 0; i < n_refs; i++)
        sb_printf(&d->sb, " %" PRId64, refs[i]);
    if (d->with_coords) {
        if (!coords)
            sb_puts(&d->sb, " nocoords");
        for (size_t i = 0; coords && i < n_refs; i++)
            sb_printf(&d->sb, " (%" PRId32 ",%" PRId32 ")", coords[2 * i], coords[2 * i + 1]);
    }
    dump_tags(d, (const char *const *)tags, n_tags);
    return BOGIE_OK;
}

static bogie_status d_relation(void *ud, int64_t id, const osm_member *members, size_t n_members,
                               const osm_tag *tags, size_t n_tags)
{
    dump *d = ud;
    d->relations++;
    sb_printf(&d->sb, "r %" PRId64, id);
    for (size_t i = 0; i < n_members; i++)
        sb_printf(&d->sb, " %c%" PRId64 "@%s", members[i].type, members[i].ref, members[i].role);
    dump_tags(d, (const char *const *)tags, n_tags);
    return BOGIE_OK;
}

static const osm_sink dump_sink = {NULL, d_node, d_way, d_relation, NULL};

/* readosm passes readosm_tag arrays, which have the same layout as osm_tag: two string pointers. */
static void ro_tags(dump *d, const readosm_tag *tags, int n)
{
    sb_puts(&d->sb, " |");
    for (int i = 0; i < n; i++)
        sb_printf(&d->sb, " %s=%s", tags[i].key, tags[i].value);
    sb_puts(&d->sb, "\n");
}

static int ro_node(const void *ud, const readosm_node *n)
{
    dump *d = (dump *)ud;
    d->nodes++;
    sb_printf(&d->sb, "n %lld %ld %ld", n->id, lround(n->latitude * 1e7), lround(n->longitude * 1e7));
    ro_tags(d, n->tags, n->tag_count);
    return READOSM_OK;
}

static int ro_way(const void *ud, const readosm_way *w)
{
    dump *d = (dump *)ud;
    d->ways++;
    sb_printf(&d->sb, "w %lld", w->id);
    for (int i = 0; i < w->node_ref_count; i++)
        sb_printf(&d->sb, " %lld", w->node_refs[i]);
    ro_tags(d, w->tags, w->tag_count);
    return READOSM_OK;
}

static int ro_relation(const void *ud, const readosm_relation *r)
{
    dump *d = (dump *)ud;
    d->relations++;
    sb_printf(&d->sb, "r %lld", r->id);
    for (int i = 0; i < r->member_count; i++) {
        const readosm_member *m = &r->members[i];
        char t = m->member_type == READOSM_MEMBER_NODE ? 'n' : m->member_type == READOSM_MEMBER_WAY ? 'w'
               : m->member_type == READOSM_MEMBER_RELATION ? 'r' : '?';
        sb_printf(&d->sb, " %c%lld@%s", t, m->id, m->role ? m->role : "");
    }
    ro_tags(d, r->tags, r->tag_count);
    return READOSM_OK;
}

/* Fails naming the first line where the two dumps differ. */
static void assert_same_dump(const char *what, const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return;
    size_t line = 1, i = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '\n')
            line++;
        i++;
    }
    while (i > 0 && a[i - 1] != '\n')
        i--;
    fail_msg("%s: dumps differ at line %zu:\n native:  %.200s\n readosm: %.200s", what, line, a + i, b + i);
}

static void test_differential_readosm(void **state)
{
    (void)state;
    static const uint64_t expect[][3] = {{24260, 5130, 620}, {60035, 8358, 0}, {13031, 1823, 0}};
    for (size_t k = 0; k < ARRAY_LEN(fixtures); k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s", test_data(fixtures[k]));
        dump mine = {0}, theirs = {0};
        sb_init(&mine.sb, NULL);
        sb_init(&theirs.sb, NULL);
        osm_sink sink = dump_sink;
        sink.ud = &mine;
        bogie_diag diag = {0};
        bogie_status st = osm_read_pbf(path, &sink, NULL, &diag);
        if (st != BOGIE_OK)
            fail_msg("%s: %s", path, diag.message);

        const void *h = NULL;
        int rc = readosm_open(path, &h);
        if (rc == READOSM_OK)
            rc = readosm_parse(h, &theirs, ro_node, ro_way, ro_relation);
        readosm_close(h);
        assert_int_equal(rc, READOSM_OK);
        assert_false(mine.sb.failed);
        assert_false(theirs.sb.failed);

        assert_int_equal(mine.nodes, expect[k][0]);
        assert_int_equal(mine.ways, expect[k][1]);
        assert_int_equal(mine.relations, expect[k][2]);
        assert_int_equal(theirs.nodes, expect[k][0]);
        assert_int_equal(theirs.ways, expect[k][1]);
        assert_int_equal(theirs.relations, expect[k][2]);
        assert_same_dump(path, mine.sb.s, theirs.sb.s);
        sb_free(&mine.sb);
        sb_free(&theirs.sb);
    }
}

/* Reads the in-memory PBF d through the dump sink into *out (a string to free()); returns the status. */
static bogie_status dump_buffer(const char *name, const uint8_t *d, size_t n, char **out, bogie_diag *diag)
{
    dump dd = {0};
    dd.with_coords = 1;
    sb_init(&dd.sb, NULL);
    sb_puts(&dd.sb, "");
    osm_sink sink = dump_sink;
    sink.ud = &dd;
    bogie_status st = osm_read_pbf_buffer(name, d, n, &sink, NULL, diag);
    *out = dd.sb.s;
    return st;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Hand-built files.
 * ------------------------------------------------------------------------------------------------------------- */

enum { S_EMPTY, S_RAILWAY, S_RAIL, S_NAME, S_ZURICH, S_GAUGE, S_1435, S_OUTER, S_INNER, S_COUNT };
static const char *const strings[S_COUNT] = {"", "railway", "rail", "name", "Z\xc3\xbcrich HB", "gauge", "1435",
                                             "outer", "inner"};

static void b_stringtable(buf *block)
{
    buf st = {0};
    for (size_t i = 0; i < S_COUNT; i++)
        b_str(&st, 1, strings[i]);
    b_msg(block, 1, &st);
}

/* Appends unknown fields of every supported wire type to m. */
static void b_unknown_fields(buf *m)
{
    b_uint(m, 90, 12345);
    b_key(m, 91, 1);
    b_put(m, "\1\2\3\4\5\6\7\x88", 8);
    b_key(m, 92, 5);
    b_put(m, "\xff\xff\xff\xff", 4);
    b_str(m, 93, "ignored");
}

/* A file with every kind of object: dense and plain nodes, ways with and without locations, a relation, two blocks
 * with unusual granularity and offsets, unknown fields, an unknown blob type and a changeset group. */
static void build_full_file(buf *file)
{
    b_header(file, std_features);

    /* Block 1, zlib: default granularity. */
    buf block = {0}, group = {0}, dense = {0}, node = {0}, way = {0}, rel = {0}, info = {0};
    b_stringtable(&block);
    int64_t ids[] = {1, 2, 3, 1000};
    int64_t lats[] = {473779000, -338688000, 900000000, -900000000};
    int64_t lons[] = {85402000, 1512093000, -1800000000, 1800000000};
    int64_t kv[] = {S_RAILWAY, S_RAIL, S_NAME, S_ZURICH, 0, 0, S_GAUGE, S_1435, 0, 0};
    b_packed(&dense, 1, ids, 4, 1, 1);
    b_uint(&info, 1, 7);
    b_msg(&dense, 5, &info);
    b_packed(&dense, 8, lats, 4, 1, 1);
    b_packed(&dense, 9, lons, 4, 1, 1);
    b_packed(&dense, 10, kv, ARRAY_LEN(kv), 0, 0);
    b_unknown_fields(&dense);
    b_msg(&group, 2, &dense);
    b_msg(&block, 2, &group);

    /* A plain node with a negative id, tags and unknown fields. */
    b_sint(&node, 1, -5);
    int64_t keys[] = {S_RAILWAY, S_NAME}, vals[] = {S_RAIL, S_EMPTY};
    b_packed(&node, 2, keys, 2, 0, 0);
    b_packed(&node, 3, vals, 2, 0, 0);
    b_unknown_fields(&node);
    b_sint(&node, 8, -123456789);
    b_sint(&node, 9, 987654321);
    b_msg(&group, 1, &node);
    b_msg(&block, 2, &group);

    /* Ways: one with locations (one of them missing, as osmium writes it), one without. */
    int64_t refs[] = {1, 2, -5};
    int64_t wlat[] = {473779000, -338688000, 2147483647}, wlon[] = {85402000, 1512093000, 2147483647};
    b_uint(&way, 1, 10);
    b_packed(&way, 2, keys, 1, 0, 0);
    b_packed(&way, 3, vals, 1, 0, 0);
    b_packed(&way, 8, refs, 3, 1, 1);
    b_packed(&way, 9, wlat, 3, 1, 1);
    b_packed(&way, 10, wlon, 3, 1, 1);
    b_msg(&group, 3, &way);
    b_uint(&way, 1, 11);
    b_packed(&way, 8, refs, 2, 1, 1);
    b_unknown_fields(&way);
    b_msg(&group, 3, &way);
    b_msg(&block, 2, &group);

    /* A relation with members of each type, and a changeset group that is skipped. */
    int64_t roles[] = {S_OUTER, S_EMPTY, S_INNER}, memids[] = {1, 10, 21}, types[] = {0, 1, 2};
    b_uint(&rel, 1, 20);
    int64_t rk[] = {S_GAUGE}, rv[] = {S_1435};
    b_packed(&rel, 2, rk, 1, 0, 0);
    b_packed(&rel, 3, rv, 1, 0, 0);
    b_packed(&rel, 8, roles, 3, 0, 0);
    b_packed(&rel, 9, memids, 3, 1, 1);
    b_packed(&rel, 10, types, 3, 0, 0);
    b_msg(&group, 4, &rel);
    buf cs = {0};
    b_uint(&cs, 1, 99);
    b_msg(&group, 5, &cs);
    b_msg(&block, 2, &group);
    b_unknown_fields(&block);
    b_frame(file, "OSMData", &block, 3);

    /* An unknown blob type, which readers skip. */
    buf junk = {0};
    b_str(&junk, 1, "whatever");
    b_frame(file, "SomethingElse", &junk, 1);

    /* Block 2, raw: granularity 1 (nanodegrees), so rounding shows; the settings come after the group. */
    int64_t ids2[] = {100, 101, 102};
    int64_t lats2[] = {-150, 50, -149}, lons2[] = {149, -50, 151};
    b_packed(&dense, 1, ids2, 3, 1, 1);
    b_packed(&dense, 8, lats2, 3, 1, 1);
    b_packed(&dense, 9, lons2, 3, 1, 1);
    b_msg(&group, 2, &dense);
    b_msg(&block, 2, &group);
    b_stringtable(&block);
    b_uint(&block, 17, 1);
    b_frame(file, "OSMData", &block, 1);

    /* Block 3: granularity 1000 and offsets. */
    int64_t ids3[] = {200}, lats3[] = {1}, lons3[] = {-2};
    b_packed(&dense, 1, ids3, 1, 1, 1);
    b_packed(&dense, 8, lats3, 1, 1, 1);
    b_packed(&dense, 9, lons3, 1, 1, 1);
    b_msg(&group, 2, &dense);
    b_stringtable(&block);
    b_uint(&block, 17, 1000);
    b_uint(&block, 19, (uint64_t)(int64_t)-7);
    b_uint(&block, 20, 5000000000ull);
    b_msg(&block, 2, &group);
    b_frame(file, "OSMData", &block, 3);
}

static void test_handmade_file(void **state)
{
    (void)state;
    buf file = {0};
    build_full_file(&file);
    char *out = NULL;
    bogie_diag diag = {0};
    bogie_status st = dump_buffer("full.osm.pbf", file.p, file.n, &out, &diag);
    if (st != BOGIE_OK)
        fail_msg("%s", diag.message);
    const char *expect =
        "n 1 473779000 85402000 | railway=rail name=Z\xc3\xbcrich HB\n"
        "n 2 -338688000 1512093000 |\n"
        "n 3 900000000 -1800000000 | gauge=1435\n"
        "n 1000 -900000000 1800000000 |\n"
        "n -5 -123456789 987654321 | railway=rail name=\n"
        "w 10 1 2 -5 (473779000,85402000) (-338688000,1512093000) (-2147483648,-2147483648) | railway=rail\n"
        "w 11 1 2 nocoords |\n"
        "r 20 n1@outer w10@ r21@inner | gauge=1435\n"
        /* Nanodegrees -150, 50, -149 and 149, -50, 151, rounded half away from zero to 1e-7 degrees. */
        "n 100 -2 1 |\n"
        "n 101 1 -1 |\n"
        "n 102 -1 2 |\n"
        /* 1000 * 1 - 7 = 993 nanodegrees; 1000 * -2 + 5e9 = 4999998000 nanodegrees. */
        "n 200 10 49999980 |\n";
    assert_string_equal(out, expect);
    free(out);

    /* The same with no callbacks. */
    osm_sink none = {0};
    assert_int_equal(osm_read_pbf_buffer("full.osm.pbf", file.p, file.n, &none, NULL, &diag), BOGIE_OK);
    b_free(&file);
}

/* Builds a file with the header and one OSMData block holding group (freed), then reads it and checks the status and
 * that the message holds each of the NULL-terminated phrases. */
static void expect_block_error(buf *group, bogie_status want, const char *const *phrases)
{
    buf file = {0}, block = {0};
    b_header(&file, std_features);
    b_stringtable(&block);
    b_msg(&block, 2, group);
    b_frame(&file, "OSMData", &block, 3);
    bogie_diag diag = {0};
    char *out = NULL;
    bogie_status st = dump_buffer("bad.osm.pbf", file.p, file.n, &out, &diag);
    free(out);
    b_free(&file);
    if (st != want)
        fail_msg("status %d (%s), expected %d; message: %s", st, bogie_strerror(st), want, diag.message);
    assert_int_equal(diag.status, want);
    assert_non_null(strstr(diag.message, "bad.osm.pbf: byte "));
    for (size_t i = 0; phrases[i]; i++)
        if (!strstr(diag.message, phrases[i]))
            fail_msg("message \"%s\" lacks \"%s\"", diag.message, phrases[i]);
}

static void test_bad_objects(void **state)
{
    (void)state;
    buf g = {0}, m = {0};

    /* A dense node beyond the pole names the node. */
    int64_t ids[] = {5, 77}, lats[] = {0, 900000001}, lons[] = {0, 0};
    b_packed(&m, 1, ids, 2, 1, 1);
    b_packed(&m, 8, lats, 2, 1, 1);
    b_packed(&m, 9, lons, 2, 1, 1);
    b_msg(&g, 2, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT,
                       (const char *[]){"(blob 2, OSMData)", "node 77", "latitude 90.0000001", NULL});

    /* And beyond the date line. */
    int64_t lons2[] = {0, -1800000001};
    int64_t lats2[] = {0, 0};
    b_packed(&m, 1, ids, 2, 1, 1);
    b_packed(&m, 8, lats2, 2, 1, 1);
    b_packed(&m, 9, lons2, 2, 1, 1);
    b_msg(&g, 2, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"node 77", "longitude -180.0000001", NULL});

    /* A plain node likewise. */
    b_sint(&m, 1, 8);
    b_sint(&m, 8, 0);
    b_sint(&m, 9, 1800000001);
    b_msg(&g, 1, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"node 8: longitude 180.0000001", NULL});

    /* A plain node without lat. */
    b_sint(&m, 1, 9);
    b_sint(&m, 9, 0);
    b_msg(&g, 1, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"node 9", "lat is missing", NULL});

    /* A way's tag naming a string past the table. */
    int64_t keys[] = {1}, vals[] = {50}, refs[] = {1, 2};
    b_uint(&m, 1, 1234);
    b_packed(&m, 2, keys, 1, 0, 0);
    b_packed(&m, 3, vals, 1, 0, 0);
    b_packed(&m, 8, refs, 2, 1, 1);
    b_msg(&g, 3, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT,
                       (const char *[]){"way 1234", "string table index 50 out of range (9 strings)", NULL});

    /* A dense node's tag likewise. */
    int64_t kv[] = {1, 2, 0, 700, 1, 0};
    b_packed(&m, 1, ids, 2, 1, 1);
    b_packed(&m, 8, lons, 2, 1, 1);
    b_packed(&m, 9, lons, 2, 1, 1);
    b_packed(&m, 10, kv, ARRAY_LEN(kv), 0, 0);
    b_msg(&g, 2, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"node 77", "string table index 700 out of range", NULL});

    /* Keys and values that differ in number. */
    int64_t two[] = {1, 2};
    b_uint(&m, 1, 55);
    b_packed(&m, 2, two, 2, 0, 0);
    b_packed(&m, 3, two, 1, 0, 0);
    b_msg(&g, 3, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"way 55", "2 tag keys but 1 values", NULL});

    /* A relation member role past the table, and a bad member type. */
    int64_t roles[] = {12}, memids[] = {3}, types[] = {0};
    b_uint(&m, 1, 66);
    b_packed(&m, 8, roles, 1, 0, 0);
    b_packed(&m, 9, memids, 1, 1, 1);
    b_packed(&m, 10, types, 1, 0, 0);
    b_msg(&g, 4, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"relation 66", "member role", "index 12", NULL});
    int64_t roles2[] = {0}, types2[] = {3};
    b_uint(&m, 1, 67);
    b_packed(&m, 8, roles2, 1, 0, 0);
    b_packed(&m, 9, memids, 1, 1, 1);
    b_packed(&m, 10, types2, 1, 0, 0);
    b_msg(&g, 4, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"relation 67", "type 3 is not node", NULL});

    /* Way locations that do not match the refs. */
    b_uint(&m, 1, 88);
    b_packed(&m, 8, refs, 2, 1, 1);
    b_packed(&m, 9, refs, 1, 1, 1);
    b_packed(&m, 10, refs, 2, 1, 1);
    b_msg(&g, 3, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"way 88", "2 refs but 1 lat", NULL});

    /* Dense arrays of different lengths. */
    int64_t one[] = {1};
    b_packed(&m, 1, ids, 2, 1, 1);
    b_packed(&m, 8, one, 1, 1, 1);
    b_packed(&m, 9, lons, 2, 1, 1);
    b_msg(&g, 2, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"DenseNodes", "fewer entries than in id", NULL});

    /* A group (wire type 3) inside a way, and a field with wire type 7. */
    b_uint(&m, 1, 99);
    b_key(&m, 12, 3);
    b_msg(&g, 3, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"way 99", "groups", NULL});
    b_key(&g, 6, 7);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"PrimitiveGroup", "invalid wire type", NULL});

    /* A length that runs past its message, and a varint cut off at the end of a packed array. */
    b_key(&g, 3, 2);
    b_varint(&g, 100);
    b_put(&g, "abc", 3);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"PrimitiveGroup", "runs past the end", NULL});
    b_uint(&m, 1, 42);
    b_bytes(&m, 8, "\x02\x80", 2);
    b_msg(&g, 3, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"way 42", "truncated varint in refs", NULL});

    /* A field with the wrong wire type. */
    b_str(&m, 1, "not a number");
    b_msg(&g, 3, &m);
    expect_block_error(&g, BOGIE_ERR_INPUT, (const char *[]){"malformed Way", "field 1 has wire type 2", NULL});
}

/* Reads a file built from header features and blocks, expecting an error with the given phrases. */
static void expect_file_error(const buf *file, bogie_status want, const char *const *phrases)
{
    bogie_diag diag = {0};
    char *out = NULL;
    bogie_status st = dump_buffer("hand.osm.pbf", file->p, file->n, &out, &diag);
    free(out);
    if (st != want)
        fail_msg("status %d (%s), expected %d; message: %s", st, bogie_strerror(st), want, diag.message);
    assert_int_equal(diag.status, want);
    assert_non_null(strstr(diag.message, "hand.osm.pbf: byte "));
    for (size_t i = 0; phrases[i]; i++)
        if (!strstr(diag.message, phrases[i]))
            fail_msg("message \"%s\" lacks \"%s\"", diag.message, phrases[i]);
}

static void test_unsupported(void **state)
{
    (void)state;
    buf file = {0}, block = {0};

    /* zstd, lz4, lzma and bzip2 blobs are refused by name. */
    static const struct {
        int field;
        const char *name;
    } methods[] = {{7, "zstd"}, {6, "lz4"}, {4, "lzma"}, {5, "bzip2"}};
    for (size_t i = 0; i < ARRAY_LEN(methods); i++) {
        b_header(&file, std_features);
        size_t pos = file.n;
        b_put(&block, "\x28\xb5\x2f\xfd\0\0\0\0\0\0", 10);
        b_frame(&file, "OSMData", &block, methods[i].field);
        char where[64];
        snprintf(where, sizeof where, "byte %zu (blob 2, OSMData)", pos);
        expect_file_error(&file, BOGIE_ERR_UNSUPPORTED, (const char *[]){where, methods[i].name, NULL});
        b_free(&file);
    }

    /* An unknown required feature is named. */
    b_header(&file, (const char *[]){"OsmSchema-V0.6", "DenseNodes", "Has-Teleporters", NULL});
    expect_file_error(&file, BOGIE_ERR_UNSUPPORTED,
                      (const char *[]){"byte 0 (blob 1, OSMHeader)", "required feature \"Has-Teleporters\"", NULL});
    b_free(&file);

    /* History files are not read. */
    b_header(&file, (const char *[]){"OsmSchema-V0.6", "HistoricalInformation", NULL});
    expect_file_error(&file, BOGIE_ERR_UNSUPPORTED, (const char *[]){"HistoricalInformation", NULL});
    b_free(&file);

    /* Unprintable feature names are escaped. */
    b_header(&file, (const char *[]){"Bad\nName", NULL});
    expect_file_error(&file, BOGIE_ERR_UNSUPPORTED, (const char *[]){"Bad\\x0aName", NULL});
    b_free(&file);

    /* Data before any header. */
    b_stringtable(&block);
    b_frame(&file, "OSMData", &block, 1);
    expect_file_error(&file, BOGIE_ERR_INPUT, (const char *[]){"byte 0 (blob 1, OSMData)", "before the OSMHeader",
                                                               NULL});
    b_free(&file);

    /* A blob with two kinds of data, one with none, and zlib without raw_size. */
    b_header(&file, std_features);
    buf blob = {0}, hdr = {0};
    b_bytes(&blob, 1, "x", 1);
    b_bytes(&blob, 3, "x", 1);
    b_str(&hdr, 1, "OSMData");
    b_uint(&hdr, 3, blob.n);
    b_put(&file, (uint8_t[]){0, 0, 0, (uint8_t)hdr.n}, 4);
    b_put(&file, hdr.p, hdr.n);
    b_put(&file, blob.p, blob.n);
    expect_file_error(&file, BOGIE_ERR_INPUT, (const char *[]){"more than one kind of data", NULL});
    b_free(&file);
    b_free(&blob);
    b_free(&hdr);

    b_header(&file, std_features);
    b_bytes(&blob, 3, "x", 1);
    b_str(&hdr, 1, "OSMData");
    b_uint(&hdr, 3, blob.n);
    b_put(&file, (uint8_t[]){0, 0, 0, (uint8_t)hdr.n}, 4);
    b_put(&file, hdr.p, hdr.n);
    b_put(&file, blob.p, blob.n);
    expect_file_error(&file, BOGIE_ERR_INPUT, (const char *[]){"zlib data without raw_size", NULL});
    b_free(&file);
    b_free(&blob);
    b_free(&hdr);

    /* A BlobHeader whose datasize is over the limit. */
    b_header(&file, std_features);
    b_str(&hdr, 1, "OSMData");
    b_uint(&hdr, 3, 32u * 1024 * 1024 + 1);
    b_put(&file, (uint8_t[]){0, 0, 0, (uint8_t)hdr.n}, 4);
    b_put(&file, hdr.p, hdr.n);
    expect_file_error(&file, BOGIE_ERR_INPUT, (const char *[]){"(blob 2)", "datasize 33554433 exceeds", NULL});
    b_free(&file);
    b_free(&hdr);

    /* Granularity zero. */
    b_header(&file, std_features);
    b_uint(&block, 17, 0);
    b_frame(&file, "OSMData", &block, 1);
    expect_file_error(&file, BOGIE_ERR_INPUT, (const char *[]){"granularity 0", NULL});
    b_free(&file);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Errors in real files.
 * ------------------------------------------------------------------------------------------------------------- */

static bogie_status null_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags, size_t n_tags)
{
    (void)ud, (void)id, (void)lat, (void)lon;
    for (size_t i = 0; i < n_tags; i++)
        if (strlen(tags[i].key) + strlen(tags[i].value) > 1000000)
            return BOGIE_ERR_INPUT;
    return BOGIE_OK;
}

static bogie_status null_way(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const int32_t *coords,
                             const osm_tag *tags, size_t n_tags)
{
    (void)ud, (void)id, (void)coords;
    int64_t sum = 0;
    for (size_t i = 0; i < n_refs; i++)
        sum += refs[i] & 1;
    if (sum < 0)
        return BOGIE_ERR_INPUT;
    return null_node(ud, 0, 0, 0, tags, n_tags);
}

static bogie_status null_relation(void *ud, int64_t id, const osm_member *members, size_t n_members,
                                  const osm_tag *tags, size_t n_tags)
{
    (void)id;
    for (size_t i = 0; i < n_members; i++)
        if (!strchr("nwr", members[i].type) || strlen(members[i].role) > 1000000)
            return BOGIE_ERR_INPUT;
    return null_node(ud, 0, 0, 0, tags, n_tags);
}

/* A sink that touches everything it is given, so that sanitizers see any bad pointer. */
static const osm_sink touch_sink = {NULL, null_node, null_way, null_relation, NULL};

static void assert_message(const bogie_diag *diag, bogie_status st, bogie_status want, const char *name,
                           const char *phrase)
{
    if (st != want)
        fail_msg("status %d (%s), expected %d; message: %s", st, bogie_strerror(st), want, diag->message);
    assert_int_equal(diag->status, want);
    if (!strstr(diag->message, name) || !strstr(diag->message, "byte ") || !strstr(diag->message, phrase))
        fail_msg("message \"%s\" lacks \"%s\", \"byte \" or \"%s\"", diag->message, name, phrase);
}

static void test_empty_and_missing(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/empty.osm.pbf", test_tmpdir());
    write_file(path, "", 0);
    bogie_diag diag = {0};
    bogie_status st = osm_read_pbf(path, &touch_sink, NULL, &diag);
    assert_message(&diag, st, BOGIE_ERR_INPUT, path, "empty file");
    char expect[4300];
    snprintf(expect, sizeof expect, "%s: byte 0: empty file", path);
    assert_string_equal(diag.message, expect);
    unlink(path);

    st = osm_read_pbf_buffer("mem.osm.pbf", (const uint8_t *)"", 0, &touch_sink, NULL, &diag);
    assert_int_equal(st, BOGIE_ERR_INPUT);
    assert_string_equal(diag.message, "mem.osm.pbf: byte 0: empty file");

    st = osm_read_pbf("/nonexistent/dir/x.osm.pbf", &touch_sink, NULL, &diag);
    assert_int_equal(st, BOGIE_ERR_IO);
    assert_non_null(strstr(diag.message, "/nonexistent/dir/x.osm.pbf: cannot open: No such file"));

    st = osm_read_pbf("/tmp", &touch_sink, NULL, &diag);
    assert_int_equal(st, BOGIE_ERR_IO);
    assert_non_null(strstr(diag.message, "is a directory"));
}

static void test_truncated(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = read_file(test_data("osm/cologne-railway.osm.pbf"), &len);
    size_t cuts[] = {1, 3, 10, 1000, len / 2, len - 1};
    for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
        bogie_diag diag = {0};
        bogie_status st = osm_read_pbf_buffer("cologne-railway.osm.pbf", d, cuts[i], &touch_sink, NULL, &diag);
        assert_message(&diag, st, BOGIE_ERR_INPUT, "cologne-railway.osm.pbf", "file ends inside");
        assert_non_null(strstr(diag.message, "more bytes)"));
    }
    /* The last blob's length prefix is named, with the bytes missing. */
    frame fr[256];
    size_t n = walk_frames(d, len, fr, ARRAY_LEN(fr));
    assert_true(n > 2 && n < ARRAY_LEN(fr));
    bogie_diag diag = {0};
    osm_read_pbf_buffer("c.pbf", d, len - 1, &touch_sink, NULL, &diag);
    char expect[200];
    snprintf(expect, sizeof expect, "c.pbf: byte %zu (blob %zu): file ends inside the blob (needs 1 more bytes)",
             fr[n - 1].pos, n);
    assert_string_equal(diag.message, expect);

    /* Through a file, too. */
    char path[4200];
    snprintf(path, sizeof path, "%s/cut.osm.pbf", test_tmpdir());
    write_file(path, d, len / 3);
    bogie_status st = osm_read_pbf(path, &touch_sink, NULL, &diag);
    assert_message(&diag, st, BOGIE_ERR_INPUT, path, "file ends inside");
    unlink(path);
    free(d);
}

static void test_corrupt_zlib(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = read_file(test_data("osm/cologne-railway.osm.pbf"), &len);
    frame fr[256];
    size_t n = walk_frames(d, len, fr, ARRAY_LEN(fr));
    size_t k = n / 2;
    assert_true(fr[k].zlib);
    for (size_t i = 0; i < 8; i++)
        d[fr[k].data_pos + fr[k].data_n / 2 + i] ^= 0x5a;
    bogie_diag diag = {0};
    bogie_status st = osm_read_pbf_buffer("cologne-railway.osm.pbf", d, len, &touch_sink, NULL, &diag);
    assert_message(&diag, st, BOGIE_ERR_INPUT, "cologne-railway.osm.pbf", "zlib data");
    char where[100];
    snprintf(where, sizeof where, "byte %zu (blob %zu, OSMData): zlib data", fr[k].pos, k + 1);
    assert_non_null(strstr(diag.message, where));
    free(d);
}

static void test_absurd_header_length(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = read_file(test_data("osm/vde8.2-rail.osm.pbf"), &len);
    frame fr[256];
    size_t n = walk_frames(d, len, fr, ARRAY_LEN(fr));
    assert_true(n > 3);
    memcpy(d + fr[3].pos, "\x7f\xff\xff\xff", 4);
    bogie_diag diag = {0};
    bogie_status st = osm_read_pbf_buffer("vde.osm.pbf", d, len, &touch_sink, NULL, &diag);
    assert_message(&diag, st, BOGIE_ERR_INPUT, "vde.osm.pbf", "BlobHeader length 2147483647 exceeds the 64 KiB");
    char where[100];
    snprintf(where, sizeof where, "vde.osm.pbf: byte %zu (blob 4): ", fr[3].pos);
    assert_non_null(strstr(diag.message, where));

    /* Just over and just under the limit. */
    memcpy(d + fr[3].pos, "\x00\x01\x00\x00", 4);
    st = osm_read_pbf_buffer("vde.osm.pbf", d, len, &touch_sink, NULL, &diag);
    assert_message(&diag, st, BOGIE_ERR_INPUT, "vde.osm.pbf", "BlobHeader length 65536 exceeds");
    free(d);
}

static void test_not_pbf(void **state)
{
    (void)state;
    const char *xml = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n</osm>\n";
    bogie_diag diag = {0};
    bogie_status st = osm_read_pbf_buffer("map.osm", (const uint8_t *)xml, strlen(xml), &touch_sink, NULL, &diag);
    assert_message(&diag, st, BOGIE_ERR_INPUT, "map.osm: byte 0 (blob 1)", "is this an OSM PBF file?");

    /* A gzip file, and a file that is too short even for a length prefix. */
    size_t len;
    uint8_t *d = read_file(test_data("osm/moscow.osm.gz"), &len);
    st = osm_read_pbf_buffer("moscow.osm.gz", d, len, &touch_sink, NULL, &diag);
    assert_message(&diag, st, BOGIE_ERR_INPUT, "moscow.osm.gz", "is this an OSM PBF file?");
    free(d);
    st = osm_read_pbf_buffer("ab", (const uint8_t *)"ab", 2, &touch_sink, NULL, &diag);
    assert_message(&diag, st, BOGIE_ERR_INPUT, "ab: byte 0 (blob 1)", "length prefix (needs 2 more bytes)");

    /* Small header lengths over text: the header is not valid protobuf. */
    st = osm_read_pbf_buffer("t.pbf", (const uint8_t *)"\0\0\0\5hello", 9, &touch_sink, NULL, &diag);
    assert_int_equal(st, BOGIE_ERR_INPUT);
    assert_non_null(strstr(diag.message, "t.pbf: byte 0 (blob 1): malformed BlobHeader"));
}

/* ---------------------------------------------------------------------------------------------------------------
 * Damaged input must give an error or OK, never a crash.
 * ------------------------------------------------------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_robust_truncation(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = read_file(test_data("osm/vde8.2-rail.osm.pbf"), &len);
    size_t ok = 0, failed = 0;
    for (size_t cut = 0; cut < len; cut += 499) {
        bogie_diag diag = {0};
        bogie_status st = osm_read_pbf_buffer("vde", d, cut, &touch_sink, NULL, &diag);
        assert_true(st == BOGIE_OK || st == BOGIE_ERR_INPUT);
        if (st == BOGIE_OK) {
            ok++;
        } else {
            failed++;
            assert_non_null(strstr(diag.message, "vde: byte "));
        }
    }
    assert_true(failed > 0);
    free(d);
}

/* Damages random bytes in copies of a file and reads each. */
static void fuzz_copies(const uint8_t *d, size_t len, size_t copies, uint64_t seed, size_t *n_ok)
{
    uint8_t *c = malloc(len);
    assert_non_null(c);
    uint64_t s = seed;
    for (size_t i = 0; i < copies; i++) {
        memcpy(c, d, len);
        size_t flips = 1 + rng_next(&s) % 4;
        for (size_t j = 0; j < flips; j++) {
            size_t at = (size_t)(rng_next(&s) % len);
            c[at] = (uint8_t)(rng_next(&s) >> 24);
        }
        /* Sometimes cut the copy short as well. */
        size_t n = (rng_next(&s) % 4 == 0) ? (size_t)(rng_next(&s) % len) : len;
        bogie_diag diag = {0};
        bogie_status st = osm_read_pbf_buffer("fuzz", c, n, &touch_sink, NULL, &diag);
        if (st == BOGIE_OK)
            ++*n_ok;
        else if (st != BOGIE_ERR_INPUT && st != BOGIE_ERR_UNSUPPORTED)
            fail_msg("copy %zu: status %d: %s", i, st, diag.message);
        else if (strncmp(diag.message, "fuzz: byte ", 11) != 0)
            fail_msg("copy %zu: message \"%s\"", i, diag.message);
    }
    free(c);
}

static void test_robust_random_damage(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = read_file(test_data("osm/Helsinki.osm.pbf"), &len);
    frame fr[256];
    size_t n = walk_frames(d, len, fr, ARRAY_LEN(fr));
    /* The header, the first node block and the last block (which holds the ways and relations), uncompressed. */
    assert_true(n >= 3);
    size_t which[3] = {0, 1, n - 1};
    buf raw = {0};
    raw_copy(d, len, which, 3, &raw);
    char *text = NULL;
    assert_int_equal(dump_buffer("raw", raw.p, raw.n, &text, &(bogie_diag){0}), BOGIE_OK);
    assert_non_null(strstr(text, "\nw "));
    assert_non_null(strstr(text, "\nr "));
    free(text);
    size_t n_ok = 0;
    fuzz_copies(raw.p, raw.n, 1500, 0x9e3779b97f4a7c15ull, &n_ok);
    /* Compressed blobs too: here nearly every hit lands in zlib data. */
    fuzz_copies(d, len, 500, 12345, &n_ok);
    print_message("random damage: %zu of 2000 copies still read without error\n", n_ok);
    b_free(&raw);
    free(d);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Sink callbacks that stop the read, and progress.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct stopper {
    uint64_t nodes, ways, relations, progress_calls, last_bytes, last_objects;
    uint64_t node_at, way_at, rel_at, progress_at; /* stop at the call with this number; 0 never */
    int bytes_ok;
} stopper;

static bogie_status stop_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags, size_t n_tags)
{
    (void)id, (void)lat, (void)lon, (void)tags, (void)n_tags;
    stopper *s = ud;
    return ++s->nodes == s->node_at ? BOGIE_ERR_CANCELLED : BOGIE_OK;
}

static bogie_status stop_way(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const int32_t *coords,
                             const osm_tag *tags, size_t n_tags)
{
    (void)id, (void)refs, (void)n_refs, (void)coords, (void)tags, (void)n_tags;
    stopper *s = ud;
    return ++s->ways == s->way_at ? BOGIE_ERR_EMPTY : BOGIE_OK;
}

static bogie_status stop_relation(void *ud, int64_t id, const osm_member *members, size_t n_members,
                                  const osm_tag *tags, size_t n_tags)
{
    (void)id, (void)members, (void)n_members, (void)tags, (void)n_tags;
    stopper *s = ud;
    return ++s->relations == s->rel_at ? BOGIE_ERR_LIMIT : BOGIE_OK;
}

static bogie_status stop_progress(void *ud, uint64_t bytes_done, uint64_t objects)
{
    stopper *s = ud;
    if (bytes_done <= s->last_bytes || objects < s->last_objects)
        s->bytes_ok = 0;
    s->last_bytes = bytes_done;
    s->last_objects = objects;
    return ++s->progress_calls == s->progress_at ? BOGIE_ERR_CANCELLED : BOGIE_OK;
}

static void test_sink_stops(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s", test_data("osm/Helsinki.osm.pbf"));
    bogie_diag diag = {.status = BOGIE_ERR_GRAPH, .message = "untouched"};

    stopper s = {.node_at = 100};
    osm_sink sink = {&s, stop_node, stop_way, stop_relation, NULL};
    assert_int_equal(osm_read_pbf(path, &sink, NULL, &diag), BOGIE_ERR_CANCELLED);
    assert_int_equal(s.nodes, 100);
    assert_int_equal(s.ways, 0);

    s = (stopper){.way_at = 5000};
    assert_int_equal(osm_read_pbf(path, &sink, NULL, &diag), BOGIE_ERR_EMPTY);
    assert_int_equal(s.nodes, 24260);
    assert_int_equal(s.ways, 5000);

    s = (stopper){.rel_at = 7};
    sink.node = NULL;
    sink.way = NULL;
    assert_int_equal(osm_read_pbf(path, &sink, NULL, &diag), BOGIE_ERR_LIMIT);
    assert_int_equal(s.relations, 7);

    /* Progress: called once a blob, bytes growing to the file's size, objects to the total; cancel on the 3rd. */
    size_t len;
    uint8_t *d = read_file(path, &len);
    frame fr[256];
    size_t n = walk_frames(d, len, fr, ARRAY_LEN(fr));
    s = (stopper){.bytes_ok = 1};
    sink = (osm_sink){&s, stop_node, NULL, stop_relation, stop_progress};
    assert_int_equal(osm_read_pbf_buffer("h", d, len, &sink, NULL, &diag), BOGIE_OK);
    assert_int_equal(s.progress_calls, n);
    assert_int_equal(s.last_bytes, len);
    assert_int_equal(s.last_objects, 24260 + 5130 + 620);
    assert_true(s.bytes_ok);
    assert_int_equal(s.nodes, 24260);
    assert_int_equal(s.relations, 620);

    s = (stopper){.progress_at = 3, .bytes_ok = 1};
    assert_int_equal(osm_read_pbf_buffer("h", d, len, &sink, NULL, &diag), BOGIE_ERR_CANCELLED);
    assert_int_equal(s.progress_calls, 3);
    assert_int_equal(s.last_bytes, fr[3].pos);

    /* With no callbacks at all, objects are still counted. */
    s = (stopper){.bytes_ok = 1};
    sink = (osm_sink){&s, NULL, NULL, NULL, stop_progress};
    assert_int_equal(osm_read_pbf_buffer("h", d, len, &sink, NULL, &diag), BOGIE_OK);
    assert_int_equal(s.last_objects, 24260 + 5130 + 620);

    assert_int_equal(diag.status, BOGIE_ERR_GRAPH);
    assert_string_equal(diag.message, "untouched");
    free(d);
}

/* ---------------------------------------------------------------------------------------------------------------
 * An allocator that fails the Nth allocation, counting live bytes.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct fail_alloc {
    long calls, fail_at;
    long long live, blocks;
    int bad_size;
} fail_alloc;

#define HDR 16

static void *fail_fn(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    fail_alloc *fa = ud;
    uint8_t *h = ptr ? (uint8_t *)ptr - HDR : NULL;
    if (h && memcmp(h, &old_size, sizeof old_size) != 0)
        fa->bad_size = 1;
    if (new_size == 0) {
        if (h) {
            fa->live -= (long long)old_size;
            fa->blocks--;
            free(h);
        }
        return NULL;
    }
    if (++fa->calls == fa->fail_at)
        return NULL;
    uint8_t *n = realloc(h, new_size + HDR);
    if (!n)
        return NULL;
    memcpy(n, &new_size, sizeof new_size);
    fa->live += (long long)new_size - (long long)(h ? old_size : 0);
    fa->blocks += h ? 0 : 1;
    return n + HDR;
}

static void test_failing_allocations(void **state)
{
    (void)state;
    /* Helsinki has every kind of object; the hand-built file adds plain nodes and way locations. */
    buf hand = {0};
    build_full_file(&hand);
    size_t len;
    uint8_t *d = read_file(test_data("osm/Helsinki.osm.pbf"), &len);
    const struct {
        const uint8_t *d;
        size_t n;
    } inputs[] = {{d, len}, {hand.p, hand.n}};
    for (size_t k = 0; k < ARRAY_LEN(inputs); k++) {
        long n;
        for (n = 1; n < 100000; n++) {
            fail_alloc fa = {.fail_at = n};
            bogie_allocator a = {fail_fn, &fa};
            bogie_diag diag = {0};
            bogie_status st = osm_read_pbf_buffer("h.osm.pbf", inputs[k].d, inputs[k].n, &touch_sink, &a, &diag);
            assert_int_equal(fa.live, 0);
            assert_int_equal(fa.blocks, 0);
            assert_false(fa.bad_size);
            if (st == BOGIE_OK) {
                assert_true(fa.calls < n);
                break;
            }
            if (st != BOGIE_ERR_NOMEM)
                fail_msg("allocation %ld failed: status %d: %s", n, st, diag.message);
            assert_non_null(strstr(diag.message, "h.osm.pbf: byte "));
            assert_non_null(strstr(diag.message, "out of memory while "));
        }
        assert_true(n > 2);
        print_message("input %zu: %ld allocations\n", k, n - 1);
    }
    free(d);
    b_free(&hand);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_differential_readosm),
        cmocka_unit_test(test_handmade_file),
        cmocka_unit_test(test_bad_objects),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_empty_and_missing),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_corrupt_zlib),
        cmocka_unit_test(test_absurd_header_length),
        cmocka_unit_test(test_not_pbf),
        cmocka_unit_test(test_robust_truncation),
        cmocka_unit_test(test_robust_random_damage),
        cmocka_unit_test(test_sink_stops),
        cmocka_unit_test(test_failing_allocations),
    };
    return cmocka_run_group_tests_name("pbf", tests, NULL, NULL);
}
