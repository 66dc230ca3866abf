/* fuzz_network.c: a libFuzzer harness for the graph-file loader (net_open_buffer() in src/net/network.c) and for what
 * reads a network it accepts. Each input is opened three ways: as it is with checksums verified; with its header
 * checksum, table checksum, file size and section checksums recomputed and BOGIE_OPEN_SKIP_CHECKSUM, so that the
 * mutations reach the structural validation rather than stopping at a checksum; and that repaired copy again with
 * checksums verified, which must agree. A file that opens is then summarised, listed, given to a planner, searched
 * for stations, snapped to and routed across (from a station, avoiding another), so that a file validated but still wrong is found where it would crash
 * later. The reference data come from $BOGIE_FUZZ_DATA (default "data").
 *
 * Besides libFuzzer's byte mutations, LLVMFuzzerCustomMutator() makes structured ones: it picks a section of the
 * file (half the time the station records, whose node index once crashed the planner), a record in it and a 32-bit
 * field of that record, and sets the field to a value at the edge of what the loader must check: 0, 1, BOGIE_NONE,
 * the node, edge, geometry or station count, one past it, or a random value. */
#include "fuzz.h"
#include "net/network.h"
#include "journey/train.h"

#include <math.h>
#include <xxhash.h>

static bogie_world *world;   /* the reference tables, loaded once; NULL when they cannot be */
static bogie_train train;    /* the armoured train, when its profile can be read */
static bool have_train;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("BOGIE_FUZZ_DATA");
    if (!dir)
        dir = "data";
    bogie_diag d = {0};
    if (bogie_world_open(dir, NULL, &world, &d) != BOGIE_OK)
        fprintf(stderr, "fuzz_network: no reference data, planners are not tried: %s\n", d.message);
    char path[4096];
    snprintf(path, sizeof path, "%s/trains/armoured.json", dir);
    have_train = bogie_train_load(path, &train, &d) == BOGIE_OK;
    return 0;
}

/* Whether the planner's track index would stay small: it lists every 0.01-degree cell of each geometry segment's
 * bounding box (geo_grid_build_segments() in src/base/geo.c), so one segment across a continent costs gigabytes. That is a
 * known limit of the index, not of the loader, and such files are not given to a planner here. The fuzzed files are
 * small (the seeds are a few kilobytes, with at most some 500 cells); with a bound of millions, building and sorting
 * the index of a mutated file took most of the harness's time. The corridor's network (372,000 cells) is planned on,
 * damaged in every byte, by test_network.c instead. */
static bool index_is_small(const bogie_network *net)
{
    double cells = 0;
    for (size_t i = 0; i + 1 < net->n_geom; i++) {
        double dlat = fabs((double)net->geom[i + 1].lat - net->geom[i].lat) * 1e-5;
        double dlon = fabs((double)net->geom[i + 1].lon - net->geom[i].lon) * 1e-5;
        cells += (dlat + 2) * (dlon + 2);
    }
    return cells < 5e4;
}

/* Plans from to to (place strings the caller owns) for the armoured train, keeping out of avoid when it is not
 * NULL, and writes the journey as JSON; the journey and its text are freed here. */
static void plan_once(bogie_planner *p, const char *from, const char *to, const char *avoid)
{
    bogie_journey_request req;
    bogie_journey_request_init(&req);
    req.from = from;
    req.to = to;
    req.train = &train;
    req.depart = "2023-09-10 15:00";
    req.time_limit_s = 0.5;
    req.avoid = &avoid;
    req.n_avoid = avoid ? 1 : 0;
    bogie_diag d = {0};
    bogie_journey *j = NULL;
    if (bogie_plan(p, &req, &j, &d) == BOGIE_OK) {
        char *text = NULL;
        if (bogie_journey_write(j, BOGIE_FORMAT_JSON, &text) == BOGIE_OK)
            free(text);
        bogie_journey_free(j);
    }
}

/* Searches stations, snaps and plans on the network behind p: between its first and last nodes, and from the first
 * station a search finds (so that the planner follows a station record to its node) avoiding the last one found. */
static void exercise_planner(const bogie_network *net, bogie_planner *p)
{
    bogie_station_match m[8];
    size_t nm = 0, found = 0;
    bogie_diag d = {0};
    const char *queries[] = {"a", "Tumangang", "xyzzy"};
    char first[128] = "", last[128] = "";
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (bogie_stations_search(p, queries[i], m, 8, &nm, &d) == BOGIE_OK && nm > 0) {
            if (!found++)
                memcpy(first, m[0].name, sizeof first);
            memcpy(last, m[nm - 1].name, sizeof last);
        }
    if (!have_train || net->n_nodes == 0)
        return;
    bogie_nearest_point np[4];
    size_t nn = 0;
    double lat = net->nodes[0].lat / 1e7, lon = net->nodes[0].lon / 1e7;
    bogie_nearest(p, &train, lat, lon, 5000, np, 4, &nn, &d);
    char from[64], to[64];
    snprintf(from, sizeof from, "%.7f,%.7f", lat, lon);
    const net_node *end = &net->nodes[net->n_nodes - 1];
    snprintf(to, sizeof to, "%.7f,%.7f", end->lat / 1e7, end->lon / 1e7);
    plan_once(p, from, to, NULL);
    if (found)
        plan_once(p, first, to, last);
}

/* Runs the read paths over a network that opened. */
static void exercise(const bogie_network *net)
{
    bogie_summary *sum = NULL;
    if (bogie_network_summary(net, &sum) == BOGIE_OK) {
        char *json = NULL;
        if (bogie_summary_json(sum, &json) == BOGIE_OK)
            FUZZ_CHECK(json != NULL);
        free(json);
        bogie_summary_free(net, sum);
    }
    uint32_t ne = bogie_network_edge_count(net);
    bogie_edge_info info;
    for (uint32_t e = 0; e < ne && e < 64; e++)
        FUZZ_CHECK(bogie_network_edge(net, e, &info) == BOGIE_OK);
    if (ne > 0)
        FUZZ_CHECK(bogie_network_edge(net, ne - 1, &info) == BOGIE_OK);
    FUZZ_CHECK(bogie_network_edge(net, ne, &info) == BOGIE_ERR_ARG);
    for (uint32_t v = 0; v < net->n_nodes && v < 64; v++)
        FUZZ_CHECK(strlen(net_node_country(net, v)) < 4);
    if (!world || !index_is_small(net))
        return;
    bogie_planner *p = NULL;
    bogie_diag d = {0};
    if (bogie_planner_new(net, world, NULL, &p, &d) != BOGIE_OK)
        return;
    exercise_planner(net, p);
    bogie_planner_free(p);
}

/* Opens the size bytes at buf with flags; on success runs the read paths and closes it. Returns the status. */
static bogie_status try_open(const void *buf, size_t size, unsigned flags)
{
    bogie_network *net = NULL;
    bogie_diag d = {0};
    bogie_status st = net_open_buffer("fuzz.bogie", buf, size, flags, NULL, &net, &d);
    if (st != BOGIE_OK) {
        FUZZ_CHECK(net == NULL);
        fuzz_check_diag(&d);
        return st;
    }
    FUZZ_CHECK(net != NULL);
    exercise(net);
    net_close_buffer(net);
    return st;
}

/* Rewrites the file size and every checksum of the graph file in buf so that they match its contents. */
static void repair(uint8_t *buf, size_t size)
{
    netfmt_header h;
    memcpy(&h, buf, sizeof h);
    h.file_size = size;
    uint64_t table_end = sizeof h + (uint64_t)h.section_count * sizeof(netfmt_section);
    if (table_end <= size) {
        for (uint32_t i = 0; i < h.section_count; i++) {
            netfmt_section s;
            uint8_t *at = buf + sizeof h + (size_t)i * sizeof s;
            memcpy(&s, at, sizeof s);
            if (s.offset <= size && s.elem_size > 0 && s.count <= (size - s.offset) / s.elem_size) {
                s.hash = XXH3_64bits(buf + s.offset, (size_t)(s.count * s.elem_size));
                memcpy(at, &s, sizeof s);
            }
        }
        h.table_hash = XXH3_64bits(buf + sizeof h, (size_t)(table_end - sizeof h));
    }
    h.header_hash = 0;
    h.header_hash = XXH3_64bits(&h, sizeof h);
    memcpy(buf, &h, sizeof h);
}

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* Returns the count of the section with id in the file at buf (size bytes), or 0 when it has none that fits. */
static uint64_t section_count(const uint8_t *buf, size_t size, uint32_t id)
{
    netfmt_header h;
    memcpy(&h, buf, sizeof h);
    for (uint32_t i = 0; i < h.section_count && sizeof h + (uint64_t)(i + 1) * sizeof(netfmt_section) <= size; i++) {
        netfmt_section s;
        memcpy(&s, buf + sizeof h + (size_t)i * sizeof s, sizeof s);
        if (s.id == id)
            return s.count;
    }
    return 0;
}

/* Returns a value at the edge of what the loader must check for a field of the file at buf, chosen by r. */
static uint32_t edge_value(const uint8_t *buf, size_t size, uint32_t r)
{
    static const uint32_t ids[] = {NETSEC_NODES, NETSEC_EDGES, NETSEC_GEOM, NETSEC_STATIONS, NETSEC_STRINGS,
                                   NETSEC_STATION_NAMES};
    uint64_t n = section_count(buf, size, ids[(r >> 4) % (sizeof ids / sizeof ids[0])]);
    switch (r % 8) {
    case 0: return 0;
    case 1: return 1;
    case 2: return BOGIE_NONE;
    case 3: return (uint32_t)n;
    case 4: return (uint32_t)(n + 1);
    case 5: return n ? (uint32_t)(n - 1) : 0;
    case 6: return 0x80000000u;
    default: return r * 2654435761u;
    }
}

/* Sets one 32-bit field of one record of one section of the graph file in data (size bytes) to an edge value,
 * choosing with rand_r(seed). Returns false when the file has no section table to mutate. */
static bool mutate_field(uint8_t *data, size_t size, unsigned int *seed)
{
    if (size < sizeof(netfmt_header))
        return false;
    netfmt_header h;
    memcpy(&h, data, sizeof h);
    uint64_t room = (size - sizeof h) / sizeof(netfmt_section);
    uint32_t n_sec = h.section_count < room ? h.section_count : (uint32_t)room;
    if (n_sec == 0)
        return false;
    uint32_t pick = (uint32_t)rand_r(seed) % n_sec;
    for (uint32_t i = 0; i < n_sec && rand_r(seed) % 2; i++) {
        netfmt_section s;
        memcpy(&s, data + sizeof h + (size_t)i * sizeof s, sizeof s);
        if (s.id == NETSEC_STATIONS)
            pick = i;
    }
    netfmt_section s;
    memcpy(&s, data + sizeof h + (size_t)pick * sizeof s, sizeof s);
    if (s.elem_size < 4 || s.count == 0 || s.offset > size || s.count > (size - s.offset) / s.elem_size)
        return false;
    uint64_t rec = (uint64_t)rand_r(seed) % s.count;
    uint32_t field = (uint32_t)rand_r(seed) % (s.elem_size / 4);
    uint32_t v = edge_value(data, size, (uint32_t)rand_r(seed));
    memcpy(data + s.offset + rec * s.elem_size + field * 4u, &v, sizeof v);
    return true;
}

/* libFuzzer's hook: half the time a structured field mutation (mutate_field()), else libFuzzer's own. The checksums
 * are repaired by LLVMFuzzerTestOneInput(), so either kind reaches the structural checks. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (seed % 2 == 0 && mutate_field(data, size, &seed))
        return size;
    return LLVMFuzzerMutate(data, size, max_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader wants 8-byte alignment, as a mapping has; malloc gives at least that. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    if (size)
        memcpy(buf, data, size);
    try_open(buf, size, 0);
    if (size >= sizeof(netfmt_header)) {
        repair(buf, size);
        bogie_status skipped = try_open(buf, size, BOGIE_OPEN_SKIP_CHECKSUM);
        bogie_network *net = NULL;
        bogie_diag d = {0};
        bogie_status checked = net_open_buffer("fuzz.bogie", buf, size, 0, NULL, &net, &d);
        net_close_buffer(net);
        FUZZ_CHECK(checked == skipped);
    }
    free(buf);
    return 0;
}
