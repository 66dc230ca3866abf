/* import.c: the import driver. It feeds every input through an OSM reader into an imp_state (keeping tracks,
 * stations and node coordinates), then builds the graph and writes it atomically. */
#include "import.h"
#include "landmarks.h"

#include "borders.h"
#include "tags.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* ----- interned strings ----- */

bogie_status strtab_init(strtab *t, const bogie_allocator *alloc)
{
    memset(t, 0, sizeof *t);
    t->alloc = alloc;
    if (VEC_PUSH(alloc, t->blob, '\0') != 0)
        return BOGIE_ERR_NOMEM;
    return BOGIE_OK;
}

void strtab_free(strtab *t)
{
    VEC_FREE(t->alloc, t->blob);
    util_free(t->alloc, t->slots, t->n_slots * sizeof *t->slots);
    t->slots = NULL;
    t->n_slots = t->n_used = 0;
}

const char *strtab_get(const strtab *t, uint32_t id)
{
    return id < t->blob.n ? t->blob.v + id : "";
}

static bogie_status strtab_rehash(strtab *t)
{
    size_t n = t->n_slots ? t->n_slots * 2 : 1024;
    uint32_t *slots = util_calloc(t->alloc, n, sizeof *slots);
    if (!slots)
        return BOGIE_ERR_NOMEM;
    for (size_t i = 0; i < t->n_slots; i++) {
        uint32_t v = t->slots[i];
        if (!v)
            continue;
        const char *s = t->blob.v + (v - 1);
        size_t h = (size_t)XXH3_64bits(s, strlen(s)) & (n - 1);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = v;
    }
    util_free(t->alloc, t->slots, t->n_slots * sizeof *t->slots);
    t->slots = slots;
    t->n_slots = n;
    return BOGIE_OK;
}

bogie_status strtab_intern(strtab *t, const char *s, uint32_t *id)
{
    size_t len = strlen(s);
    if (len == 0) {
        *id = 0;
        return BOGIE_OK;
    }
    if ((t->n_used + 1) * 2 > t->n_slots) {
        bogie_status st = strtab_rehash(t);
        if (st != BOGIE_OK)
            return st;
    }
    size_t mask = t->n_slots - 1;
    size_t h = (size_t)XXH3_64bits(s, len) & mask;
    while (t->slots[h]) {
        uint32_t off = t->slots[h] - 1;
        if (strcmp(t->blob.v + off, s) == 0) {
            *id = off;
            return BOGIE_OK;
        }
        h = (h + 1) & mask;
    }
    if (t->blob.n + len + 1 >= UINT32_MAX)
        return BOGIE_ERR_LIMIT;
    uint32_t off = (uint32_t)t->blob.n;
    if (VEC_RESERVE(t->alloc, t->blob, t->blob.n + len + 1) != 0)
        return BOGIE_ERR_NOMEM;
    memcpy(t->blob.v + t->blob.n, s, len + 1);
    t->blob.n += len + 1;
    t->slots[h] = off + 1;
    t->n_used++;
    *id = off;
    return BOGIE_OK;
}

/* ----- state ----- */

bogie_status imp_init(imp_state *st, const bogie_allocator *alloc, unsigned include, double station_radius_m)
{
    memset(st, 0, sizeof *st);
    st->alloc = alloc;
    st->include = include;
    st->station_radius_m = station_radius_m;
    return strtab_init(&st->strings, alloc);
}

void imp_free(imp_state *st)
{
    const bogie_allocator *a = st->alloc;
    strtab_free(&st->strings);
    VEC_FREE(a, st->nodes);
    VEC_FREE(a, st->ways);
    VEC_FREE(a, st->refs);
    VEC_FREE(a, st->classes);
    util_free(a, st->class_slots, st->n_class_slots * sizeof *st->class_slots);
    VEC_FREE(a, st->stations);
    VEC_FREE(a, st->names);
    VEC_FREE(a, st->members);
    VEC_FREE(a, st->node_flags);
    if (st->wanted)
        util_free(a, st->wanted, st->wanted_cap * sizeof *st->wanted);
    VEC_FREE(a, st->issues);
    util_free(a, st->issue_slots, st->n_issue_slots * sizeof *st->issue_slots);
    memset(st, 0, sizeof *st);
}

/* Generic open-addressing index over records of a vector, keyed by a hash and an equality test. Slots hold record
 * index + 1. Returns the index found or inserted via *found_or_new; sets *is_new. */
typedef uint64_t (*rec_hash_fn)(const void *rec);
typedef bool (*rec_eq_fn)(const void *a, const void *b);

static bogie_status index_grow(const bogie_allocator *a, uint32_t **slots, size_t *n_slots, const void *recs,
                               size_t rec_size, size_t n_recs, rec_hash_fn hash)
{
    size_t n = *n_slots ? *n_slots * 2 : 256;
    uint32_t *s = util_calloc(a, n, sizeof *s);
    if (!s)
        return BOGIE_ERR_NOMEM;
    for (size_t i = 0; i < n_recs; i++) {
        size_t h = (size_t)hash((const char *)recs + i * rec_size) & (n - 1);
        while (s[h])
            h = (h + 1) & (n - 1);
        s[h] = (uint32_t)(i + 1);
    }
    util_free(a, *slots, *n_slots * sizeof **slots);
    *slots = s;
    *n_slots = n;
    return BOGIE_OK;
}

static uint64_t class_hash(const void *rec)
{
    return XXH3_64bits(rec, sizeof(net_class));
}

/* Returns the index of cls in st->classes, adding it if new, or UINT32_MAX when memory runs out. */
static uint32_t intern_class(imp_state *st, const net_class *cls)
{
    if ((st->classes.n + 1) * 2 > st->n_class_slots &&
        index_grow(st->alloc, &st->class_slots, &st->n_class_slots, st->classes.v, sizeof(net_class),
                   st->classes.n, class_hash) != BOGIE_OK)
        return UINT32_MAX;
    size_t mask = st->n_class_slots - 1;
    size_t h = (size_t)class_hash(cls) & mask;
    while (st->class_slots[h]) {
        uint32_t i = st->class_slots[h] - 1;
        if (memcmp(&st->classes.v[i], cls, sizeof *cls) == 0)
            return i;
        h = (h + 1) & mask;
    }
    if (VEC_PUSH(st->alloc, st->classes, *cls) != 0)
        return UINT32_MAX;
    st->class_slots[h] = (uint32_t)st->classes.n;
    return (uint32_t)(st->classes.n - 1);
}

typedef struct issue_key {
    uint32_t what, value, reason;
} issue_key;

static uint64_t issue_hash(const void *rec)
{
    const imp_issue *is = rec;
    issue_key k = {is->what, is->value, is->reason};
    return XXH3_64bits(&k, sizeof k);
}

/* Distinct issue rows kept; further distinct values are counted under the value "(other values)". */
#define MAX_ISSUE_ROWS 400
/* Inputs larger than this are read in two passes unless the caller chooses (bogie_import_options.passes). */
#define TWO_PASS_BYTES (256ull << 20)

void imp_report(void *ud, const char *what, const char *value, const char *reason)
{
    imp_state *st = ud;
    if (st->failed)
        return;
    imp_issue is = {0};
    char clipped[64];
    util_strlcpy_utf8(clipped, value, sizeof clipped);
    if (st->issues.n >= MAX_ISSUE_ROWS)
        snprintf(clipped, sizeof clipped, "(other values)");
    if (strtab_intern(&st->strings, what, &is.what) != BOGIE_OK ||
        strtab_intern(&st->strings, clipped, &is.value) != BOGIE_OK ||
        strtab_intern(&st->strings, reason, &is.reason) != BOGIE_OK) {
        st->failed = BOGIE_ERR_NOMEM;
        return;
    }
    if ((st->issues.n + 1) * 2 > st->n_issue_slots &&
        index_grow(st->alloc, &st->issue_slots, &st->n_issue_slots, st->issues.v, sizeof(imp_issue), st->issues.n,
                   issue_hash) != BOGIE_OK) {
        st->failed = BOGIE_ERR_NOMEM;
        return;
    }
    size_t mask = st->n_issue_slots - 1;
    size_t h = (size_t)issue_hash(&is) & mask;
    while (st->issue_slots[h]) {
        imp_issue *o = &st->issues.v[st->issue_slots[h] - 1];
        if (o->what == is.what && o->value == is.value && o->reason == is.reason) {
            o->count++;
            return;
        }
        h = (h + 1) & mask;
    }
    is.count = 1;
    is.example_type = st->cur_type;
    is.example_id = st->cur_id;
    if (VEC_PUSH(st->alloc, st->issues, is) != 0) {
        st->failed = BOGIE_ERR_NOMEM;
        return;
    }
    st->issue_slots[h] = (uint32_t)st->issues.n;
}

/* ----- the OSM sink ----- */

static bool is_name_key(const char *k)
{
    static const char *const bases[] = {"name", "alt_name", "official_name", "short_name", "loc_name"};
    for (size_t i = 0; i < ARRAY_LEN(bases); i++) {
        size_t n = strlen(bases[i]);
        if (strncmp(k, bases[i], n) == 0 && (k[n] == '\0' || k[n] == ':'))
            return true;
    }
    return false;
}

/* Decides whether a station-like object serves a kind of track this import keeps. */
static bool station_mode_kept(const imp_state *st, const osm_tag *tags, size_t n)
{
    const char *station = tags_get(tags, n, "station");
    if (station) {
        if (strcmp(station, "subway") == 0)
            return st->include & BOGIE_INCLUDE_SUBWAY;
        if (strcmp(station, "light_rail") == 0)
            return st->include & BOGIE_INCLUDE_LIGHT_RAIL;
        if (strcmp(station, "tram") == 0)
            return st->include & BOGIE_INCLUDE_TRAM;
        if (strcmp(station, "monorail") == 0 || strcmp(station, "funicular") == 0 ||
            strcmp(station, "miniature") == 0)
            return false;
    }
    const char *railway = tags_get(tags, n, "railway");
    if (railway && (strcmp(railway, "station") == 0 || strcmp(railway, "halt") == 0))
        return true;
    /* public_transport=station or a stop area: keep unless it names only modes bogie does not import. */
    static const char *const modes[] = {"train", "light_rail", "subway", "tram", "bus", "trolleybus", "ferry",
                                        "monorail", "aerialway"};
    bool any_mode = false;
    for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
        const char *v = tags_get(tags, n, modes[i]);
        if (!v || strcmp(v, "yes") != 0)
            continue;
        any_mode = true;
        if (i == 0 || (i == 1 && (st->include & BOGIE_INCLUDE_LIGHT_RAIL)) ||
            (i == 2 && (st->include & BOGIE_INCLUDE_SUBWAY)) || (i == 3 && (st->include & BOGIE_INCLUDE_TRAM)))
            return true;
    }
    return !any_mode;
}

/* Returns the kinds of track (1 << net_railway) a station may attach to: a metro station to subway track, a tram
 * stop to tram track, and anything else to railway track. */
static uint8_t station_modes(const osm_tag *tags, size_t n)
{
    const char *station = tags_get(tags, n, "station");
    if (station && strcmp(station, "subway") == 0)
        return 1u << NET_RAILWAY_SUBWAY;
    if (station && strcmp(station, "light_rail") == 0)
        return 1u << NET_RAILWAY_LIGHT_RAIL;
    if (station && strcmp(station, "tram") == 0)
        return 1u << NET_RAILWAY_TRAM;
    static const struct {
        const char *key;
        uint8_t modes;
    } by_tag[] = {{"train", 1u << NET_RAILWAY_RAIL | 1u << NET_RAILWAY_NARROW_GAUGE},
                  {"light_rail", 1u << NET_RAILWAY_LIGHT_RAIL},
                  {"subway", 1u << NET_RAILWAY_SUBWAY},
                  {"tram", 1u << NET_RAILWAY_TRAM}};
    uint8_t m = 0;
    for (size_t i = 0; i < ARRAY_LEN(by_tag); i++) {
        const char *v = tags_get(tags, n, by_tag[i].key);
        if (v && strcmp(v, "yes") == 0)
            m |= by_tag[i].modes;
    }
    return m ? m : (uint8_t)(1u << NET_RAILWAY_RAIL | 1u << NET_RAILWAY_NARROW_GAUGE | 1u << NET_RAILWAY_LIGHT_RAIL);
}

/* Adds a station candidate from an object's tags; members are added by the caller. */
static bogie_status add_station(imp_state *st, char type, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags,
                                size_t n, uint8_t source, imp_station **out)
{
    imp_station s = {0};
    s.id = id;
    s.type = type;
    s.source = source;
    s.lat = lat;
    s.lon = lon;
    const char *railway = tags_get(tags, n, "railway");
    s.kind = (railway && strcmp(railway, "halt") == 0) ? NET_STATION_HALT : NET_STATION_STATION;
    s.modes = station_modes(tags, n);
    s.names_first = st->names.n;
    for (size_t i = 0; i < n; i++) {
        const char *k = tags[i].key, *v = tags[i].value;
        uint32_t *field = NULL;
        if (strcmp(k, "uic_ref") == 0)
            field = &s.uic_ref;
        else if (strcmp(k, "railway:ref") == 0)
            field = &s.railway_ref;
        else if (strcmp(k, "timezone") == 0)
            field = &s.timezone;
        else if (strcmp(k, "addr:country") == 0)
            field = &s.country;
        if (field) {
            if (strtab_intern(&st->strings, v, field) != BOGIE_OK)
                return BOGIE_ERR_NOMEM;
            continue;
        }
        if (!is_name_key(k) || !*v)
            continue;
        net_name nm;
        if (strtab_intern(&st->strings, k, &nm.key) != BOGIE_OK ||
            strtab_intern(&st->strings, v, &nm.value) != BOGIE_OK || VEC_PUSH(st->alloc, st->names, nm) != 0)
            return BOGIE_ERR_NOMEM;
        s.names_count++;
    }
    if (VEC_PUSH(st->alloc, st->stations, s) != 0)
        return BOGIE_ERR_NOMEM;
    st->stats.stations_found++;
    if (out)
        *out = &st->stations.v[st->stations.n - 1];
    return BOGIE_OK;
}

static bool is_station_object(const osm_tag *tags, size_t n)
{
    const char *railway = tags_get(tags, n, "railway");
    const char *pt = tags_get(tags, n, "public_transport");
    return (railway && (strcmp(railway, "station") == 0 || strcmp(railway, "halt") == 0)) ||
           (pt && strcmp(pt, "station") == 0);
}

/* Whether node id is one the ways and relations of the first pass use. */
static bool is_wanted(const imp_state *st, int64_t id)
{
    size_t lo = 0, hi = st->n_wanted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->wanted[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < st->n_wanted && st->wanted[lo] == id;
}

static bogie_status sink_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags, size_t n)
{
    imp_state *st = ud;
    if (st->pass == 1)
        return BOGIE_OK;
    st->stats.nodes_read++;
    if (st->pass == 0 || is_wanted(st, id)) {
        imp_node nd = {id, lat, lon};
        if (VEC_PUSH(st->alloc, st->nodes, nd) != 0)
            return BOGIE_ERR_NOMEM;
        st->stats.nodes_kept++;
    }
    if (n == 0)
        return BOGIE_OK;
    const char *railway = tags_get(tags, n, "railway");
    if (railway) {
        uint16_t f = 0;
        if (strcmp(railway, "railway_crossing") == 0)
            f = NET_NODE_CROSSING;
        else if (strcmp(railway, "buffer_stop") == 0)
            f = NET_NODE_BUFFER_STOP;
        else if (strcmp(railway, "switch") == 0)
            f = NET_NODE_SWITCH;
        else if (strcmp(railway, "border") == 0)
            f = NET_NODE_BORDER;
        if (f) {
            imp_node_flag nf = {id, f};
            if (VEC_PUSH(st->alloc, st->node_flags, nf) != 0)
                return BOGIE_ERR_NOMEM;
        }
    }
    if (is_station_object(tags, n)) {
        if (!station_mode_kept(st, tags, n)) {
            st->stats.stations_not_on_kept_track_type++;
            return BOGIE_OK;
        }
        bool railway_node = railway && (strcmp(railway, "station") == 0 || strcmp(railway, "halt") == 0);
        return add_station(st, 'n', id, lat, lon, tags, n, railway_node ? IMP_SRC_RAILWAY_NODE : IMP_SRC_PT_NODE,
                           NULL);
    }
    return BOGIE_OK;
}

/* Returns the net_railway of a track type this import keeps, or -1. */
static int kept_railway(const imp_state *st, const char *railway)
{
    if (!railway)
        return -1;
    if (strcmp(railway, "rail") == 0)
        return NET_RAILWAY_RAIL;
    if (strcmp(railway, "narrow_gauge") == 0)
        return NET_RAILWAY_NARROW_GAUGE;
    if (strcmp(railway, "light_rail") == 0 && (st->include & BOGIE_INCLUDE_LIGHT_RAIL))
        return NET_RAILWAY_LIGHT_RAIL;
    if (strcmp(railway, "tram") == 0 && (st->include & BOGIE_INCLUDE_TRAM))
        return NET_RAILWAY_TRAM;
    if (strcmp(railway, "subway") == 0 && (st->include & BOGIE_INCLUDE_SUBWAY))
        return NET_RAILWAY_SUBWAY;
    return -1;
}

static bogie_status sink_way(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const int32_t *coords,
                             const osm_tag *tags, size_t n)
{
    imp_state *st = ud;
    if (st->pass == 2)
        return BOGIE_OK;
    st->stats.ways_read++;
    st->cur_type = 'w';
    st->cur_id = id;
    const char *railway = tags_get(tags, n, "railway");
    int kind = kept_railway(st, railway);
    if (kind < 0) {
        st->stats.ways_not_track++;
        if (railway) {
            /* Not kept, but its values are still checked: info reports the data's quality as a whole (a miniature
             * railway's gauge=184, say). */
            net_class unused;
            tags_read_track(tags, n, NET_RAILWAY_RAIL, &unused, imp_report, st);
            if (st->failed)
                return st->failed;
        }
        if (n_refs == 0)
            return BOGIE_OK;
        if (is_station_object(tags, n) && station_mode_kept(st, tags, n)) {
            imp_station *s;
            bogie_status rc = add_station(st, 'w', id, OSM_NO_COORD, OSM_NO_COORD, tags, n, IMP_SRC_WAY, &s);
            if (rc != BOGIE_OK)
                return rc;
            s->members_first = st->refs.n;
            s->n_members = (uint32_t)(n_refs > UINT32_MAX ? UINT32_MAX : n_refs);
            if (VEC_RESERVE(st->alloc, st->refs, st->refs.n + s->n_members) != 0)
                return BOGIE_ERR_NOMEM;
            memcpy(st->refs.v + st->refs.n, refs, s->n_members * sizeof *refs);
            st->refs.n += s->n_members;
        } else {
            return BOGIE_OK;
        }
        /* Station areas may come with inline coordinates too. */
    } else {
        net_class cls;
        imp_way w = {0};
        w.id = id;
        w.distance_m = tags_read_track(tags, n, kind, &cls, imp_report, st);
        const char *name = tags_get(tags, n, "name"), *ref = tags_get(tags, n, "ref");
        if ((name && strtab_intern(&st->strings, name, &cls.name) != BOGIE_OK) ||
            (ref && strtab_intern(&st->strings, ref, &cls.ref) != BOGIE_OK))
            return BOGIE_ERR_NOMEM;
        if (st->failed)
            return st->failed;
        w.cls = intern_class(st, &cls);
        if (w.cls == UINT32_MAX)
            return BOGIE_ERR_NOMEM;
        if (n_refs > UINT32_MAX)
            return BOGIE_ERR_LIMIT;
        w.refs_first = st->refs.n;
        w.n_refs = (uint32_t)n_refs;
        w.seq = st->seq++;
        if (VEC_RESERVE(st->alloc, st->refs, st->refs.n + n_refs) != 0 || VEC_PUSH(st->alloc, st->ways, w) != 0)
            return BOGIE_ERR_NOMEM;
        memcpy(st->refs.v + st->refs.n, refs, n_refs * sizeof *refs);
        st->refs.n += n_refs;
        st->stats.ways_kept++;
        uint64_t *per_kind[] = {&st->stats.ways_rail, &st->stats.ways_narrow_gauge, &st->stats.ways_light_rail,
                                &st->stats.ways_tram, &st->stats.ways_subway};
        (*per_kind[kind])++;
        if (cls.service)
            st->stats.ways_sidings++;
        if (cls.n_gauge == 0)
            st->stats.ways_without_gauge++;
    }
    if (coords) {
        for (size_t i = 0; i < n_refs; i++) {
            if (coords[2 * i] == OSM_NO_COORD)
                continue;
            imp_node nd = {refs[i], coords[2 * i], coords[2 * i + 1]};
            if (VEC_PUSH(st->alloc, st->nodes, nd) != 0)
                return BOGIE_ERR_NOMEM;
        }
    }
    return BOGIE_OK;
}

static bogie_status sink_relation(void *ud, int64_t id, const osm_member *m, size_t n_members, const osm_tag *tags,
                                  size_t n)
{
    imp_state *st = ud;
    if (st->pass == 2)
        return BOGIE_OK;
    st->stats.relations_read++;
    const char *pt = tags_get(tags, n, "public_transport");
    if (!pt || (strcmp(pt, "stop_area") != 0 && strcmp(pt, "station") != 0) || n_members == 0)
        return BOGIE_OK;
    if (!station_mode_kept(st, tags, n)) {
        st->stats.stations_not_on_kept_track_type++;
        return BOGIE_OK;
    }
    imp_station *s;
    bogie_status rc = add_station(st, 'r', id, OSM_NO_COORD, OSM_NO_COORD, tags, n, IMP_SRC_RELATION, &s);
    if (rc != BOGIE_OK)
        return rc;
    s->members_first = st->members.n;
    s->n_members = (uint32_t)(n_members > UINT32_MAX ? UINT32_MAX : n_members);
    for (size_t i = 0; i < s->n_members; i++) {
        imp_member mm = {m[i].ref, m[i].type};
        if (VEC_PUSH(st->alloc, st->members, mm) != 0)
            return BOGIE_ERR_NOMEM;
    }
    return BOGIE_OK;
}

/* Progress for the file being read: the driver keeps running totals in this struct. */
typedef struct read_ctx {
    imp_state *st;
    const bogie_import_options *opts;
    bogie_progress *prog;
    uint64_t bytes_before, objects_before;
} read_ctx;

static bogie_status sink_progress(void *ud, uint64_t bytes_done, uint64_t objects)
{
    read_ctx *rc = ud;
    if (!rc->opts->progress)
        return BOGIE_OK;
    rc->prog->bytes_done = rc->bytes_before + bytes_done;
    rc->prog->objects = rc->objects_before + objects;
    return rc->opts->progress(rc->opts->progress_ud, rc->prog) ? BOGIE_ERR_CANCELLED : BOGIE_OK;
}

/* The sink's callbacks take the imp_state; progress needs the read context, so it gets a trampoline. */
typedef struct sink_pair {
    imp_state *st;
    read_ctx *rc;
} sink_pair;

static bogie_status pair_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *t, size_t n)
{
    return sink_node(((sink_pair *)ud)->st, id, lat, lon, t, n);
}
static bogie_status pair_way(void *ud, int64_t id, const int64_t *r, size_t nr, const int32_t *c, const osm_tag *t,
                             size_t n)
{
    return sink_way(((sink_pair *)ud)->st, id, r, nr, c, t, n);
}
static bogie_status pair_relation(void *ud, int64_t id, const osm_member *m, size_t nm, const osm_tag *t, size_t n)
{
    return sink_relation(((sink_pair *)ud)->st, id, m, nm, t, n);
}
static bogie_status pair_progress(void *ud, uint64_t bytes, uint64_t objects)
{
    return sink_progress(((sink_pair *)ud)->rc, bytes, objects);
}

osm_sink imp_sink(imp_state *st)
{
    osm_sink s = {st, sink_node, sink_way, sink_relation, NULL};
    return s;
}

/* ----- the driver ----- */

void bogie_import_options_init(bogie_import_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->station_radius_m = 500.0;
    opts->reader = BOGIE_READER_NATIVE;
}

/* Splits path into its directory (with trailing '/', or "" for the current one) and base name. */
static void split_path(const char *path, char *dir, size_t dsize, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        dir[0] = '\0';
        *base = path;
        return;
    }
    size_t n = (size_t)(slash - path) + 1;
    if (n >= dsize)
        n = dsize - 1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    *base = slash + 1;
}

/* Removes temporary files "<dir>.<base>.tmp.<pid>.<n>" left by imports whose process no longer runs. */
static void remove_stale_temps(const char *dir, const char *base)
{
    char prefix[512];
    snprintf(prefix, sizeof prefix, ".%s.tmp.", base);
    size_t plen = strlen(prefix);
    DIR *d = opendir(*dir ? dir : ".");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, plen) != 0)
            continue;
        long pid = strtol(e->d_name + plen, NULL, 10);
        if (pid <= 0 || (kill((pid_t)pid, 0) == -1 && errno == ESRCH)) {
            char full[4096 + 256 + 1];
            if ((size_t)snprintf(full, sizeof full, "%s%s", dir, e->d_name) < sizeof full)
                unlink(full);
        }
    }
    closedir(d);
}

static void append_meta(strbuf *sb, const bogie_import_options *opts, const char *const *inputs, size_t n)
{
    sb_printf(sb, "generator=bogie %s\n", BOGIE_VERSION);
    for (size_t i = 0; i < n; i++) {
        const char *slash = strrchr(inputs[i], '/');
        sb_printf(sb, "input=%s\n", slash ? slash + 1 : inputs[i]);
    }
    sb_printf(sb, "include=%s%s%s\n", (opts->include & BOGIE_INCLUDE_LIGHT_RAIL) ? "light_rail," : "",
              (opts->include & BOGIE_INCLUDE_TRAM) ? "tram," : "", (opts->include & BOGIE_INCLUDE_SUBWAY) ? "subway," : "");
    sb_printf(sb, "station_radius_m=%.0f\n", opts->station_radius_m);
    if (opts->borders_topojson) {
        const char *slash = strrchr(opts->borders_topojson, '/');
        sb_printf(sb, "borders=%s (Natural Earth admin-0, public domain, via world-atlas)\n",
                  slash ? slash + 1 : opts->borders_topojson);
    }
    sb_puts(sb, "attribution=Contains OpenStreetMap data (c) OpenStreetMap contributors, ODbL 1.0, "
                "where the inputs are OpenStreetMap data\n");
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Between the passes: the sorted, distinct ids of the nodes the ways and relations read so far use. */
static bogie_status wanted_nodes(imp_state *st, bogie_diag *diag)
{
    size_t n = st->refs.n;
    for (size_t i = 0; i < st->members.n; i++)
        n += st->members.v[i].type == 'n';
    int64_t *w = util_malloc(st->alloc, (n ? n : 1) * sizeof *w);
    if (!w)
        return util_nomem(diag, "listing the nodes the railway uses");
    memcpy(w, st->refs.v, st->refs.n * sizeof *w);
    size_t k = st->refs.n;
    for (size_t i = 0; i < st->members.n; i++)
        if (st->members.v[i].type == 'n')
            w[k++] = st->members.v[i].ref;
    util_sort(w, n, sizeof *w, cmp_i64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || w[i] != w[m - 1])
            w[m++] = w[i];
    st->wanted = w;
    st->n_wanted = m;
    st->wanted_cap = n ? n : 1;
    return BOGIE_OK;
}

bogie_status bogie_import(const char *const *inputs, size_t n_inputs, const char *output_path,
                          const bogie_import_options *user_opts, bogie_diag *diag)
{
    bogie_import_options opts;
    if (user_opts)
        opts = *user_opts;
    else
        bogie_import_options_init(&opts);
    if (!inputs || n_inputs == 0 || !output_path || !*output_path)
        return util_fail(diag, BOGIE_ERR_ARG, "import needs at least one input and an output path");
    if (!(opts.station_radius_m >= 0))
        return util_fail(diag, BOGIE_ERR_ARG, "station radius must be a non-negative number of metres");
    const bogie_allocator *alloc = util_alloc_or_default(opts.alloc);

    bogie_progress prog = {"read", NULL, 0, 0, 0};
    for (size_t i = 0; i < n_inputs; i++) {
        struct stat sbuf;
        if (stat(inputs[i], &sbuf) != 0)
            return util_io_fail(diag, inputs[i], "cannot open", errno);
        if (osm_format_from_path(inputs[i]) == OSM_FORMAT_UNKNOWN)
            return util_fail(diag, BOGIE_ERR_UNSUPPORTED,
                             "%s: unknown input format (expected .osm.pbf, .pbf, .osm, .osm.gz, .osm.bz2 or "
                             "Overpass .json)",
                             inputs[i]);
        prog.bytes_total += (uint64_t)sbuf.st_size;
    }

    imp_state st;
    net_build nb;
    memset(&nb, 0, sizeof nb);
    strbuf meta;
    sb_init(&meta, alloc);
    bogie_status rc = imp_init(&st, alloc, opts.include, opts.station_radius_m);
    if (rc != BOGIE_OK) {
        sb_free(&meta);
        return util_nomem(diag, "starting the import");
    }
    st.stats.inputs = n_inputs;
    borders *outlines = NULL;
    if (opts.borders_topojson || opts.borders_csv) {
        if (!opts.borders_topojson || !opts.borders_csv)
            rc = util_fail(diag, BOGIE_ERR_ARG, "country borders need both the outlines and the country codes");
        else
            rc = borders_load(opts.borders_topojson, opts.borders_csv, alloc, &outlines, diag);
        st.borders = outlines;
    }

    /* One pass, or two: the ways and relations, then only the nodes they use. */
    unsigned passes = opts.passes ? opts.passes : prog.bytes_total > TWO_PASS_BYTES ? 2 : 1;
    if (passes == 2)
        prog.bytes_total *= 2;
    for (unsigned pass = passes == 2 ? 1 : 0; pass <= (passes == 2 ? 2u : 0u) && rc == BOGIE_OK; pass++) {
        st.pass = pass;
        if (pass == 2)
            rc = wanted_nodes(&st, diag);
        for (size_t i = 0; i < n_inputs && rc == BOGIE_OK; i++) {
            read_ctx ctx = {&st, &opts, &prog, prog.bytes_done, prog.objects};
            sink_pair pair = {&st, &ctx};
            osm_sink sink = {&pair, pair_node, pair_way, pair_relation, pair_progress};
            prog.file = inputs[i];
            rc = osm_read_file(inputs[i], opts.reader, &sink, alloc, diag);
            if (rc == BOGIE_OK && st.failed)
                rc = st.failed;
            if (rc == BOGIE_ERR_NOMEM)
                util_nomem(diag, "reading the input");
            else if (rc == BOGIE_ERR_CANCELLED)
                util_fail(diag, rc, "%s: import cancelled", inputs[i]);
            else if (rc == BOGIE_ERR_LIMIT)
                util_fail(diag, rc, "%s: the input exceeds a size limit of the graph file", inputs[i]);
            struct stat sbuf;
            if (stat(inputs[i], &sbuf) == 0)
                prog.bytes_done = ctx.bytes_before + (uint64_t)sbuf.st_size;
            prog.objects = st.stats.nodes_read + st.stats.ways_read + st.stats.relations_read;
        }
    }
    st.pass = 0;
    if (rc == BOGIE_OK) {
        prog.stage = "build";
        prog.file = NULL;
        rc = net_build_graph(&st, &nb, opts.progress, opts.progress_ud, &prog, diag);
    }
    if (rc == BOGIE_OK) {
        prog.stage = "landmarks";
        if (opts.progress && opts.progress(opts.progress_ud, &prog))
            rc = util_fail(diag, BOGIE_ERR_CANCELLED, "%s: import cancelled", output_path);
        else
            rc = lm_compute((uint32_t)nb.nodes.n, nb.node_adj.v, nb.adj.v, nb.edges.v, LM_DEFAULT_COUNT, st.alloc,
                            &nb.landmarks, &nb.landmark_dist, &nb.n_landmarks, diag);
    }

    char tmp[8300] = "";
    struct stat out_st;
    if (rc == BOGIE_OK && stat(output_path, &out_st) == 0 && !S_ISREG(out_st.st_mode))
        rc = util_fail(diag, BOGIE_ERR_IO,
                       "%s: not a regular file: the graph is written beside the output and renamed into place, which "
                       "would replace it", output_path);
    if (rc == BOGIE_OK) {
        char dir[4096];
        const char *base;
        split_path(output_path, dir, sizeof dir, &base);
        remove_stale_temps(dir, base);
        /* The pid lets a later import tell a dead import's leftovers from a running one's; the address of this
         * call's state tells apart two imports in one process. */
        int len = snprintf(tmp, sizeof tmp, "%s.%s.tmp.%ld.%lx", dir, base, (long)getpid(),
                           (unsigned long)(uintptr_t)&st);
        if (len < 0 || (size_t)len >= sizeof tmp)
            rc = util_fail(diag, BOGIE_ERR_ARG, "%s: output path too long", output_path);
        append_meta(&meta, &opts, inputs, n_inputs);
        prog.stage = "write";
        if (rc != BOGIE_OK)
            tmp[0] = '\0';
        else if (opts.progress && opts.progress(opts.progress_ud, &prog))
            rc = util_fail(diag, BOGIE_ERR_CANCELLED, "%s: import cancelled", output_path);
        else if (meta.failed)
            rc = util_nomem(diag, "writing the metadata");
        else
            rc = net_write_file(tmp, &st, &nb, meta.s, diag);
        /* Asked once more before the rename, so that a cancellation during the write (long on a large network)
         * still leaves the old file in place. */
        if (rc == BOGIE_OK && opts.progress && opts.progress(opts.progress_ud, &prog))
            rc = util_fail(diag, BOGIE_ERR_CANCELLED, "%s: import cancelled", output_path);
        if (rc == BOGIE_OK && rename(tmp, output_path) != 0)
            rc = util_io_fail(diag, output_path, "cannot rename the temporary file into place", errno);
        if (rc != BOGIE_OK && tmp[0])
            unlink(tmp);
    }
    sb_free(&meta);
    net_build_free(&nb);
    imp_free(&st);
    borders_free(outlines);
    return rc;
}
