/* osm_xml.c: reads OpenStreetMap XML, plain or gzip or bzip2 compressed, with expat and hands each object to a sink. */
#include "osm/osm.h"
#include "base/util.h"

#include <bzlib.h>
#include <errno.h>
#include <expat.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

enum {
    XML_CHUNK = 1 << 16,        /* bytes read from the file, and fed to expat, at a time */
    XML_PROGRESS_EVERY = 4096   /* objects between two progress calls */
};

/* ---------------------------------------------------------------------------------------------------------------
 * Routing the allocations of expat, zlib and libbz2 to the bogie_allocator.
 * ------------------------------------------------------------------------------------------------------------- */

/* Those libraries free without saying how large the block was, and a bogie_allocator wants to know, so every block
 * handed to them starts with a header that records its size. */
typedef union block_header {
    size_t size;
    max_align_t align;
} block_header;

static void *block_alloc(const bogie_allocator *a, size_t size)
{
    if (size > SIZE_MAX - sizeof(block_header))
        return NULL;
    block_header *h = util_malloc(a, sizeof *h + size);
    if (!h)
        return NULL;
    h->size = size;
    return h + 1;
}

static void block_free(const bogie_allocator *a, void *p)
{
    if (!p)
        return;
    block_header *h = (block_header *)p - 1;
    util_free(a, h, sizeof *h + h->size);
}

static void *block_realloc(const bogie_allocator *a, void *p, size_t size)
{
    if (!p)
        return block_alloc(a, size);
    if (size > SIZE_MAX - sizeof(block_header))
        return NULL;
    block_header *h = (block_header *)p - 1;
    block_header *n = util_realloc(a, h, sizeof *h + h->size, sizeof *h + size);
    if (!n)
        return NULL;
    n->size = size;
    return n + 1;
}

/* Expat's memory suite passes no user pointer to its functions, so the allocator of the read running on this thread
 * is kept here. Every reader saves it, sets it before its first expat call and restores it after its last, so reads
 * on different threads, or nested in one thread's sink callbacks, do not disturb each other. This is the only
 * mutable static state of the module, and it is per thread. */
static _Thread_local const bogie_allocator *expat_alloc;

static void *expat_malloc(size_t size)
{
    return block_alloc(expat_alloc, size);
}

static void *expat_realloc(void *p, size_t size)
{
    return block_realloc(expat_alloc, p, size);
}

static void expat_free(void *p)
{
    block_free(expat_alloc, p);
}

static const XML_Memory_Handling_Suite expat_memory = {expat_malloc, expat_realloc, expat_free};

/* ---------------------------------------------------------------------------------------------------------------
 * The input: a file, decompressed on the fly when it is gzip or bzip2.
 * ------------------------------------------------------------------------------------------------------------- */

typedef enum { SRC_PLAIN, SRC_GZIP, SRC_BZIP2 } src_kind;

typedef struct xml_source {
    const char *name;
    const bogie_allocator *alloc;
    bogie_diag *diag;
    FILE *f;
    src_kind kind;
    unsigned char *in;  /* XML_CHUNK bytes; in[pos, len) is read from the file and not yet consumed */
    size_t pos, len;
    uint64_t file_read; /* bytes read from the file so far */
    bool eof;           /* the file has been read to its end */
    bool done;          /* the last compressed stream has ended */
    bool z_live, bz_live;
    z_stream z;
    bz_stream bz;
} xml_source;

static uint64_t src_consumed(const xml_source *s)
{
    return s->file_read - (s->len - s->pos);
}

static bogie_status src_errno(xml_source *s, const char *what, int err)
{
    char buf[128];
    if (strerror_r(err, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "error %d", err);
    if (s->file_read == 0)
        return util_fail(s->diag, BOGIE_ERR_IO, "%s: %s: %s", s->name, what, buf);
    return util_fail(s->diag, BOGIE_ERR_IO, "%s: byte %llu: %s: %s", s->name, (unsigned long long)s->file_read, what,
                     buf);
}

static bogie_status src_compressed_error(xml_source *s, const char *problem, const char *detail)
{
    const char *format = s->kind == SRC_BZIP2 ? "bzip2" : "gzip";
    if (detail)
        return util_fail(s->diag, BOGIE_ERR_INPUT, "%s: compressed byte %llu: %s data is %s (%s)", s->name,
                         (unsigned long long)src_consumed(s), format, problem, detail);
    return util_fail(s->diag, BOGIE_ERR_INPUT, "%s: compressed byte %llu: %s data is %s", s->name,
                     (unsigned long long)src_consumed(s), format, problem);
}

static bogie_status src_nomem(xml_source *s)
{
    return util_fail(s->diag, BOGIE_ERR_NOMEM, "%s: compressed byte %llu: out of memory while decompressing",
                     s->name, (unsigned long long)src_consumed(s));
}

/* Reads from the file until at least need unconsumed bytes are buffered or the file ends. */
static bogie_status src_fill(xml_source *s, size_t need)
{
    while (s->len - s->pos < need && !s->eof) {
        if (s->pos > 0) {
            memmove(s->in, s->in + s->pos, s->len - s->pos);
            s->len -= s->pos;
            s->pos = 0;
        }
        size_t n = fread(s->in + s->len, 1, XML_CHUNK - s->len, s->f);
        if (n == 0) {
            if (ferror(s->f))
                return src_errno(s, "read error", errno);
            s->eof = true;
        }
        s->len += n;
        s->file_read += n;
    }
    return BOGIE_OK;
}

static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    const xml_source *s = opaque;
    return block_alloc(s->alloc, (size_t)items * size);
}

static void zlib_free(voidpf opaque, voidpf p)
{
    const xml_source *s = opaque;
    block_free(s->alloc, p);
}

static void *bz_alloc(void *opaque, int items, int size)
{
    const xml_source *s = opaque;
    if (items < 0 || size < 0)
        return NULL;
    return block_alloc(s->alloc, (size_t)items * (size_t)size);
}

static void bz_free(void *opaque, void *p)
{
    const xml_source *s = opaque;
    block_free(s->alloc, p);
}

static bogie_status src_start_gzip(xml_source *s)
{
    memset(&s->z, 0, sizeof s->z);
    s->z.zalloc = zlib_alloc;
    s->z.zfree = zlib_free;
    s->z.opaque = s;
    /* 15 + 32: the largest window, and a gzip or zlib header recognised automatically. */
    int zr = inflateInit2(&s->z, 15 + 32);
    if (zr == Z_MEM_ERROR)
        return src_nomem(s);
    if (zr != Z_OK)
        return src_compressed_error(s, "not readable", s->z.msg ? s->z.msg : "inflateInit2 failed");
    s->z_live = true;
    return BOGIE_OK;
}

static bogie_status src_start_bzip2(xml_source *s)
{
    memset(&s->bz, 0, sizeof s->bz);
    s->bz.bzalloc = bz_alloc;
    s->bz.bzfree = bz_free;
    s->bz.opaque = s;
    int br = BZ2_bzDecompressInit(&s->bz, 0, 0);
    if (br == BZ_MEM_ERROR)
        return src_nomem(s);
    if (br != BZ_OK)
        return src_compressed_error(s, "not readable", "BZ2_bzDecompressInit failed");
    s->bz_live = true;
    return BOGIE_OK;
}

static bool is_gzip_magic(const unsigned char *p, size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static bool is_bzip2_magic(const unsigned char *p, size_t n)
{
    return n >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h';
}

/* Releases what src_open() acquired; safe on a partly opened source. */
static void src_close(xml_source *s)
{
    if (s->z_live)
        inflateEnd(&s->z);
    if (s->bz_live)
        BZ2_bzDecompressEnd(&s->bz);
    s->z_live = s->bz_live = false;
    if (s->f)
        fclose(s->f);
    s->f = NULL;
    util_free(s->alloc, s->in, XML_CHUNK);
    s->in = NULL;
}

/* Opens path and chooses plain, gzip or bzip2 from the first bytes; a name that promises compression the data lacks
 * is an error. The caller calls src_close() whatever this returns. */
static bogie_status src_open(xml_source *s, const char *path, const bogie_allocator *alloc, bogie_diag *diag)
{
    memset(s, 0, sizeof *s);
    s->name = path;
    s->alloc = alloc;
    s->diag = diag;
    s->in = util_malloc(alloc, XML_CHUNK);
    if (!s->in)
        return util_fail(diag, BOGIE_ERR_NOMEM, "%s: out of memory while opening", path);
    s->f = fopen(path, "rb");
    if (!s->f)
        return src_errno(s, "cannot open", errno);
    bogie_status st = src_fill(s, 3);
    if (st != BOGIE_OK)
        return st;
    if (s->len == 0)
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: byte 0: empty file", path);
    if (is_gzip_magic(s->in, s->len)) {
        s->kind = SRC_GZIP;
        return src_start_gzip(s);
    }
    if (is_bzip2_magic(s->in, s->len)) {
        s->kind = SRC_BZIP2;
        return src_start_bzip2(s);
    }
    if (util_ends_with_ci(path, ".gz")) {
        s->kind = SRC_GZIP;
        return src_compressed_error(s, "corrupt", "no gzip header");
    }
    if (util_ends_with_ci(path, ".bz2")) {
        s->kind = SRC_BZIP2;
        return src_compressed_error(s, "corrupt", "no bzip2 header");
    }
    s->kind = SRC_PLAIN;
    return BOGIE_OK;
}

static bogie_status src_read_gzip(xml_source *s, char *out, size_t cap, size_t *got)
{
    s->z.next_out = (Bytef *)out;
    s->z.avail_out = (uInt)cap;
    while (s->z.avail_out > 0 && !s->done) {
        bogie_status st = src_fill(s, 1);
        if (st != BOGIE_OK)
            return st;
        s->z.next_in = s->in + s->pos;
        s->z.avail_in = (uInt)(s->len - s->pos);
        int zr = inflate(&s->z, Z_NO_FLUSH);
        s->pos = s->len - s->z.avail_in;
        switch (zr) {
        case Z_OK:
            break;
        case Z_BUF_ERROR:
            /* No progress was possible: the input is used up, and at the end of the file that means truncation. */
            if (s->pos == s->len && s->eof)
                return src_compressed_error(s, "truncated", NULL);
            break;
        case Z_STREAM_END:
            /* Another gzip member may follow, as in files that were concatenated or written in parallel; bytes
             * that do not start one are ignored, as gzip itself does. */
            st = src_fill(s, 2);
            if (st != BOGIE_OK)
                return st;
            if (is_gzip_magic(s->in + s->pos, s->len - s->pos)) {
                if (inflateReset(&s->z) != Z_OK)
                    return src_compressed_error(s, "corrupt", "inflateReset failed");
            } else {
                s->done = true;
            }
            break;
        case Z_MEM_ERROR:
            return src_nomem(s);
        default:
            return src_compressed_error(s, "corrupt", s->z.msg ? s->z.msg : "zlib error");
        }
    }
    *got = cap - s->z.avail_out;
    return BOGIE_OK;
}

static bogie_status src_read_bzip2(xml_source *s, char *out, size_t cap, size_t *got)
{
    s->bz.next_out = out;
    s->bz.avail_out = (unsigned)cap;
    while (s->bz.avail_out > 0 && !s->done) {
        bogie_status st = src_fill(s, 1);
        if (st != BOGIE_OK)
            return st;
        s->bz.next_in = (char *)(s->in + s->pos);
        s->bz.avail_in = (unsigned)(s->len - s->pos);
        unsigned out_before = s->bz.avail_out;
        int br = BZ2_bzDecompress(&s->bz);
        s->pos = s->len - s->bz.avail_in;
        switch (br) {
        case BZ_OK:
            if (s->pos == s->len && s->eof && s->bz.avail_out == out_before)
                return src_compressed_error(s, "truncated", NULL);
            break;
        case BZ_STREAM_END:
            /* As with gzip, further streams may follow (pbzip2 writes them). */
            BZ2_bzDecompressEnd(&s->bz);
            s->bz_live = false;
            st = src_fill(s, 3);
            if (st != BOGIE_OK)
                return st;
            if (is_bzip2_magic(s->in + s->pos, s->len - s->pos)) {
                /* The output pointers survive the re-initialisation. */
                char *next_out = s->bz.next_out;
                unsigned avail_out = s->bz.avail_out;
                st = src_start_bzip2(s);
                if (st != BOGIE_OK)
                    return st;
                s->bz.next_out = next_out;
                s->bz.avail_out = avail_out;
            } else {
                s->done = true;
            }
            break;
        case BZ_MEM_ERROR:
            return src_nomem(s);
        default:
            return src_compressed_error(s, "corrupt", br == BZ_DATA_ERROR_MAGIC ? "bad stream header" : NULL);
        }
    }
    *got = cap - s->bz.avail_out;
    return BOGIE_OK;
}

/* Decompresses (or copies) up to cap bytes of XML into out; *got is 0 at the end of the data. */
static bogie_status src_read(xml_source *s, char *out, size_t cap, size_t *got)
{
    *got = 0;
    switch (s->kind) {
    case SRC_GZIP:
        return src_read_gzip(s, out, cap, got);
    case SRC_BZIP2:
        return src_read_bzip2(s, out, cap, got);
    case SRC_PLAIN:
        break;
    }
    bogie_status st = src_fill(s, 1);
    if (st != BOGIE_OK)
        return st;
    size_t n = s->len - s->pos < cap ? s->len - s->pos : cap;
    memcpy(out, s->in + s->pos, n);
    s->pos += n;
    *got = n;
    return BOGIE_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * The parser: expat callbacks that collect one object at a time.
 * ------------------------------------------------------------------------------------------------------------- */

typedef enum { OBJ_NONE, OBJ_SKIP, OBJ_NODE, OBJ_WAY, OBJ_RELATION } obj_kind;

/* Strings of the current object live in one growing buffer, so they are kept as offsets until the object is done. */
typedef struct tag_ofs {
    size_t key, value;
} tag_ofs;

typedef struct member_ofs {
    int64_t ref;
    size_t role;
    char type;
} member_ofs;

typedef struct xml_reader {
    const char *name;
    const osm_sink *sink;
    const bogie_allocator *alloc;
    bogie_diag *diag;
    XML_Parser parser;
    bogie_status status; /* the first failure; once set, every callback returns at once */
    unsigned depth;      /* elements open around the current event; the root is at depth 0 */
    obj_kind kind;       /* the element open at depth 1 */
    int64_t id;
    int32_t lat, lon;
    bool has_coords;     /* some <nd> of this way carried lat and lon */
    VEC(char) text;
    VEC(tag_ofs) tags;
    VEC(int64_t) refs;
    VEC(int32_t) coords;
    VEC(member_ofs) members;
    VEC(osm_tag) out_tags;
    VEC(osm_member) out_members;
    uint64_t bytes_done; /* compressed bytes handed to expat so far, for progress */
    uint64_t objects;
} xml_reader;

static const char *const kind_names[] = {"", "", "node", "way", "relation"};

static void reader_stop(xml_reader *r, bogie_status st)
{
    r->status = st;
    XML_StopParser(r->parser, XML_FALSE);
}

/* Fails the read with "<file>: line L: <kind> <id>: <message>"; has_id says whether the id is known yet. */
static void reader_fail(xml_reader *r, bogie_status st, bool has_id, const char *fmt, ...) PRINTF_LIKE(4, 5);
static void reader_fail(xml_reader *r, bogie_status st, bool has_id, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    unsigned long line = (unsigned long)XML_GetCurrentLineNumber(r->parser);
    if (has_id)
        util_fail(r->diag, st, "%s: line %lu: %s %lld: %s", r->name, line, kind_names[r->kind], (long long)r->id,
                  what);
    else
        util_fail(r->diag, st, "%s: line %lu: %s: %s", r->name, line, kind_names[r->kind], what);
    reader_stop(r, st);
}

static void reader_nomem(xml_reader *r)
{
    util_fail(r->diag, BOGIE_ERR_NOMEM, "%s: line %lu: out of memory while reading XML", r->name,
              (unsigned long)XML_GetCurrentLineNumber(r->parser));
    reader_stop(r, BOGIE_ERR_NOMEM);
}

static const char *attr(const XML_Char **atts, const char *name)
{
    for (; atts[0]; atts += 2)
        if (strcmp(atts[0], name) == 0)
            return atts[1];
    return NULL;
}

/* Parses a whole decimal integer, sign allowed, nothing else around it. */
static bool parse_i64(const char *s, int64_t *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (*p < '0' || *p > '9')
        return false;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (*p)
        return false;
    *out = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return true;
}

typedef enum { COORD_OK, COORD_NOT_NUMBER, COORD_RANGE } coord_result;

/* Parses a decimal number of degrees ("55.8211404", "-0.5", "1e-3") straight to fixed point, rounding half away
 * from zero. Working on the digits makes the result exact and independent of the C locale, which strtod() is not;
 * for the seven decimals OSM uses it agrees with osm_deg_to_e7(strtod(s)). |value| must not exceed limit_e7. */
static coord_result parse_coord(const char *s, int32_t limit_e7, int32_t *out)
{
    const char *p = s;
    bool neg = false, any = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    /* Up to 18 significant digits are kept in m; value = m * 10^exp10. Later digits only matter for the rounding of
     * an exact tie, and a tie rounds away from zero anyway. */
    uint64_t m = 0;
    long exp10 = 0;
    for (; *p >= '0' && *p <= '9'; p++, any = true) {
        if (m < 100000000000000000ull)
            m = m * 10 + (uint64_t)(*p - '0');
        else if (exp10 < 100000)
            exp10++;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, any = true) {
            if (m < 100000000000000000ull) {
                m = m * 10 + (uint64_t)(*p - '0');
                exp10--;
            }
        }
    }
    if (!any)
        return COORD_NOT_NUMBER;
    if (*p == 'e' || *p == 'E') {
        p++;
        bool eneg = false;
        if (*p == '-' || *p == '+')
            eneg = *p++ == '-';
        if (*p < '0' || *p > '9')
            return COORD_NOT_NUMBER;
        long e = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    if (*p)
        return COORD_NOT_NUMBER;
    uint64_t q = 0;
    if (m != 0) {
        long k = exp10 + 7;
        if (k >= 0) {
            if (k > 18)
                return COORD_RANGE;
            q = m;
            for (long i = 0; i < k; i++) {
                if (q > UINT64_MAX / 10)
                    return COORD_RANGE;
                q *= 10;
            }
        } else if (k >= -19) {
            uint64_t p10 = 1;
            for (long i = 0; i < -k; i++)
                p10 *= 10;
            q = m / p10;
            uint64_t rem = m % p10;
            if (rem >= p10 - rem)
                q++;
        }
        /* Below 10^-19 the value rounds to 0, as q already says. */
    }
    if (q > (uint64_t)limit_e7)
        return COORD_RANGE;
    *out = neg ? -(int32_t)q : (int32_t)q;
    return COORD_OK;
}

/* Reads coordinate attribute name of element el (NULL for the object itself) into *out; fails the read when it is
 * missing or bad. */
static bool read_coord(xml_reader *r, const XML_Char **atts, const char *el, const char *name, int32_t limit_e7,
                       int32_t *out)
{
    const char *v = attr(atts, name);
    const char *pre = el ? "<" : "", *post = el ? "> " : "";
    if (!el)
        el = "";
    if (!v) {
        reader_fail(r, BOGIE_ERR_INPUT, true, "%s%s%sattribute \"%s\" is missing", pre, el, post, name);
        return false;
    }
    switch (parse_coord(v, limit_e7, out)) {
    case COORD_OK:
        return true;
    case COORD_NOT_NUMBER:
        reader_fail(r, BOGIE_ERR_INPUT, true, "%s%s%sattribute \"%s\" is not a number: \"%.40s\"", pre, el, post,
                    name, v);
        return false;
    case COORD_RANGE:
        break;
    }
    reader_fail(r, BOGIE_ERR_INPUT, true, "%s%s%sattribute \"%s\" is out of range: \"%.40s\"", pre, el, post, name,
                v);
    return false;
}

static bool read_ref(xml_reader *r, const XML_Char **atts, const char *el, int64_t *out)
{
    const char *v = attr(atts, "ref");
    if (!v) {
        reader_fail(r, BOGIE_ERR_INPUT, true, "<%s> attribute \"ref\" is missing", el);
        return false;
    }
    if (!parse_i64(v, out)) {
        reader_fail(r, BOGIE_ERR_INPUT, true, "<%s> attribute \"ref\" is not an integer: \"%.40s\"", el, v);
        return false;
    }
    return true;
}

/* Copies s, terminator included, to the object's string buffer and sets *ofs to where it went. */
static bool text_push(xml_reader *r, const char *s, size_t *ofs)
{
    size_t n = strlen(s) + 1;
    if (VEC_RESERVE(r->alloc, r->text, r->text.n + n) != 0) {
        reader_nomem(r);
        return false;
    }
    memcpy(r->text.v + r->text.n, s, n);
    *ofs = r->text.n;
    r->text.n += n;
    return true;
}

static void begin_object(xml_reader *r, const XML_Char *el, const XML_Char **atts)
{
    obj_kind kind;
    bool wanted;
    if (strcmp(el, "node") == 0) {
        kind = OBJ_NODE;
        wanted = r->sink->node != NULL;
    } else if (strcmp(el, "way") == 0) {
        kind = OBJ_WAY;
        wanted = r->sink->way != NULL;
    } else if (strcmp(el, "relation") == 0) {
        kind = OBJ_RELATION;
        wanted = r->sink->relation != NULL;
    } else {
        /* <bounds>, <changeset>, <note>, <meta> and anything else. */
        r->kind = OBJ_NONE;
        return;
    }
    r->objects++;
    /* JOSM keeps objects the user deleted, marked action="delete"; history files mark deleted versions
     * visible="false". Neither exists in the data the file describes. */
    const char *action = attr(atts, "action"), *visible = attr(atts, "visible");
    if (!wanted || (action && strcmp(action, "delete") == 0) || (visible && strcmp(visible, "false") == 0)) {
        r->kind = OBJ_SKIP;
        return;
    }
    r->kind = kind;
    r->text.n = r->tags.n = r->refs.n = r->coords.n = r->members.n = 0;
    r->has_coords = false;
    const char *id = attr(atts, "id");
    if (!id) {
        reader_fail(r, BOGIE_ERR_INPUT, false, "attribute \"id\" is missing");
        return;
    }
    if (!parse_i64(id, &r->id)) {
        reader_fail(r, BOGIE_ERR_INPUT, false, "attribute \"id\" is not an integer: \"%.40s\"", id);
        return;
    }
    if (kind == OBJ_NODE) {
        if (!read_coord(r, atts, NULL, "lat", 900000000, &r->lat))
            return;
        read_coord(r, atts, NULL, "lon", 1800000000, &r->lon);
    }
}

static void add_tag(xml_reader *r, const XML_Char **atts)
{
    const char *k = attr(atts, "k"), *v = attr(atts, "v");
    if (!k || !v) {
        reader_fail(r, BOGIE_ERR_INPUT, true, "<tag> attribute \"%s\" is missing", k ? "v" : "k");
        return;
    }
    tag_ofs t;
    if (!text_push(r, k, &t.key) || !text_push(r, v, &t.value))
        return;
    if (VEC_PUSH(r->alloc, r->tags, t) != 0)
        reader_nomem(r);
}

static void add_nd(xml_reader *r, const XML_Char **atts)
{
    int64_t ref;
    if (!read_ref(r, atts, "nd", &ref))
        return;
    /* Some producers (osmium add-locations-to-ways, Overpass "out geom") put the node's location on the <nd>. The
     * coordinates array is started at the first such <nd>, with the earlier ones marked as missing. */
    int32_t lat = OSM_NO_COORD, lon = OSM_NO_COORD;
    bool located = attr(atts, "lat") || attr(atts, "lon");
    if (located) {
        if (!read_coord(r, atts, "nd", "lat", 900000000, &lat) || !read_coord(r, atts, "nd", "lon", 1800000000, &lon))
            return;
        if (!r->has_coords) {
            if (VEC_RESERVE(r->alloc, r->coords, 2 * r->refs.n + 2) != 0) {
                reader_nomem(r);
                return;
            }
            for (size_t i = 0; i < 2 * r->refs.n; i++)
                r->coords.v[i] = OSM_NO_COORD;
            r->coords.n = 2 * r->refs.n;
            r->has_coords = true;
        }
    }
    if (VEC_PUSH(r->alloc, r->refs, ref) != 0) {
        reader_nomem(r);
        return;
    }
    if (r->has_coords && (VEC_PUSH(r->alloc, r->coords, lat) != 0 || VEC_PUSH(r->alloc, r->coords, lon) != 0))
        reader_nomem(r);
}

static void add_member(xml_reader *r, const XML_Char **atts)
{
    const char *type = attr(atts, "type"), *role = attr(atts, "role");
    member_ofs m;
    if (!type) {
        reader_fail(r, BOGIE_ERR_INPUT, true, "<member> attribute \"type\" is missing");
        return;
    }
    if (strcmp(type, "node") == 0)
        m.type = 'n';
    else if (strcmp(type, "way") == 0)
        m.type = 'w';
    else if (strcmp(type, "relation") == 0)
        m.type = 'r';
    else {
        reader_fail(r, BOGIE_ERR_INPUT, true, "<member> attribute \"type\" is \"%.40s\", not node, way or relation",
                    type);
        return;
    }
    if (!read_ref(r, atts, "member", &m.ref) || !text_push(r, role ? role : "", &m.role))
        return;
    if (VEC_PUSH(r->alloc, r->members, m) != 0)
        reader_nomem(r);
}

/* Hands the finished object to the sink, resolving the string offsets into pointers first. */
static void emit_object(xml_reader *r)
{
    if (VEC_RESERVE(r->alloc, r->out_tags, r->tags.n) != 0) {
        reader_nomem(r);
        return;
    }
    for (size_t i = 0; i < r->tags.n; i++) {
        r->out_tags.v[i].key = r->text.v + r->tags.v[i].key;
        r->out_tags.v[i].value = r->text.v + r->tags.v[i].value;
    }
    const osm_sink *k = r->sink;
    bogie_status st = BOGIE_OK;
    switch (r->kind) {
    case OBJ_NODE:
        st = k->node(k->ud, r->id, r->lat, r->lon, r->out_tags.v, r->tags.n);
        break;
    case OBJ_WAY:
        st = k->way(k->ud, r->id, r->refs.v, r->refs.n, r->has_coords ? r->coords.v : NULL, r->out_tags.v,
                    r->tags.n);
        break;
    case OBJ_RELATION:
        if (VEC_RESERVE(r->alloc, r->out_members, r->members.n) != 0) {
            reader_nomem(r);
            return;
        }
        for (size_t i = 0; i < r->members.n; i++) {
            r->out_members.v[i].type = r->members.v[i].type;
            r->out_members.v[i].ref = r->members.v[i].ref;
            r->out_members.v[i].role = r->text.v + r->members.v[i].role;
        }
        st = k->relation(k->ud, r->id, r->out_members.v, r->members.n, r->out_tags.v, r->tags.n);
        break;
    case OBJ_NONE:
    case OBJ_SKIP:
        break;
    }
    if (st != BOGIE_OK)
        reader_stop(r, st);
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    xml_reader *r = ud;
    unsigned depth = r->depth++;
    if (r->status != BOGIE_OK)
        return;
    if (depth == 0) {
        if (strcmp(el, "osm") != 0) {
            util_fail(r->diag, BOGIE_ERR_INPUT, "%s: line %lu: not an OSM XML document: the root element is <%.40s>, "
                      "not <osm>", r->name, (unsigned long)XML_GetCurrentLineNumber(r->parser), el);
            reader_stop(r, BOGIE_ERR_INPUT);
        }
    } else if (depth == 1) {
        begin_object(r, el, atts);
    } else if (depth == 2) {
        /* Children other than these, and anything deeper, are not part of the data model and are skipped. */
        if (r->kind <= OBJ_SKIP)
            return;
        if (strcmp(el, "tag") == 0)
            add_tag(r, atts);
        else if (r->kind == OBJ_WAY && strcmp(el, "nd") == 0)
            add_nd(r, atts);
        else if (r->kind == OBJ_RELATION && strcmp(el, "member") == 0)
            add_member(r, atts);
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
    xml_reader *r = ud;
    UNUSED(el);
    r->depth--;
    if (r->status != BOGIE_OK || r->depth != 1 || r->kind == OBJ_NONE)
        return;
    emit_object(r);
    r->kind = OBJ_NONE;
    if (r->status == BOGIE_OK && r->sink->progress && r->objects % XML_PROGRESS_EVERY == 0) {
        bogie_status st = r->sink->progress(r->sink->ud, r->bytes_done, r->objects);
        if (st != BOGIE_OK)
            reader_stop(r, st);
    }
}

/* Creates the parser; expat_alloc must already be set. The caller calls reader_free() whatever this returns. */
static bogie_status reader_init(xml_reader *r, const char *name, const osm_sink *sink, const bogie_allocator *alloc,
                                bogie_diag *diag)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->sink = sink;
    r->alloc = alloc;
    r->diag = diag;
    r->parser = XML_ParserCreate_MM(NULL, &expat_memory, NULL);
    if (!r->parser)
        return util_fail(diag, BOGIE_ERR_NOMEM, "%s: out of memory while creating the XML parser", name);
    XML_SetUserData(r->parser, r);
    XML_SetElementHandler(r->parser, on_start, on_end);
    return BOGIE_OK;
}

static void reader_free(xml_reader *r)
{
    if (r->parser)
        XML_ParserFree(r->parser);
    r->parser = NULL;
    VEC_FREE(r->alloc, r->text);
    VEC_FREE(r->alloc, r->tags);
    VEC_FREE(r->alloc, r->refs);
    VEC_FREE(r->alloc, r->coords);
    VEC_FREE(r->alloc, r->members);
    VEC_FREE(r->alloc, r->out_tags);
    VEC_FREE(r->alloc, r->out_members);
}

/* Turns the result of one XML_Parse or XML_ParseBuffer call into a status, filling diag for expat's own errors. */
static bogie_status reader_check(xml_reader *r, enum XML_Status xs)
{
    if (r->status != BOGIE_OK)
        return r->status;
    if (xs == XML_STATUS_OK)
        return BOGIE_OK;
    enum XML_Error code = XML_GetErrorCode(r->parser);
    unsigned long line = (unsigned long)XML_GetCurrentLineNumber(r->parser);
    /* Expat counts columns from 0; people and editors count from 1. */
    unsigned long column = (unsigned long)XML_GetCurrentColumnNumber(r->parser) + 1;
    bogie_status st = code == XML_ERROR_NO_MEMORY ? BOGIE_ERR_NOMEM : BOGIE_ERR_INPUT;
    const char *text = XML_ErrorString(code);
    return util_fail(r->diag, st, "%s: line %lu, column %lu: %s", r->name, line, column,
                     text ? text : "XML error");
}

static bogie_status reader_finish(xml_reader *r, uint64_t bytes)
{
    if (r->sink->progress)
        return r->sink->progress(r->sink->ud, bytes, r->objects);
    return BOGIE_OK;
}

bogie_status osm_read_xml(const char *path, const osm_sink *sink, const bogie_allocator *alloc, bogie_diag *diag)
{
    if (!path || !sink)
        return util_fail(diag, BOGIE_ERR_ARG, "osm_read_xml: path and sink must not be NULL");
    alloc = util_alloc_or_default(alloc);
    const bogie_allocator *saved = expat_alloc;
    expat_alloc = alloc;

    xml_source src;
    xml_reader r;
    memset(&r, 0, sizeof r);
    r.alloc = alloc;
    bogie_status st = src_open(&src, path, alloc, diag);
    if (st == BOGIE_OK)
        st = reader_init(&r, path, sink, alloc, diag);
    while (st == BOGIE_OK) {
        void *buf = XML_GetBuffer(r.parser, XML_CHUNK);
        if (!buf) {
            st = util_fail(diag, BOGIE_ERR_NOMEM, "%s: out of memory while reading XML", path);
            break;
        }
        size_t got;
        st = src_read(&src, buf, XML_CHUNK, &got);
        if (st != BOGIE_OK)
            break;
        r.bytes_done = src_consumed(&src);
        st = reader_check(&r, XML_ParseBuffer(r.parser, (int)got, got == 0));
        if (got == 0)
            break;
    }
    if (st == BOGIE_OK)
        st = reader_finish(&r, src_consumed(&src));
    reader_free(&r);
    src_close(&src);
    expat_alloc = saved;
    return st;
}

bogie_status osm_read_xml_buffer(const char *name, const char *data, size_t len, const osm_sink *sink,
                                 const bogie_allocator *alloc, bogie_diag *diag)
{
    if (!name || !sink || (!data && len))
        return util_fail(diag, BOGIE_ERR_ARG, "osm_read_xml_buffer: name, data and sink must not be NULL");
    if (len == 0)
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: byte 0: empty file", name);
    alloc = util_alloc_or_default(alloc);
    const bogie_allocator *saved = expat_alloc;
    expat_alloc = alloc;

    xml_reader r;
    bogie_status st = reader_init(&r, name, sink, alloc, diag);
    size_t done = 0;
    while (st == BOGIE_OK) {
        size_t n = len - done < XML_CHUNK ? len - done : XML_CHUNK;
        r.bytes_done = done + n;
        st = reader_check(&r, XML_Parse(r.parser, data + done, (int)n, done + n == len));
        done += n;
        if (done == len)
            break;
    }
    if (st == BOGIE_OK)
        st = reader_finish(&r, len);
    reader_free(&r);
    expat_alloc = saved;
    return st;
}
