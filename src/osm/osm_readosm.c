/* osm_readosm.c: the baseline reader, which feeds a sink from Debian's readosm library (PBF and plain .osm only). */
#include "osm/osm.h"
#include "base/util.h"

#include <errno.h>
#include <readosm.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* readosm allocates with malloc and offers no hook; only the conversion buffers here use the bogie_allocator. */

enum { READOSM_PROGRESS_EVERY = 4096 };

typedef struct ro_reader {
    const char *name;
    const osm_sink *sink;
    const bogie_allocator *alloc;
    bogie_diag *diag;
    bogie_status status; /* why a callback asked readosm to stop */
    uint64_t objects;
    uint64_t file_size;  /* the bytes done once the read is over; readosm does not say how far it has got before */
    VEC(osm_tag) tags;
    VEC(int64_t) refs;
    VEC(osm_member) members;
} ro_reader;

/* readosm's structs have the same fields as ours but are distinct types, so the tags are copied. */
static bool convert_tags(ro_reader *r, const readosm_tag *tags, int n)
{
    r->tags.n = 0;
    if (n <= 0)
        return true;
    if (VEC_RESERVE(r->alloc, r->tags, (size_t)n) != 0)
        return false;
    for (int i = 0; i < n; i++) {
        r->tags.v[i].key = tags[i].key ? tags[i].key : "";
        r->tags.v[i].value = tags[i].value ? tags[i].value : "";
    }
    r->tags.n = (size_t)n;
    return true;
}

/* Records why the read stops and tells readosm to stop. */
static int ro_stop(ro_reader *r, bogie_status st)
{
    r->status = st;
    return READOSM_ABORT;
}

static int ro_nomem(ro_reader *r, const char *kind, long long id)
{
    util_fail(r->diag, BOGIE_ERR_NOMEM, "%s: %s %lld: out of memory while converting readosm's data", r->name, kind,
              id);
    return ro_stop(r, BOGIE_ERR_NOMEM);
}

/* Counts an object and calls the sink's progress callback every so often. */
static int ro_count(ro_reader *r)
{
    r->objects++;
    if (r->sink->progress && r->objects % READOSM_PROGRESS_EVERY == 0) {
        bogie_status st = r->sink->progress(r->sink->ud, 0, r->objects);
        if (st != BOGIE_OK)
            return ro_stop(r, st);
    }
    return READOSM_OK;
}

static int ro_node(const void *ud, const readosm_node *node)
{
    /* readosm hands back the pointer we gave it, as const; the reader state it points to is ours to change. */
    ro_reader *r = (ro_reader *)ud;
    int32_t lat = osm_deg_to_e7(node->latitude), lon = osm_deg_to_e7(node->longitude);
    /* A missing coordinate reads as READOSM_UNDEFINED, far out of range. */
    if (lat == OSM_NO_COORD || lon == OSM_NO_COORD || lat < -900000000 || lat > 900000000 || lon < -1800000000 ||
        lon > 1800000000) {
        util_fail(r->diag, BOGIE_ERR_INPUT,
                  "%s: node %lld: latitude or longitude is missing or out of range (readosm reports no position)",
                  r->name, node->id);
        return ro_stop(r, BOGIE_ERR_INPUT);
    }
    if (!convert_tags(r, node->tags, node->tag_count))
        return ro_nomem(r, "node", node->id);
    bogie_status st = r->sink->node(r->sink->ud, (int64_t)node->id, lat, lon, r->tags.v, r->tags.n);
    if (st != BOGIE_OK)
        return ro_stop(r, st);
    return ro_count(r);
}

static int ro_way(const void *ud, const readosm_way *way)
{
    ro_reader *r = (ro_reader *)ud;
    size_t n = way->node_ref_count > 0 ? (size_t)way->node_ref_count : 0;
    if (!convert_tags(r, way->tags, way->tag_count) || VEC_RESERVE(r->alloc, r->refs, n) != 0)
        return ro_nomem(r, "way", way->id);
    for (size_t i = 0; i < n; i++)
        r->refs.v[i] = (int64_t)way->node_refs[i];
    bogie_status st = r->sink->way(r->sink->ud, (int64_t)way->id, r->refs.v, n, NULL, r->tags.v, r->tags.n);
    if (st != BOGIE_OK)
        return ro_stop(r, st);
    return ro_count(r);
}

static int ro_relation(const void *ud, const readosm_relation *rel)
{
    ro_reader *r = (ro_reader *)ud;
    size_t n = rel->member_count > 0 ? (size_t)rel->member_count : 0;
    if (!convert_tags(r, rel->tags, rel->tag_count) || VEC_RESERVE(r->alloc, r->members, n) != 0)
        return ro_nomem(r, "relation", rel->id);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const readosm_member *m = &rel->members[i];
        char type;
        switch (m->member_type) {
        case READOSM_MEMBER_NODE: type = 'n'; break;
        case READOSM_MEMBER_WAY: type = 'w'; break;
        case READOSM_MEMBER_RELATION: type = 'r'; break;
        default:
            /* readosm could not tell the type (the file named another): the member cannot be resolved anyway. */
            continue;
        }
        osm_member om = {type, (int64_t)m->id, m->role ? m->role : ""};
        r->members.v[k++] = om;
    }
    bogie_status st = r->sink->relation(r->sink->ud, (int64_t)rel->id, r->members.v, k, r->tags.v, r->tags.n);
    if (st != BOGIE_OK)
        return ro_stop(r, st);
    return ro_count(r);
}

static const char *readosm_error_name(int code)
{
    switch (code) {
    case READOSM_INVALID_SUFFIX: return "the name does not end in .osm or .pbf";
    case READOSM_FILE_NOT_FOUND: return "file not found or not readable";
    case READOSM_INSUFFICIENT_MEMORY: return "out of memory";
    case READOSM_CREATE_XML_PARSER_ERROR: return "cannot create the XML parser";
    case READOSM_READ_ERROR: return "read error";
    case READOSM_XML_ERROR: return "XML error";
    case READOSM_INVALID_PBF_HEADER: return "invalid PBF header";
    case READOSM_UNZIP_ERROR: return "zlib data is corrupt";
    default: return "unknown error";
    }
}

bogie_status osm_read_readosm(const char *path, const osm_sink *sink, const bogie_allocator *alloc,
                              bogie_diag *diag)
{
    if (!path || !sink)
        return util_fail(diag, BOGIE_ERR_ARG, "osm_read_readosm: path and sink must not be NULL");
    if (!util_ends_with_ci(path, ".osm") && !util_ends_with_ci(path, ".pbf"))
        return util_fail(diag, BOGIE_ERR_UNSUPPORTED, "%s: readosm reads only names ending in .osm or .pbf", path);

    /* readosm reports a missing or empty file only as a generic failure, so both are checked here first. */
    struct stat sb;
    if (stat(path, &sb) != 0)
        return util_io_fail(diag, path, "cannot open", errno);
    if (S_ISREG(sb.st_mode) && sb.st_size == 0)
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: byte 0: empty file", path);

    ro_reader r;
    memset(&r, 0, sizeof r);
    r.name = path;
    r.sink = sink;
    r.alloc = util_alloc_or_default(alloc);
    r.diag = diag;
    r.file_size = S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;

    const void *handle = NULL;
    int rc = readosm_open(path, &handle);
    if (rc == READOSM_OK)
        rc = readosm_parse(handle, &r, sink->node ? ro_node : NULL, sink->way ? ro_way : NULL,
                           sink->relation ? ro_relation : NULL);
    /* readosm wants readosm_close() even after a failed open. */
    if (handle)
        readosm_close(handle);
    VEC_FREE(r.alloc, r.tags);
    VEC_FREE(r.alloc, r.refs);
    VEC_FREE(r.alloc, r.members);

    if (r.status != BOGIE_OK)
        return r.status;
    switch (rc) {
    case READOSM_OK:
        break;
    case READOSM_INSUFFICIENT_MEMORY:
        return util_fail(diag, BOGIE_ERR_NOMEM, "%s: readosm error %d: out of memory (readosm reports no position)",
                         path, rc);
    case READOSM_FILE_NOT_FOUND:
    case READOSM_READ_ERROR:
        return util_fail(diag, BOGIE_ERR_IO, "%s: readosm error %d: %s (readosm reports no position)", path, rc,
                         readosm_error_name(rc));
    default:
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: readosm error %d: %s (readosm reports no position)", path, rc,
                         readosm_error_name(rc));
    }
    if (sink->progress)
        return sink->progress(sink->ud, r.file_size, r.objects);
    return BOGIE_OK;
}
