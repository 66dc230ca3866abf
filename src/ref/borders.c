/* borders.c: loads Natural Earth admin-0 outlines (world-atlas TopoJSON) with their countries.csv, step by step, and
 * answers what a country index stands for; which country a point lies in is borders_point.c's, where a polyline
 * crosses a boundary borders_cross.c's. borders_int.h lists the module's files and what each does.
 *
 * A load reads countries.csv and the TopoJSON's arcs and features (borders_countries.c, borders_topo.c), turns the
 * features into countries and the arcs into boundaries between them, cuts what crosses the antimeridian
 * (borders_antimeridian.c), and builds the grid index the queries walk (borders_index.c). */
#include "ref/borders_int.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* Frees the temporaries of a load, not the borders it built. */
static void loader_free(loader *L)
{
    const bogie_allocator *a = L->a;
    bd_csv_free(a, &L->csv);
    util_free(a, L->arc_start, L->arc_start_n * sizeof *L->arc_start);
    util_free(a, L->refs, L->refs_cap * sizeof *L->refs);
    util_free(a, L->feat_country, L->feat_alloc * sizeof *L->feat_country);
    util_free(a, (void *)L->feat_name, L->feat_alloc * sizeof *L->feat_name);
    util_free(a, L->feat_id, L->feat_alloc * sizeof *L->feat_id);
    util_free(a, L->feat_weight, L->feat_alloc * sizeof *L->feat_weight);
    util_free(a, (void *)L->feat_row, L->feat_alloc * sizeof *L->feat_row);
    util_free(a, L->row_cross, L->row_cross_n * sizeof *L->row_cross);
    util_free(a, L->row_off, L->row_off_n * sizeof *L->row_off);
}

/* Runs the steps of a load after countries.csv: the TopoJSON's arcs and features, the countries, each arc's
 * countries, the antimeridian, the index. root (owned by the caller) must outlive the load. */
static bogie_status load_outlines(loader *L, json_t *root, const char *countries_csv_path)
{
    int64_t min[2], max[2];
    bogie_status st = bd_topo_read(L, root, min, max);
    if (st == BOGIE_OK)
        st = bd_build_countries(L, countries_csv_path);
    if (st == BOGIE_OK)
        st = bd_build_arc_countries(L);
    if (st == BOGIE_OK) {
        L->half_x = (int64_t)floor(180.0 / L->b->sx);
        st = bd_split_antimeridian(L, min, max);
    }
    if (st == BOGIE_OK)
        st = bd_build_index(L, min, max);
    return st;
}

bogie_status borders_load(const char *topojson_path, const char *countries_csv_path, const bogie_allocator *alloc,
                          borders **out, bogie_diag *diag)
{
    if (out)
        *out = NULL;
    if (!topojson_path || !countries_csv_path || !out)
        return util_fail(diag, BOGIE_ERR_ARG, "borders_load: a path or out is NULL");
    const bogie_allocator *a = util_alloc_or_default(alloc);
    borders *b = util_calloc(a, 1, sizeof *b);
    if (!b)
        return util_nomem(diag, "loading country borders");
    b->alloc = *a;
    loader L;
    memset(&L, 0, sizeof L);
    L.a = &b->alloc;
    L.path = topojson_path;
    L.diag = diag;
    L.b = b;
    json_t *root = NULL;
    bogie_status st = bd_csv_load(L.a, countries_csv_path, &L.csv, diag);
    if (st == BOGIE_OK)
        st = bd_topo_parse(topojson_path, diag, &root);
    if (st == BOGIE_OK)
        st = load_outlines(&L, root, countries_csv_path);
    if (root)
        json_decref(root);
    loader_free(&L);
    if (st != BOGIE_OK) {
        borders_free(b);
        return st;
    }
    *out = b;
    return BOGIE_OK;
}

void borders_free(borders *b)
{
    if (!b)
        return;
    bogie_allocator alloc = b->alloc;
    const bogie_allocator *a = &alloc;
    size_t ncells = (size_t)b->cols * (size_t)b->rows;
    size_t ncorners = ((size_t)b->cols + 1) * ((size_t)b->rows + 1);
    util_free(a, b->countries, (b->n_features ? b->n_features : 1) * sizeof *b->countries);
    util_free(a, b->features, (b->n_features ? b->n_features : 1) * sizeof *b->features);
    util_free(a, b->names, b->names_size);
    util_free(a, b->pts, (b->n_pts ? 2 * b->n_pts : 1) * sizeof *b->pts);
    util_free(a, b->seg_arc, (b->n_pts ? b->n_pts : 1) * sizeof *b->seg_arc);
    util_free(a, b->arc_off, (b->n_arcs + 1) * sizeof *b->arc_off);
    util_free(a, b->arc_cty, b->n_arc_cty * sizeof *b->arc_cty);
    util_free(a, b->cell_off, (ncells + 1) * sizeof *b->cell_off);
    util_free(a, b->cell_seg, b->n_cell_seg * sizeof *b->cell_seg);
    util_free(a, b->corner, ncorners * sizeof *b->corner);
    util_free(a, b->set_off, b->set_off_cap * sizeof *b->set_off);
    util_free(a, b->set_items, b->set_items_cap * sizeof *b->set_items);
    util_free(a, b, sizeof *b);
}

size_t borders_count(const borders *b)
{
    return b ? b->n_countries : 0;
}

const char *borders_alpha2(const borders *b, int country)
{
    return b && country >= 0 && (size_t)country < b->n_countries ? b->countries[country].alpha2 : "";
}

const char *borders_alpha3(const borders *b, int country)
{
    return b && country >= 0 && (size_t)country < b->n_countries ? b->countries[country].alpha3 : "";
}

const char *borders_name(const borders *b, int country)
{
    return b && country >= 0 && (size_t)country < b->n_countries ? b->countries[country].name : "";
}

int borders_find(const borders *b, const char *code_or_name)
{
    if (!b || !code_or_name || !*code_or_name)
        return -1;
    size_t len = strlen(code_or_name);
    for (size_t i = 0; i < b->n_countries; i++) {
        if ((len == 2 && strcasecmp(b->countries[i].alpha2, code_or_name) == 0) ||
            (len == 3 && strcasecmp(b->countries[i].alpha3, code_or_name) == 0))
            return (int)i;
    }
    for (size_t i = 0; i < b->n_countries; i++)
        if (strcasecmp(b->countries[i].name, code_or_name) == 0)
            return (int)i;
    for (size_t i = 0; i < b->n_features; i++)
        if (strcasecmp(b->features[i].name, code_or_name) == 0)
            return (int)b->features[i].country;
    return -1;
}

