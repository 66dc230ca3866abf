/* test_osm_text.c: tests of the OSM XML, Overpass JSON and readosm readers and of the format dispatcher. */
#include "testutil.h"

#include "osm/osm.h"
#include "base/util.h"

#include <bzlib.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Object counts of the fixtures, from `osmium fileinfo -e` (XML, PBF) and Python's json module (Overpass). */
#define MOSCOW_NODES 8402
#define MOSCOW_WAYS 1652
#define MOSCOW_RELATIONS 272
#define MOSCOW_GZ_SIZE 279487
#define HELSINKI_NODES 24260
#define HELSINKI_WAYS 5130
#define HELSINKI_RELATIONS 620
#define SANKT_POELTEN_NODES 10572
#define SANKT_POELTEN_WAYS 1779
#define VILBEL_NODES 20
#define VILBEL_WAYS 81

/* ---------------------------------------------------------------------------------------------------------------
 * A sink that writes every object to a canonical text dump and remembers what the tests look at.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct node_rec {
    int64_t id;
    int32_t lat, lon;
} node_rec;

typedef struct way_rec {
    int64_t id;
    size_t first, n; /* refs[first, first + n), and coords[2 * first, ...) when has_coords */
    bool has_coords;
} way_rec;

typedef struct rec {
    strbuf dump;
    uint64_t nodes, ways, relations, objects;
    VEC(node_rec) node_list;
    VEC(way_rec) way_list;
    VEC(int64_t) refs;
    VEC(int32_t) coords;
    /* Failure injection: the stop_at-th object (from 1) gets stop_status; nothing may follow it. */
    uint64_t stop_at;
    bogie_status stop_status;
    uint64_t calls_after_stop;
    /* Progress: the cancel_at-th call (from 1) returns BOGIE_ERR_CANCELLED. */
    uint64_t progress_calls, last_bytes, last_objects, cancel_at;
    bool progress_backwards;
} rec;

static void rec_init(rec *r)
{
    memset(r, 0, sizeof *r);
    sb_init(&r->dump, NULL);
}

static void rec_free(rec *r)
{
    sb_free(&r->dump);
    VEC_FREE(NULL, r->node_list);
    VEC_FREE(NULL, r->way_list);
    VEC_FREE(NULL, r->refs);
    VEC_FREE(NULL, r->coords);
}

static bogie_status rec_object(rec *r)
{
    if (r->stop_at && r->objects >= r->stop_at) {
        r->calls_after_stop++;
        return BOGIE_OK;
    }
    r->objects++;
    if (r->stop_at && r->objects == r->stop_at)
        return r->stop_status;
    return BOGIE_OK;
}

static void dump_tags(strbuf *sb, const osm_tag *tags, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sb_printf(sb, " %s=%s", tags[i].key, tags[i].value);
    sb_puts(sb, "\n");
}

static void dump_coord(strbuf *sb, int32_t c)
{
    if (c == OSM_NO_COORD)
        sb_puts(sb, "NA");
    else
        sb_printf(sb, "%d", (int)c);
}

static bogie_status rec_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags, size_t n_tags)
{
    rec *r = ud;
    bogie_status st = rec_object(r);
    if (r->calls_after_stop)
        return BOGIE_OK;
    r->nodes++;
    sb_printf(&r->dump, "n %lld %d %d", (long long)id, (int)lat, (int)lon);
    dump_tags(&r->dump, tags, n_tags);
    node_rec nr = {id, lat, lon};
    assert_int_equal(VEC_PUSH(NULL, r->node_list, nr), 0);
    return st;
}

static bogie_status rec_way(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const int32_t *coords,
                            const osm_tag *tags, size_t n_tags)
{
    rec *r = ud;
    bogie_status st = rec_object(r);
    if (r->calls_after_stop)
        return BOGIE_OK;
    r->ways++;
    way_rec wr = {id, r->refs.n, n_refs, coords != NULL};
    sb_printf(&r->dump, "w %lld [", (long long)id);
    for (size_t i = 0; i < n_refs; i++) {
        sb_printf(&r->dump, i ? " %lld" : "%lld", (long long)refs[i]);
        assert_int_equal(VEC_PUSH(NULL, r->refs, refs[i]), 0);
    }
    sb_puts(&r->dump, "]");
    if (coords) {
        assert_int_equal(VEC_RESERVE(NULL, r->coords, 2 * r->refs.n), 0);
        r->coords.n = 2 * wr.first;
        sb_puts(&r->dump, " @[");
        for (size_t i = 0; i < n_refs; i++) {
            if (i)
                sb_puts(&r->dump, " ");
            dump_coord(&r->dump, coords[2 * i]);
            sb_puts(&r->dump, ",");
            dump_coord(&r->dump, coords[2 * i + 1]);
            r->coords.v[r->coords.n++] = coords[2 * i];
            r->coords.v[r->coords.n++] = coords[2 * i + 1];
        }
        sb_puts(&r->dump, "]");
    }
    dump_tags(&r->dump, tags, n_tags);
    assert_int_equal(VEC_PUSH(NULL, r->way_list, wr), 0);
    return st;
}

static bogie_status rec_relation(void *ud, int64_t id, const osm_member *members, size_t n_members,
                                 const osm_tag *tags, size_t n_tags)
{
    rec *r = ud;
    bogie_status st = rec_object(r);
    if (r->calls_after_stop)
        return BOGIE_OK;
    r->relations++;
    sb_printf(&r->dump, "r %lld [", (long long)id);
    for (size_t i = 0; i < n_members; i++)
        sb_printf(&r->dump, "%s%c%lld:%s", i ? " " : "", members[i].type, (long long)members[i].ref,
                  members[i].role);
    sb_puts(&r->dump, "]");
    dump_tags(&r->dump, tags, n_tags);
    return st;
}

static bogie_status rec_progress(void *ud, uint64_t bytes_done, uint64_t objects)
{
    rec *r = ud;
    r->progress_calls++;
    if (bytes_done < r->last_bytes || objects < r->last_objects)
        r->progress_backwards = true;
    r->last_bytes = bytes_done;
    r->last_objects = objects;
    if (r->cancel_at && r->progress_calls == r->cancel_at)
        return BOGIE_ERR_CANCELLED;
    return BOGIE_OK;
}

static osm_sink rec_sink(rec *r)
{
    osm_sink s = {r, rec_node, rec_way, rec_relation, rec_progress};
    return s;
}

typedef bogie_status (*reader_fn)(const char *path, const osm_sink *sink, const bogie_allocator *alloc,
                                  bogie_diag *diag);

/* Reads path with fn into r (initialised here) and asserts success. */
static void read_ok(reader_fn fn, const char *path, rec *r)
{
    rec_init(r);
    osm_sink s = rec_sink(r);
    bogie_diag d = {0};
    bogie_status st = fn(path, &s, NULL, &d);
    if (st != BOGIE_OK)
        fail_msg("%s: %s (%s)", path, bogie_strerror(st), d.message);
    assert_false(r->dump.failed);
}

/* Reads path with fn, asserts that it fails with want and that the message contains each of the NULL-terminated
 * fragments. */
static void read_fails(reader_fn fn, const char *path, bogie_status want, ...)
{
    rec r;
    rec_init(&r);
    osm_sink s = rec_sink(&r);
    bogie_diag d = {0};
    bogie_status st = fn(path, &s, NULL, &d);
    if (st != want)
        fail_msg("%s: got %s (%s), expected %s", path, bogie_strerror(st), d.message, bogie_strerror(want));
    assert_int_equal(d.status, want);
    va_list ap;
    va_start(ap, want);
    for (const char *frag; (frag = va_arg(ap, const char *)) != NULL;)
        if (!strstr(d.message, frag))
            fail_msg("message \"%s\" lacks \"%s\"", d.message, frag);
    va_end(ap);
    rec_free(&r);
}

static bogie_status read_file_native(const char *path, const osm_sink *sink, const bogie_allocator *alloc,
                                     bogie_diag *diag)
{
    return osm_read_file(path, BOGIE_READER_NATIVE, sink, alloc, diag);
}

static bogie_status read_file_readosm(const char *path, const osm_sink *sink, const bogie_allocator *alloc,
                                      bogie_diag *diag)
{
    return osm_read_file(path, BOGIE_READER_READOSM, sink, alloc, diag);
}

/* ---------------------------------------------------------------------------------------------------------------
 * File helpers.
 * ------------------------------------------------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t got; (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static char *gunzip_file(const char *path, size_t *len)
{
    gzFile g = gzopen(path, "rb");
    assert_non_null(g);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (int got; (got = gzread(g, buf + n, (unsigned)(cap - n))) > 0;) {
        n += (size_t)got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    gzclose(g);
    *len = n;
    return buf;
}

/* Writes data as bzip2, split into parts independent streams one after the other. */
static void write_bz2(const char *path, const char *data, size_t len, int parts)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t done = 0;
    for (int p = 0; p < parts; p++) {
        size_t n = p == parts - 1 ? len - done : len / (size_t)parts;
        int err;
        BZFILE *b = BZ2_bzWriteOpen(&err, f, 9, 0, 0);
        assert_int_equal(err, BZ_OK);
        BZ2_bzWrite(&err, b, (void *)(data + done), (int)n);
        assert_int_equal(err, BZ_OK);
        BZ2_bzWriteClose(&err, b, 0, NULL, NULL);
        assert_int_equal(err, BZ_OK);
        done += n;
    }
    assert_int_equal(fclose(f), 0);
}

/* Writes data as gzip, split into parts members one after the other. */
static void write_gz(const char *path, const char *data, size_t len, int parts)
{
    size_t done = 0;
    for (int p = 0; p < parts; p++) {
        size_t n = p == parts - 1 ? len - done : len / (size_t)parts;
        gzFile g = gzopen(path, p == 0 ? "wb" : "ab");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, data + done, (unsigned)n), (int)n);
        assert_int_equal(gzclose(g), Z_OK);
        done += n;
    }
}

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* ---------------------------------------------------------------------------------------------------------------
 * The dispatcher.
 * ------------------------------------------------------------------------------------------------------------- */

static void test_format_from_path(void **state)
{
    (void)state;
    assert_int_equal(osm_format_from_path("a.osm.pbf"), OSM_FORMAT_PBF);
    assert_int_equal(osm_format_from_path("dir.x/A.OSM.PBF"), OSM_FORMAT_PBF);
    assert_int_equal(osm_format_from_path("a.pbf"), OSM_FORMAT_PBF);
    assert_int_equal(osm_format_from_path("a.osm"), OSM_FORMAT_XML);
    assert_int_equal(osm_format_from_path("a.osm.gz"), OSM_FORMAT_XML);
    assert_int_equal(osm_format_from_path("a.Osm.Bz2"), OSM_FORMAT_XML);
    assert_int_equal(osm_format_from_path("a.xml"), OSM_FORMAT_XML);
    assert_int_equal(osm_format_from_path("a.xml.gz"), OSM_FORMAT_XML);
    assert_int_equal(osm_format_from_path("a.xml.bz2"), OSM_FORMAT_XML);
    assert_int_equal(osm_format_from_path("a.overpass.json"), OSM_FORMAT_OVERPASS_JSON);
    assert_int_equal(osm_format_from_path("a.JSON"), OSM_FORMAT_OVERPASS_JSON);
    assert_int_equal(osm_format_from_path("a.gz"), OSM_FORMAT_UNKNOWN);
    assert_int_equal(osm_format_from_path("a.bz2"), OSM_FORMAT_UNKNOWN);
    assert_int_equal(osm_format_from_path("a.o5m"), OSM_FORMAT_UNKNOWN);
    assert_int_equal(osm_format_from_path("osm"), OSM_FORMAT_UNKNOWN);
    assert_int_equal(osm_format_from_path(""), OSM_FORMAT_UNKNOWN);
}

static void test_deg_to_e7(void **state)
{
    (void)state;
    assert_int_equal(osm_deg_to_e7(0.0), 0);
    assert_int_equal(osm_deg_to_e7(55.8211404), 558211404);
    assert_int_equal(osm_deg_to_e7(-33.8688197), -338688197);
    assert_int_equal(osm_deg_to_e7(180.0), 1800000000);
    assert_int_equal(osm_deg_to_e7(-180.0), -1800000000);
    assert_int_equal(osm_deg_to_e7(1.23456785), 12345679); /* half away from zero (the product is 12345678.5) */
    assert_int_equal(osm_deg_to_e7(-1e-8), 0);
    assert_int_equal(osm_deg_to_e7(NAN), OSM_NO_COORD);
    assert_int_equal(osm_deg_to_e7(INFINITY), OSM_NO_COORD);
    assert_int_equal(osm_deg_to_e7(-INFINITY), OSM_NO_COORD);
    assert_int_equal(osm_deg_to_e7(1e10), OSM_NO_COORD);
    assert_int_equal(osm_deg_to_e7(-214.7483648), OSM_NO_COORD); /* would be the sentinel itself */
    assert_int_equal(osm_deg_to_e7(214.7483647), INT32_MAX);
}

static void test_unknown_extension(void **state)
{
    (void)state;
    read_fails(read_file_native, "roads.txt", BOGIE_ERR_UNSUPPORTED, "roads.txt: unknown input format (expected "
               ".osm.pbf, .pbf, .osm, .osm.gz, .osm.bz2 or Overpass .json)", NULL);
    read_fails(read_file_readosm, "roads.o5m", BOGIE_ERR_UNSUPPORTED, "roads.o5m: unknown input format", NULL);
}

static void test_missing_file(void **state)
{
    (void)state;
    const char *path = test_data("no-such-file.osm");
    read_fails(read_file_native, path, BOGIE_ERR_IO, path, "cannot open", NULL);
    read_fails(osm_read_xml, path, BOGIE_ERR_IO, path, "cannot open", NULL);
    read_fails(osm_read_readosm, path, BOGIE_ERR_IO, path, "cannot open", NULL);
    path = test_data("no-such-file.json");
    read_fails(osm_read_overpass_json, path, BOGIE_ERR_IO, path, "cannot open", NULL);
}

static void test_empty_files(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    static const char *const names[] = {"e.osm.pbf", "e.pbf", "e.osm", "e.osm.gz", "e.osm.bz2", "e.xml", "e.json"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        path_in(path, sizeof path, dir, names[i]);
        spit(path, "", 0);
        char want[4300];
        snprintf(want, sizeof want, "%s: byte 0: empty file", path);
        read_fails(read_file_native, path, BOGIE_ERR_INPUT, want, NULL);
        read_fails(read_file_readosm, path, BOGIE_ERR_INPUT, want, NULL);
        /* The readers themselves cope too. */
        switch (osm_format_from_path(path)) {
        case OSM_FORMAT_XML:
            read_fails(osm_read_xml, path, BOGIE_ERR_INPUT, want, NULL);
            break;
        case OSM_FORMAT_OVERPASS_JSON:
            read_fails(osm_read_overpass_json, path, BOGIE_ERR_INPUT, want, NULL);
            break;
        default:
            break;
        }
        if (util_ends_with_ci(path, ".osm") || util_ends_with_ci(path, ".pbf"))
            read_fails(osm_read_readosm, path, BOGIE_ERR_INPUT, want, NULL);
    }
    rec r;
    rec_init(&r);
    osm_sink s = rec_sink(&r);
    bogie_diag d = {0};
    assert_int_equal(osm_read_xml_buffer("mem.osm", "", 0, &s, NULL, &d), BOGIE_ERR_INPUT);
    assert_string_equal(d.message, "mem.osm: byte 0: empty file");
    assert_int_equal(osm_read_overpass_json_buffer("mem.json", "", 0, &s, NULL, &d), BOGIE_ERR_INPUT);
    assert_string_equal(d.message, "mem.json: byte 0: empty file");
    assert_int_equal(r.objects, 0);
    rec_free(&r);
}

/* ---------------------------------------------------------------------------------------------------------------
 * OSM XML.
 * ------------------------------------------------------------------------------------------------------------- */

static const char tiny_dump[] =
    "n 1 481855100 163762400 railway=station name=Wien Hauptbahnhof name:ru=Вена Главный вокзал\n"
    "n 9876543210 -338688197 1512092955\n"
    "n 3 557582000 376600000 name=Москва & «Курская» note=quote \"here\" and <angle>\n"
    "w 10 [1 9876543210 3] railway=rail gauge=1435\n"
    "w 11 [3 9876543210] @[NA,NA -338688197,1512092955]\n"
    "r 100 [w10:route n1:stop r101:] type=route route=train\n";

static void test_tiny_xml(void **state)
{
    (void)state;
    const char *path = test_data("tiny/tiny.osm");
    rec r;
    read_ok(osm_read_xml, path, &r);
    assert_string_equal(r.dump.s, tiny_dump);
    /* The deleted node 4 counts as read but is not handed over. */
    assert_int_equal(r.progress_calls, 1);
    assert_int_equal(r.last_objects, 7);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(r.last_bytes, (uint64_t)sb.st_size);
    rec_free(&r);

    read_ok(read_file_native, path, &r);
    assert_string_equal(r.dump.s, tiny_dump);
    rec_free(&r);

    size_t len;
    char *data = slurp(path, &len);
    rec_init(&r);
    osm_sink s = rec_sink(&r);
    bogie_diag d = {0};
    assert_int_equal(osm_read_xml_buffer("tiny", data, len, &s, NULL, &d), BOGIE_OK);
    assert_string_equal(r.dump.s, tiny_dump);
    assert_int_equal(r.last_bytes, len);
    rec_free(&r);
    free(data);
}

static void test_tiny_compressed(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    size_t len;
    char *data = slurp(test_data("tiny/tiny.osm"), &len);
    rec r;
    /* One stream and several, for both compressions; and a compressed file whose name does not say so. */
    static const char *const names[] = {"t.osm.gz", "t.osm.bz2", "gz-inside.osm", "bz2-inside.xml"};
    for (int parts = 1; parts <= 3; parts += 2) {
        for (size_t i = 0; i < ARRAY_LEN(names); i++) {
            path_in(path, sizeof path, dir, names[i]);
            if (strstr(names[i], "gz"))
                write_gz(path, data, len, parts);
            else
                write_bz2(path, data, len, parts);
            read_ok(read_file_native, path, &r);
            assert_string_equal(r.dump.s, tiny_dump);
            struct stat sb;
            assert_int_equal(stat(path, &sb), 0);
            assert_int_equal(r.last_bytes, (uint64_t)sb.st_size);
            rec_free(&r);
        }
    }
    /* Trailing bytes that do not start another member are ignored, as gzip does. */
    path_in(path, sizeof path, dir, "trailing.osm.gz");
    write_gz(path, data, len, 1);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs("\0\0\0\0", f);
    fclose(f);
    read_ok(osm_read_xml, path, &r);
    assert_string_equal(r.dump.s, tiny_dump);
    rec_free(&r);
    free(data);
}

static void test_moscow_counts(void **state)
{
    (void)state;
    rec r;
    read_ok(osm_read_xml, test_data("osm/moscow.osm.gz"), &r);
    assert_int_equal(r.nodes, MOSCOW_NODES);
    assert_int_equal(r.ways, MOSCOW_WAYS);
    assert_int_equal(r.relations, MOSCOW_RELATIONS);
    /* Progress every 4096 objects and once at the end, with the compressed bytes. */
    assert_int_equal(r.progress_calls, 3);
    assert_false(r.progress_backwards);
    assert_int_equal(r.last_bytes, MOSCOW_GZ_SIZE);
    assert_int_equal(r.last_objects, MOSCOW_NODES + MOSCOW_WAYS + MOSCOW_RELATIONS);
    /* Spot checks against the file's text. */
    assert_non_null(strstr(r.dump.s, "n 60662604 558211404 375886253\n"));
    assert_non_null(strstr(r.dump.s, "r 56553 [w28845413:outer w28845414:inner] type=multipolygon\n"));
    rec_free(&r);
}

/* The native reader on gzip, bzip2 and plain XML must give exactly what readosm gives on the plain file. */
static void test_moscow_differential(void **state)
{
    (void)state;
    char dir[4096], plain[4200], bz2[4200], bz2multi[4200];
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    size_t len;
    char *xml = gunzip_file(test_data("osm/moscow.osm.gz"), &len);
    assert_int_equal(len, 2470429);
    path_in(plain, sizeof plain, dir, "moscow.osm");
    spit(plain, xml, len);
    path_in(bz2, sizeof bz2, dir, "moscow.osm.bz2");
    write_bz2(bz2, xml, len, 1);
    path_in(bz2multi, sizeof bz2multi, dir, "moscow-multi.osm.bz2");
    write_bz2(bz2multi, xml, len, 4);

    rec base;
    read_ok(osm_read_readosm, plain, &base);
    assert_int_equal(base.nodes, MOSCOW_NODES);
    assert_int_equal(base.ways, MOSCOW_WAYS);
    assert_int_equal(base.relations, MOSCOW_RELATIONS);

    const char *paths[] = {test_data("osm/moscow.osm.gz"), plain, bz2, bz2multi};
    for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s", paths[i]);
        rec r;
        read_ok(osm_read_xml, p, &r);
        if (strcmp(r.dump.s, base.dump.s) != 0)
            fail_msg("%s: the native dump differs from readosm's", p);
        rec_free(&r);
    }
    /* The dispatcher sends plain .osm to readosm when asked, and compressed XML to the native reader. */
    rec r;
    read_ok(read_file_readosm, plain, &r);
    assert_string_equal(r.dump.s, base.dump.s);
    rec_free(&r);
    read_ok(read_file_readosm, bz2, &r);
    assert_string_equal(r.dump.s, base.dump.s);
    rec_free(&r);

    rec_init(&r);
    osm_sink s = rec_sink(&r);
    bogie_diag d = {0};
    assert_int_equal(osm_read_xml_buffer("moscow", xml, len, &s, NULL, &d), BOGIE_OK);
    assert_string_equal(r.dump.s, base.dump.s);
    assert_false(r.progress_backwards);
    assert_int_equal(r.last_bytes, len);
    rec_free(&r);

    rec_free(&base);
    free(xml);
}

static void test_readosm_pbf(void **state)
{
    (void)state;
    rec r;
    read_ok(osm_read_readosm, test_data("osm/Helsinki.osm.pbf"), &r);
    assert_int_equal(r.nodes, HELSINKI_NODES);
    assert_int_equal(r.ways, HELSINKI_WAYS);
    assert_int_equal(r.relations, HELSINKI_RELATIONS);
    assert_false(r.progress_backwards);
    assert_int_equal(r.last_objects, HELSINKI_NODES + HELSINKI_WAYS + HELSINKI_RELATIONS);
    rec r2;
    read_ok(read_file_readosm, test_data("osm/Helsinki.osm.pbf"), &r2);
    assert_string_equal(r2.dump.s, r.dump.s);
    rec_free(&r2);
    rec_free(&r);
    read_fails(osm_read_readosm, test_data("osm/moscow.osm.gz"), BOGIE_ERR_UNSUPPORTED, "moscow.osm.gz", NULL);
    read_fails(osm_read_readosm, test_data("bad/unclosed.osm"), BOGIE_ERR_INPUT, "unclosed.osm: readosm error -8",
               "readosm reports no position", NULL);
}

/* Feeds an XML document from memory and checks the failure. */
static void xml_doc_fails(const char *doc, bogie_status want, const char *message)
{
    rec r;
    rec_init(&r);
    osm_sink s = rec_sink(&r);
    bogie_diag d = {0};
    bogie_status st = osm_read_xml_buffer("doc.osm", doc, strlen(doc), &s, NULL, &d);
    if (st != want || strcmp(d.message, message) != 0)
        fail_msg("got %s \"%s\", expected %s \"%s\"", bogie_strerror(st), d.message, bogie_strerror(want), message);
    rec_free(&r);
}

static void xml_doc_dump(const char *doc, const char *dump)
{
    rec r;
    rec_init(&r);
    osm_sink s = rec_sink(&r);
    bogie_diag d = {0};
    bogie_status st = osm_read_xml_buffer("doc.osm", doc, strlen(doc), &s, NULL, &d);
    if (st != BOGIE_OK)
        fail_msg("%s", d.message);
    assert_string_equal(r.dump.s ? r.dump.s : "", dump);
    rec_free(&r);
}

static void test_xml_bad_files(void **state)
{
    (void)state;
    char want[4300];
    const char *p = test_data("bad/unclosed.osm");
    snprintf(want, sizeof want, "%s: line 5, column 3: mismatched tag", p);
    read_fails(osm_read_xml, p, BOGIE_ERR_INPUT, want, NULL);
    p = test_data("bad/not-osm.osm");
    snprintf(want, sizeof want, "%s: line 2: not an OSM XML document", p);
    read_fails(osm_read_xml, p, BOGIE_ERR_INPUT, want, "<html>", NULL);
    p = test_data("bad/node-without-lat.osm");
    snprintf(want, sizeof want, "%s: line 4: node 123: attribute \"lat\" is missing", p);
    read_fails(osm_read_xml, p, BOGIE_ERR_INPUT, want, NULL);
    read_fails(read_file_native, p, BOGIE_ERR_INPUT, want, NULL);
}

static void test_xml_bad_documents(void **state)
{
    (void)state;
    xml_doc_fails("<osm>\n<node id='1' lat='1' lon='2'>\n</osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 3, column 3: mismatched tag");
    xml_doc_fails("<osm>\n<node id='1' lat='1' lon='2'/>", BOGIE_ERR_INPUT,
                  "doc.osm: line 2, column 31: no element found");
    xml_doc_fails("<?xml version='1.0'?>\n<osmChange/>", BOGIE_ERR_INPUT,
                  "doc.osm: line 2: not an OSM XML document: the root element is <osmChange>, not <osm>");
    xml_doc_fails("<osm>\n<node lat='1' lon='2'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 2: node: attribute \"id\" is missing");
    xml_doc_fails("<osm>\n<way id='x1'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 2: way: attribute \"id\" is not an integer: \"x1\"");
    xml_doc_fails("<osm>\n<way id='99999999999999999999'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 2: way: attribute \"id\" is not an integer: \"99999999999999999999\"");
    xml_doc_fails("<osm><node id='5' lat='1,5' lon='2'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: node 5: attribute \"lat\" is not a number: \"1,5\"");
    xml_doc_fails("<osm><node id='5' lat='' lon='2'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: node 5: attribute \"lat\" is not a number: \"\"");
    xml_doc_fails("<osm><node id='5' lat='1' lon='nan'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: node 5: attribute \"lon\" is not a number: \"nan\"");
    xml_doc_fails("<osm><node id='5' lat='90.00000005' lon='2'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: node 5: attribute \"lat\" is out of range: \"90.00000005\"");
    xml_doc_fails("<osm><node id='5' lat='1' lon='-181'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: node 5: attribute \"lon\" is out of range: \"-181\"");
    xml_doc_fails("<osm><node id='5' lat='1' lon='1e300'/></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: node 5: attribute \"lon\" is out of range: \"1e300\"");
    xml_doc_fails("<osm>\n<way id='7'>\n<nd ref='1'/>\n<nd ref='2.5'/></way></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 4: way 7: <nd> attribute \"ref\" is not an integer: \"2.5\"");
    xml_doc_fails("<osm>\n<way id='7'>\n<nd/></way></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 3: way 7: <nd> attribute \"ref\" is missing");
    xml_doc_fails("<osm>\n<way id='7'>\n<nd ref='1' lat='1'/></way></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 3: way 7: <nd> attribute \"lon\" is missing");
    xml_doc_fails("<osm><node id='5' lat='1' lon='2'><tag k='a'/></node></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: node 5: <tag> attribute \"v\" is missing");
    xml_doc_fails("<osm><relation id='8'><member type='area' ref='1' role=''/></relation></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: relation 8: <member> attribute \"type\" is \"area\", not node, way or relation");
    xml_doc_fails("<osm><relation id='8'><member type='way' role=''/></relation></osm>", BOGIE_ERR_INPUT,
                  "doc.osm: line 1: relation 8: <member> attribute \"ref\" is missing");
    xml_doc_fails("not xml", BOGIE_ERR_INPUT, "doc.osm: line 1, column 1: syntax error");
}

static void test_xml_lenient_parts(void **state)
{
    (void)state;
    /* Coordinates: exact decimal rounding half away from zero, exponents, signs; unknown elements are skipped at
     * every level; a member without a role has role ""; visible="false" versions are left out. */
    xml_doc_dump("<osm><node id='1' lat='12.34567895' lon='-12.34567895'/>"
                 "<node id='-2' lat='1e1' lon='+0.5E-6'/>"
                 "<node id='3' lat='-0.00000004' lon='180'/>"
                 "<node id='4' lat='90.000000049' lon='-180.00000004'/>"
                 "<node id='5' lat='0.' lon='.5'/>"
                 "<node id='6' visible='false'/>"
                 "<bounds minlat='x'/><note>text</note>"
                 "<way id='7'><nd ref='1'/><center lat='1' lon='2'/><tag k='a' v=''/></way>"
                 "<relation id='8'><member type='node' ref='-2'/><tag k='t' v='&#x41;&#9731;'/></relation>"
                 "</osm>",
                 "n 1 123456790 -123456790\n"
                 "n -2 100000000 5\n"
                 "n 3 0 1800000000\n"
                 "n 4 900000000 -1800000000\n"
                 "n 5 0 5000000\n"
                 "w 7 [1] a=\n"
                 "r 8 [n-2:] t=A\xe2\x98\x83\n");
    xml_doc_dump("<?xml version='1.0' encoding='ISO-8859-1'?><osm><node id='1' lat='1' lon='2'>"
                 "<tag k='name' v='K\xf6ln'/></node></osm>",
                 "n 1 10000000 20000000 name=K\xc3\xb6ln\n");
    xml_doc_dump("<osm/>", "");
}

static void test_xml_compression_errors(void **state)
{
    (void)state;
    char dir[4096], path[4200], want[4300];
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    size_t len;
    char *gz = slurp(test_data("osm/moscow.osm.gz"), &len);

    path_in(path, sizeof path, dir, "truncated.osm.gz");
    spit(path, gz, 100000);
    snprintf(want, sizeof want, "%s: compressed byte 100000: gzip data is truncated", path);
    read_fails(osm_read_xml, path, BOGIE_ERR_INPUT, want, NULL);
    read_fails(read_file_native, path, BOGIE_ERR_INPUT, want, NULL);

    /* A damaged CRC in the trailer: all the XML comes out, then zlib objects. */
    path_in(path, sizeof path, dir, "badcrc.osm.gz");
    gz[len - 6] ^= 0x55;
    spit(path, gz, len);
    snprintf(want, sizeof want, "%s: compressed byte ", path);
    read_fails(osm_read_xml, path, BOGIE_ERR_INPUT, want, "gzip data is corrupt (incorrect data check)", NULL);
    gz[len - 6] ^= 0x55;

    /* Damaged deflate data: either zlib or, when the garbage inflates, expat notices. */
    path_in(path, sizeof path, dir, "corrupt.osm.gz");
    for (size_t i = 40000; i < 40100; i++)
        gz[i] = (char)(gz[i] * 7 + 3);
    spit(path, gz, len);
    read_fails(osm_read_xml, path, BOGIE_ERR_INPUT, path, NULL);

    /* A name that promises compression the data lacks. */
    path_in(path, sizeof path, dir, "plain.osm.gz");
    spit(path, "<osm/>", 6);
    snprintf(want, sizeof want, "%s: compressed byte 0: gzip data is corrupt (no gzip header)", path);
    read_fails(osm_read_xml, path, BOGIE_ERR_INPUT, want, NULL);
    path_in(path, sizeof path, dir, "plain.osm.bz2");
    spit(path, "<osm/>", 6);
    snprintf(want, sizeof want, "%s: compressed byte 0: bzip2 data is corrupt (no bzip2 header)", path);
    read_fails(osm_read_xml, path, BOGIE_ERR_INPUT, want, NULL);
    free(gz);

    /* bzip2 cut short, and bzip2 with a damaged block. */
    char *xml = gunzip_file(test_data("osm/moscow.osm.gz"), &len);
    path_in(path, sizeof path, dir, "whole.osm.bz2");
    write_bz2(path, xml, len, 1);
    free(xml);
    char *bz = slurp(path, &len);
    path_in(path, sizeof path, dir, "truncated.osm.bz2");
    spit(path, bz, len / 2);
    snprintf(want, sizeof want, "%s: compressed byte %zu: bzip2 data is truncated", path, len / 2);
    read_fails(osm_read_xml, path, BOGIE_ERR_INPUT, want, NULL);
    path_in(path, sizeof path, dir, "corrupt.osm.bz2");
    for (size_t i = 1000; i < 1100; i++)
        bz[i] = (char)(bz[i] * 7 + 3);
    spit(path, bz, len);
    snprintf(want, sizeof want, "%s: compressed byte ", path);
    read_fails(osm_read_xml, path, BOGIE_ERR_INPUT, want, "bzip2 data is corrupt", NULL);
    free(bz);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Overpass JSON.
 * ------------------------------------------------------------------------------------------------------------- */

static const way_rec *find_way(const rec *r, int64_t id)
{
    for (size_t i = 0; i < r->way_list.n; i++)
        if (r->way_list.v[i].id == id)
            return &r->way_list.v[i];
    return NULL;
}

static const node_rec *find_node(const rec *r, int64_t id)
{
    for (size_t i = 0; i < r->node_list.n; i++)
        if (r->node_list.v[i].id == id)
            return &r->node_list.v[i];
    return NULL;
}

static void test_overpass_sankt_poelten(void **state)
{
    (void)state;
    rec r;
    read_ok(osm_read_overpass_json, test_data("osm/sankt-poelten.overpass.json"), &r);
    assert_int_equal(r.nodes, SANKT_POELTEN_NODES);
    assert_int_equal(r.ways, SANKT_POELTEN_WAYS);
    assert_int_equal(r.relations, 0);
    assert_false(r.progress_backwards);
    assert_int_equal(r.progress_calls, 4); /* 12351 elements: at 4096, 8192, 12288 and the end */
    assert_int_equal(r.last_bytes, 2537998);
    const way_rec *w = find_way(&r, 12718284);
    assert_non_null(w);
    assert_int_equal(w->n, 19);
    assert_false(w->has_coords);
    assert_int_equal(r.refs.v[w->first], 327310657);
    assert_int_equal(r.refs.v[w->first + 1], 9687953019);
    assert_int_equal(r.refs.v[w->first + 18], 60361697);
    assert_non_null(strstr(r.dump.s, "w 12718284 [327310657 9687953019 9687953018 "));
    assert_non_null(strstr(r.dump.s, " operator=ÖBB-Infrastruktur AG "));
    assert_non_null(strstr(r.dump.s, " wikipedia=de:Westbahn (Österreich)\n"));
    const node_rec *n = find_node(&r, 2094718137);
    assert_non_null(n);
    assert_int_equal(n->lat, 481916521);
    assert_int_equal(n->lon, 154009508);
    rec_free(&r);

    /* Through the dispatcher, with either reader choice. */
    read_ok(read_file_readosm, test_data("osm/sankt-poelten.overpass.json"), &r);
    assert_int_equal(r.ways, SANKT_POELTEN_WAYS);
    rec_free(&r);
}

static void test_overpass_vilbel(void **state)
{
    (void)state;
    rec r;
    read_ok(osm_read_overpass_json, test_data("osm/vilbel.overpass.json"), &r);
    assert_int_equal(r.nodes, VILBEL_NODES);
    assert_int_equal(r.ways, VILBEL_WAYS);
    assert_int_equal(r.relations, 0);
    assert_non_null(strstr(r.dump.s,
                           "n 1257927251 501932107 87417268 railway=switch railway:switch=default "
                           "railway:turnout_side=left\n"));
    /* Way 5132986 has 9 nodes; its "geometry" starts (50.185484, 8.7380553), (50.1858741, 8.738253) and ends
     * (50.1909929, 8.7405453). */
    const way_rec *w = find_way(&r, 5132986);
    assert_non_null(w);
    assert_int_equal(w->n, 9);
    assert_true(w->has_coords);
    assert_int_equal(r.refs.v[w->first], 1257934111);
    assert_int_equal(r.refs.v[w->first + 1], 9897789428);
    const int32_t *c = &r.coords.v[2 * w->first];
    assert_int_equal(c[0], 501854840);
    assert_int_equal(c[1], 87380553);
    assert_int_equal(c[2], 501858741);
    assert_int_equal(c[3], 87382530);
    assert_int_equal(c[16], 501909929);
    assert_int_equal(c[17], 87405453);
    /* Every way carries its geometry, and wherever a way's node is also in the file as a node element, the two
     * locations agree (56 such references, by Python). */
    size_t hits = 0;
    for (size_t i = 0; i < r.way_list.n; i++) {
        const way_rec *wi = &r.way_list.v[i];
        assert_true(wi->has_coords);
        for (size_t k = 0; k < wi->n; k++) {
            const node_rec *n = find_node(&r, r.refs.v[wi->first + k]);
            if (!n)
                continue;
            hits++;
            assert_int_equal(r.coords.v[2 * (wi->first + k)], n->lat);
            assert_int_equal(r.coords.v[2 * (wi->first + k) + 1], n->lon);
        }
    }
    assert_int_equal(hits, 56);
    rec_free(&r);
}

static void json_doc_fails(const char *doc, bogie_status want, const char *message)
{
    rec r;
    rec_init(&r);
    osm_sink s = rec_sink(&r);
    bogie_diag d = {0};
    bogie_status st = osm_read_overpass_json_buffer("doc.json", doc, strlen(doc), &s, NULL, &d);
    if (st != want || strcmp(d.message, message) != 0)
        fail_msg("got %s \"%s\", expected %s \"%s\"", bogie_strerror(st), d.message, bogie_strerror(want), message);
    rec_free(&r);
}

static void json_doc_dump(const char *doc, const char *dump)
{
    rec r;
    rec_init(&r);
    osm_sink s = rec_sink(&r);
    bogie_diag d = {0};
    bogie_status st = osm_read_overpass_json_buffer("doc.json", doc, strlen(doc), &s, NULL, &d);
    if (st != BOGIE_OK)
        fail_msg("%s", d.message);
    assert_string_equal(r.dump.s ? r.dump.s : "", dump);
    rec_free(&r);
}

static void test_json_bad_files(void **state)
{
    (void)state;
    char want[4300];
    const char *p = test_data("bad/not-overpass.json");
    snprintf(want, sizeof want, "%s: not an Overpass API JSON document: no \"elements\" array at the top level", p);
    read_fails(osm_read_overpass_json, p, BOGIE_ERR_INPUT, want, NULL);
    read_fails(read_file_native, p, BOGIE_ERR_INPUT, want, NULL);
    p = test_data("bad/syntax-error.json");
    snprintf(want, sizeof want, "%s: line 3, column 54: ", p);
    read_fails(osm_read_overpass_json, p, BOGIE_ERR_INPUT, want, NULL);
}

static void test_json_bad_documents(void **state)
{
    (void)state;
    json_doc_fails("[1, 2]", BOGIE_ERR_INPUT,
                   "doc.json: not an Overpass API JSON document: no \"elements\" array at the top level");
    json_doc_fails("{\"elements\": {}}", BOGIE_ERR_INPUT,
                   "doc.json: not an Overpass API JSON document: no \"elements\" array at the top level");
    json_doc_fails("{\"elements\": [\n", BOGIE_ERR_INPUT,
                   "doc.json: line 2, column 0: ']' expected near end of file");
    json_doc_fails("{\"elements\": [], \"remark\": \"runtime error: Query timed out in \\\"query\\\"\"}",
                   BOGIE_ERR_INPUT, "doc.json: the Overpass API reported an error, the data is incomplete: runtime "
                   "error: Query timed out in \"query\"");
    json_doc_fails("{\"elements\": [{\"type\": \"node\", \"id\": 1, \"lat\": 1, \"lon\": 2}, 7]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[1]: not an object");
    json_doc_fails("{\"elements\": [{\"id\": 1}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0]: field \"type\" is missing or not a string");
    json_doc_fails("{\"elements\": [{\"type\": \"node\", \"id\": \"1\"}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (node): field \"id\" is not an integer");
    json_doc_fails("{\"elements\": [{\"type\": \"way\", \"nodes\": []}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (way): field \"id\" is missing");
    json_doc_fails("{\"elements\": [{\"type\": \"node\", \"id\": 4, \"lon\": 2}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (node 4): field \"lat\" is missing");
    json_doc_fails("{\"elements\": [{\"type\": \"node\", \"id\": 4, \"lat\": \"1\", \"lon\": 2}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (node 4): field \"lat\" is not a number");
    json_doc_fails("{\"elements\": [{\"type\": \"node\", \"id\": 4, \"lat\": 1, \"lon\": 200}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (node 4): field \"lon\" is out of range: 200");
    json_doc_fails("{\"elements\": [{\"type\": \"node\", \"id\": 4, \"lat\": 1, \"lon\": 2, \"tags\": {\"a\": 1}}]}",
                   BOGIE_ERR_INPUT, "doc.json: elements[0] (node 4): tag \"a\" is not a string");
    json_doc_fails("{\"elements\": [{\"type\": \"node\", \"id\": 4, \"lat\": 1, \"lon\": 2, \"tags\": []}]}",
                   BOGIE_ERR_INPUT, "doc.json: elements[0] (node 4): field \"tags\" is not an object");
    json_doc_fails("{\"elements\": [{\"type\": \"area\"}, {\"type\": \"way\", \"id\": 1234, \"nodes\": [1, \"2\"]}]}",
                   BOGIE_ERR_INPUT, "doc.json: elements[1] (way 1234): field \"nodes\" is not an array of integers");
    json_doc_fails("{\"elements\": [{\"type\": \"way\", \"id\": 1234, \"nodes\": 5}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (way 1234): field \"nodes\" is not an array of integers");
    json_doc_fails("{\"elements\": [{\"type\": \"way\", \"id\": 1234}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (way 1234): field \"nodes\" is missing");
    json_doc_fails("{\"elements\": [{\"type\": \"way\", \"id\": 9, \"nodes\": [1, 2], \"geometry\": [null]}]}",
                   BOGIE_ERR_INPUT, "doc.json: elements[0] (way 9): field \"geometry\" has 1 entries for 2 nodes");
    json_doc_fails("{\"elements\": [{\"type\": \"way\", \"id\": 9, \"nodes\": [1], \"geometry\": [{\"lat\": 1}]}]}",
                   BOGIE_ERR_INPUT, "doc.json: elements[0] (way 9): geometry[0]: field \"lon\" is missing");
    json_doc_fails("{\"elements\": [{\"type\": \"way\", \"id\": 9, \"nodes\": [1], \"geometry\": [5]}]}",
                   BOGIE_ERR_INPUT, "doc.json: elements[0] (way 9): geometry[0] is neither an object nor null");
    json_doc_fails("{\"elements\": [{\"type\": \"relation\", \"id\": 3, \"members\": [{\"type\": \"area\", "
                   "\"ref\": 1}]}]}",
                   BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (relation 3): members[0]: field \"type\" is \"area\", not node, way or "
                   "relation");
    json_doc_fails("{\"elements\": [{\"type\": \"relation\", \"id\": 3, \"members\": [{\"type\": \"way\"}]}]}",
                   BOGIE_ERR_INPUT, "doc.json: elements[0] (relation 3): members[0]: field \"ref\" is missing or not "
                   "an integer");
    json_doc_fails("{\"elements\": [{\"type\": \"relation\", \"id\": 3}]}", BOGIE_ERR_INPUT,
                   "doc.json: elements[0] (relation 3): field \"members\" is missing");
}

static void test_json_good_documents(void **state)
{
    (void)state;
    json_doc_dump("{\"elements\": [{\"type\": \"count\", \"id\": 0, \"tags\": {\"nodes\": \"3\"}},"
                  " {\"type\": \"area\", \"id\": 3600000001},"
                  " {\"type\": \"node\", \"id\": 1, \"lat\": 50, \"lon\": -8.7417268, \"tags\": {}},"
                  " {\"type\": \"way\", \"id\": 2, \"nodes\": [1, 5], \"geometry\": [null, {\"lat\": 1.5, "
                  "\"lon\": 2.5}], \"tags\": {\"name\": \"K\\u00f6ln \\\"Hbf\\\"\"}},"
                  " {\"type\": \"way\", \"id\": 6, \"nodes\": []},"
                  " {\"type\": \"relation\", \"id\": 3, \"members\": [{\"type\": \"way\", \"ref\": 2, \"role\": "
                  "\"\"}, {\"type\": \"node\", \"ref\": 1}, {\"type\": \"relation\", \"ref\": 4, \"role\": \"sub\"}],"
                  " \"tags\": {\"type\": \"route\"}}]}",
                  "n 1 500000000 -87417268\n"
                  "w 2 [1 5] @[NA,NA 15000000,25000000] name=K\xc3\xb6ln \"Hbf\"\n"
                  "w 6 []\n"
                  "r 3 [w2: n1: r4:sub] type=route\n");
    json_doc_dump("{\"elements\": []}", "");
}

/* ---------------------------------------------------------------------------------------------------------------
 * Sink semantics: NULL callbacks, errors from the sink, cancellation.
 * ------------------------------------------------------------------------------------------------------------- */

static void test_null_callbacks(void **state)
{
    (void)state;
    struct {
        reader_fn fn;
        const char *path;
        uint64_t ways;
    } cases[] = {
        {osm_read_xml, "osm/moscow.osm.gz", MOSCOW_WAYS},
        {osm_read_overpass_json, "osm/vilbel.overpass.json", VILBEL_WAYS},
        {osm_read_readosm, "osm/Helsinki.osm.pbf", HELSINKI_WAYS},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        rec r;
        rec_init(&r);
        osm_sink s = {&r, NULL, rec_way, NULL, NULL};
        bogie_diag d = {0};
        assert_int_equal(cases[i].fn(test_data(cases[i].path), &s, NULL, &d), BOGIE_OK);
        assert_int_equal(r.ways, cases[i].ways);
        assert_int_equal(r.nodes + r.relations, 0);
        rec_free(&r);
        rec_init(&r);
        osm_sink none = {&r, NULL, NULL, NULL, NULL};
        assert_int_equal(cases[i].fn(test_data(cases[i].path), &none, NULL, &d), BOGIE_OK);
        rec_free(&r);
    }
}

static void test_sink_errors(void **state)
{
    (void)state;
    char dir[4096], plain[4200];
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    size_t len;
    char *xml = gunzip_file(test_data("osm/moscow.osm.gz"), &len);
    path_in(plain, sizeof plain, dir, "moscow.osm");
    spit(plain, xml, len);
    free(xml);

    /* Names under tests/data, or the decompressed copy of moscow when NULL. */
    struct {
        reader_fn fn;
        const char *rel;
    } cases[] = {
        {osm_read_xml, "osm/moscow.osm.gz"},
        {osm_read_xml, NULL},
        {osm_read_readosm, NULL},
        {osm_read_readosm, "osm/Helsinki.osm.pbf"},
        {osm_read_overpass_json, "osm/sankt-poelten.overpass.json"},
        {read_file_native, "tiny/tiny.osm"},
    };
    /* Stop at a node, at a way and at a relation (or at the last object of files without relations). */
    const uint64_t stops[] = {1, 5000, 10000, 6};
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s", cases[i].rel ? test_data(cases[i].rel) : plain);
        for (size_t k = 0; k < ARRAY_LEN(stops); k++) {
            rec r;
            rec_init(&r);
            r.stop_at = stops[k];
            r.stop_status = BOGIE_ERR_LIMIT;
            osm_sink s = rec_sink(&r);
            bogie_diag d = {BOGIE_ERR_GRAPH, "untouched"};
            bogie_status st = cases[i].fn(path, &s, NULL, &d);
            if (r.objects < stops[k]) {
                /* The file has fewer objects. */
                if (st != BOGIE_OK)
                    fail_msg("%s: %s", path, d.message);
            } else {
                assert_int_equal(st, BOGIE_ERR_LIMIT);
                assert_int_equal(d.status, BOGIE_ERR_GRAPH);
                assert_string_equal(d.message, "untouched");
                assert_int_equal(r.calls_after_stop, 0);
            }
            rec_free(&r);
        }

        /* Cancellation from the progress callback stops the read at once. */
        rec r;
        rec_init(&r);
        r.cancel_at = 1;
        osm_sink s = rec_sink(&r);
        bogie_diag d = {BOGIE_ERR_GRAPH, "untouched"};
        assert_int_equal(cases[i].fn(path, &s, NULL, &d), BOGIE_ERR_CANCELLED);
        assert_int_equal(d.status, BOGIE_ERR_GRAPH);
        assert_string_equal(d.message, "untouched");
        assert_int_equal(r.progress_calls, 1);
        if (r.last_objects >= 4096)
            assert_int_equal(r.objects, 4096);
        rec_free(&r);
    }

    /* The buffer readers too. */
    rec r;
    rec_init(&r);
    r.stop_at = 2;
    r.stop_status = BOGIE_ERR_NOT_FOUND;
    osm_sink s = rec_sink(&r);
    bogie_diag d = {BOGIE_ERR_GRAPH, "untouched"};
    const char *doc = "<osm><node id='1' lat='1' lon='1'/><node id='2' lat='1' lon='1'/>"
                      "<node id='3' lat='1' lon='1'/></osm>";
    assert_int_equal(osm_read_xml_buffer("doc", doc, strlen(doc), &s, NULL, &d), BOGIE_ERR_NOT_FOUND);
    assert_string_equal(d.message, "untouched");
    assert_int_equal(r.calls_after_stop, 0);
    rec_free(&r);
    rec_init(&r);
    r.stop_at = 2;
    r.stop_status = BOGIE_ERR_NOT_FOUND;
    s = rec_sink(&r);
    doc = "{\"elements\": [{\"type\": \"way\", \"id\": 1, \"nodes\": []}, {\"type\": \"way\", \"id\": 2, \"nodes\": []},"
          " {\"type\": \"way\", \"id\": 3, \"nodes\": []}]}";
    assert_int_equal(osm_read_overpass_json_buffer("doc", doc, strlen(doc), &s, NULL, &d), BOGIE_ERR_NOT_FOUND);
    assert_string_equal(d.message, "untouched");
    assert_int_equal(r.calls_after_stop, 0);
    rec_free(&r);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Allocation failures: an allocator that fails its Nth request and counts the live bytes.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct fail_alloc {
    uint64_t calls, fail_at; /* fail the fail_at-th allocation or growth (from 1); 0 never */
    bool failed, size_mismatch;
    size_t live_bytes, live_blocks;
} fail_alloc;

typedef union fa_header {
    size_t size;
    max_align_t align;
} fa_header;

static void *fa_fn(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    fail_alloc *fa = ud;
    fa_header *h = ptr ? (fa_header *)ptr - 1 : NULL;
    if (h && h->size != old_size)
        fa->size_mismatch = true;
    if (new_size == 0) {
        if (h) {
            fa->live_bytes -= h->size;
            fa->live_blocks--;
            free(h);
        }
        return NULL;
    }
    if (++fa->calls == fa->fail_at) {
        fa->failed = true;
        return NULL;
    }
    fa_header *n = realloc(h, sizeof *n + new_size);
    if (!n)
        return NULL;
    if (h)
        fa->live_bytes -= n->size;
    else
        fa->live_blocks++;
    n->size = new_size;
    fa->live_bytes += new_size;
    return n + 1;
}

/* Runs fn on path failing the 1st, 2nd, ... allocation (every step-th one) until a run needs no more; every run
 * must end in success or BOGIE_ERR_NOMEM and leave nothing allocated. Returns the allocations of a full run. */
static uint64_t run_with_failures(reader_fn fn, const char *path, uint64_t step)
{
    rec ref;
    read_ok(fn, path, &ref);
    uint64_t total = 0;
    for (uint64_t n = 1;; n += step) {
        fail_alloc fa = {0};
        fa.fail_at = n;
        bogie_allocator a = {fa_fn, &fa};
        rec r;
        rec_init(&r);
        osm_sink s = rec_sink(&r);
        bogie_diag d = {0};
        bogie_status st = fn(path, &s, &a, &d);
        if (fa.live_bytes != 0 || fa.live_blocks != 0)
            fail_msg("%s: failing allocation %llu leaks %zu bytes in %zu blocks", path, (unsigned long long)n,
                     fa.live_bytes, fa.live_blocks);
        assert_false(fa.size_mismatch);
        if (fa.failed) {
            if (st != BOGIE_ERR_NOMEM)
                fail_msg("%s: failing allocation %llu gave %s (%s)", path, (unsigned long long)n, bogie_strerror(st),
                         d.message);
            assert_int_equal(d.status, BOGIE_ERR_NOMEM);
            assert_non_null(strstr(d.message, path));
        } else {
            assert_int_equal(st, BOGIE_OK);
            assert_string_equal(r.dump.s ? r.dump.s : "", ref.dump.s ? ref.dump.s : "");
            total = fa.calls;
        }
        rec_free(&r);
        if (!fa.failed)
            break;
    }
    rec_free(&ref);
    if (getenv("BOGIE_TEST_VERBOSE"))
        print_message("%s: %llu allocations\n", path, (unsigned long long)total);
    return total;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", test_tmpdir());
    size_t len;
    char *data = slurp(test_data("tiny/tiny.osm"), &len);

    assert_true(run_with_failures(osm_read_xml, test_data("tiny/tiny.osm"), 1) > 0);
    path_in(path, sizeof path, dir, "tiny.osm.gz");
    write_gz(path, data, len, 2);
    assert_true(run_with_failures(osm_read_xml, path, 1) > 0);
    path_in(path, sizeof path, dir, "tiny.osm.bz2");
    write_bz2(path, data, len, 2);
    assert_true(run_with_failures(osm_read_xml, path, 1) > 0);
    free(data);

    /* Larger files, where the buffers grow: every allocation for moscow, a sample of them for the rest. */
    assert_true(run_with_failures(osm_read_xml, test_data("osm/moscow.osm.gz"), 1) > 0);
    char *xml = gunzip_file(test_data("osm/moscow.osm.gz"), &len);
    path_in(path, sizeof path, dir, "moscow.osm.bz2");
    write_bz2(path, xml, len, 1);
    free(xml);
    assert_true(run_with_failures(osm_read_xml, path, 7) > 0);

    /* jansson and readosm allocate with malloc; this covers the allocations of ours around them. */
    assert_true(run_with_failures(osm_read_overpass_json, test_data("osm/vilbel.overpass.json"), 1) > 0);
    assert_true(run_with_failures(osm_read_readosm, test_data("tiny/tiny.osm"), 1) > 0);
    assert_true(run_with_failures(read_file_native, test_data("tiny/tiny.osm"), 1) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_from_path),
        cmocka_unit_test(test_deg_to_e7),
        cmocka_unit_test(test_unknown_extension),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_empty_files),
        cmocka_unit_test(test_tiny_xml),
        cmocka_unit_test(test_tiny_compressed),
        cmocka_unit_test(test_moscow_counts),
        cmocka_unit_test(test_moscow_differential),
        cmocka_unit_test(test_readosm_pbf),
        cmocka_unit_test(test_xml_bad_files),
        cmocka_unit_test(test_xml_bad_documents),
        cmocka_unit_test(test_xml_lenient_parts),
        cmocka_unit_test(test_xml_compression_errors),
        cmocka_unit_test(test_overpass_sankt_poelten),
        cmocka_unit_test(test_overpass_vilbel),
        cmocka_unit_test(test_json_bad_files),
        cmocka_unit_test(test_json_bad_documents),
        cmocka_unit_test(test_json_good_documents),
        cmocka_unit_test(test_null_callbacks),
        cmocka_unit_test(test_sink_errors),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
