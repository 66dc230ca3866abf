/* osm_pbf.c: bogie's own reader of OpenStreetMap PBF files, which decodes the protobuf by hand and feeds an osm_sink
 * straight from a read-only mapping of the file. */
#include "osm/osm.h"

#include "base/util.h"

#include <libdeflate.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The limits of the PBF specification: a BlobHeader must be shorter than 64 KiB, and neither a blob nor its
 * uncompressed contents may exceed 32 MiB. */
#define PBF_MAX_HEADER_LEN (64u * 1024u)
#define PBF_MAX_BLOB_SIZE (32u * 1024u * 1024u)

/* Valid coordinates in nanodegrees, widened by the 49 that still round into range. */
#define PBF_MAX_LAT_NANO (90000000000LL + 49)
#define PBF_MAX_LON_NANO (180000000000LL + 49)

/* Protobuf wire types. */
enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_LEN = 2, WT_FIXED32 = 5 };

/* A byte range [p, end) inside the file or the decompression buffer. */
typedef struct pb_slice {
    const uint8_t *p, *end;
} pb_slice;

/* One decoded protobuf field: its number and wire type, the value of a varint or fixed field, or the bytes of a
 * length-delimited one. */
typedef struct pb_field {
    uint32_t num, wt;
    uint64_t u;
    pb_slice s;
} pb_field;

/* What a PrimitiveBlock says about all the objects in it. */
typedef struct pbf_block {
    const char *const *str; /* the string table, NUL-terminated copies */
    size_t n_str;
    int64_t granularity, lat_offset, lon_offset; /* in nanodegrees */
    int plain;                                   /* granularity 100 and no offsets: raw values are already e7 */
} pbf_block;

/* The state of one read. It lives on osm_read_pbf_buffer()'s stack; the buffers below are its own. */
typedef struct pbf_reader {
    const char *name;
    const osm_sink *sink;
    const bogie_allocator *alloc;
    bogie_diag *diag;

    uint64_t blob_pos;     /* byte offset of the current blob's length prefix */
    uint64_t blob_no;      /* 1-based number of the current blob */
    const char *blob_type; /* "OSMHeader" or "OSMData" once the BlobHeader is read, else NULL */
    const char *obj_kind;  /* "node", "way" or "relation" while one is decoded, for messages */
    int64_t obj_id;
    int obj_has_id;
    int seen_header;
    uint64_t objects;

    /* Buffers reused from blob to blob; all owned by the reader and freed by pbf_reader_free(). */
    struct libdeflate_decompressor *inflater;
    uint8_t *raw;
    size_t raw_cap;
    char *chars; /* the string table's strings, each followed by a NUL */
    size_t chars_cap;
    VEC(const char *) str;
    VEC(osm_tag) tags;
    VEC(int64_t) refs;
    VEC(int32_t) coords;
    VEC(osm_member) members;
} pbf_reader;

/* ---------------------------------------------------------------------------------------------------------------
 * Diagnostics.
 * ------------------------------------------------------------------------------------------------------------- */

/* Fills diag with "name: byte N (blob K, type): object: message" and returns status. */
static bogie_status pbf_fail(pbf_reader *r, bogie_status status, const char *fmt, ...) PRINTF_LIKE(3, 4);
static bogie_status pbf_fail(pbf_reader *r, bogie_status status, const char *fmt, ...)
{
    if (!r->diag)
        return status;
    char what[640], where[160] = "", obj[64] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r->blob_type)
        snprintf(where, sizeof where, " (blob %" PRIu64 ", %s)", r->blob_no, r->blob_type);
    else if (r->blob_no)
        snprintf(where, sizeof where, " (blob %" PRIu64 ")", r->blob_no);
    if (r->obj_kind && r->obj_has_id)
        snprintf(obj, sizeof obj, "%s %" PRId64 ": ", r->obj_kind, r->obj_id);
    else if (r->obj_kind)
        snprintf(obj, sizeof obj, "%s: ", r->obj_kind);
    return util_fail(r->diag, status, "%s: byte %" PRIu64 "%s: %s%s", r->name, r->blob_pos, where, obj, what);
}

/* Fails with BOGIE_ERR_NOMEM, saying what the memory was for. */
static bogie_status pbf_nomem(pbf_reader *r, const char *what)
{
    return pbf_fail(r, BOGIE_ERR_NOMEM, "out of memory while %s", what);
}

/* Copies the n bytes at s into dst (of size cap) for a message: printable ASCII as is, anything else as \xHH, cut
 * with "..." when too long. */
static void pbf_printable(char *dst, size_t cap, const uint8_t *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 8 >= cap) {
            memcpy(dst + o, "...", 4);
            return;
        }
        if (s[i] >= 0x20 && s[i] < 0x7f)
            dst[o++] = (char)s[i];
        else
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", s[i]);
    }
    dst[o] = '\0';
}

/* ---------------------------------------------------------------------------------------------------------------
 * Protobuf decoding. Every read is bounds-checked against the end of its message.
 * ------------------------------------------------------------------------------------------------------------- */

/* Reads a varint at *pp that did not fit the fast path of pb_varint(). Returns 0, or -1 when it is cut off by end
 * or longer than 64 bits. */
static int pb_varint_slow(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (unsigned shift = 0; p < end; shift += 7) {
        uint64_t b = *p++;
        if (shift == 63 && b > 1)
            return -1;
        v |= (b & 0x7f) << shift;
        if (b < 0x80) {
            *out = v;
            *pp = p;
            return 0;
        }
    }
    return -1;
}

/* Reads the varint at *pp into *out and moves *pp past it. Returns 0, or -1 when it is cut off by end or longer than
 * 64 bits. Varints of up to three bytes, which are most of them, take the inline path. */
static inline int pb_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    if (end - p >= 3) {
        uint64_t b = p[0];
        if (b < 0x80) {
            *out = b;
            *pp = p + 1;
            return 0;
        }
        uint64_t v = b & 0x7f;
        b = p[1];
        if (b < 0x80) {
            *out = v | b << 7;
            *pp = p + 2;
            return 0;
        }
        v |= (b & 0x7f) << 7;
        b = p[2];
        if (b < 0x80) {
            *out = v | b << 14;
            *pp = p + 3;
            return 0;
        }
    }
    return pb_varint_slow(pp, end, out);
}

static inline int64_t pb_zigzag(uint64_t u)
{
    return (int64_t)((u >> 1) ^ (0 - (u & 1)));
}

/* Returns the number of varints in a packed array, or SIZE_MAX when the last one is cut off. */
static size_t pb_count(pb_slice s)
{
    size_t n = 0, len = (size_t)(s.end - s.p);
    for (size_t i = 0; i < len; i++)
        n += s.p[i] < 0x80;
    if (len && s.end[-1] >= 0x80)
        return SIZE_MAX;
    return n;
}

/* Reads the field at *pp (whose message ends at end) into f and moves *pp past it. Returns NULL, or a phrase saying
 * what is wrong. */
static const char *pb_next(const uint8_t **pp, const uint8_t *end, pb_field *f)
{
    uint64_t key, len;
    f->num = 0;
    if (pb_varint(pp, end, &key))
        return "truncated field key";
    if (key >> 32 || key >> 3 == 0)
        return "invalid field number";
    f->num = (uint32_t)(key >> 3);
    f->wt = (uint32_t)(key & 7);
    switch (f->wt) {
    case WT_VARINT:
        if (pb_varint(pp, end, &f->u))
            return "truncated varint";
        return NULL;
    case WT_FIXED64:
        if (end - *pp < 8)
            return "truncated fixed64";
        f->u = 0;
        for (int i = 7; i >= 0; i--)
            f->u = f->u << 8 | (*pp)[i];
        *pp += 8;
        return NULL;
    case WT_LEN:
        if (pb_varint(pp, end, &len))
            return "truncated length";
        if (len > (uint64_t)(end - *pp))
            return "length runs past the end of the message";
        f->s.p = *pp;
        f->s.end = *pp + len;
        *pp += len;
        return NULL;
    case WT_FIXED32:
        if (end - *pp < 4)
            return "truncated fixed32";
        f->u = (uint64_t)(*pp)[0] | (uint64_t)(*pp)[1] << 8 | (uint64_t)(*pp)[2] << 16 | (uint64_t)(*pp)[3] << 24;
        *pp += 4;
        return NULL;
    case 3:
    case 4:
        return "groups (wire types 3 and 4) are not supported";
    default:
        return "invalid wire type";
    }
}

static bogie_status pbf_bad_field(pbf_reader *r, const char *msg, const pb_field *f, const char *why)
{
    if (f->num)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed %s: field %" PRIu32 ": %s", msg, f->num, why);
    return pbf_fail(r, BOGIE_ERR_INPUT, "malformed %s: %s", msg, why);
}

/* Checks that f has wire type wt; returns BOGIE_OK or fails naming msg and the field. */
static bogie_status pbf_want(pbf_reader *r, const char *msg, const pb_field *f, uint32_t wt)
{
    if (f->wt == wt)
        return BOGIE_OK;
    return pbf_fail(r, BOGIE_ERR_INPUT, "malformed %s: field %" PRIu32 " has wire type %" PRIu32 ", expected %" PRIu32,
                    msg, f->num, f->wt, wt);
}

/* Stores the packed array f into *dst, refusing a second occurrence (writers never split packed arrays). */
static bogie_status pbf_packed(pbf_reader *r, const char *msg, const pb_field *f, pb_slice *dst)
{
    bogie_status st = pbf_want(r, msg, f, WT_LEN);
    if (st)
        return st;
    if (dst->p)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed %s: packed field %" PRIu32 " appears twice", msg, f->num);
    *dst = f->s;
    return BOGIE_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Objects.
 * ------------------------------------------------------------------------------------------------------------- */

/* Converts a raw coordinate v of block b to degrees*1e7 in *out, rounding half away from zero. Returns 0, or -1 when
 * the result lies beyond max_nano nanodegrees or the arithmetic overflows. */
static inline int pbf_coord(const pbf_block *b, int64_t offset, int64_t v, int64_t max_nano, int32_t *out)
{
    int64_t n;
    if (b->plain) {
        if (v > max_nano / 100 || v < -(max_nano / 100))
            return -1;
        *out = (int32_t)v;
        return 0;
    }
    if (__builtin_mul_overflow(b->granularity, v, &n) || __builtin_add_overflow(n, offset, &n))
        return -1;
    if (n > max_nano || n < -max_nano)
        return -1;
    *out = (int32_t)(n >= 0 ? (n + 50) / 100 : -((50 - n) / 100));
    return 0;
}

static bogie_status pbf_bad_coord(pbf_reader *r, const pbf_block *b, const char *which, int64_t offset, int64_t v)
{
    /* Recompute in floating point only for the message; the value may overflow int64. */
    double deg = ((double)offset + (double)b->granularity * (double)v) / 1e9;
    return pbf_fail(r, BOGIE_ERR_INPUT, "%s %.7f is out of range", which, deg);
}

static bogie_status pbf_bad_sid(pbf_reader *r, const pbf_block *b, const char *field, uint64_t sid)
{
    return pbf_fail(r, BOGIE_ERR_INPUT, "%s: string table index %" PRIu64 " out of range (%zu strings)", field, sid,
                    b->n_str);
}

/* Decodes the parallel packed arrays keys and vals into r->tags, a buffer the reader owns and reuses; *n_out
 * receives the count. The strings belong to the block's string table. */
static bogie_status pbf_tags(pbf_reader *r, const pbf_block *b, pb_slice keys, pb_slice vals, size_t *n_out)
{
    size_t nk = pb_count(keys), nv = pb_count(vals);
    if (nk == SIZE_MAX || nv == SIZE_MAX)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed tags: truncated varint in %s", nk == SIZE_MAX ? "keys" : "vals");
    if (nk != nv)
        return pbf_fail(r, BOGIE_ERR_INPUT, "%zu tag keys but %zu values", nk, nv);
    if (VEC_RESERVE(r->alloc, r->tags, nk))
        return pbf_nomem(r, "collecting tags");
    for (size_t i = 0; i < nk; i++) {
        uint64_t k, v;
        if (pb_varint(&keys.p, keys.end, &k) || pb_varint(&vals.p, vals.end, &v))
            return pbf_fail(r, BOGIE_ERR_INPUT, "malformed tags: overlong varint");
        if (k >= b->n_str)
            return pbf_bad_sid(r, b, "tag key", k);
        if (v >= b->n_str)
            return pbf_bad_sid(r, b, "tag value", v);
        r->tags.v[i].key = b->str[k];
        r->tags.v[i].value = b->str[v];
    }
    *n_out = nk;
    return BOGIE_OK;
}

static bogie_status pbf_node(pbf_reader *r, const pbf_block *b, pb_slice m)
{
    r->objects++;
    if (!r->sink->node)
        return BOGIE_OK;
    r->obj_kind = "node";
    r->obj_has_id = 0;
    pb_slice keys = {0}, vals = {0};
    int64_t lat = 0, lon = 0;
    int have = 0;
    bogie_status st;
    pb_field f;
    while (m.p < m.end) {
        const char *why = pb_next(&m.p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "Node", &f, why);
        switch (f.num) {
        case 1:
            if ((st = pbf_want(r, "Node", &f, WT_VARINT)))
                return st;
            r->obj_id = pb_zigzag(f.u);
            r->obj_has_id = 1;
            have |= 1;
            break;
        case 2:
            if ((st = pbf_packed(r, "Node", &f, &keys)))
                return st;
            break;
        case 3:
            if ((st = pbf_packed(r, "Node", &f, &vals)))
                return st;
            break;
        case 8:
            if ((st = pbf_want(r, "Node", &f, WT_VARINT)))
                return st;
            lat = pb_zigzag(f.u);
            have |= 2;
            break;
        case 9:
            if ((st = pbf_want(r, "Node", &f, WT_VARINT)))
                return st;
            lon = pb_zigzag(f.u);
            have |= 4;
            break;
        default:
            break;
        }
    }
    if (have != 7)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Node: %s is missing",
                        !(have & 1) ? "id" : !(have & 2) ? "lat" : "lon");
    int32_t lat_e7, lon_e7;
    if (pbf_coord(b, b->lat_offset, lat, PBF_MAX_LAT_NANO, &lat_e7))
        return pbf_bad_coord(r, b, "latitude", b->lat_offset, lat);
    if (pbf_coord(b, b->lon_offset, lon, PBF_MAX_LON_NANO, &lon_e7))
        return pbf_bad_coord(r, b, "longitude", b->lon_offset, lon);
    size_t n_tags = 0;
    if ((st = pbf_tags(r, b, keys, vals, &n_tags)))
        return st;
    r->obj_kind = NULL;
    return r->sink->node(r->sink->ud, r->obj_id, lat_e7, lon_e7, r->tags.v, n_tags);
}

/* Decodes a DenseNodes message, the bulk of every file, and hands each node to the sink. */
static bogie_status pbf_dense(pbf_reader *r, const pbf_block *b, pb_slice m)
{
    pb_slice ids = {0}, lats = {0}, lons = {0}, kv = {0};
    bogie_status st;
    pb_field f;
    while (m.p < m.end) {
        const char *why = pb_next(&m.p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "DenseNodes", &f, why);
        switch (f.num) {
        case 1: st = pbf_packed(r, "DenseNodes", &f, &ids); break;
        case 8: st = pbf_packed(r, "DenseNodes", &f, &lats); break;
        case 9: st = pbf_packed(r, "DenseNodes", &f, &lons); break;
        case 10: st = pbf_packed(r, "DenseNodes", &f, &kv); break;
        default: st = BOGIE_OK; break;
        }
        if (st)
            return st;
    }
    if (!r->sink->node) {
        size_t n = pb_count(ids);
        if (n != SIZE_MAX)
            r->objects += n;
        return BOGIE_OK;
    }

    bogie_status (*const node_fn)(void *, int64_t, int32_t, int32_t, const osm_tag *, size_t) = r->sink->node;
    void *const ud = r->sink->ud;
    const char *const *const str = b->str;
    const uint64_t n_str = b->n_str;
    const int tagged = kv.p != NULL && kv.p < kv.end;
    uint64_t id = 0, lat = 0, lon = 0, d;
    while (ids.p < ids.end) {
        if (pb_varint(&ids.p, ids.end, &d))
            return pbf_fail(r, BOGIE_ERR_INPUT, "malformed DenseNodes: truncated varint in id");
        id += (uint64_t)pb_zigzag(d);
        if (pb_varint(&lats.p, lats.end, &d))
            goto bad_lat;
        lat += (uint64_t)pb_zigzag(d);
        if (pb_varint(&lons.p, lons.end, &d))
            goto bad_lon;
        lon += (uint64_t)pb_zigzag(d);

        size_t n_tags = 0;
        if (tagged) {
            for (;;) {
                uint64_t k, v;
                if (pb_varint(&kv.p, kv.end, &k))
                    goto bad_kv;
                if (k == 0)
                    break;
                if (pb_varint(&kv.p, kv.end, &v))
                    goto bad_kv;
                if (k >= n_str || v >= n_str) {
                    r->obj_kind = "node", r->obj_id = (int64_t)id, r->obj_has_id = 1;
                    return pbf_bad_sid(r, b, k >= n_str ? "tag key" : "tag value", k >= n_str ? k : v);
                }
                if (n_tags == r->tags.cap && VEC_RESERVE(r->alloc, r->tags, n_tags + 1))
                    return pbf_nomem(r, "collecting tags");
                r->tags.v[n_tags].key = str[k];
                r->tags.v[n_tags].value = str[v];
                n_tags++;
            }
        }

        int32_t lat_e7, lon_e7;
        if (pbf_coord(b, b->lat_offset, (int64_t)lat, PBF_MAX_LAT_NANO, &lat_e7)) {
            r->obj_kind = "node", r->obj_id = (int64_t)id, r->obj_has_id = 1;
            return pbf_bad_coord(r, b, "latitude", b->lat_offset, (int64_t)lat);
        }
        if (pbf_coord(b, b->lon_offset, (int64_t)lon, PBF_MAX_LON_NANO, &lon_e7)) {
            r->obj_kind = "node", r->obj_id = (int64_t)id, r->obj_has_id = 1;
            return pbf_bad_coord(r, b, "longitude", b->lon_offset, (int64_t)lon);
        }
        r->objects++;
        if ((st = node_fn(ud, (int64_t)id, lat_e7, lon_e7, r->tags.v, n_tags)))
            return st;
    }
    if (lats.p != lats.end || lons.p != lons.end)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed DenseNodes: %s has more entries than id",
                        lats.p != lats.end ? "lat" : "lon");
    return BOGIE_OK;

bad_lat:
    return pbf_fail(r, BOGIE_ERR_INPUT, "malformed DenseNodes: %s in lat", lats.p == lats.end ?
                    "fewer entries than in id" : "truncated varint");
bad_lon:
    return pbf_fail(r, BOGIE_ERR_INPUT, "malformed DenseNodes: %s in lon", lons.p == lons.end ?
                    "fewer entries than in id" : "truncated varint");
bad_kv:
    return pbf_fail(r, BOGIE_ERR_INPUT, "malformed DenseNodes: keys_vals %s", kv.p == kv.end ?
                    "ends before the last node's tags" : "holds a truncated varint");
}

static bogie_status pbf_way(pbf_reader *r, const pbf_block *b, pb_slice m)
{
    r->objects++;
    if (!r->sink->way)
        return BOGIE_OK;
    r->obj_kind = "way";
    r->obj_has_id = 0;
    pb_slice keys = {0}, vals = {0}, refs = {0}, lats = {0}, lons = {0};
    bogie_status st;
    pb_field f;
    while (m.p < m.end) {
        const char *why = pb_next(&m.p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "Way", &f, why);
        switch (f.num) {
        case 1:
            if ((st = pbf_want(r, "Way", &f, WT_VARINT)))
                return st;
            r->obj_id = (int64_t)f.u;
            r->obj_has_id = 1;
            break;
        case 2: st = pbf_packed(r, "Way", &f, &keys); break;
        case 3: st = pbf_packed(r, "Way", &f, &vals); break;
        case 8: st = pbf_packed(r, "Way", &f, &refs); break;
        case 9: st = pbf_packed(r, "Way", &f, &lats); break;
        case 10: st = pbf_packed(r, "Way", &f, &lons); break;
        default: st = BOGIE_OK; break;
        }
        if (st)
            return st;
    }
    if (!r->obj_has_id)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Way: id is missing");
    size_t n_tags = 0;
    if ((st = pbf_tags(r, b, keys, vals, &n_tags)))
        return st;

    size_t n = pb_count(refs);
    if (n == SIZE_MAX)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Way: truncated varint in refs");
    if (VEC_RESERVE(r->alloc, r->refs, n))
        return pbf_nomem(r, "collecting way refs");
    uint64_t acc = 0, d;
    for (size_t i = 0; i < n; i++) {
        if (pb_varint(&refs.p, refs.end, &d))
            return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Way: overlong varint in refs");
        acc += (uint64_t)pb_zigzag(d);
        r->refs.v[i] = (int64_t)acc;
    }

    const int32_t *coords = NULL;
    if (lats.p || lons.p) {
        size_t nlat = pb_count(lats), nlon = pb_count(lons);
        if (nlat != n || nlon != n)
            return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Way: %zu refs but %zu lat and %zu lon values", n,
                            nlat == SIZE_MAX ? 0 : nlat, nlon == SIZE_MAX ? 0 : nlon);
        if (VEC_RESERVE(r->alloc, r->coords, 2 * n))
            return pbf_nomem(r, "collecting way locations");
        uint64_t la = 0, lo = 0, dl;
        for (size_t i = 0; i < n; i++) {
            if (pb_varint(&lats.p, lats.end, &d) || pb_varint(&lons.p, lons.end, &dl))
                return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Way: overlong varint in lat or lon");
            la += (uint64_t)pb_zigzag(d);
            lo += (uint64_t)pb_zigzag(dl);
            int32_t *c = r->coords.v + 2 * i;
            /* Writers store a missing location as an out-of-range value; that becomes OSM_NO_COORD. */
            if (pbf_coord(b, b->lat_offset, (int64_t)la, PBF_MAX_LAT_NANO, &c[0]) ||
                pbf_coord(b, b->lon_offset, (int64_t)lo, PBF_MAX_LON_NANO, &c[1]))
                c[0] = c[1] = OSM_NO_COORD;
        }
        coords = r->coords.v;
    }
    r->obj_kind = NULL;
    return r->sink->way(r->sink->ud, r->obj_id, r->refs.v, n, coords, r->tags.v, n_tags);
}

static bogie_status pbf_relation(pbf_reader *r, const pbf_block *b, pb_slice m)
{
    r->objects++;
    if (!r->sink->relation)
        return BOGIE_OK;
    r->obj_kind = "relation";
    r->obj_has_id = 0;
    pb_slice keys = {0}, vals = {0}, roles = {0}, memids = {0}, types = {0};
    bogie_status st;
    pb_field f;
    while (m.p < m.end) {
        const char *why = pb_next(&m.p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "Relation", &f, why);
        switch (f.num) {
        case 1:
            if ((st = pbf_want(r, "Relation", &f, WT_VARINT)))
                return st;
            r->obj_id = (int64_t)f.u;
            r->obj_has_id = 1;
            break;
        case 2: st = pbf_packed(r, "Relation", &f, &keys); break;
        case 3: st = pbf_packed(r, "Relation", &f, &vals); break;
        case 8: st = pbf_packed(r, "Relation", &f, &roles); break;
        case 9: st = pbf_packed(r, "Relation", &f, &memids); break;
        case 10: st = pbf_packed(r, "Relation", &f, &types); break;
        default: st = BOGIE_OK; break;
        }
        if (st)
            return st;
    }
    if (!r->obj_has_id)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Relation: id is missing");
    size_t n_tags = 0;
    if ((st = pbf_tags(r, b, keys, vals, &n_tags)))
        return st;

    size_t n = pb_count(memids), nr = pb_count(roles), nt = pb_count(types);
    if (n == SIZE_MAX || nr == SIZE_MAX || nt == SIZE_MAX)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Relation: truncated varint in %s",
                        n == SIZE_MAX ? "memids" : nr == SIZE_MAX ? "roles_sid" : "types");
    if (nr != n || nt != n)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Relation: %zu memids but %zu roles_sid and %zu types", n, nr,
                        nt);
    if (VEC_RESERVE(r->alloc, r->members, n))
        return pbf_nomem(r, "collecting relation members");
    uint64_t acc = 0, d, role, type;
    for (size_t i = 0; i < n; i++) {
        if (pb_varint(&memids.p, memids.end, &d) || pb_varint(&roles.p, roles.end, &role) ||
            pb_varint(&types.p, types.end, &type))
            return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Relation: overlong varint in members");
        acc += (uint64_t)pb_zigzag(d);
        if (role >= b->n_str)
            return pbf_bad_sid(r, b, "member role", role);
        if (type > 2)
            return pbf_fail(r, BOGIE_ERR_INPUT, "member %zu: type %" PRIu64 " is not node, way or relation", i + 1,
                            type);
        r->members.v[i].type = "nwr"[type];
        r->members.v[i].ref = (int64_t)acc;
        r->members.v[i].role = b->str[role];
    }
    r->obj_kind = NULL;
    return r->sink->relation(r->sink->ud, r->obj_id, r->members.v, n, r->tags.v, n_tags);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Blocks.
 * ------------------------------------------------------------------------------------------------------------- */

/* Copies the StringTable message m into r->chars with a NUL after each string and points r->str at them. The copies
 * belong to the reader and stay valid until the next block. */
static bogie_status pbf_strings(pbf_reader *r, pb_slice m)
{
    pb_field f;
    size_t n = 0;
    for (const uint8_t *p = m.p; p < m.end;) {
        const char *why = pb_next(&p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "StringTable", &f, why);
        if (f.num == 1) {
            bogie_status st = pbf_want(r, "StringTable", &f, WT_LEN);
            if (st)
                return st;
            n++;
        }
    }
    /* Each string costs at least a key byte and a length byte, so the message's size bounds the copies' size. */
    size_t need = (size_t)(m.end - m.p);
    if (need > r->chars_cap) {
        util_free(r->alloc, r->chars, r->chars_cap);
        r->chars_cap = 0;
        if (!(r->chars = util_malloc(r->alloc, need)))
            return pbf_nomem(r, "copying the string table");
        r->chars_cap = need;
    }
    if (VEC_RESERVE(r->alloc, r->str, n))
        return pbf_nomem(r, "indexing the string table");
    char *out = r->chars;
    r->str.n = 0;
    for (const uint8_t *p = m.p; p < m.end;) {
        pb_next(&p, m.end, &f);
        if (f.num != 1)
            continue;
        size_t len = (size_t)(f.s.end - f.s.p);
        if (len)
            memcpy(out, f.s.p, len);
        out[len] = '\0';
        r->str.v[r->str.n++] = out;
        out += len + 1;
    }
    return BOGIE_OK;
}

static bogie_status pbf_group(pbf_reader *r, const pbf_block *b, pb_slice m)
{
    pb_field f;
    bogie_status st;
    while (m.p < m.end) {
        const char *why = pb_next(&m.p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "PrimitiveGroup", &f, why);
        if (f.num < 1 || f.num > 4)
            continue; /* changesets and anything newer */
        if ((st = pbf_want(r, "PrimitiveGroup", &f, WT_LEN)))
            return st;
        switch (f.num) {
        case 1: st = pbf_node(r, b, f.s); break;
        case 2: st = pbf_dense(r, b, f.s); break;
        case 3: st = pbf_way(r, b, f.s); break;
        default: st = pbf_relation(r, b, f.s); break;
        }
        if (st)
            return st;
    }
    return BOGIE_OK;
}

/* Decodes a PrimitiveBlock: first its string table and coordinate settings, wherever they sit, then its groups. */
static bogie_status pbf_primitive_block(pbf_reader *r, pb_slice m)
{
    pbf_block b = {.granularity = 100};
    pb_slice strings = {0};
    pb_field f;
    bogie_status st;
    for (const uint8_t *p = m.p; p < m.end;) {
        const char *why = pb_next(&p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "PrimitiveBlock", &f, why);
        switch (f.num) {
        case 1:
            if ((st = pbf_want(r, "PrimitiveBlock", &f, WT_LEN)))
                return st;
            strings = f.s;
            break;
        case 2:
            if ((st = pbf_want(r, "PrimitiveBlock", &f, WT_LEN)))
                return st;
            break;
        case 17:
            if ((st = pbf_want(r, "PrimitiveBlock", &f, WT_VARINT)))
                return st;
            if (f.u < 1 || f.u > INT32_MAX)
                return pbf_fail(r, BOGIE_ERR_INPUT, "malformed PrimitiveBlock: granularity %" PRId64 " is not positive",
                                (int64_t)f.u);
            b.granularity = (int64_t)f.u;
            break;
        case 19:
        case 20:
            if ((st = pbf_want(r, "PrimitiveBlock", &f, WT_VARINT)))
                return st;
            *(f.num == 19 ? &b.lat_offset : &b.lon_offset) = (int64_t)f.u;
            break;
        default:
            break;
        }
    }
    b.plain = b.granularity == 100 && b.lat_offset == 0 && b.lon_offset == 0;
    r->str.n = 0;
    if (strings.p && (st = pbf_strings(r, strings)))
        return st;
    b.str = r->str.v;
    b.n_str = r->str.n;
    for (const uint8_t *p = m.p; p < m.end;) {
        pb_next(&p, m.end, &f);
        if (f.num == 2 && (st = pbf_group(r, &b, f.s)))
            return st;
    }
    return BOGIE_OK;
}

/* Checks the HeaderBlock's required features against what this reader can do. */
static bogie_status pbf_header_block(pbf_reader *r, pb_slice m)
{
    static const char *const known[] = {"OsmSchema-V0.6", "DenseNodes", "LocationsOnWays"};
    pb_field f;
    while (m.p < m.end) {
        const char *why = pb_next(&m.p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "HeaderBlock", &f, why);
        if (f.num != 4)
            continue;
        bogie_status st = pbf_want(r, "HeaderBlock", &f, WT_LEN);
        if (st)
            return st;
        size_t len = (size_t)(f.s.end - f.s.p);
        int ok = 0;
        for (size_t i = 0; i < ARRAY_LEN(known) && !ok; i++)
            ok = strlen(known[i]) == len && memcmp(known[i], f.s.p, len) == 0;
        if (ok)
            continue;
        char name[80];
        pbf_printable(name, sizeof name, f.s.p, len);
        if (strcmp(name, "HistoricalInformation") == 0)
            return pbf_fail(r, BOGIE_ERR_UNSUPPORTED,
                            "required feature \"HistoricalInformation\" is not supported (history files are not)");
        return pbf_fail(r, BOGIE_ERR_UNSUPPORTED, "required feature \"%s\" is not supported", name);
    }
    r->seen_header = 1;
    return BOGIE_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Blobs.
 * ------------------------------------------------------------------------------------------------------------- */

/* Decodes the Blob message m into *out: the raw bytes themselves (inside the caller's data), or the zlib data
 * inflated into r->raw, which the reader owns and reuses for the next blob. */
static bogie_status pbf_blob(pbf_reader *r, pb_slice m, pb_slice *out)
{
    static const char *const method[] = {[4] = "lzma", [5] = "bzip2", [6] = "lz4", [7] = "zstd"};
    pb_slice data = {0};
    uint32_t kind = 0;
    uint64_t raw_size = 0;
    int have_size = 0;
    pb_field f;
    bogie_status st;
    while (m.p < m.end) {
        const char *why = pb_next(&m.p, m.end, &f);
        if (why)
            return pbf_bad_field(r, "Blob", &f, why);
        if (f.num == 2) {
            if ((st = pbf_want(r, "Blob", &f, WT_VARINT)))
                return st;
            raw_size = f.u;
            have_size = 1;
        } else if (f.num >= 1 && f.num <= 7) {
            if ((st = pbf_want(r, "Blob", &f, WT_LEN)))
                return st;
            if (kind)
                return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Blob: holds more than one kind of data");
            kind = f.num;
            data = f.s;
        }
    }
    if (kind >= 4)
        return pbf_fail(r, BOGIE_ERR_UNSUPPORTED, "%s-compressed blobs are not supported (only raw and zlib)",
                        method[kind]);
    if (!kind)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Blob: holds no data");
    if (have_size && raw_size > PBF_MAX_BLOB_SIZE)
        return pbf_fail(r, BOGIE_ERR_INPUT, "Blob raw_size %" PRId64 " exceeds the 32 MiB limit", (int64_t)raw_size);
    size_t len = (size_t)(data.end - data.p);
    if (kind == 1) {
        if (have_size && raw_size != len)
            return pbf_fail(r, BOGIE_ERR_INPUT, "Blob raw_size %" PRIu64 " differs from the %zu raw bytes", raw_size,
                            len);
        *out = data;
        return BOGIE_OK;
    }
    if (!have_size)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed Blob: zlib data without raw_size");
    if (!r->inflater && !(r->inflater = libdeflate_alloc_decompressor()))
        return pbf_nomem(r, "creating the zlib decompressor");
    size_t n = (size_t)raw_size;
    if (n > r->raw_cap) {
        /* The old contents are not needed, so free and allocate rather than copy. */
        util_free(r->alloc, r->raw, r->raw_cap);
        r->raw_cap = 0;
        if (!(r->raw = util_malloc(r->alloc, n)))
            return pbf_nomem(r, "allocating the decompression buffer");
        r->raw_cap = n;
    }
    uint8_t dummy;
    switch (libdeflate_zlib_decompress(r->inflater, data.p, len, n ? r->raw : &dummy, n, NULL)) {
    case LIBDEFLATE_SUCCESS:
        out->p = r->raw;
        out->end = n ? r->raw + n : r->raw;
        return BOGIE_OK;
    case LIBDEFLATE_SHORT_OUTPUT:
        return pbf_fail(r, BOGIE_ERR_INPUT, "zlib data inflates to fewer bytes than raw_size %zu", n);
    case LIBDEFLATE_INSUFFICIENT_SPACE:
        return pbf_fail(r, BOGIE_ERR_INPUT, "zlib data inflates to more bytes than raw_size %zu", n);
    default:
        return pbf_fail(r, BOGIE_ERR_INPUT, "zlib data is corrupt");
    }
}

/* Reads the blob whose length prefix starts at data + pos (len bytes in all, owned by the caller) and sets *next to
 * the offset after it. */
static bogie_status pbf_frame(pbf_reader *r, const uint8_t *data, size_t len, size_t pos, size_t *next)
{
    size_t left = len - pos;
    if (left < 4)
        return pbf_fail(r, BOGIE_ERR_INPUT, "file ends inside the blob's length prefix (needs %zu more bytes)",
                        4 - left);
    const uint8_t *p = data + pos;
    uint32_t hlen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (hlen >= PBF_MAX_HEADER_LEN)
        return pbf_fail(r, BOGIE_ERR_INPUT, "BlobHeader length %" PRIu32 " exceeds the 64 KiB limit%s", hlen,
                        r->blob_no == 1 ? " (is this an OSM PBF file?)" : "");
    left -= 4;
    p += 4;
    if (left < hlen)
        return pbf_fail(r, BOGIE_ERR_INPUT, "file ends inside the BlobHeader (needs %zu more bytes)", hlen - left);

    pb_slice type = {0};
    uint64_t datasize = 0;
    int have_size = 0;
    pb_field f;
    bogie_status st;
    for (const uint8_t *q = p, *end = p + hlen; q < end;) {
        const char *why = pb_next(&q, end, &f);
        if (why)
            return pbf_bad_field(r, "BlobHeader", &f, why);
        if (f.num == 1) {
            if ((st = pbf_want(r, "BlobHeader", &f, WT_LEN)))
                return st;
            type = f.s;
        } else if (f.num == 3) {
            if ((st = pbf_want(r, "BlobHeader", &f, WT_VARINT)))
                return st;
            datasize = f.u;
            have_size = 1;
        }
    }
    if (!type.p || !have_size)
        return pbf_fail(r, BOGIE_ERR_INPUT, "malformed BlobHeader: %s is missing%s", type.p ? "datasize" : "type",
                        r->blob_no == 1 ? " (is this an OSM PBF file?)" : "");
    if (datasize > PBF_MAX_BLOB_SIZE)
        return pbf_fail(r, BOGIE_ERR_INPUT, "BlobHeader datasize %" PRId64 " exceeds the 32 MiB limit",
                        (int64_t)datasize);
    left -= hlen;
    p += hlen;
    if (left < datasize)
        return pbf_fail(r, BOGIE_ERR_INPUT, "file ends inside the blob (needs %zu more bytes)",
                        (size_t)datasize - left);
    *next = pos + 4 + hlen + (size_t)datasize;

    size_t tlen = (size_t)(type.end - type.p);
    int is_header = tlen == 9 && memcmp(type.p, "OSMHeader", 9) == 0;
    int is_data = tlen == 7 && memcmp(type.p, "OSMData", 7) == 0;
    if (!is_header && !is_data)
        return BOGIE_OK; /* The specification asks readers to skip blob types they do not know. */
    r->blob_type = is_header ? "OSMHeader" : "OSMData";
    if (is_data && !r->seen_header)
        return pbf_fail(r, BOGIE_ERR_INPUT, "OSMData blob before the OSMHeader");
    pb_slice block;
    if ((st = pbf_blob(r, (pb_slice){p, p + datasize}, &block)))
        return st;
    return is_header ? pbf_header_block(r, block) : pbf_primitive_block(r, block);
}

/* Frees every buffer the reader owns; the struct itself belongs to the caller. */
static void pbf_reader_free(pbf_reader *r)
{
    if (r->inflater)
        libdeflate_free_decompressor(r->inflater);
    util_free(r->alloc, r->raw, r->raw_cap);
    util_free(r->alloc, r->chars, r->chars_cap);
    VEC_FREE(r->alloc, r->str);
    VEC_FREE(r->alloc, r->tags);
    VEC_FREE(r->alloc, r->refs);
    VEC_FREE(r->alloc, r->coords);
    VEC_FREE(r->alloc, r->members);
}

bogie_status osm_read_pbf_buffer(const char *name, const uint8_t *data, size_t len, const osm_sink *sink,
                                 const bogie_allocator *alloc, bogie_diag *diag)
{
    if (!name)
        name = "(buffer)";
    if (!sink || (!data && len))
        return util_fail(diag, BOGIE_ERR_ARG, "%s: osm_read_pbf_buffer needs a sink and data", name);
    pbf_reader r = {.name = name, .sink = sink, .alloc = alloc, .diag = diag};
    if (len == 0)
        return pbf_fail(&r, BOGIE_ERR_INPUT, "empty file");
    bogie_status st = BOGIE_OK;
    for (size_t pos = 0, next = 0; pos < len; pos = next) {
        r.blob_pos = pos;
        r.blob_no++;
        r.blob_type = NULL;
        if ((st = pbf_frame(&r, data, len, pos, &next)))
            break;
        if (sink->progress && (st = sink->progress(sink->ud, next, r.objects)))
            break;
    }
    pbf_reader_free(&r);
    return st;
}

/* Fails with BOGIE_ERR_IO: "path: cannot <what>: <the system's message for err>". */
bogie_status osm_read_pbf(const char *path, const osm_sink *sink, const bogie_allocator *alloc, bogie_diag *diag)
{
    if (!path)
        return util_fail(diag, BOGIE_ERR_ARG, "osm_read_pbf: path must not be NULL");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return util_io_fail(diag, path, "cannot open", errno);
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return util_io_fail(diag, path, "cannot stat", e);
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return util_fail(diag, BOGIE_ERR_IO, "%s: cannot open: %s", path,
                         S_ISDIR(sb.st_mode) ? "is a directory" : "not a regular file (cannot map it)");
    }
    if (sb.st_size == 0) {
        close(fd);
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: byte 0: empty file", path);
    }
    if ((uint64_t)sb.st_size > SIZE_MAX) {
        close(fd);
        return util_fail(diag, BOGIE_ERR_IO, "%s: cannot map: file too large", path);
    }
    size_t len = (size_t)sb.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (map == MAP_FAILED)
        return util_io_fail(diag, path, "cannot map", e);
    posix_madvise(map, len, POSIX_MADV_SEQUENTIAL);
    bogie_status st = osm_read_pbf_buffer(path, map, len, sink, alloc, diag);
    munmap(map, len);
    return st;
}
