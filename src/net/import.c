/* import.c: the import driver. It feeds every input through an OSM reader into an imp_state (gather.c), then builds
 * the graph (build.c) and writes it atomically (netwrite.c). */
#include "net/build.h"
#include "net/gather.h"
#include "net/landmarks.h"
#include "net/netwrite.h"

#include "ref/borders.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* Inputs larger than this are read in two passes unless the caller chooses (bogie_import_options.passes). */
#define TWO_PASS_BYTES (256ull << 20)

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

/* The gathering sink's callbacks take the imp_state; progress needs the read context, so the driver wraps them. */
typedef struct sink_pair {
    osm_sink inner; /* imp_sink() */
    read_ctx *rc;
} sink_pair;

static bogie_status pair_node(void *ud, int64_t id, int32_t lat, int32_t lon, const osm_tag *t, size_t n)
{
    const osm_sink *s = &((sink_pair *)ud)->inner;
    return s->node(s->ud, id, lat, lon, t, n);
}
static bogie_status pair_way(void *ud, int64_t id, const int64_t *r, size_t nr, const int32_t *c, const osm_tag *t,
                             size_t n)
{
    const osm_sink *s = &((sink_pair *)ud)->inner;
    return s->way(s->ud, id, r, nr, c, t, n);
}
static bogie_status pair_relation(void *ud, int64_t id, const osm_member *m, size_t nm, const osm_tag *t, size_t n)
{
    const osm_sink *s = &((sink_pair *)ud)->inner;
    return s->relation(s->ud, id, m, nm, t, n);
}
static bogie_status pair_progress(void *ud, uint64_t bytes, uint64_t objects)
{
    return sink_progress(((sink_pair *)ud)->rc, bytes, objects);
}

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

/* Checks that every input exists and has a known format, and adds up their sizes into prog->bytes_total. */
static bogie_status size_inputs(const char *const *inputs, size_t n_inputs, bogie_progress *prog, bogie_diag *diag)
{
    for (size_t i = 0; i < n_inputs; i++) {
        struct stat sbuf;
        if (stat(inputs[i], &sbuf) != 0)
            return util_io_fail(diag, inputs[i], "cannot open", errno);
        if (osm_format_from_path(inputs[i]) == OSM_FORMAT_UNKNOWN)
            return util_fail(diag, BOGIE_ERR_UNSUPPORTED,
                             "%s: unknown input format (expected .osm.pbf, .pbf, .osm, .osm.gz, .osm.bz2 or "
                             "Overpass .json)",
                             inputs[i]);
        prog->bytes_total += (uint64_t)sbuf.st_size;
    }
    return BOGIE_OK;
}

/* Loads the country outlines the options name, if any, into *outlines (owned by the caller: borders_free()). */
static bogie_status load_outlines(const bogie_import_options *opts, const bogie_allocator *alloc, borders **outlines,
                                  bogie_diag *diag)
{
    *outlines = NULL;
    if (!opts->borders_topojson && !opts->borders_csv)
        return BOGIE_OK;
    if (!opts->borders_topojson || !opts->borders_csv)
        return util_fail(diag, BOGIE_ERR_ARG, "country borders need both the outlines and the country codes");
    return borders_load(opts->borders_topojson, opts->borders_csv, alloc, outlines, diag);
}

/* Reads one input into st in its current pass, keeping prog's running totals; a failure gets a message saying
 * what went wrong with that input. */
static bogie_status read_input(imp_state *st, const bogie_import_options *opts, const char *path, bogie_progress *prog,
                               bogie_diag *diag)
{
    read_ctx ctx = {st, opts, prog, prog->bytes_done, prog->objects};
    sink_pair pair = {imp_sink(st), &ctx};
    osm_sink sink = {&pair, pair_node, pair_way, pair_relation, pair_progress};
    prog->file = path;
    bogie_status rc = osm_read_file(path, opts->reader, &sink, st->alloc, diag);
    if (rc == BOGIE_OK && st->failed)
        rc = st->failed;
    if (rc == BOGIE_ERR_NOMEM)
        util_nomem(diag, "reading the input");
    else if (rc == BOGIE_ERR_CANCELLED)
        util_fail(diag, rc, "%s: import cancelled", path);
    else if (rc == BOGIE_ERR_LIMIT)
        util_fail(diag, rc, "%s: the input exceeds a size limit of the graph file", path);
    struct stat sbuf;
    if (stat(path, &sbuf) == 0)
        prog->bytes_done = ctx.bytes_before + (uint64_t)sbuf.st_size;
    prog->objects = st->stats.nodes_read + st->stats.ways_read + st->stats.relations_read;
    return rc;
}

/* Reads every input in one pass, or two: the ways and relations, then only the nodes they use. */
static bogie_status read_inputs(imp_state *st, const bogie_import_options *opts, const char *const *inputs,
                                size_t n_inputs, bogie_progress *prog, bogie_diag *diag)
{
    unsigned passes = opts->passes ? opts->passes : prog->bytes_total > TWO_PASS_BYTES ? 2 : 1;
    if (passes == 2)
        prog->bytes_total *= 2;
    bogie_status rc = BOGIE_OK;
    for (unsigned pass = passes == 2 ? 1 : 0; pass <= (passes == 2 ? 2u : 0u) && rc == BOGIE_OK; pass++) {
        st->pass = pass;
        if (pass == 2)
            rc = wanted_nodes(st, diag);
        for (size_t i = 0; i < n_inputs && rc == BOGIE_OK; i++)
            rc = read_input(st, opts, inputs[i], prog, diag);
    }
    st->pass = 0;
    return rc;
}

/* Builds the graph from what st gathered into nb, then its landmarks. */
static bogie_status build_network(imp_state *st, net_build *nb, const bogie_import_options *opts,
                                  const char *output_path, bogie_progress *prog, bogie_diag *diag)
{
    prog->stage = "build";
    prog->file = NULL;
    bogie_status rc = net_build_graph(st, nb, opts->progress, opts->progress_ud, prog, diag);
    if (rc != BOGIE_OK)
        return rc;
    prog->stage = "landmarks";
    if (opts->progress && opts->progress(opts->progress_ud, prog))
        return util_fail(diag, BOGIE_ERR_CANCELLED, "%s: import cancelled", output_path);
    return lm_compute((uint32_t)nb->nodes.n, nb->node_adj.v, nb->adj.v, nb->edges.v, LM_DEFAULT_COUNT, st->alloc,
                      &nb->landmarks, &nb->landmark_dist, &nb->n_landmarks, diag);
}

/* Writes the graph to the temporary file tmp beside the output, then renames it into place, asking the progress
 * callback before each; the temporary file is removed when anything fails. */
static bogie_status write_and_rename(imp_state *st, const net_build *nb, const bogie_import_options *opts,
                                     const char *tmp, const strbuf *meta, const char *output_path,
                                     bogie_progress *prog, bogie_diag *diag)
{
    bogie_status rc;
    if (opts->progress && opts->progress(opts->progress_ud, prog))
        rc = util_fail(diag, BOGIE_ERR_CANCELLED, "%s: import cancelled", output_path);
    else if (meta->failed)
        rc = util_nomem(diag, "writing the metadata");
    else
        rc = net_write_file(tmp, st, nb, meta->s, diag);
    /* Asked once more before the rename, so that a cancellation during the write (long on a large network) still
     * leaves the old file in place. */
    if (rc == BOGIE_OK && opts->progress && opts->progress(opts->progress_ud, prog))
        rc = util_fail(diag, BOGIE_ERR_CANCELLED, "%s: import cancelled", output_path);
    if (rc == BOGIE_OK && rename(tmp, output_path) != 0)
        rc = util_io_fail(diag, output_path, "cannot rename the temporary file into place", errno);
    if (rc != BOGIE_OK && tmp[0])
        unlink(tmp);
    return rc;
}

/* Writes the graph atomically to output_path: into a temporary file beside it (after removing dead imports'
 * leftovers), renamed into place. */
static bogie_status write_output(imp_state *st, const net_build *nb, const bogie_import_options *opts,
                                 const char *const *inputs, size_t n_inputs, const char *output_path,
                                 bogie_progress *prog, bogie_diag *diag)
{
    struct stat out_st;
    if (stat(output_path, &out_st) == 0 && !S_ISREG(out_st.st_mode))
        return util_fail(diag, BOGIE_ERR_IO,
                         "%s: not a regular file: the graph is written beside the output and renamed into place, "
                         "which would replace it", output_path);
    char tmp[8300] = "";
    char dir[4096];
    const char *base;
    split_path(output_path, dir, sizeof dir, &base);
    remove_stale_temps(dir, base);
    /* The pid lets a later import tell a dead import's leftovers from a running one's; the address of this call's
     * state tells apart two imports in one process. */
    int len = snprintf(tmp, sizeof tmp, "%s.%s.tmp.%ld.%lx", dir, base, (long)getpid(), (unsigned long)(uintptr_t)st);
    bogie_status rc = BOGIE_OK;
    if (len < 0 || (size_t)len >= sizeof tmp)
        rc = util_fail(diag, BOGIE_ERR_ARG, "%s: output path too long", output_path);
    strbuf meta;
    sb_init(&meta, st->alloc);
    append_meta(&meta, opts, inputs, n_inputs);
    prog->stage = "write";
    if (rc == BOGIE_OK)
        rc = write_and_rename(st, nb, opts, tmp, &meta, output_path, prog, diag);
    sb_free(&meta);
    return rc;
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
    bogie_status rc = size_inputs(inputs, n_inputs, &prog, diag);
    if (rc != BOGIE_OK)
        return rc;

    imp_state st;
    net_build nb;
    memset(&nb, 0, sizeof nb);
    if (imp_init(&st, alloc, opts.include, opts.station_radius_m) != BOGIE_OK)
        return util_nomem(diag, "starting the import");
    st.stats.inputs = n_inputs;
    borders *outlines = NULL;
    rc = load_outlines(&opts, alloc, &outlines, diag);
    st.borders = outlines;
    if (rc == BOGIE_OK)
        rc = read_inputs(&st, &opts, inputs, n_inputs, &prog, diag);
    if (rc == BOGIE_OK)
        rc = build_network(&st, &nb, &opts, output_path, &prog, diag);
    if (rc == BOGIE_OK)
        rc = write_output(&st, &nb, &opts, inputs, n_inputs, output_path, &prog, diag);
    net_build_free(&nb);
    imp_free(&st);
    borders_free(outlines);
    return rc;
}
