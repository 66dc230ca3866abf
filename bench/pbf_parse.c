/* pbf_parse.c: times one pass over a PBF file with bogie's native reader or with readosm, counting objects.
 *
 * Usage: pbf_parse FILE.osm.pbf native|readosm [repeat]
 * Prints the counts of nodes, ways, relations and tags, and the best time of `repeat` passes (default 5). Build by
 * hand for now:
 *   gcc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Isrc bench/pbf_parse.c src/osm/osm_pbf.c \
 *       src/base/util.c -o build/bench/pbf_parse -ldeflate -lreadosm -lm */
#include "osm/osm.h"
#include "base/util.h"

#include <readosm.h>

#include <math.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct counts {
    uint64_t nodes, ways, relations, tags, refs, members;
    int64_t checksum; /* keeps the compiler from dropping the work */
} counts;

static bogie_status count_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *tags, size_t n_tags)
{
    UNUSED(tags);
    counts *c = ud;
    c->nodes++;
    c->tags += n_tags;
    c->checksum += id + lat + lon;
    return BOGIE_OK;
}

static bogie_status count_way(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const int32_t *coords,
                              const osm_tag *tags, size_t n_tags)
{
    UNUSED(coords);
    UNUSED(tags);
    counts *c = ud;
    c->ways++;
    c->tags += n_tags;
    c->refs += n_refs;
    c->checksum += id + (n_refs ? refs[n_refs - 1] : 0);
    return BOGIE_OK;
}

static bogie_status count_relation(void *ud, int64_t id, const osm_member *members, size_t n_members,
                                   const osm_tag *tags, size_t n_tags)
{
    UNUSED(members);
    UNUSED(tags);
    counts *c = ud;
    c->relations++;
    c->tags += n_tags;
    c->members += n_members;
    c->checksum += id;
    return BOGIE_OK;
}

static int ro_node(const void *ud, const readosm_node *n)
{
    counts *c = (counts *)ud;
    c->nodes++;
    c->tags += (uint64_t)n->tag_count;
    c->checksum += n->id + (int32_t)lround(n->latitude * 1e7) + (int32_t)lround(n->longitude * 1e7);
    return READOSM_OK;
}

static int ro_way(const void *ud, const readosm_way *w)
{
    counts *c = (counts *)ud;
    c->ways++;
    c->tags += (uint64_t)w->tag_count;
    c->refs += (uint64_t)w->node_ref_count;
    c->checksum += w->id + (w->node_ref_count ? w->node_refs[w->node_ref_count - 1] : 0);
    return READOSM_OK;
}

static int ro_relation(const void *ud, const readosm_relation *r)
{
    counts *c = (counts *)ud;
    c->relations++;
    c->tags += (uint64_t)r->tag_count;
    c->members += (uint64_t)r->member_count;
    c->checksum += r->id;
    return READOSM_OK;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[2], "native") != 0 && strcmp(argv[2], "readosm") != 0)) {
        fprintf(stderr, "usage: %s FILE.osm.pbf native|readosm [repeat]\n", argv[0]);
        return 2;
    }
    int repeat = argc > 3 ? atoi(argv[3]) : 5;
    int native = strcmp(argv[2], "native") == 0;
    double best = 1e300;
    counts c = {0};
    for (int i = 0; i < (repeat > 0 ? repeat : 1); i++) {
        memset(&c, 0, sizeof c);
        double t0 = util_now();
        if (native) {
            osm_sink sink = {&c, count_node, count_way, count_relation, NULL};
            bogie_diag diag = {0};
            if (osm_read_pbf(argv[1], &sink, NULL, &diag) != BOGIE_OK) {
                fprintf(stderr, "%s\n", diag.message);
                return 1;
            }
        } else {
            const void *h = NULL;
            int rc = readosm_open(argv[1], &h);
            if (rc == READOSM_OK)
                rc = readosm_parse(h, &c, ro_node, ro_way, ro_relation);
            readosm_close(h);
            if (rc != READOSM_OK) {
                fprintf(stderr, "%s: readosm failed with code %d\n", argv[1], rc);
                return 1;
            }
        }
        double t = util_now() - t0;
        if (t < best)
            best = t;
    }
    printf("%s %s: %" PRIu64 " nodes, %" PRIu64 " ways, %" PRIu64 " relations, %" PRIu64 " tags, %" PRIu64
           " refs, %" PRIu64 " members, checksum %" PRId64 ", best of %d: %.4f s\n",
           argv[1], argv[2], c.nodes, c.ways, c.relations, c.tags, c.refs, c.members, c.checksum, repeat, best);
    return 0;
}
