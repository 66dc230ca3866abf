/* osm_json.c: reads the JSON the Overpass API returns ("out;" or "out geom;") with jansson and hands each element to
 * a sink. */
#include "osm/osm.h"
#include "base/util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* jansson allocates with malloc: its only hook, json_set_alloc_funcs(), is process-wide and so not for a library.
 * Only this module's own buffers go through the bogie_allocator. */

enum {
    JSON_READ_CHUNK = 1 << 16,   /* bytes read at a time when the file's size is unknown */
    JSON_PROGRESS_EVERY = 4096   /* elements between two progress calls */
};

typedef struct json_reader {
    const char *name;
    const osm_sink *sink;
    const bogie_allocator *alloc;
    bogie_diag *diag;
    size_t index;     /* of the element being read, in "elements" */
    const char *type; /* its "type" */
    int64_t id;
    bool has_id;
    VEC(osm_tag) tags;
    VEC(int64_t) refs;
    VEC(int32_t) coords;
    VEC(osm_member) members;
} json_reader;

/* Fails with "<file>: elements[i] (<type> <id>): <message>". */
static bogie_status elem_fail(json_reader *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
static bogie_status elem_fail(json_reader *r, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r->has_id)
        return util_fail(r->diag, BOGIE_ERR_INPUT, "%s: elements[%zu] (%s %lld): %s", r->name, r->index, r->type,
                         (long long)r->id, what);
    return util_fail(r->diag, BOGIE_ERR_INPUT, "%s: elements[%zu] (%s): %s", r->name, r->index, r->type, what);
}

static bogie_status elem_nomem(json_reader *r)
{
    return util_fail(r->diag, BOGIE_ERR_NOMEM, "%s: elements[%zu]: out of memory while reading Overpass JSON",
                     r->name, r->index);
}

/* Reads an integer field that must be present. */
static bogie_status get_i64(json_reader *r, const json_t *obj, const char *field, int64_t *out)
{
    const json_t *v = json_object_get(obj, field);
    if (!v)
        return elem_fail(r, "field \"%s\" is missing", field);
    if (!json_is_integer(v))
        return elem_fail(r, "field \"%s\" is not an integer", field);
    *out = (int64_t)json_integer_value(v);
    return BOGIE_OK;
}

/* Reads a coordinate field of obj (a node, or geometry[i] of a way, then named by prefix) into fixed point. */
static bogie_status get_coord(json_reader *r, const json_t *obj, const char *prefix, size_t i, const char *field,
                              double limit, int32_t *out)
{
    char where[64] = "";
    if (prefix)
        snprintf(where, sizeof where, "%s[%zu]: ", prefix, i);
    const json_t *v = json_object_get(obj, field);
    if (!v)
        return elem_fail(r, "%sfield \"%s\" is missing", where, field);
    if (!json_is_number(v))
        return elem_fail(r, "%sfield \"%s\" is not a number", where, field);
    double deg = json_number_value(v);
    if (!(fabs(deg) <= limit))
        return elem_fail(r, "%sfield \"%s\" is out of range: %.9g", where, field, deg);
    *out = osm_deg_to_e7(deg);
    return BOGIE_OK;
}

/* Points r->tags at the strings of the element's "tags" object, which stay owned by the document. */
static bogie_status get_tags(json_reader *r, const json_t *el)
{
    r->tags.n = 0;
    const json_t *tags = json_object_get(el, "tags");
    if (!tags)
        return BOGIE_OK;
    if (!json_is_object(tags))
        return elem_fail(r, "field \"tags\" is not an object");
    const char *key;
    const json_t *value;
    json_object_foreach ((json_t *)tags, key, value) {
        if (!json_is_string(value))
            return elem_fail(r, "tag \"%.60s\" is not a string", key);
        osm_tag t = {key, json_string_value(value)};
        if (VEC_PUSH(r->alloc, r->tags, t) != 0)
            return elem_nomem(r);
    }
    return BOGIE_OK;
}

static bogie_status read_node(json_reader *r, const json_t *el)
{
    int32_t lat = OSM_NO_COORD, lon = OSM_NO_COORD;
    bogie_status st = get_coord(r, el, NULL, 0, "lat", 90.0, &lat);
    if (st == BOGIE_OK)
        st = get_coord(r, el, NULL, 0, "lon", 180.0, &lon);
    if (st == BOGIE_OK)
        st = get_tags(r, el);
    if (st == BOGIE_OK)
        st = r->sink->node(r->sink->ud, r->id, lat, lon, r->tags.v, r->tags.n);
    return st;
}

static bogie_status read_way(json_reader *r, const json_t *el)
{
    const json_t *nodes = json_object_get(el, "nodes");
    if (!nodes)
        return elem_fail(r, "field \"nodes\" is missing");
    if (!json_is_array(nodes))
        return elem_fail(r, "field \"nodes\" is not an array of integers");
    size_t n = json_array_size(nodes);
    r->refs.n = 0;
    if (VEC_RESERVE(r->alloc, r->refs, n) != 0)
        return elem_nomem(r);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(nodes, i);
        if (!json_is_integer(v))
            return elem_fail(r, "field \"nodes\" is not an array of integers");
        r->refs.v[r->refs.n++] = (int64_t)json_integer_value(v);
    }

    /* "out geom;" adds the nodes' locations, one per entry of "nodes", null where a node lies outside the query's
     * bounding box. */
    const int32_t *coords = NULL;
    const json_t *geom = json_object_get(el, "geometry");
    if (geom) {
        if (!json_is_array(geom))
            return elem_fail(r, "field \"geometry\" is not an array");
        if (json_array_size(geom) != n)
            return elem_fail(r, "field \"geometry\" has %zu entries for %zu nodes", json_array_size(geom), n);
        r->coords.n = 0;
        if (n > SIZE_MAX / 2 || VEC_RESERVE(r->alloc, r->coords, 2 * n) != 0)
            return elem_nomem(r);
        for (size_t i = 0; i < n; i++) {
            const json_t *g = json_array_get(geom, i);
            int32_t lat = OSM_NO_COORD, lon = OSM_NO_COORD;
            if (!json_is_null(g)) {
                if (!json_is_object(g))
                    return elem_fail(r, "geometry[%zu] is neither an object nor null", i);
                bogie_status st = get_coord(r, g, "geometry", i, "lat", 90.0, &lat);
                if (st == BOGIE_OK)
                    st = get_coord(r, g, "geometry", i, "lon", 180.0, &lon);
                if (st != BOGIE_OK)
                    return st;
            }
            r->coords.v[r->coords.n++] = lat;
            r->coords.v[r->coords.n++] = lon;
        }
        coords = r->coords.v;
    }
    bogie_status st = get_tags(r, el);
    if (st == BOGIE_OK)
        st = r->sink->way(r->sink->ud, r->id, r->refs.v, n, coords, r->tags.v, r->tags.n);
    return st;
}

static bogie_status read_relation(json_reader *r, const json_t *el)
{
    const json_t *members = json_object_get(el, "members");
    if (!members)
        return elem_fail(r, "field \"members\" is missing");
    if (!json_is_array(members))
        return elem_fail(r, "field \"members\" is not an array");
    size_t n = json_array_size(members);
    r->members.n = 0;
    if (VEC_RESERVE(r->alloc, r->members, n) != 0)
        return elem_nomem(r);
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(members, i);
        if (!json_is_object(m))
            return elem_fail(r, "members[%zu] is not an object", i);
        const char *type = json_string_value(json_object_get(m, "type"));
        char t;
        if (!type)
            return elem_fail(r, "members[%zu]: field \"type\" is missing or not a string", i);
        if (strcmp(type, "node") == 0)
            t = 'n';
        else if (strcmp(type, "way") == 0)
            t = 'w';
        else if (strcmp(type, "relation") == 0)
            t = 'r';
        else
            return elem_fail(r, "members[%zu]: field \"type\" is \"%.40s\", not node, way or relation", i, type);
        const json_t *ref = json_object_get(m, "ref");
        if (!json_is_integer(ref))
            return elem_fail(r, "members[%zu]: field \"ref\" is missing or not an integer", i);
        const json_t *role = json_object_get(m, "role");
        if (role && !json_is_string(role))
            return elem_fail(r, "members[%zu]: field \"role\" is not a string", i);
        osm_member mem = {t, (int64_t)json_integer_value(ref), role ? json_string_value(role) : ""};
        r->members.v[r->members.n++] = mem;
    }
    bogie_status st = get_tags(r, el);
    if (st == BOGIE_OK)
        st = r->sink->relation(r->sink->ud, r->id, r->members.v, n, r->tags.v, r->tags.n);
    return st;
}

static bogie_status read_elements(json_reader *r, const json_t *elements, size_t len)
{
    size_t n = json_array_size(elements);
    uint64_t objects = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *el = json_array_get(elements, i);
        r->index = i;
        r->type = "";
        r->has_id = false;
        if (!json_is_object(el))
            return util_fail(r->diag, BOGIE_ERR_INPUT, "%s: elements[%zu]: not an object", r->name, i);
        r->type = json_string_value(json_object_get(el, "type"));
        if (!r->type)
            return util_fail(r->diag, BOGIE_ERR_INPUT, "%s: elements[%zu]: field \"type\" is missing or not a string",
                             r->name, i);
        bogie_status (*read)(json_reader *, const json_t *) = NULL;
        bool wanted = false;
        if (strcmp(r->type, "node") == 0) {
            read = read_node;
            wanted = r->sink->node != NULL;
        } else if (strcmp(r->type, "way") == 0) {
            read = read_way;
            wanted = r->sink->way != NULL;
        } else if (strcmp(r->type, "relation") == 0) {
            read = read_relation;
            wanted = r->sink->relation != NULL;
        } else {
            continue; /* "area", "count", "timeline" and the like carry nothing for us */
        }
        objects++;
        if (wanted) {
            bogie_status st = get_i64(r, el, "id", &r->id);
            if (st != BOGIE_OK)
                return st;
            r->has_id = true;
            st = read(r, el);
            if (st != BOGIE_OK)
                return st;
        }
        if (r->sink->progress && objects % JSON_PROGRESS_EVERY == 0) {
            /* The document was parsed as a whole, so the bytes behind the elements read so far are estimated by
             * their share of the array. */
            uint64_t bytes = (uint64_t)((double)len * (double)(i + 1) / (double)n);
            bogie_status st = r->sink->progress(r->sink->ud, bytes, objects);
            if (st != BOGIE_OK)
                return st;
        }
    }
    if (r->sink->progress)
        return r->sink->progress(r->sink->ud, len, objects);
    return BOGIE_OK;
}

bogie_status osm_read_overpass_json_buffer(const char *name, const char *data, size_t len, const osm_sink *sink,
                                           const bogie_allocator *alloc, bogie_diag *diag)
{
    if (!name || !sink || (!data && len))
        return util_fail(diag, BOGIE_ERR_ARG, "osm_read_overpass_json_buffer: name, data and sink must not be NULL");
    if (len == 0)
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: byte 0: empty file", name);
    json_error_t err;
    json_t *root = json_loadb(data, len, 0, &err);
    if (!root) {
        if (json_error_code(&err) == json_error_out_of_memory)
            return util_fail(diag, BOGIE_ERR_NOMEM, "%s: line %d, column %d: out of memory while parsing JSON", name,
                             err.line, err.column);
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %d, column %d: %s", name, err.line, err.column, err.text);
    }
    bogie_status st = BOGIE_OK;
    const json_t *elements = json_is_object(root) ? json_object_get(root, "elements") : NULL;
    const char *remark = json_string_value(json_object_get(root, "remark"));
    if (!json_is_array(elements)) {
        st = util_fail(diag, BOGIE_ERR_INPUT,
                       "%s: not an Overpass API JSON document: no \"elements\" array at the top level", name);
    } else if (remark && strstr(remark, "error")) {
        /* Overpass reports a query that timed out or ran out of memory in "remark", next to whatever elements it
         * had produced by then; importing those would silently lose data. */
        st = util_fail(diag, BOGIE_ERR_INPUT, "%s: the Overpass API reported an error, the data is incomplete: %.300s",
                       name, remark);
    } else {
        json_reader r;
        memset(&r, 0, sizeof r);
        r.name = name;
        r.sink = sink;
        r.alloc = util_alloc_or_default(alloc);
        r.diag = diag;
        st = read_elements(&r, elements, len);
        VEC_FREE(r.alloc, r.tags);
        VEC_FREE(r.alloc, r.refs);
        VEC_FREE(r.alloc, r.coords);
        VEC_FREE(r.alloc, r.members);
    }
    json_decref(root);
    return st;
}

bogie_status osm_read_overpass_json(const char *path, const osm_sink *sink, const bogie_allocator *alloc,
                                    bogie_diag *diag)
{
    if (!path || !sink)
        return util_fail(diag, BOGIE_ERR_ARG, "osm_read_overpass_json: path and sink must not be NULL");
    alloc = util_alloc_or_default(alloc);
    FILE *f = fopen(path, "rb");
    if (!f)
        return util_io_fail(diag, path, "cannot open", errno);

    /* The whole document is read into one buffer, sized from the file when it is a regular file: one byte more than
     * its size, so that the end of the file shows at once. */
    char *data = NULL;
    size_t n = 0, cap = JSON_READ_CHUNK;
    bogie_status st = BOGIE_OK;
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 && (uint64_t)sb.st_size < SIZE_MAX)
        cap = (size_t)sb.st_size + 1;
    data = util_malloc(alloc, cap);
    if (!data)
        st = util_fail(diag, BOGIE_ERR_NOMEM, "%s: out of memory while reading the file", path);
    while (st == BOGIE_OK) {
        if (n == cap && util_grow(alloc, (void **)&data, &cap, cap + JSON_READ_CHUNK, 1) != 0) {
            st = util_fail(diag, BOGIE_ERR_NOMEM, "%s: byte %zu: out of memory while reading the file", path, n);
            break;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                st = util_io_fail(diag, path, "read error", errno);
            break;
        }
    }
    fclose(f);
    if (st == BOGIE_OK)
        st = osm_read_overpass_json_buffer(path, data, n, sink, alloc, diag);
    util_free(alloc, data, cap);
    return st;
}
