/* build_stations.c: the stations of the graph: every candidate the import gathered (a station node, a way's centre,
 * a stop area, a stop position, a platform) placed, those that describe one station merged (the same object read
 * twice, a stop area's members, objects within BLD_NAME_MERGE_M of each other that share a name, a platform and the
 * station next to it), each merged station attached to the track node of one of its stop positions or else to the
 * nearest track node of a kind it serves, and the kept ones stored with the names of all they absorbed. */
#include "net/build_int.h"

#include "base/geo.h"

#include <math.h>
#include <string.h>

/* Objects this close to each other (in metres, through a chain of them) that share a name are one station: the six
 * stop positions and two platforms of a station, its node, its building. Two stations of one name farther apart
 * (two towns' "Hauptbahnhof") stay two. */
#define BLD_NAME_MERGE_M 1000.0
/* A platform named like nothing near it joins the nearest station this close to it (in metres). */
#define BLD_PLATFORM_JOIN_M 300.0

typedef struct st_key {
    int64_t id;
    uint32_t index;
    char type;
} st_key;

static int cmp_st_key(const void *pa, const void *pb)
{
    const st_key *a = pa, *b = pb;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static uint32_t find_station(const st_key *keys, size_t n, char type, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].type < type || (keys[mid].type == type && keys[mid].id < id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && keys[lo].type == type && keys[lo].id == id ? keys[lo].index : BOGIE_NONE;
}

/* Returns the station candidate's primary name: name, else name:en, else its first name. */
static uint32_t primary_name(const imp_state *st, const imp_station *s)
{
    uint32_t first = 0, en = 0;
    for (uint32_t k = 0; k < s->names_count; k++) {
        const net_name *nm = &st->names.v[s->names_first + k];
        const char *key = strtab_get(&st->strings, nm->key);
        if (strcmp(key, "name") == 0)
            return nm->value;
        if (!en && strcmp(key, "name:en") == 0)
            en = nm->value;
        if (!first && strncmp(key, "name", 4) == 0)
            first = nm->value;
    }
    return en ? en : first;
}

/* Union-find over station candidates, with path halving. */
static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void uf_union(uint32_t *parent, uint32_t x, uint32_t y)
{
    x = uf_find(parent, x);
    y = uf_find(parent, y);
    if (x != y)
        parent[y] = x;
}

/* Follows merge links to the station that absorbed s. */
static uint32_t merge_root(const builder *b, uint32_t s)
{
    while (b->st_merge[s] != BOGIE_NONE)
        s = b->st_merge[s];
    return s;
}

typedef struct name_order {
    uint32_t name;
    uint32_t index;
} name_order;

static int cmp_name_order(const void *pa, const void *pb)
{
    const name_order *a = pa, *b = pb;
    if (a->name != b->name)
        return a->name < b->name ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

typedef struct attach_ctx {
    const builder *b;
    const uint32_t *track_idx;
    uint8_t modes;
} attach_ctx;

/* Accepts a track node for a station when a kind of track the station serves passes through it. */
static int accept_mode(void *ud, size_t k)
{
    const attach_ctx *ac = ud;
    return (ac->b->kinds[ac->track_idx[k]] & ac->modes) != 0;
}


/* Allocates the per-candidate arrays (st_node, st_dist, st_merge: a union-find forest until the merges are settled)
 * and *keys (the candidates sorted by type and id; the caller frees them), and drops the second copy of an object
 * read twice (from two inputs). */
static bogie_status index_stations(builder *b, st_key **keys_out)
{
    imp_state *st = b->st;
    size_t ns = st->stations.n;
    *keys_out = NULL;
    b->st_node = util_malloc(b->a, (ns ? ns : 1) * sizeof *b->st_node);
    b->st_dist = util_malloc(b->a, (ns ? ns : 1) * sizeof *b->st_dist);
    b->st_merge = util_malloc(b->a, (ns ? ns : 1) * sizeof *b->st_merge);
    st_key *keys = util_malloc(b->a, (ns ? ns : 1) * sizeof *keys);
    if (!b->st_node || !b->st_dist || !b->st_merge || !keys) {
        util_free(b->a, keys, (ns ? ns : 1) * sizeof *keys);
        return util_nomem(b->diag, "placing stations");
    }
    for (size_t i = 0; i < ns; i++) {
        b->st_node[i] = BOGIE_NONE;
        b->st_merge[i] = (uint32_t)i; /* a union-find forest until the merges are settled */
        b->st_dist[i] = -1;
        keys[i] = (st_key){st->stations.v[i].id, (uint32_t)i, st->stations.v[i].type};
    }
    util_sort(keys, ns, sizeof *keys, cmp_st_key);
    /* The same object read twice (from two inputs) is one station. */
    for (size_t i = 1; i < ns; i++)
        if (keys[i].type == keys[i - 1].type && keys[i].id == keys[i - 1].id)
            st->stations.v[keys[i].index].dropped = true;
    *keys_out = keys;
    return BOGIE_OK;
}

/* Places a station way at the mean of its nodes that the inputs hold. */
static void place_at_way_centre(const imp_state *st, imp_station *s)
{
    double lat = 0, lon = 0;
    size_t cnt = 0;
    for (uint32_t k = 0; k < s->n_members; k++) {
        uint32_t v = bld_find_node(st, st->refs.v[s->members_first + k]);
        if (v == BOGIE_NONE)
            continue;
        lat += st->nodes.v[v].lat;
        lon += st->nodes.v[v].lon;
        cnt++;
    }
    if (cnt) {
        s->lat = (int32_t)lround(lat / (double)cnt);
        s->lon = (int32_t)lround(lon / (double)cnt);
    }
}

/* Places stop area i (s) at the mean of its member nodes and joins it with the stations among its members. Without
 * one it stands for a station itself, but only when one of its nodes (a stop position) lies on kept track:
 * platforms alone may be a metro's; otherwise it is dropped and false returned. */
static bool place_stop_area(builder *b, const st_key *keys, size_t i, imp_station *s)
{
    imp_state *st = b->st;
    size_t ns = st->stations.n;
    double lat = 0, lon = 0;
    size_t cnt = 0;
    bool on_track = false, joined = false;
    for (uint32_t k = 0; k < s->n_members; k++) {
        const imp_member *m = &st->members.v[s->members_first + k];
        uint32_t other = (m->type == 'n' || m->type == 'w') ? find_station(keys, ns, m->type, m->ref) : BOGIE_NONE;
        if (other != BOGIE_NONE && other != i && !st->stations.v[other].dropped &&
            st->stations.v[other].type != 'r') {
            uf_union(b->st_merge, (uint32_t)i, other);
            joined = true;
        }
        if (m->type != 'n')
            continue;
        uint32_t v = bld_find_node(st, m->ref);
        if (v == BOGIE_NONE)
            continue;
        lat += st->nodes.v[v].lat;
        lon += st->nodes.v[v].lon;
        cnt++;
        if (b->nf[v] & NF_TRACK)
            on_track = true;
    }
    if (!joined && !on_track) {
        s->dropped = true;
        st->stats.stop_areas_off_track++;
        return false;
    }
    if (cnt) {
        s->lat = (int32_t)lround(lat / (double)cnt);
        s->lon = (int32_t)lround(lon / (double)cnt);
    }
    return true;
}

/* Gives every candidate still kept its position; those without one are dropped. */
static void locate_stations(builder *b, const st_key *keys)
{
    imp_state *st = b->st;
    for (size_t i = 0; i < st->stations.n; i++) {
        imp_station *s = &st->stations.v[i];
        if (s->dropped)
            continue;
        if (s->type == 'w')
            place_at_way_centre(st, s);
        else if (s->type == 'r' && !place_stop_area(b, keys, i, s))
            continue;
        if (s->lat == OSM_NO_COORD)
            s->dropped = true;
    }
}

/* Objects within BLD_NAME_MERGE_M of each other that share any name (name, name:*, official_name, ...) describe one
 * station: a station node and the station building, say, a node named "Helsinki" and an area whose name is the
 * node's official_name, or the stop positions and platforms of one station. */
static bogie_status merge_by_name(builder *b)
{
    imp_state *st = b->st;
    VEC(name_order) order = {0};
    for (size_t i = 0; i < st->stations.n; i++) {
        const imp_station *si = &st->stations.v[i];
        if (si->dropped)
            continue;
        for (uint32_t k = 0; k < si->names_count; k++) {
            name_order o = {st->names.v[si->names_first + k].value, (uint32_t)i};
            if (VEC_PUSH(b->a, order, o) != 0) {
                VEC_FREE(b->a, order);
                return util_nomem(b->diag, "merging stations");
            }
        }
    }
    util_sort(order.v, order.n, sizeof *order.v, cmp_name_order);
    for (size_t lo = 0; lo < order.n;) {
        size_t hi = lo + 1;
        while (hi < order.n && order.v[hi].name == order.v[lo].name)
            hi++;
        for (size_t x = lo; x < hi; x++)
            for (size_t y = x + 1; y < hi; y++) {
                const imp_station *si = &st->stations.v[order.v[x].index], *sj = &st->stations.v[order.v[y].index];
                if (order.v[x].index != order.v[y].index &&
                    geo_distance_e7(si->lat, si->lon, sj->lat, sj->lon) <= BLD_NAME_MERGE_M)
                    uf_union(b->st_merge, order.v[x].index, order.v[y].index);
            }
        lo = hi;
    }
    VEC_FREE(b->a, order);
    return BOGIE_OK;
}

/* Each merged group keeps the member from the most specific source (a railway=station node first), then the one
 * read first; the others point at it, and the kept ones at BOGIE_NONE. */
static void settle_merges(builder *b)
{
    imp_state *st = b->st;
    size_t ns = st->stations.n;
    for (size_t i = 0; i < ns; i++) {
        uint32_t r = uf_find(b->st_merge, (uint32_t)i);
        if (r == i)
            continue;
        const imp_station *si = &st->stations.v[i], *sr = &st->stations.v[r];
        if (!si->dropped && (si->source < sr->source || (si->source == sr->source && i < r))) {
            /* Make i the root of its set. */
            b->st_merge[r] = (uint32_t)i;
            b->st_merge[i] = (uint32_t)i;
        }
    }
    for (size_t i = 0; i < ns; i++)
        b->st_merge[i] = uf_find(b->st_merge, (uint32_t)i); /* every member now points straight at its root */
    for (size_t i = 0; i < ns; i++) {
        if (b->st_merge[i] == i) {
            b->st_merge[i] = BOGIE_NONE;
        } else if (!st->stations.v[i].dropped) {
            st->stats.stations_merged++;
        }
    }
}

/* The station a candidate belongs to once the merges are settled: itself or the one that absorbed it. */
static uint32_t group_root(const builder *b, size_t i)
{
    return b->st_merge[i] == BOGIE_NONE ? (uint32_t)i : b->st_merge[i];
}

/* Accepts candidate k as a platform's station: placed, and of a station that is not platforms alone. */
static int accept_station_member(void *ud, size_t k)
{
    const builder *b = ud;
    const imp_station *s = &b->st->stations.v[k];
    return !s->dropped && s->lat != OSM_NO_COORD &&
           b->st->stations.v[group_root(b, k)].source != IMP_SRC_PLATFORM;
}

/* A platform that shares its name with nothing near it ("Köln-Ehrenfeld Gleis 2") belongs to the station with an
 * object nearest to it within BLD_PLATFORM_JOIN_M; only platforms far from any station make a station of their own. */
static bogie_status join_lone_platforms(builder *b)
{
    imp_state *st = b->st;
    size_t ns = st->stations.n;
    int32_t *ll = util_malloc(b->a, (ns ? ns : 1) * 2 * sizeof *ll);
    if (!ll)
        return util_nomem(b->diag, "merging platforms");
    for (size_t i = 0; i < ns; i++) {
        const imp_station *s = &st->stations.v[i];
        bool placed = !s->dropped && s->lat != OSM_NO_COORD;
        ll[2 * i] = placed ? s->lat : 0;
        ll[2 * i + 1] = placed ? s->lon : 0;
    }
    geo_grid *grid = NULL;
    uint32_t *join = util_malloc(b->a, (ns ? ns : 1) * sizeof *join);
    bogie_status rc = join ? geo_grid_build(ll, ns, b->a, &grid) : BOGIE_ERR_NOMEM;
    /* Decided first and applied after, so that no platform joins a station through another platform. */
    for (size_t i = 0; rc == BOGIE_OK && i < ns; i++) {
        const imp_station *s = &st->stations.v[i];
        join[i] = BOGIE_NONE;
        if (s->dropped || s->source != IMP_SRC_PLATFORM || b->st_merge[i] != BOGIE_NONE)
            continue;
        double d;
        size_t k = geo_grid_nearest(grid, s->lat * 1e-7, s->lon * 1e-7, BLD_PLATFORM_JOIN_M, accept_station_member,
                                    b, &d);
        if (k != SIZE_MAX) {
            join[i] = group_root(b, k);
            st->stats.stations_merged++;
        }
    }
    for (size_t i = 0; rc == BOGIE_OK && i < ns; i++) {
        uint32_t r = group_root(b, i);
        if (join[r] != BOGIE_NONE)
            b->st_merge[i] = join[r];
    }
    if (rc != BOGIE_OK)
        util_nomem(b->diag, "merging platforms");
    geo_grid_free(grid);
    util_free(b->a, join, (ns ? ns : 1) * sizeof *join);
    util_free(b->a, ll, (ns ? ns : 1) * 2 * sizeof *ll);
    return rc;
}

/* A station made of stop positions and platforms alone stands at their mean position, so that it attaches to a stop
 * position in its middle rather than at one end. */
static bogie_status centre_stop_groups(builder *b)
{
    imp_state *st = b->st;
    size_t ns = st->stations.n;
    double *sum = util_calloc(b->a, (ns ? ns : 1) * 3, sizeof *sum);
    if (!sum)
        return util_nomem(b->diag, "placing stations");
    for (size_t j = 0; j < ns; j++) {
        const imp_station *s = &st->stations.v[j];
        uint32_t r = group_root(b, j);
        if (s->dropped || s->lat == OSM_NO_COORD || st->stations.v[r].source < IMP_SRC_STOP_POSITION)
            continue;
        sum[3 * r] += s->lat;
        sum[3 * r + 1] += s->lon;
        sum[3 * r + 2] += 1;
    }
    for (size_t r = 0; r < ns; r++) {
        if (sum[3 * r + 2] < 2 || b->st_merge[r] != BOGIE_NONE)
            continue;
        st->stations.v[r].lat = (int32_t)lround(sum[3 * r] / sum[3 * r + 2]);
        st->stations.v[r].lon = (int32_t)lround(sum[3 * r + 1] / sum[3 * r + 2]);
    }
    util_free(b->a, sum, (ns ? ns : 1) * 3 * sizeof *sum);
    return BOGIE_OK;
}

/* A stop position is a node of the track: each kept station whose group holds stop positions on track of a kind
 * they serve is attached to the one nearest the station's own position (its own node when the station is a stop
 * position), exactly, with no search. Sets b->st_node and st_dist of those stations. */
static void attach_at_stop_positions(builder *b)
{
    imp_state *st = b->st;
    for (size_t j = 0; j < st->stations.n; j++) {
        const imp_station *sp = &st->stations.v[j];
        if (sp->dropped || sp->source != IMP_SRC_STOP_POSITION)
            continue;
        uint32_t v = bld_find_node(st, sp->id);
        if (v == BOGIE_NONE || !(b->nf[v] & NF_TRACK) || !(b->kinds[v] & sp->modes))
            continue;
        uint32_t r = group_root(b, j);
        const imp_station *root = &st->stations.v[r];
        if (root->dropped)
            continue;
        double d = geo_distance_e7(root->lat, root->lon, st->nodes.v[v].lat, st->nodes.v[v].lon);
        if (b->st_node[r] == BOGIE_NONE || d < b->st_dist[r]) {
            b->st_node[r] = v;
            b->st_dist[r] = (float)d;
        }
    }
}

/* Counts kept station i under the kind of object it was built from (its primary object). */
static void count_kept(imp_stats *stats, const imp_station *s)
{
    uint64_t *by_source[] = {&stats->stations_from_station_nodes, &stats->stations_from_station_nodes,
                             &stats->stations_from_station_areas, &stats->stations_from_stop_areas,
                             &stats->stations_from_stop_positions, &stats->stations_from_platforms};
    stats->stations_kept++;
    if (s->source < ARRAY_LEN(by_source))
        (*by_source[s->source])++;
}

/* Attaches every kept, unmerged station not attached at a stop position to the nearest track node of a kind it
 * serves (grid: the track nodes, track_idx their OSM node indices), or drops it when none lies within the station
 * radius. */
static void attach_stations(builder *b, const geo_grid *grid, const uint32_t *track_idx)
{
    imp_state *st = b->st;
    for (size_t i = 0; i < st->stations.n; i++) {
        imp_station *s = &st->stations.v[i];
        if (s->dropped || b->st_merge[i] != BOGIE_NONE)
            continue;
        if (b->st_node[i] == BOGIE_NONE) {
            double d;
            attach_ctx ac = {b, track_idx, s->modes};
            size_t k =
                geo_grid_nearest(grid, s->lat * 1e-7, s->lon * 1e-7, st->station_radius_m, accept_mode, &ac, &d);
            if (k == SIZE_MAX) {
                s->dropped = true;
                st->stats.stations_too_far++;
                continue;
            }
            b->st_node[i] = track_idx[k];
            b->st_dist[i] = (float)d;
        }
        b->nf[b->st_node[i]] |= NF_FORCED;
        count_kept(&st->stats, s);
    }
}

/* Indexes the track nodes and attaches the stations to them. */
static bogie_status attach_to_track(builder *b)
{
    imp_state *st = b->st;
    size_t n_track = 0;
    for (size_t v = 0; v < b->n_nodes; v++)
        n_track += (b->nf[v] & NF_TRACK) != 0;
    int32_t *ll = util_malloc(b->a, (n_track ? n_track : 1) * 2 * sizeof *ll);
    uint32_t *track_idx = util_malloc(b->a, (n_track ? n_track : 1) * sizeof *track_idx);
    if (!ll || !track_idx) {
        util_free(b->a, ll, (n_track ? n_track : 1) * 2 * sizeof *ll);
        util_free(b->a, track_idx, (n_track ? n_track : 1) * sizeof *track_idx);
        return util_nomem(b->diag, "attaching stations");
    }
    size_t t = 0;
    for (size_t v = 0; v < b->n_nodes; v++) {
        if (!(b->nf[v] & NF_TRACK))
            continue;
        ll[2 * t] = st->nodes.v[v].lat;
        ll[2 * t + 1] = st->nodes.v[v].lon;
        track_idx[t++] = (uint32_t)v;
    }
    geo_grid *grid = NULL;
    bogie_status rc = geo_grid_build(ll, n_track, b->a, &grid);
    if (rc == BOGIE_OK)
        attach_stations(b, grid, track_idx);
    else
        util_nomem(b->diag, "indexing track nodes");
    geo_grid_free(grid);
    util_free(b->a, ll, (n_track ? n_track : 1) * 2 * sizeof *ll);
    util_free(b->a, track_idx, (n_track ? n_track : 1) * sizeof *track_idx);
    return rc;
}

bogie_status bld_place_stations(builder *b)
{
    st_key *keys;
    bogie_status rc = index_stations(b, &keys);
    if (rc != BOGIE_OK)
        return rc;
    locate_stations(b, keys);
    util_free(b->a, keys, (b->st->stations.n ? b->st->stations.n : 1) * sizeof *keys);
    rc = merge_by_name(b);
    if (rc != BOGIE_OK)
        return rc;
    settle_merges(b);
    rc = join_lone_platforms(b);
    if (rc == BOGIE_OK)
        rc = centre_stop_groups(b);
    if (rc != BOGIE_OK)
        return rc;
    attach_at_stop_positions(b);
    return attach_to_track(b);
}

/* ----- storing the kept stations ----- */

/* Pairs (absorbing station, absorbed station), sorted, so each kept station finds the names of those it absorbed.
 * *groups is allocated with b's allocator; the caller frees it (VEC_FREE) also on failure. */
static bogie_status merge_groups(builder *b, void *groups_vec)
{
    VEC(name_order) *groups = groups_vec;
    for (size_t j = 0; j < b->st->stations.n; j++) {
        if (b->st_merge[j] == BOGIE_NONE)
            continue;
        name_order g = {merge_root(b, (uint32_t)j), (uint32_t)j};
        if (VEC_PUSH(b->a, *groups, g) != 0)
            return util_nomem(b->diag, "merging stations");
    }
    util_sort(groups->v, groups->n, sizeof *groups->v, cmp_name_order);
    return BOGIE_OK;
}

/* Appends to the station names those of m whose keys the station (its names from names_first on) lacks. */
static bogie_status add_names(builder *b, const imp_station *m, size_t names_first)
{
    net_build *o = b->out;
    for (uint32_t k = 0; k < m->names_count; k++) {
        net_name nm = b->st->names.v[m->names_first + k];
        bool dup = false;
        for (size_t q = names_first; q < o->station_names.n && !dup; q++)
            dup = o->station_names.v[q].key == nm.key;
        if (!dup && VEC_PUSH(b->a, o->station_names, nm) != 0)
            return util_nomem(b->diag, "storing station names");
    }
    return BOGIE_OK;
}

/* Stores kept station i with its names and those of the stations merged into it: groups (n_groups pairs, sorted by
 * the absorbing station), of which gpos is the first whose absorbing station is i or later. */
static bogie_status store_station(builder *b, size_t i, const name_order *groups, size_t n_groups, size_t gpos)
{
    imp_state *st = b->st;
    net_build *o = b->out;
    const imp_station *s = &st->stations.v[i];
    net_station out = {0};
    out.osm_id = s->id;
    out.osm_type = (uint8_t)s->type;
    out.kind = s->kind;
    out.lat = s->lat;
    out.lon = s->lon;
    out.node = b->gid[b->st_node[i]];
    out.attach_m = b->st_dist[i];
    out.uic_ref = s->uic_ref;
    out.railway_ref = s->railway_ref;
    out.timezone = s->timezone;
    out.name = primary_name(st, s);
    out.names_first = (uint32_t)o->station_names.n;
    for (size_t q = gpos;; q++) {
        size_t j;
        if (q == gpos)
            j = i;
        else if (q - 1 < n_groups && groups[q - 1].name == i)
            j = groups[q - 1].index;
        else
            break;
        const imp_station *m = &st->stations.v[j];
        if (j != i) {
            out.flags |= NET_STATION_MERGED;
            if (!out.uic_ref)
                out.uic_ref = m->uic_ref;
            if (!out.railway_ref)
                out.railway_ref = m->railway_ref;
            if (!out.timezone)
                out.timezone = m->timezone;
        }
        bogie_status rc = add_names(b, m, out.names_first);
        if (rc != BOGIE_OK)
            return rc;
    }
    out.names_count = (uint32_t)(o->station_names.n - out.names_first);
    if (!out.name && out.names_count)
        out.name = o->station_names.v[out.names_first].value;
    if (VEC_PUSH(b->a, o->stations, out) != 0)
        return util_nomem(b->diag, "storing stations");
    o->node_flags.v[out.node] |= NET_NODE_STATION;
    return BOGIE_OK;
}

bogie_status bld_store_stations(builder *b)
{
    imp_state *st = b->st;
    VEC(name_order) groups = {0};
    bogie_status rc = merge_groups(b, &groups);
    size_t gpos = 0;
    for (size_t i = 0; i < st->stations.n && rc == BOGIE_OK; i++) {
        while (gpos < groups.n && groups.v[gpos].name < i)
            gpos++;
        const imp_station *s = &st->stations.v[i];
        if (s->dropped || b->st_merge[i] != BOGIE_NONE || b->st_node[i] == BOGIE_NONE)
            continue;
        rc = store_station(b, i, groups.v, groups.n, gpos);
    }
    VEC_FREE(b->a, groups);
    return rc;
}
