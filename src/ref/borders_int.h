/* borders_int.h: what the files of the borders module share (private to src/ref/borders*.c): the loaded outlines and
 * their index, sets of countries, and the state of one load. Every name here starts with bd_ (types with their own
 * short names); borders.h is the module's interface.
 *
 * The files, each using only those listed before it:
 *   borders_point.c        sets of countries, the perturbed predicates, which country a point lies in
 *   borders_cross.c        where a polyline crosses a boundary
 *   borders_topo.c         reading the TopoJSON: transform, arcs, rings, features; the helpers of every load step
 *   borders_countries.c    countries.csv, features matched and merged into countries, the countries of each arc
 *   borders_antimeridian.c cutting edges across the antimeridian and closing the outlines along it
 *   borders_index.c        the grid: the edges of each cell and the countries at each corner
 *   borders.c              loading in order, freeing, codes and names */
#ifndef BOGIE_BORDERS_INT_H
#define BOGIE_BORDERS_INT_H

#include "ref/borders.h"
#include "base/util.h"

#include <jansson.h>
#include <stdint.h>

#define BORDERS_CELL_DEG 0.25           /* target cell size, degrees */
#define BORDERS_MAX_CORNERS (1u << 24)  /* the cell size grows until the grid has at most this many corners */
#define BORDERS_COORD_LIMIT (1 << 24)   /* quantized coordinates must lie within +-this */
#define PSET_MAX 16                     /* countries that may overlap at one point */

typedef struct country {
    char alpha2[3];
    char alpha3[4];
    const char *name; /* points into names */
    size_t weight;    /* arc points of the feature that gave the name */
} country;

typedef struct feature_name {
    const char *name; /* points into names */
    int32_t country;
} feature_name;

struct borders {
    bogie_allocator alloc;
    double sx, sy, tx, ty;  /* transform: lon = (x + ox) * sx + tx */
    int32_t ox, oy;         /* origin: the smallest quantized coordinates */
    int32_t cw, ch;         /* cell width and height, quantized units */
    int32_t cols, rows;     /* cells */

    country *countries;
    size_t n_countries;
    feature_name *features;
    size_t n_features;
    char *names;
    size_t names_size;

    int32_t *pts;          /* x, y of every arc point, shifted by the origin */
    uint32_t *seg_arc;     /* arc of the segment starting at each point */
    size_t n_pts;
    uint32_t *arc_off;     /* countries of arc a: arc_cty[arc_off[a] .. arc_off[a + 1]) */
    int32_t *arc_cty;
    size_t n_arcs, n_arc_cty;

    uint32_t *cell_off;    /* edges of cell c (by their first point): cell_seg[cell_off[c] .. cell_off[c + 1]) */
    uint32_t *cell_seg;
    size_t n_cell_seg;
    uint16_t *corner;      /* set id of each corner: 0 none, 1 + k country k, else multi-set */
    uint32_t *set_off;     /* multi-set s (id n_countries + 1 + s): set_items[set_off[s] .. set_off[s + 1]) */
    int32_t *set_items;
    size_t n_sets, set_off_cap, set_items_cap;
};

/* ----- borders_point.c ----- */

/* A set of countries under the even-odd rule: toggling adds a country or removes it. */
typedef struct pset {
    int n;
    int32_t c[PSET_MAX];
} pset;

/* Toggles c in s. Returns -1 when s is full (the toggle is lost), else 0. */
int bd_pset_toggle(pset *s, int32_t c);
/* The country a set stands for: -1 when empty, else its smallest index (several only where outlines overlap). */
int bd_pset_resolve(const pset *s);
/* Toggles in s the countries of arc. */
void bd_toggle_arc(const borders *b, pset *s, uint32_t arc);
/* Whether path p->q (grid coordinates, perturbed query points) crosses the edge starting at point index s; if so and
 * t is not NULL, *t is where along p->q. */
int bd_path_crosses(const borders *b, uint32_t s, double px, double py, double qx, double qy, double *t);
/* Grid position of a point in degrees, longitude taken as it is (+180 is the map's east edge). */
void bd_to_grid(const borders *b, double lat, double lon, double *x, double *y);
/* Longitude brought into [-180, 180): +180 is the antimeridian's west face, -180. */
double bd_wrap_lon(double lon);
/* The set of countries containing the point (degrees, any longitude). */
void bd_country_set(const borders *b, double lat, double lon, pset *s);

/* ----- borders_countries.c: countries.csv ----- */

typedef struct csv_row {
    size_t line;
    int numeric;   /* -1 when empty */
    char alpha2[3];
    char alpha3[4];
    const char *name; /* points into the file buffer */
} csv_row;

/* The rows of countries.csv; buf and rows are allocated with the allocator given to bd_csv_load(). */
typedef struct csv_file {
    char *buf;
    size_t buf_size;
    csv_row *rows;
    size_t n_rows, rows_cap;
} csv_file;

/* Reads countries.csv at path (header numeric,alpha2,alpha3,name) into *f, allocated with a and owned by the caller,
 * who frees it with bd_csv_free() also on failure; diag names the line and field at fault. */
bogie_status bd_csv_load(const bogie_allocator *a, const char *path, csv_file *f, bogie_diag *diag);
void bd_csv_free(const bogie_allocator *a, csv_file *f);

/* ----- the state of one load ----- */

/* Temporaries of one load; every pointer is allocated with a and freed by borders.c once the load is over. */
typedef struct loader {
    const bogie_allocator *a;
    const char *path; /* the TopoJSON's, for messages */
    bogie_diag *diag;
    borders *b;
    csv_file csv;
    size_t *arc_start;   /* n_arcs + 1: first point of each arc */
    size_t arc_start_n;
    uint64_t *refs;      /* (arc << 32 | feature) for every use of an arc by a ring */
    size_t n_refs, refs_cap;
    int32_t *feat_country;
    const char **feat_name; /* the feature's properties.name (jansson's), or NULL */
    int *feat_id;        /* ISO numeric id, -1 when none */
    size_t *feat_weight;
    const csv_row **feat_row;
    size_t n_feat, feat_alloc;
    uint64_t *row_cross; /* corner scanline: (k << 32 | arc) per edge and row of corners */
    size_t row_cross_n;
    size_t *row_off;
    size_t row_off_n;
    int64_t half_x;      /* an edge wider than this (180 degrees) crosses the antimeridian */
} loader;

/* ----- borders_topo.c ----- */

/* Sets L's diag to "<TopoJSON path>: <message>" and returns st. */
bogie_status bd_fail(loader *L, bogie_status st, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Sets L's diag to out of memory and returns BOGIE_ERR_NOMEM. */
bogie_status bd_nomem(loader *L);
/* Allocates n zeroed elements of size bytes (at least one) with L's allocator into *p (a pointer to a pointer).
 * Returns 0, or -1 when memory runs out. */
int bd_alloc_array(loader *L, void *p, size_t n, size_t size);
/* Whether points p and q of b->pts coincide. */
int bd_same_point(const borders *b, size_t p, size_t q);
/* qsort() comparison of uint64_t values. */
int bd_cmp_u64(const void *pa, const void *pb);
/* Parses the TopoJSON file at path into *root (owned by the caller: json_decref()); diag names the position of a
 * syntax error. */
bogie_status bd_topo_parse(const char *path, bogie_diag *diag, json_t **root);
/* Reads the transform, the arcs (into b->pts, absolute, and L->arc_start; their extent into min and max) and the
 * features of objects.countries with every ring's arcs (L->refs, L->feat_*) from the parsed root. The strings of
 * L->feat_name belong to root. */
bogie_status bd_topo_read(loader *L, json_t *root, int64_t min[2], int64_t max[2]);

/* ----- borders_countries.c ----- */

/* Matches features to rows of countries.csv, merges features by alpha-2 into countries, and fills b->countries,
 * b->features and b->names. */
bogie_status bd_build_countries(loader *L, const char *csv_path);
/* Turns the arc uses into the countries of each arc (b->arc_off, b->arc_cty). */
bogie_status bd_build_arc_countries(loader *L);

/* ----- borders_antimeridian.c ----- */

/* Cuts the edges that cross the antimeridian and closes the outlines along it; widens min/max to the new points. */
bogie_status bd_split_antimeridian(loader *L, int64_t min[2], int64_t max[2]);

/* ----- borders_index.c ----- */

/* Shifts the points to the origin (min), fixes the grid's size from the extent and builds the index. */
bogie_status bd_build_index(loader *L, const int64_t min[2], const int64_t max[2]);

#endif
