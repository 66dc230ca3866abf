/* borders_topo.c: reads a world-atlas TopoJSON: the quantized transform, the delta-encoded arcs, and the features of
 * objects.countries with the arcs of every ring (checked to join up and close); and the helpers that every step of
 * a load shares. */
#include "ref/borders_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bogie_status bd_fail(loader *L, bogie_status st, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return util_fail(L->diag, st, "%s: %s", L->path, msg);
}

bogie_status bd_nomem(loader *L)
{
    return util_nomem(L->diag, "loading country borders");
}

/* Allocates n zeroed elements of size bytes into *p. */
int bd_alloc_array(loader *L, void *p, size_t n, size_t size)
{
    void **pp = p;
    *pp = NULL;
    if (n == 0)
        n = 1;
    *pp = util_calloc(L->a, n, size);
    return *pp ? 0 : -1;
}

/* Reads the quantization transform into b->sx, sy, tx, ty. */
static bogie_status load_transform(loader *L, json_t *root)
{
    borders *b = L->b;
    json_t *tr = json_object_get(root, "transform");
    if (!json_is_object(tr))
        return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "transform: missing; only quantized topologies are read");
    json_t *sc = json_object_get(tr, "scale"), *tl = json_object_get(tr, "translate");
    if (!json_is_array(sc) || json_array_size(sc) < 2 || !json_is_number(json_array_get(sc, 0)) ||
        !json_is_number(json_array_get(sc, 1)))
        return bd_fail(L, BOGIE_ERR_INPUT, "transform.scale: not an array of two numbers");
    if (!json_is_array(tl) || json_array_size(tl) < 2 || !json_is_number(json_array_get(tl, 0)) ||
        !json_is_number(json_array_get(tl, 1)))
        return bd_fail(L, BOGIE_ERR_INPUT, "transform.translate: not an array of two numbers");
    b->sx = json_number_value(json_array_get(sc, 0));
    b->sy = json_number_value(json_array_get(sc, 1));
    b->tx = json_number_value(json_array_get(tl, 0));
    b->ty = json_number_value(json_array_get(tl, 1));
    if (!(b->sx > 0 && b->sy > 0 && isfinite(b->sx) && isfinite(b->sy) && isfinite(b->tx) && isfinite(b->ty)))
        return bd_fail(L, BOGIE_ERR_INPUT, "transform: scale must be positive and finite, translate finite");
    return BOGIE_OK;
}

/* Checks that the arcs are an array of arrays of two positions or more, and counts their positions into *n_pts. */
static bogie_status count_arcs(loader *L, json_t *arcs, size_t *n_pts)
{
    *n_pts = 0;
    if (!json_is_array(arcs))
        return bd_fail(L, BOGIE_ERR_INPUT, "arcs: missing or not an array");
    size_t n_arcs = json_array_size(arcs);
    if (n_arcs >= UINT32_MAX)
        return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "arcs: %zu arcs is too many", n_arcs);
    for (size_t i = 0; i < n_arcs; i++) {
        json_t *arc = json_array_get(arcs, i);
        if (!json_is_array(arc) || json_array_size(arc) < 2)
            return bd_fail(L, BOGIE_ERR_INPUT, "arcs[%zu]: not an array of at least two positions", i);
        *n_pts += json_array_size(arc);
    }
    if (*n_pts >= UINT32_MAX)
        return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "arcs: %zu positions is too many", *n_pts);
    return BOGIE_OK;
}

/* Reads the transform and the arcs into b->pts (absolute, not yet shifted) and L->arc_start; min and max get the
 * extent of the points. */
static bogie_status load_arcs(loader *L, json_t *root, int64_t min[2], int64_t max[2])
{
    borders *b = L->b;
    bogie_status st = load_transform(L, root);
    if (st != BOGIE_OK)
        return st;
    json_t *arcs = json_object_get(root, "arcs");
    size_t n_pts;
    if ((st = count_arcs(L, arcs, &n_pts)) != BOGIE_OK)
        return st;
    size_t n_arcs = json_array_size(arcs);
    L->arc_start_n = n_arcs + 1;
    if (bd_alloc_array(L, &L->arc_start, n_arcs + 1, sizeof *L->arc_start) ||
        bd_alloc_array(L, &b->pts, 2 * n_pts, sizeof *b->pts))
        return bd_nomem(L);
    b->n_pts = n_pts;
    b->n_arcs = n_arcs;
    min[0] = min[1] = INT64_MAX;
    max[0] = max[1] = INT64_MIN;
    size_t p = 0;
    for (size_t i = 0; i < n_arcs; i++) {
        json_t *arc = json_array_get(arcs, i);
        L->arc_start[i] = p;
        int64_t xy[2] = {0, 0};
        for (size_t k = 0; k < json_array_size(arc); k++, p++) {
            json_t *pos = json_array_get(arc, k);
            json_t *jx = json_array_get(pos, 0), *jy = json_array_get(pos, 1);
            if (!json_is_array(pos) || !json_is_integer(jx) || !json_is_integer(jy))
                return bd_fail(L, BOGIE_ERR_INPUT, "arcs[%zu][%zu]: not a position of two integers "
                               "(quantized, delta-encoded)", i, k);
            json_int_t v[2] = {json_integer_value(jx), json_integer_value(jy)};
            for (int c = 0; c < 2; c++) {
                if (v[c] > 2 * (json_int_t)BORDERS_COORD_LIMIT || v[c] < -2 * (json_int_t)BORDERS_COORD_LIMIT)
                    return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "arcs[%zu][%zu]: coordinate %lld beyond +-%d", i, k,
                                   (long long)v[c], BORDERS_COORD_LIMIT);
                xy[c] = k == 0 ? v[c] : xy[c] + v[c];
                if (xy[c] > BORDERS_COORD_LIMIT || xy[c] < -BORDERS_COORD_LIMIT)
                    return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "arcs[%zu][%zu]: coordinate %lld beyond +-%d", i, k,
                                   (long long)xy[c], BORDERS_COORD_LIMIT);
                if (xy[c] < min[c])
                    min[c] = xy[c];
                if (xy[c] > max[c])
                    max[c] = xy[c];
                b->pts[2 * p + (size_t)c] = (int32_t)xy[c];
            }
        }
    }
    L->arc_start[n_arcs] = p;
    if (n_pts == 0)
        min[0] = min[1] = max[0] = max[1] = 0;
    return BOGIE_OK;
}

/* First and last point index of arc reference idx (negative: the arc reversed). */
static void arc_ends(const loader *L, json_int_t idx, size_t *first, size_t *last)
{
    size_t a = (size_t)(idx < 0 ? ~idx : idx);
    size_t s = L->arc_start[a], e = L->arc_start[a + 1] - 1;
    *first = idx < 0 ? e : s;
    *last = idx < 0 ? s : e;
}

int bd_same_point(const borders *b, size_t p, size_t q)
{
    return b->pts[2 * p] == b->pts[2 * q] && b->pts[2 * p + 1] == b->pts[2 * q + 1];
}

/* Checks one ring (an array of arc indices) of feature f and records its arcs in L->refs (when record is set) or
 * counts them (otherwise). */
static bogie_status load_ring(loader *L, json_t *ring, size_t f, size_t poly, size_t r, int record)
{
    if (!json_is_array(ring) || json_array_size(ring) == 0)
        return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu ring %zu: not a non-empty "
                       "array of arc indices", f, poly, r);
    size_t first_pt = 0, prev_last = 0;
    for (size_t k = 0; k < json_array_size(ring); k++) {
        json_t *ji = json_array_get(ring, k);
        if (!json_is_integer(ji))
            return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu ring %zu: arc reference "
                           "%zu is not an integer", f, poly, r, k);
        json_int_t idx = json_integer_value(ji);
        json_int_t a = idx < 0 ? ~idx : idx;
        if ((uint64_t)a >= L->b->n_arcs)
            return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: arc index %lld out of range "
                           "(%zu arcs)", f, (long long)idx, L->b->n_arcs);
        size_t first, last;
        arc_ends(L, idx, &first, &last);
        if (k == 0)
            first_pt = first;
        else if (!bd_same_point(L->b, prev_last, first))
            return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu ring %zu: arc %lld does "
                           "not start where the previous one ends", f, poly, r, (long long)idx);
        prev_last = last;
        if (record) {
            L->refs[L->n_refs++] = (uint64_t)a << 32 | (uint64_t)f;
            L->feat_weight[f] += L->arc_start[a + 1] - L->arc_start[a];
        } else {
            L->n_refs++;
        }
    }
    if (!bd_same_point(L->b, prev_last, first_pt))
        return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu ring %zu: ring is not "
                       "closed", f, poly, r);
    return BOGIE_OK;
}

/* Walks the rings of every geometry: counts arc uses (record 0) or records them (record 1). */
static bogie_status load_geometries(loader *L, json_t *geoms, int record)
{
    bogie_status st;
    for (size_t f = 0; f < json_array_size(geoms); f++) {
        json_t *g = json_array_get(geoms, f);
        if (!json_is_object(g))
            return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: not an object", f);
        json_t *type = json_object_get(g, "type");
        if (json_is_null(type))
            continue; /* a feature without geometry */
        const char *t = json_string_value(type);
        if (!t)
            return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: type is not a string", f);
        int multi = strcmp(t, "MultiPolygon") == 0;
        if (!multi && strcmp(t, "Polygon") != 0)
            return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: type \"%.40s\" is not Polygon or "
                           "MultiPolygon", f, t);
        json_t *arcs = json_object_get(g, "arcs");
        if (!json_is_array(arcs))
            return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: arcs: missing or not an array", f);
        size_t n_poly = multi ? json_array_size(arcs) : 1;
        for (size_t p = 0; p < n_poly; p++) {
            json_t *poly = multi ? json_array_get(arcs, p) : arcs;
            if (!json_is_array(poly))
                return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu: not an array of "
                               "rings", f, p);
            for (size_t r = 0; r < json_array_size(poly); r++)
                if ((st = load_ring(L, json_array_get(poly, r), f, p, r, record)) != BOGIE_OK)
                    return st;
        }
    }
    return BOGIE_OK;
}

/* Reads a feature's ISO numeric id: a string of digits or an integer; -1 when absent or anything else. */
static int feature_id(json_t *g)
{
    json_t *id = json_object_get(g, "id");
    if (json_is_integer(id)) {
        json_int_t v = json_integer_value(id);
        return v >= 0 && v <= 999 ? (int)v : -1;
    }
    const char *s = json_string_value(id);
    if (!s || !*s || strlen(s) > 3)
        return -1;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return -1;
    return atoi(s);
}

int bd_cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

bogie_status bd_topo_parse(const char *path, bogie_diag *diag, json_t **root)
{
    *root = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return util_io_fail(diag, path, "cannot open", errno);
    json_error_t jerr;
    *root = json_loadf(fp, 0, &jerr);
    int read_err = ferror(fp) ? errno : 0;
    fclose(fp);
    if (*root)
        return BOGIE_OK;
    if (read_err)
        return util_io_fail(diag, path, "cannot read", read_err);
    if (json_error_code(&jerr) == json_error_out_of_memory)
        return util_nomem(diag, "parsing country borders");
    return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %d column %d (byte %d): %s", path, jerr.line, jerr.column,
                     jerr.position, jerr.text);
}

/* The geometries of objects.countries, checked to be a GeometryCollection of a countable size. */
static bogie_status country_geometries(loader *L, json_t *root, json_t **geoms)
{
    json_t *countries = json_object_get(json_object_get(root, "objects"), "countries");
    *geoms = json_object_get(countries, "geometries");
    const char *ctype = json_string_value(json_object_get(countries, "type"));
    if (!json_is_object(countries) || !ctype || strcmp(ctype, "GeometryCollection") != 0 || !json_is_array(*geoms))
        return bd_fail(L, BOGIE_ERR_INPUT, "objects.countries: missing or not a GeometryCollection with geometries");
    if (json_array_size(*geoms) >= INT32_MAX)
        return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "objects.countries: too many geometries");
    return BOGIE_OK;
}

/* Allocates the per-feature arrays for nf features and L->refs for the arc uses counted so far, and reads each
 * feature's id and name. */
static bogie_status read_features(loader *L, json_t *geoms, size_t nf)
{
    L->n_feat = nf;
    L->feat_alloc = nf ? nf : 1;
    L->refs_cap = L->n_refs ? L->n_refs : 1;
    L->n_refs = 0;
    if (bd_alloc_array(L, &L->refs, L->refs_cap, sizeof *L->refs) ||
        bd_alloc_array(L, &L->feat_country, nf, sizeof *L->feat_country) ||
        bd_alloc_array(L, (void *)&L->feat_name, nf, sizeof *L->feat_name) ||
        bd_alloc_array(L, &L->feat_id, nf, sizeof *L->feat_id) ||
        bd_alloc_array(L, &L->feat_weight, nf, sizeof *L->feat_weight) ||
        bd_alloc_array(L, (void *)&L->feat_row, nf, sizeof *L->feat_row))
        return bd_nomem(L);
    for (size_t f = 0; f < nf; f++) {
        json_t *g = json_array_get(geoms, f);
        L->feat_id[f] = feature_id(g);
        L->feat_name[f] = json_string_value(json_object_get(json_object_get(g, "properties"), "name"));
    }
    return BOGIE_OK;
}

bogie_status bd_topo_read(loader *L, json_t *root, int64_t min[2], int64_t max[2])
{
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!json_is_object(root) || !type || strcmp(type, "Topology") != 0)
        return bd_fail(L, BOGIE_ERR_INPUT, "type: not a TopoJSON Topology");
    bogie_status st = load_arcs(L, root, min, max);
    json_t *geoms = NULL;
    if (st == BOGIE_OK)
        st = country_geometries(L, root, &geoms);
    if (st == BOGIE_OK)
        st = load_geometries(L, geoms, 0);
    if (st == BOGIE_OK)
        st = read_features(L, geoms, json_array_size(geoms));
    if (st == BOGIE_OK)
        st = load_geometries(L, geoms, 1);
    return st;
}
