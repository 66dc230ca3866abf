/* gather.c: the OSM sink of the import. It keeps what the graph needs from each object a reader delivers (tracks,
 * station candidates: station nodes and areas, stop areas, stop positions and platforms; node coordinates and
 * flags) in an imp_state, and counts and reports what it leaves out. */
#include "net/gather.h"
#include "net/tags.h"
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

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
    VEC_FREE(a, st->node_ele);
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
    const char *railway = tags_get(tags, n, "railway");
    uint8_t m = railway && strcmp(railway, "tram_stop") == 0 ? (uint8_t)(1u << NET_RAILWAY_TRAM) : 0;
    for (size_t i = 0; i < ARRAY_LEN(by_tag); i++) {
        const char *v = tags_get(tags, n, by_tag[i].key);
        if (v && strcmp(v, "yes") == 0)
            m |= by_tag[i].modes;
    }
    return m ? m : (uint8_t)(1u << NET_RAILWAY_RAIL | 1u << NET_RAILWAY_NARROW_GAUGE | 1u << NET_RAILWAY_LIGHT_RAIL);
}

/* Reports a name of object (type, id) whose value holds control characters (escape sequences, CR, BEL), spelt out:
 * the outputs replace them, but the data should be fixed. */
static void report_controls(imp_state *st, char type, int64_t id, const char *key, const char *value)
{
    if (!text_has_control(value))
        return;
    char spelt[64];
    text_spell_controls(spelt, sizeof spelt, value);
    st->cur_type = type;
    st->cur_id = id;
    imp_report(st, key, spelt, TEXT_CONTROLS_REASON);
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
        report_controls(st, type, id, k, v);
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

/* Whether a node is a stop position for trains (public_transport=stop_position with train=yes, or on railway=stop):
 * a place where a train may reverse. */
static bool is_train_stop_position(const osm_tag *tags, size_t n)
{
    const char *pt = tags_get(tags, n, "public_transport"), *train = tags_get(tags, n, "train");
    const char *railway = tags_get(tags, n, "railway");
    return pt && strcmp(pt, "stop_position") == 0 &&
           ((train && strcmp(train, "yes") == 0) || (railway && strcmp(railway, "stop") == 0));
}

/* Whether any name tag (name, name:*, alt_name, official_name, ...) of an object has a value. */
static bool has_name(const osm_tag *tags, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_name_key(tags[i].key) && *tags[i].value)
            return true;
    return false;
}

/* How a stop position or platform relates to the track this import keeps: 1 when it serves it (train=yes; the
 * light_rail, subway or tram=yes of an included kind, railway=tram_stop counting as tram=yes; or railway=stop with no
 * mode tag, a railway's stop), 0 when it serves only other rail (trams, metro, light rail not included, monorail,
 * funicular, miniature railways), -1 when nothing says it serves rail at all (a bus platform, or a platform with no
 * mode tag: in the extracts those are mostly trams'). */
static int stop_serves_kept(const imp_state *st, const osm_tag *tags, size_t n)
{
    static const struct {
        const char *key;
        unsigned include; /* 0: always kept */
    } modes[] = {{"train", 0},
                 {"light_rail", BOGIE_INCLUDE_LIGHT_RAIL},
                 {"subway", BOGIE_INCLUDE_SUBWAY},
                 {"tram", BOGIE_INCLUDE_TRAM},
                 {"monorail", ~0u},
                 {"funicular", ~0u}};
    const char *railway = tags_get(tags, n, "railway"), *station = tags_get(tags, n, "station");
    if (station && strcmp(station, "miniature") == 0)
        return 0;
    bool tram_stop = railway && strcmp(railway, "tram_stop") == 0, any_mode = tram_stop;
    if (tram_stop && (st->include & BOGIE_INCLUDE_TRAM))
        return 1;
    for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
        const char *v = tags_get(tags, n, modes[i].key);
        if (!v || strcmp(v, "yes") != 0)
            continue;
        any_mode = true;
        if (modes[i].include == 0 || (modes[i].include != ~0u && (st->include & modes[i].include)))
            return 1;
    }
    if (any_mode)
        return 0;
    return railway && strcmp(railway, "stop") == 0 ? 1 : -1;
}

/* Returns the imp_station_source of a station candidate (object type 'n' or 'w'), or -1 when the object is none,
 * counting those that serve only track this import does not keep. Stop positions (nodes only) and platforms count
 * only with a name: a nameless one names no station. */
static int candidate_source(imp_state *st, char type, const osm_tag *tags, size_t n)
{
    const char *railway = tags_get(tags, n, "railway");
    if (is_station_object(tags, n)) {
        if (!station_mode_kept(st, tags, n)) {
            if (type == 'n')
                st->stats.stations_not_on_kept_track_type++;
            return -1;
        }
        if (type == 'w')
            return IMP_SRC_WAY;
        bool railway_node = railway && (strcmp(railway, "station") == 0 || strcmp(railway, "halt") == 0);
        return railway_node ? IMP_SRC_RAILWAY_NODE : IMP_SRC_PT_NODE;
    }
    const char *pt = tags_get(tags, n, "public_transport");
    int source;
    if (type == 'n' && ((pt && strcmp(pt, "stop_position") == 0) ||
                        (railway && (strcmp(railway, "stop") == 0 || strcmp(railway, "tram_stop") == 0))))
        source = IMP_SRC_STOP_POSITION;
    else if ((pt && strcmp(pt, "platform") == 0) || (railway && strcmp(railway, "platform") == 0))
        source = IMP_SRC_PLATFORM;
    else
        return -1;
    int serves = stop_serves_kept(st, tags, n);
    if (serves == 0)
        st->stats.stops_not_on_kept_track_type++;
    return serves == 1 && has_name(tags, n) ? source : -1;
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

/* Keeps the elevation of kept node id from its ele=* tag (metres above sea level; OSM's "ele" may carry a " m"
 * suffix), or reports a value that is no number of metres within NET_MIN_ELEV_M .. NET_MAX_ELEV_M. */
static bogie_status read_ele(imp_state *st, int64_t id, const char *ele)
{
    char *end;
    double z = strtod(ele, &end);
    while (*end == ' ')
        end++;
    if (end[0] == 'm' && end[1] == '\0')
        end++;
    if (end == ele || *end != '\0' || !(z >= NET_MIN_ELEV_M && z <= NET_MAX_ELEV_M)) {
        st->cur_type = 'n';
        st->cur_id = id;
        imp_report(st, "ele", ele, "not a height in metres within -500 .. 9000; the node's elevation is unknown");
        return st->failed;
    }
    imp_node_ele ne = {id, (float)z};
    return VEC_PUSH(st->alloc, st->node_ele, ne) != 0 ? BOGIE_ERR_NOMEM : BOGIE_OK;
}

static bogie_status sink_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags, size_t n)
{
    imp_state *st = ud;
    if (st->pass == 1)
        return BOGIE_OK;
    st->stats.nodes_read++;
    bool kept = st->pass == 0 || is_wanted(st, id);
    if (kept) {
        imp_node nd = {id, lat, lon};
        if (VEC_PUSH(st->alloc, st->nodes, nd) != 0)
            return BOGIE_ERR_NOMEM;
        st->stats.nodes_kept++;
    }
    if (n == 0)
        return BOGIE_OK;
    const char *ele = kept ? tags_get(tags, n, "ele") : NULL;
    bogie_status rc = ele ? read_ele(st, id, ele) : BOGIE_OK;
    if (rc != BOGIE_OK)
        return rc;
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
    if (is_train_stop_position(tags, n)) {
        imp_node_flag nf = {id, NET_NODE_STOP};
        if (VEC_PUSH(st->alloc, st->node_flags, nf) != 0)
            return BOGIE_ERR_NOMEM;
    }
    int source = candidate_source(st, 'n', tags, n);
    return source < 0 ? BOGIE_OK : add_station(st, 'n', id, lat, lon, tags, n, (uint8_t)source, NULL);
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
        int source = candidate_source(st, 'w', tags, n);
        if (source >= 0) {
            imp_station *s;
            bogie_status rc = add_station(st, 'w', id, OSM_NO_COORD, OSM_NO_COORD, tags, n, (uint8_t)source, &s);
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

osm_sink imp_sink(imp_state *st)
{
    osm_sink s = {st, sink_node, sink_way, sink_relation, NULL};
    return s;
}
