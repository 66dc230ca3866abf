/* netwrite.c: serialises a built graph into bogie's graph file format (see netfmt.h), hashing every section. */
#include "net/netwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

typedef struct sec_src {
    uint32_t id;
    uint32_t elem_size;
    const void *data;
    uint64_t count;
} sec_src;

/* Writes all n bytes or fails. */
static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Sections start on a cache line (netfmt.h requires 8 bytes): a record of 64 bytes, such as a node's row of 16
 * landmark distances, then lies in one line rather than two. */
#define SECTION_ALIGN 64u

static uint64_t align_section(uint64_t x)
{
    return (x + SECTION_ALIGN - 1) & ~(uint64_t)(SECTION_ALIGN - 1);
}

/* Names the import's counters in st's strings (interned first, so that STRINGS is final before it is laid out) and
 * copies them into stats (room for 64); *n_stats gets how many. */
static bogie_status name_stats(imp_state *st, net_stat *stats, size_t *n_stats, bogie_diag *diag)
{
    *n_stats = 0;
#define X(field)                                                                                               \
    if (strtab_intern(&st->strings, #field, &stats[*n_stats].name) != BOGIE_OK)                                \
        return util_nomem(diag, "writing statistics");                                                         \
    stats[*n_stats].reserved = 0;                                                                              \
    stats[(*n_stats)++].value = st->stats.field;
    IMP_STATS(X)
#undef X
    return BOGIE_OK;
}

/* The import's issues as ISSUES records, allocated with st's allocator (at least one record; the caller frees it)
 * or NULL when memory runs out. */
static net_issue *issue_records(const imp_state *st)
{
    net_issue *issues = util_calloc(st->alloc, st->issues.n ? st->issues.n : 1, sizeof *issues);
    if (!issues)
        return NULL;
    for (size_t i = 0; i < st->issues.n; i++) {
        const imp_issue *is = &st->issues.v[i];
        issues[i].what = is->what;
        issues[i].value = is->value;
        issues[i].reason = is->reason;
        issues[i].count = is->count;
        issues[i].example_id = is->example_id;
        issues[i].example_type = (uint8_t)is->example_type;
    }
    return issues;
}

/* Lays the n sections out one after the other, each on a cache line, after the header and the table, filling the table
 * with their places and hashes. Returns the file's size. */
static uint64_t lay_out(const sec_src *secs, size_t n, netfmt_section *table)
{
    uint64_t off = align_section(sizeof(netfmt_header) + n * sizeof *table);
    for (size_t i = 0; i < n; i++) {
        uint64_t bytes = (uint64_t)secs[i].elem_size * secs[i].count;
        table[i].id = secs[i].id;
        table[i].elem_size = secs[i].elem_size;
        table[i].offset = off;
        table[i].count = secs[i].count;
        table[i].hash = XXH3_64bits(secs[i].data ? secs[i].data : "", (size_t)bytes);
        off = align_section(off + bytes);
    }
    return off;
}

/* The header of a file of file_size bytes with the n sections of table. */
static void make_header(netfmt_header *h, const netfmt_section *table, size_t n, uint64_t file_size)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, NETFMT_MAGIC, 8);
    h->major = NETFMT_MAJOR;
    h->minor = NETFMT_MINOR;
    h->endian = NETFMT_ENDIAN_TAG;
    h->header_size = sizeof *h;
    h->section_count = (uint32_t)n;
    h->file_size = file_size;
    h->table_hash = XXH3_64bits(table, n * sizeof *table);
    h->header_hash = XXH3_64bits(h, sizeof *h);
}

/* Creates the file at path (it must not exist) and writes the header, the table and the n sections with the zero
 * padding between them, up to file_size bytes, then syncs it. */
static bogie_status write_image(const char *path, const netfmt_header *h, const netfmt_section *table,
                                const sec_src *secs, size_t n, uint64_t file_size, bogie_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return util_io_fail(diag, path, "cannot create", errno);
    static const char zeros[SECTION_ALIGN] = {0};
    uint64_t pos = sizeof *h + n * sizeof *table;
    int bad = write_all(fd, h, sizeof *h) || write_all(fd, table, n * sizeof *table);
    for (size_t i = 0; i < n && !bad; i++) {
        bad = write_all(fd, zeros, (size_t)(table[i].offset - pos));
        uint64_t bytes = (uint64_t)secs[i].elem_size * secs[i].count;
        if (!bad && bytes)
            bad = write_all(fd, secs[i].data, (size_t)bytes);
        pos = table[i].offset + bytes;
    }
    if (!bad)
        bad = write_all(fd, zeros, (size_t)(file_size - pos));
    if (!bad)
        bad = fsync(fd);
    bogie_status rc = BOGIE_OK;
    if (bad)
        rc = util_io_fail(diag, path, "cannot write", errno);
    if (close(fd) != 0 && rc == BOGIE_OK)
        rc = util_io_fail(diag, path, "cannot write", errno);
    return rc;
}

bogie_status net_write_file(const char *path, imp_state *st, const net_build *b, const char *meta, bogie_diag *diag)
{
    net_stat stats[64];
    size_t n_stats;
    bogie_status rc = name_stats(st, stats, &n_stats, diag);
    if (rc != BOGIE_OK)
        return rc;
    net_issue *issues = issue_records(st);
    if (!issues)
        return util_nomem(diag, "writing issues");

    sec_src secs[] = {
        {NETSEC_META, 1, meta, strlen(meta)},
        {NETSEC_STRINGS, 1, st->strings.blob.v, st->strings.blob.n},
        {NETSEC_NODES, sizeof(net_node), b->nodes.v, b->nodes.n},
        {NETSEC_NODE_OSM, sizeof(int64_t), b->node_osm.v, b->node_osm.n},
        {NETSEC_NODE_FLAGS, sizeof(uint16_t), b->node_flags.v, b->node_flags.n},
        {NETSEC_NODE_ADJ, sizeof(uint32_t), b->node_adj.v, b->node_adj.n},
        {NETSEC_ADJ, sizeof(uint32_t), b->adj.v, b->adj.n},
        {NETSEC_EDGES, sizeof(net_edge), b->edges.v, b->edges.n},
        {NETSEC_CLASSES, sizeof(net_class), st->classes.v, st->classes.n},
        {NETSEC_GEOM, sizeof(net_point), b->geom.v, b->geom.n},
        {NETSEC_RADIUS, sizeof(uint16_t), b->radius.v, b->radius.n},
        {NETSEC_STATIONS, sizeof(net_station), b->stations.v, b->stations.n},
        {NETSEC_STATION_NAMES, sizeof(net_name), b->station_names.v, b->station_names.n},
        {NETSEC_BREAKS, sizeof(net_break), b->breaks.v, b->breaks.n},
        {NETSEC_ISSUES, sizeof(net_issue), issues, st->issues.n},
        {NETSEC_STATS, sizeof(net_stat), stats, n_stats},
        {NETSEC_COUNTRIES, sizeof(net_country), b->countries.v, b->countries.n},
        {NETSEC_NODE_COUNTRY, sizeof(uint16_t), b->node_country.v, b->node_country.n},
        {NETSEC_EDGE_CROSS, sizeof(uint32_t), b->edge_cross.v, b->edge_cross.n},
        {NETSEC_CROSSINGS, sizeof(net_crossing), b->crossings.v, b->crossings.n},
        {NETSEC_GEOM_POS, sizeof(float), b->geom_pos.v, b->geom_pos.n},
        {NETSEC_LANDMARKS, sizeof(uint32_t), b->landmarks, b->n_landmarks},
        {NETSEC_LANDMARK_DIST, sizeof(uint32_t), b->landmark_dist, b->nodes.n * b->n_landmarks},
        {NETSEC_ELEV, sizeof(float), b->elev.v, b->elev.n}, /* last: left out when no point has an elevation */
    };
    enum { NSEC = sizeof secs / sizeof secs[0] };
    size_t nsec = b->elev.n ? NSEC : NSEC - 1;
    netfmt_section table[NSEC];
    uint64_t off = lay_out(secs, nsec, table);
    netfmt_header h;
    make_header(&h, table, nsec, off);
    rc = write_image(path, &h, table, secs, nsec, off, diag);
    util_free(st->alloc, issues, (st->issues.n ? st->issues.n : 1) * sizeof *issues);
    return rc;
}
