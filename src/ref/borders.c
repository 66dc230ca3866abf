/* borders.c: loads Natural Earth admin-0 outlines (world-atlas TopoJSON) and answers which country a point lies in and
 * where a polyline crosses a country boundary, through a uniform grid over the outlines' quantized coordinates.
 *
 * The index. Boundary edges are the segments of the TopoJSON arcs, kept in the file's integer coordinates (shifted so
 * the smallest is 0). Each arc knows the countries whose rings use it an odd number of times; crossing one of its
 * edges toggles membership of each of them (even-odd rule per country; shared borders toggle two countries, and a
 * border between two features of one country toggles nothing and is dropped). A grid of cells of about 0.25 degrees
 * lists the edges touching each cell, and for the lower-left corner of every cell stores the set of countries that
 * contain it, found at load by a scanline along each row of corners. A point query starts from its cell's corner and
 * toggles the countries of every edge of the cell that the straight path from the corner to the point crosses: cost
 * O(edges in one cell), O(1) in cells no boundary touches.
 *
 * Degeneracies. Query points are taken as moved by (+e, +e^2) for an infinitesimal e (simulation of simplicity), so
 * no point lies on an edge and no path passes through a vertex. With integer corners and edges the corner sets are
 * exact; paths from real-valued points are exact up to the rounding of one orientation test.
 *
 * The antimeridian. TopoJSON outlines live on the sphere: an edge from 179.9 E to 179.9 W is 0.2 degrees long. On
 * the plane it would span the map, so such edges are cut at load and the outlines closed along the map's east and
 * west edges (split_antimeridian()). A polyline segment whose longitudes differ by more than 180 degrees is walked
 * in two pieces, one on each side of the seam. */
#include "ref/borders.h"
#include "base/util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BORDERS_CELL_DEG 0.25           /* target cell size, degrees */
#define BORDERS_MAX_CORNERS (1u << 24)  /* the cell size grows until the grid has at most this many corners */
#define BORDERS_COORD_LIMIT (1 << 24)   /* quantized coordinates must lie within +-this */
#define PSET_MAX 16                     /* countries that may overlap at one point */
#define HIT_MAX 64                      /* boundary crossings collected per piece of a segment before splitting it */

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

/* A set of countries under the even-odd rule: toggling adds a country or removes it. */
typedef struct pset {
    int n;
    int32_t c[PSET_MAX];
} pset;

/* Toggles c in s. Returns -1 when s is full (the toggle is lost), else 0. */
static int pset_toggle(pset *s, int32_t c)
{
    for (int i = 0; i < s->n; i++) {
        if (s->c[i] == c) {
            s->c[i] = s->c[--s->n];
            return 0;
        }
    }
    if (s->n == PSET_MAX)
        return -1;
    s->c[s->n++] = c;
    return 0;
}

/* The country a set stands for: -1 when empty, else its smallest index (several only where outlines overlap). */
static int pset_resolve(const pset *s)
{
    if (s->n == 0)
        return -1;
    int32_t m = s->c[0];
    for (int i = 1; i < s->n; i++)
        if (s->c[i] < m)
            m = s->c[i];
    return (int)m;
}

static void pset_load(const borders *b, uint16_t id, pset *s)
{
    s->n = 0;
    if (id == 0)
        return;
    if ((size_t)id <= b->n_countries) {
        s->n = 1;
        s->c[0] = (int32_t)id - 1;
        return;
    }
    size_t k = (size_t)id - b->n_countries - 1;
    for (uint32_t i = b->set_off[k]; i < b->set_off[k + 1] && s->n < PSET_MAX; i++)
        s->c[s->n++] = b->set_items[i];
}

static void toggle_arc(const borders *b, pset *s, uint32_t arc)
{
    for (uint32_t i = b->arc_off[arc]; i < b->arc_off[arc + 1]; i++)
        pset_toggle(s, b->arc_cty[i]);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Geometric predicates under the perturbation: query points move by (+e, +e^2), edge vertices stay.
 * ------------------------------------------------------------------------------------------------------------- */

/* Side of the perturbed query point q relative to the directed edge a->b: +1 left, -1 right; never 0 for a != b.
 * Exact when all coordinates are integers below 2^25. */
static int side_of_edge(double ax, double ay, double bx, double by, double qx, double qy)
{
    double dx = bx - ax, dy = by - ay;
    double o = dx * (qy - ay) - dy * (qx - ax);
    if (o != 0)
        return o > 0 ? 1 : -1;
    if (dy != 0) /* orient(a, b, q + (e, e^2)) = o - dy e + dx e^2 */
        return dy > 0 ? -1 : 1;
    return dx > 0 ? 1 : -1;
}

/* Side of edge vertex v relative to the directed path p->q of perturbed query points; never 0 for p != q. */
static int side_of_path(double px, double py, double qx, double qy, double vx, double vy)
{
    double ex = qx - px, ey = qy - py;
    double o = ex * (vy - py) - ey * (vx - px);
    if (o != 0)
        return o > 0 ? 1 : -1;
    if (ey != 0) /* orient(p, q, v - (e, e^2)) = o + ey e - ex e^2 */
        return ey > 0 ? 1 : -1;
    return ex > 0 ? -1 : 1;
}

/* Whether path p->q crosses the edge starting at point index s; if so and t is not NULL, *t is where along p->q. */
static int path_crosses(const borders *b, uint32_t s, double px, double py, double qx, double qy, double *t)
{
    const int32_t *e = b->pts + 2 * (size_t)s;
    double ax = e[0], ay = e[1], bx = e[2], by = e[3];
    if (side_of_edge(ax, ay, bx, by, px, py) == side_of_edge(ax, ay, bx, by, qx, qy))
        return 0;
    if (side_of_path(px, py, qx, qy, ax, ay) == side_of_path(px, py, qx, qy, bx, by))
        return 0;
    if (t) {
        double dx = bx - ax, dy = by - ay;
        double op = dx * (py - ay) - dy * (px - ax);
        double oq = dx * (qy - ay) - dy * (qx - ax);
        double v = op - oq != 0 ? op / (op - oq) : 0.0;
        *t = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    return 1;
}

/* Grid position of a point in degrees, longitude taken as it is (+180 is the map's east edge). */
static void to_grid(const borders *b, double lat, double lon, double *x, double *y)
{
    *x = (lon - b->tx) / b->sx - b->ox;
    *y = (lat - b->ty) / b->sy - b->oy;
}

/* Longitude brought into [-180, 180): +180 is the antimeridian's west face, -180. */
static double wrap_lon(double lon)
{
    if (lon >= -180 && lon < 180)
        return lon;
    double w = fmod(lon + 180.0, 360.0);
    if (w < 0)
        w += 360.0;
    return w - 180.0;
}

/* The set of countries containing grid point (x, y). */
static void point_set(const borders *b, double x, double y, pset *s)
{
    s->n = 0;
    if (!(x >= 0 && y >= 0 && x < (double)b->cols * b->cw && y < (double)b->rows * b->ch))
        return; /* outside the outlines' bounding box, or NaN */
    int32_t i = (int32_t)(x / b->cw), j = (int32_t)(y / b->ch);
    if (i >= b->cols)
        i = b->cols - 1;
    if (j >= b->rows)
        j = b->rows - 1;
    pset_load(b, b->corner[(size_t)j * ((size_t)b->cols + 1) + (size_t)i], s);
    size_t c = (size_t)j * (size_t)b->cols + (size_t)i;
    double rx = (double)i * b->cw, ry = (double)j * b->ch;
    if (rx == x && ry == y)
        return;
    for (uint32_t k = b->cell_off[c]; k < b->cell_off[c + 1]; k++) {
        uint32_t sg = b->cell_seg[k];
        if (path_crosses(b, sg, rx, ry, x, y, NULL))
            toggle_arc(b, s, b->seg_arc[sg]);
    }
}

/* The set of countries containing the point (degrees, any longitude). */
static void country_set(const borders *b, double lat, double lon, pset *s)
{
    double x, y;
    to_grid(b, lat, wrap_lon(lon), &x, &y);
    point_set(b, x, y, s);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Queries
 * ------------------------------------------------------------------------------------------------------------- */

size_t borders_count(const borders *b)
{
    return b ? b->n_countries : 0;
}

int borders_country_at(const borders *b, double lat, double lon)
{
    if (!b)
        return -1;
    pset s;
    country_set(b, lat, lon, &s);
    return pset_resolve(&s);
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

/* State of a walk along a polyline. */
typedef struct walk {
    const borders *b;
    borders_crossing *out;
    size_t max, count;
    size_t segment;
    double lat0, lon0, lat1, lon1; /* the segment in degrees; lon1 unwrapped across the antimeridian */
    double f0, f1;                 /* the fractions of the segment that the current piece spans */
    pset cur;
    int cur_country;
} walk;

typedef struct hit {
    double t;
    uint32_t seg;
} hit;

static void emit(walk *w, double t, int to)
{
    if (w->count < w->max) {
        borders_crossing *c = &w->out[w->count];
        double f = w->f0 + t * (w->f1 - w->f0);
        if (f < 0)
            f = 0;
        if (f > 1)
            f = 1;
        c->segment = w->segment;
        c->fraction = f;
        c->lat = w->lat0 + f * (w->lat1 - w->lat0);
        double lon = w->lon0 + f * (w->lon1 - w->lon0);
        c->lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
        c->from = w->cur_country;
        c->to = to;
    }
    w->count++;
    w->cur_country = to;
}

static int hit_cmp(const void *pa, const void *pb)
{
    const hit *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->seg < b->seg ? -1 : a->seg > b->seg;
}

/* Which ends of a piece's range [t_lo, t_hi] its crossings may lie on. */
enum { OPEN_LO = 1, OPEN_HI = 2 };

/* Collects into h the crossings of the grid segment p->q whose t lies in [t_lo, t_hi] (less the ends that open
 * names), looking only in the cells that part of the segment passes. Returns the number, or -1 when more than
 * HIT_MAX. */
static int collect_hits(const borders *b, double px, double py, double qx, double qy, double t_lo, double t_hi,
                        int open, hit *h)
{
    const double W = (double)b->cols * b->cw, H = (double)b->rows * b->ch;
    const double dx = qx - px, dy = qy - py;
    /* Clip [t_lo, t_hi] to the grid rectangle (with a little slack). */
    double ta = t_lo, tb = t_hi;
    const double pad = 1e-6;
    double lo[2] = {-pad, -pad}, hi[2] = {W + pad, H + pad}, p0[2] = {px, py}, d[2] = {dx, dy};
    for (int k = 0; k < 2; k++) {
        if (d[k] == 0) {
            if (p0[k] < lo[k] || p0[k] > hi[k])
                return 0;
            continue;
        }
        double t1 = (lo[k] - p0[k]) / d[k], t2 = (hi[k] - p0[k]) / d[k];
        if (t1 > t2) {
            double tmp = t1;
            t1 = t2;
            t2 = tmp;
        }
        if (t1 > ta)
            ta = t1;
        if (t2 < tb)
            tb = t2;
    }
    if (ta > tb)
        return 0;
    /* Segment bounding box in integer coordinates, to skip edges cheaply. */
    double bx0 = fmin(px + ta * dx, px + tb * dx), bx1 = fmax(px + ta * dx, px + tb * dx);
    double by0 = fmin(py + ta * dy, py + tb * dy), by1 = fmax(py + ta * dy, py + tb * dy);
    /* Visit the cells column by column: in each column, the rows between the segment's heights at its sides. */
    const double eps = 1e-7;
    double u0 = (px + ta * dx) / b->cw, u1 = (px + tb * dx) / b->cw;
    double du = dx / b->cw, dv = dy / b->ch, v0 = py / b->ch;
    int32_t i0 = (int32_t)floor(fmin(u0, u1) - eps), i1 = (int32_t)floor(fmax(u0, u1) + eps);
    if (i0 < 0)
        i0 = 0;
    if (i1 > b->cols - 1)
        i1 = b->cols - 1;
    int n = 0;
    for (int32_t i = i0; i <= i1; i++) {
        double sa = ta, sb = tb;
        if (du != 0) {
            double s1 = (i - eps - px / b->cw) / du, s2 = (i + 1 + eps - px / b->cw) / du;
            if (s1 > s2) {
                double tmp = s1;
                s1 = s2;
                s2 = tmp;
            }
            if (s1 > sa)
                sa = s1;
            if (s2 < sb)
                sb = s2;
            if (sa > sb)
                continue;
        }
        double va = v0 + sa * dv, vb = v0 + sb * dv;
        int32_t j0 = (int32_t)floor(fmin(va, vb) - eps), j1 = (int32_t)floor(fmax(va, vb) + eps);
        if (j0 < 0)
            j0 = 0;
        if (j1 > b->rows - 1)
            j1 = b->rows - 1;
        for (int32_t j = j0; j <= j1; j++) {
            size_t c = (size_t)j * (size_t)b->cols + (size_t)i;
            for (uint32_t k = b->cell_off[c]; k < b->cell_off[c + 1]; k++) {
                uint32_t sg = b->cell_seg[k];
                const int32_t *e = b->pts + 2 * (size_t)sg;
                if ((e[0] < bx0 - 1 && e[2] < bx0 - 1) || (e[0] > bx1 + 1 && e[2] > bx1 + 1) ||
                    (e[1] < by0 - 1 && e[3] < by0 - 1) || (e[1] > by1 + 1 && e[3] > by1 + 1))
                    continue;
                double t;
                if (!path_crosses(b, sg, px, py, qx, qy, &t))
                    continue;
                if (t < t_lo || t > t_hi || (t == t_hi && (open & OPEN_HI)) || (t == t_lo && (open & OPEN_LO)))
                    continue;
                int dup = 0;
                for (int m = 0; m < n && !dup; m++)
                    dup = h[m].seg == sg;
                if (dup)
                    continue;
                if (n == HIT_MAX)
                    return -1;
                h[n].t = t;
                h[n].seg = sg;
                n++;
            }
        }
    }
    return n;
}

/* Walks the part [t_lo, t_hi] of the grid segment p->q, emitting a crossing wherever the country changes. */
static void walk_piece(walk *w, double px, double py, double qx, double qy, double t_lo, double t_hi, int open,
                       int depth)
{
    hit h[HIT_MAX];
    int n = collect_hits(w->b, px, py, qx, qy, t_lo, t_hi, open, h);
    if (n < 0) {
        if (depth < 40 && t_hi - t_lo > 1e-12) {
            double mid = t_lo + (t_hi - t_lo) / 2;
            walk_piece(w, px, py, qx, qy, t_lo, mid, (open & OPEN_LO) | OPEN_HI, depth + 1);
            walk_piece(w, px, py, qx, qy, mid, t_hi, open & OPEN_HI, depth + 1);
            return;
        }
        n = HIT_MAX; /* hopelessly many edges at one place: keep what was collected */
    }
    if (n > 1)
        qsort(h, (size_t)n, sizeof h[0], hit_cmp);
    for (int k = 0; k < n;) {
        double t = h[k].t;
        while (k < n && h[k].t - t <= 1e-12)
            toggle_arc(w->b, &w->cur, w->b->seg_arc[h[k++].seg]);
        int to = pset_resolve(&w->cur);
        if (to != w->cur_country)
            emit(w, t, to);
    }
}

/* Walks one piece of a polyline segment given in degrees (longitudes as they are, within [-180, 180]), spanning
 * fractions f0..f1 of the segment. */
static void walk_degrees(walk *w, double lat0, double lon0, double lat1, double lon1, double f0, double f1, int open)
{
    const borders *b = w->b;
    double px, py, qx, qy;
    to_grid(b, lat0, lon0, &px, &py);
    to_grid(b, lat1, lon1, &qx, &qy);
    w->f0 = f0;
    w->f1 = f1;
    if (px == qx && py == qy)
        return;
    walk_piece(w, px, py, qx, qy, 0.0, 1.0, open, 0);
}

size_t borders_crossings(const borders *b, const int32_t *latlon, size_t n, borders_crossing *out, size_t max,
                         int *start_country)
{
    if (start_country)
        *start_country = -1;
    if (!b || !latlon || n == 0)
        return 0;
    walk w;
    memset(&w, 0, sizeof w);
    w.b = b;
    w.out = out;
    w.max = out ? max : 0;
    country_set(b, latlon[0] * 1e-7, latlon[1] * 1e-7, &w.cur);
    w.cur_country = pset_resolve(&w.cur);
    if (start_country)
        *start_country = w.cur_country;
    for (size_t i = 0; i + 1 < n; i++) {
        const int32_t *p = latlon + 2 * i;
        if (p[0] == p[2] && p[1] == p[3])
            continue;
        w.segment = i;
        w.lat0 = p[0] * 1e-7;
        w.lon0 = wrap_lon(p[1] * 1e-7);
        w.lat1 = p[2] * 1e-7;
        w.lon1 = wrap_lon(p[3] * 1e-7);
        double lon1 = w.lon1;
        if (w.lon1 - w.lon0 > 180)
            w.lon1 -= 360;
        else if (w.lon0 - w.lon1 > 180)
            w.lon1 += 360;
        if (w.lon1 == lon1) {
            walk_degrees(&w, w.lat0, w.lon0, w.lat1, w.lon1, 0.0, 1.0, 0);
        } else {
            /* Across the antimeridian: up to the seam, then on from its other face. The closing edges of outlines
             * that the map has along its east and west edges lie exactly on the seam: crossings there are left out
             * and the states on the two faces compared instead. */
            double seam = w.lon1 > w.lon0 ? 180.0 : -180.0;
            double f = (seam - w.lon0) / (w.lon1 - w.lon0);
            double lat_s = w.lat0 + f * (w.lat1 - w.lat0);
            walk_degrees(&w, w.lat0, w.lon0, lat_s, seam, 0.0, f, OPEN_HI);
            country_set(b, lat_s, seam, &w.cur);
            int to = pset_resolve(&w.cur);
            w.f0 = w.f1 = f;
            if (to != w.cur_country)
                emit(&w, 0.0, to);
            walk_degrees(&w, lat_s, -seam, w.lat1, lon1, f, 1.0, OPEN_LO);
        }
        /* Re-anchor at the vertex, so that rounding in one segment cannot carry into the next. */
        pset end;
        country_set(b, w.lat1, lon1, &end);
        int to = pset_resolve(&end);
        w.cur = end;
        if (to != w.cur_country) {
            w.f0 = 0.0;
            w.f1 = 1.0;
            emit(&w, 1.0, to);
        }
    }
    return w.count;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Loading: countries.csv
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct csv_row {
    size_t line;
    int numeric;   /* -1 when empty */
    char alpha2[3];
    char alpha3[4];
    const char *name; /* points into the file buffer */
} csv_row;

typedef struct csv_file {
    char *buf;
    size_t buf_size;
    csv_row *rows;
    size_t n_rows, rows_cap;
} csv_file;

static void csv_free(const bogie_allocator *a, csv_file *f)
{
    util_free(a, f->buf, f->buf_size);
    util_free(a, f->rows, f->rows_cap * sizeof *f->rows);
    memset(f, 0, sizeof *f);
}

/* Reads the whole file at path into a NUL-terminated buffer allocated with a (*size bytes, owned by the caller). */
static bogie_status read_file(const bogie_allocator *a, const char *path, char **out, size_t *size, bogie_diag *diag)
{
    *out = NULL;
    *size = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return util_io_fail(diag, path, "cannot open", errno);
    char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap && util_grow(a, (void **)&buf, &cap, len + 4096 + 1, 1) != 0) {
            fclose(fp);
            util_free(a, buf, cap);
            return util_nomem(diag, "reading countries.csv");
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp)) {
                int err = errno;
                fclose(fp);
                util_free(a, buf, cap);
                return util_io_fail(diag, path, "cannot read", err);
            }
            break;
        }
    }
    fclose(fp);
    buf[len] = '\0';
    *out = buf;
    *size = cap;
    return BOGIE_OK;
}

/* Splits one CSV record starting at *pos into at most 4 fields, unquoting in place. Returns the number of fields, or
 * -1 for an unterminated quote, -2 for text after a closing quote, and leaves *pos at the next line. */
static int csv_split(char *s, size_t *pos, char **fields, int max_fields)
{
    size_t i = *pos;
    int n = 0;
    for (;;) {
        char *start = s + i, *w = start;
        if (s[i] == '"') {
            i++;
            for (;;) {
                if (s[i] == '\0' || s[i] == '\n')
                    return -1;
                if (s[i] == '"') {
                    if (s[i + 1] == '"') {
                        *w++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                *w++ = s[i++];
            }
            if (s[i] == '\r' && (s[i + 1] == '\n' || s[i + 1] == '\0'))
                i++;
            if (s[i] != ',' && s[i] != '\n' && s[i] != '\0')
                return -2;
        } else {
            while (s[i] != ',' && s[i] != '\n' && s[i] != '\0')
                i++;
            w = s + i;
            if (w > start && w[-1] == '\r')
                w--;
        }
        char sep = s[i];
        *w = '\0';
        if (n < max_fields)
            fields[n] = start;
        n++;
        if (sep == ',') {
            i++;
            continue;
        }
        if (sep == '\n')
            i++;
        *pos = i;
        return n;
    }
}

static int all_upper(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return 1;
}

static bogie_status csv_load(const bogie_allocator *a, const char *path, csv_file *f, bogie_diag *diag)
{
    memset(f, 0, sizeof *f);
    size_t len;
    bogie_status st = read_file(a, path, &f->buf, &f->buf_size, diag);
    if (st != BOGIE_OK)
        return st;
    char *s = f->buf;
    len = strlen(s);
    size_t pos = 0;
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
        pos = 3;
    size_t line = 0;
    int header = 0;
    while (pos < len) {
        line++;
        if (s[pos] == '\n' || (s[pos] == '\r' && s[pos + 1] == '\n')) {
            pos += s[pos] == '\r' ? 2 : 1;
            continue;
        }
        char *fl[4];
        int nf = csv_split(s, &pos, fl, 4);
        if (nf == -1)
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: unterminated quoted field", path, line);
        if (nf == -2)
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: text after a closing quote", path, line);
        if (!header) {
            if (nf != 4 || strcmp(fl[0], "numeric") || strcmp(fl[1], "alpha2") || strcmp(fl[2], "alpha3") ||
                strcmp(fl[3], "name"))
                return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: expected the header numeric,alpha2,alpha3,name",
                                 path, line);
            header = 1;
            continue;
        }
        if (nf != 4)
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: expected 4 fields (numeric,alpha2,alpha3,name), "
                             "found %d", path, line, nf);
        csv_row r;
        memset(&r, 0, sizeof r);
        r.line = line;
        r.numeric = -1;
        if (*fl[0]) {
            if (strlen(fl[0]) != 3 || fl[0][0] < '0' || fl[0][0] > '9' || fl[0][1] < '0' || fl[0][1] > '9' ||
                fl[0][2] < '0' || fl[0][2] > '9')
                return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: numeric \"%.32s\" is not three digits", path,
                                 line, fl[0]);
            r.numeric = atoi(fl[0]);
        }
        if (*fl[1] && !all_upper(fl[1], 2))
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: alpha2 \"%.32s\" is not two letters A-Z", path,
                             line, fl[1]);
        if (*fl[2] && !all_upper(fl[2], 3))
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: alpha3 \"%.32s\" is not three letters A-Z", path,
                             line, fl[2]);
        if (!*fl[3])
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: name is empty", path, line);
        memcpy(r.alpha2, fl[1], strlen(fl[1]) + 1);
        memcpy(r.alpha3, fl[2], strlen(fl[2]) + 1);
        r.name = fl[3];
        if (util_grow(a, (void **)&f->rows, &f->rows_cap, f->n_rows + 1, sizeof *f->rows) != 0)
            return util_nomem(diag, "reading countries.csv");
        f->rows[f->n_rows++] = r;
    }
    if (!header)
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: line 1: expected the header numeric,alpha2,alpha3,name", path);
    return BOGIE_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Loading: the TopoJSON
 * ------------------------------------------------------------------------------------------------------------- */

/* Temporaries of one load; every pointer is allocated with a and freed by loader_free(). */
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

static void loader_free(loader *L)
{
    const bogie_allocator *a = L->a;
    csv_free(a, &L->csv);
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

static bogie_status jfail(loader *L, bogie_status st, const char *fmt, ...) PRINTF_LIKE(3, 4);
static bogie_status jfail(loader *L, bogie_status st, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return util_fail(L->diag, st, "%s: %s", L->path, msg);
}

static bogie_status nomem(loader *L)
{
    return util_nomem(L->diag, "loading country borders");
}

/* Allocates n zeroed elements of size bytes into *p. */
static int alloc_array(loader *L, void *p, size_t n, size_t size)
{
    void **pp = p;
    *pp = NULL;
    if (n == 0)
        n = 1;
    *pp = util_calloc(L->a, n, size);
    return *pp ? 0 : -1;
}

/* Reads the transform and the arcs into b->pts (absolute, not yet shifted) and L->arc_start. */
static bogie_status load_arcs(loader *L, json_t *root, int64_t min[2], int64_t max[2])
{
    borders *b = L->b;
    json_t *tr = json_object_get(root, "transform");
    if (!json_is_object(tr))
        return jfail(L, BOGIE_ERR_UNSUPPORTED, "transform: missing; only quantized topologies are read");
    json_t *sc = json_object_get(tr, "scale"), *tl = json_object_get(tr, "translate");
    if (!json_is_array(sc) || json_array_size(sc) < 2 || !json_is_number(json_array_get(sc, 0)) ||
        !json_is_number(json_array_get(sc, 1)))
        return jfail(L, BOGIE_ERR_INPUT, "transform.scale: not an array of two numbers");
    if (!json_is_array(tl) || json_array_size(tl) < 2 || !json_is_number(json_array_get(tl, 0)) ||
        !json_is_number(json_array_get(tl, 1)))
        return jfail(L, BOGIE_ERR_INPUT, "transform.translate: not an array of two numbers");
    b->sx = json_number_value(json_array_get(sc, 0));
    b->sy = json_number_value(json_array_get(sc, 1));
    b->tx = json_number_value(json_array_get(tl, 0));
    b->ty = json_number_value(json_array_get(tl, 1));
    if (!(b->sx > 0 && b->sy > 0 && isfinite(b->sx) && isfinite(b->sy) && isfinite(b->tx) && isfinite(b->ty)))
        return jfail(L, BOGIE_ERR_INPUT, "transform: scale must be positive and finite, translate finite");

    json_t *arcs = json_object_get(root, "arcs");
    if (!json_is_array(arcs))
        return jfail(L, BOGIE_ERR_INPUT, "arcs: missing or not an array");
    size_t n_arcs = json_array_size(arcs), n_pts = 0;
    if (n_arcs >= UINT32_MAX)
        return jfail(L, BOGIE_ERR_UNSUPPORTED, "arcs: %zu arcs is too many", n_arcs);
    for (size_t i = 0; i < n_arcs; i++) {
        json_t *arc = json_array_get(arcs, i);
        if (!json_is_array(arc) || json_array_size(arc) < 2)
            return jfail(L, BOGIE_ERR_INPUT, "arcs[%zu]: not an array of at least two positions", i);
        n_pts += json_array_size(arc);
    }
    if (n_pts >= UINT32_MAX)
        return jfail(L, BOGIE_ERR_UNSUPPORTED, "arcs: %zu positions is too many", n_pts);
    L->arc_start_n = n_arcs + 1;
    if (alloc_array(L, &L->arc_start, n_arcs + 1, sizeof *L->arc_start) ||
        alloc_array(L, &b->pts, 2 * n_pts, sizeof *b->pts))
        return nomem(L);
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
                return jfail(L, BOGIE_ERR_INPUT, "arcs[%zu][%zu]: not a position of two integers "
                             "(quantized, delta-encoded)", i, k);
            json_int_t v[2] = {json_integer_value(jx), json_integer_value(jy)};
            for (int c = 0; c < 2; c++) {
                if (v[c] > 2 * (json_int_t)BORDERS_COORD_LIMIT || v[c] < -2 * (json_int_t)BORDERS_COORD_LIMIT)
                    return jfail(L, BOGIE_ERR_UNSUPPORTED, "arcs[%zu][%zu]: coordinate %lld beyond +-%d", i, k,
                                 (long long)v[c], BORDERS_COORD_LIMIT);
                xy[c] = k == 0 ? v[c] : xy[c] + v[c];
                if (xy[c] > BORDERS_COORD_LIMIT || xy[c] < -BORDERS_COORD_LIMIT)
                    return jfail(L, BOGIE_ERR_UNSUPPORTED, "arcs[%zu][%zu]: coordinate %lld beyond +-%d", i, k,
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

static int same_point(const borders *b, size_t p, size_t q)
{
    return b->pts[2 * p] == b->pts[2 * q] && b->pts[2 * p + 1] == b->pts[2 * q + 1];
}

/* Checks one ring (an array of arc indices) of feature f and records its arcs in L->refs (when record is set) or
 * counts them (otherwise). */
static bogie_status load_ring(loader *L, json_t *ring, size_t f, size_t poly, size_t r, int record)
{
    if (!json_is_array(ring) || json_array_size(ring) == 0)
        return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu ring %zu: not a non-empty "
                     "array of arc indices", f, poly, r);
    size_t first_pt = 0, prev_last = 0;
    for (size_t k = 0; k < json_array_size(ring); k++) {
        json_t *ji = json_array_get(ring, k);
        if (!json_is_integer(ji))
            return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu ring %zu: arc reference "
                         "%zu is not an integer", f, poly, r, k);
        json_int_t idx = json_integer_value(ji);
        json_int_t a = idx < 0 ? ~idx : idx;
        if ((uint64_t)a >= L->b->n_arcs)
            return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: arc index %lld out of range "
                         "(%zu arcs)", f, (long long)idx, L->b->n_arcs);
        size_t first, last;
        arc_ends(L, idx, &first, &last);
        if (k == 0)
            first_pt = first;
        else if (!same_point(L->b, prev_last, first))
            return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu ring %zu: arc %lld does "
                         "not start where the previous one ends", f, poly, r, (long long)idx);
        prev_last = last;
        if (record) {
            L->refs[L->n_refs++] = (uint64_t)a << 32 | (uint64_t)f;
            L->feat_weight[f] += L->arc_start[a + 1] - L->arc_start[a];
        } else {
            L->n_refs++;
        }
    }
    if (!same_point(L->b, prev_last, first_pt))
        return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu ring %zu: ring is not "
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
            return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: not an object", f);
        json_t *type = json_object_get(g, "type");
        if (json_is_null(type))
            continue; /* a feature without geometry */
        const char *t = json_string_value(type);
        if (!t)
            return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: type is not a string", f);
        int multi = strcmp(t, "MultiPolygon") == 0;
        if (!multi && strcmp(t, "Polygon") != 0)
            return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: type \"%.40s\" is not Polygon or "
                         "MultiPolygon", f, t);
        json_t *arcs = json_object_get(g, "arcs");
        if (!json_is_array(arcs))
            return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: arcs: missing or not an array", f);
        size_t n_poly = multi ? json_array_size(arcs) : 1;
        for (size_t p = 0; p < n_poly; p++) {
            json_t *poly = multi ? json_array_get(arcs, p) : arcs;
            if (!json_is_array(poly))
                return jfail(L, BOGIE_ERR_INPUT, "objects.countries.geometries[%zu]: polygon %zu: not an array of "
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

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* Matches features to rows of countries.csv, merges features by alpha-2 into countries, and fills b->countries,
 * b->features and b->names. */
static bogie_status build_countries(loader *L, const char *csv_path)
{
    borders *b = L->b;
    size_t nf = L->n_feat;
    for (size_t f = 0; f < nf; f++) {
        const csv_row *row = NULL;
        const char *name = L->feat_name[f];
        for (size_t r = 0; name && *name && r < L->csv.n_rows && !row; r++)
            if (strcmp(L->csv.rows[r].name, name) == 0)
                row = &L->csv.rows[r];
        if (row && L->feat_id[f] >= 0 && row->numeric >= 0 && row->numeric != L->feat_id[f])
            return util_fail(L->diag, BOGIE_ERR_INPUT, "%s: line %zu: numeric %03d for \"%.100s\" differs from the "
                             "id %03d of objects.countries.geometries[%zu] in %s", csv_path, row->line, row->numeric,
                             name, L->feat_id[f], f, L->path);
        for (size_t r = 0; !row && L->feat_id[f] >= 0 && r < L->csv.n_rows; r++)
            if (L->csv.rows[r].numeric == L->feat_id[f])
                row = &L->csv.rows[r];
        L->feat_row[f] = row;
    }
    /* Names: the feature's own, else its row's. */
    size_t pool = 1;
    for (size_t f = 0; f < nf; f++) {
        const char *name = L->feat_name[f] && *L->feat_name[f] ? L->feat_name[f]
                           : L->feat_row[f]                     ? L->feat_row[f]->name
                                                                : "";
        L->feat_name[f] = name;
        pool += strlen(name) + 1;
    }
    b->names_size = pool;
    b->n_features = nf;
    if (alloc_array(L, &b->names, pool, 1) || alloc_array(L, &b->features, nf, sizeof *b->features) ||
        alloc_array(L, &b->countries, nf, sizeof *b->countries))
        return nomem(L);
    size_t at = 1; /* names[0] is "" */
    for (size_t f = 0; f < nf; f++) {
        size_t len = strlen(L->feat_name[f]);
        memcpy(b->names + at, L->feat_name[f], len + 1);
        b->features[f].name = b->names + at;
        at += len + 1;
    }
    /* Countries: one per distinct non-empty alpha-2, and one per feature without. */
    for (size_t f = 0; f < nf; f++) {
        const csv_row *row = L->feat_row[f];
        const char *a2 = row ? row->alpha2 : "";
        size_t c = b->n_countries;
        if (*a2)
            for (c = 0; c < b->n_countries; c++)
                if (strcmp(b->countries[c].alpha2, a2) == 0)
                    break;
        if (c == b->n_countries) {
            b->n_countries++;
            country *k = &b->countries[c];
            memcpy(k->alpha2, a2, strlen(a2) + 1);
            memcpy(k->alpha3, row ? row->alpha3 : "", row ? strlen(row->alpha3) + 1 : 1);
            k->name = b->features[f].name;
            k->weight = L->feat_weight[f];
        } else if (L->feat_weight[f] > b->countries[c].weight) {
            country *k = &b->countries[c];
            k->name = b->features[f].name;
            k->weight = L->feat_weight[f];
            if (row && *row->alpha3)
                memcpy(k->alpha3, row->alpha3, strlen(row->alpha3) + 1);
        }
        L->feat_country[f] = (int32_t)c;
        b->features[f].country = (int32_t)c;
    }
    if (b->n_countries >= 32767)
        return jfail(L, BOGIE_ERR_UNSUPPORTED, "objects.countries: %zu countries is too many", b->n_countries);
    return BOGIE_OK;
}

/* Turns the arc uses into the countries of each arc: a country whose rings use an arc an even number of times (two
 * features of one country meeting, or a cut line) does not count. */
static bogie_status build_arc_countries(loader *L)
{
    borders *b = L->b;
    for (size_t i = 0; i < L->n_refs; i++) {
        uint64_t arc = L->refs[i] >> 32, f = L->refs[i] & 0xffffffffu;
        L->refs[i] = arc << 32 | (uint64_t)(uint32_t)L->feat_country[f];
    }
    util_sort(L->refs, L->n_refs, sizeof *L->refs, cmp_u64);
    size_t n = 0;
    for (size_t i = 0; i < L->n_refs;) {
        size_t j = i;
        while (j < L->n_refs && L->refs[j] == L->refs[i])
            j++;
        if ((j - i) % 2)
            L->refs[n++] = L->refs[i];
        i = j;
    }
    b->n_arc_cty = n == 0 ? 1 : n;
    if (alloc_array(L, &b->arc_off, b->n_arcs + 1, sizeof *b->arc_off) ||
        alloc_array(L, &b->arc_cty, n, sizeof *b->arc_cty))
        return nomem(L);
    for (size_t i = 0; i < n; i++) {
        b->arc_off[(L->refs[i] >> 32) + 1]++;
        b->arc_cty[i] = (int32_t)(L->refs[i] & 0xffffffffu);
    }
    for (size_t a = 0; a < b->n_arcs; a++)
        b->arc_off[a + 1] += b->arc_off[a];
    return BOGIE_OK;
}

/* Iterates over the boundary edges (by their first point): arcs that some country uses, zero-length segments
 * skipped. Start with *arc = *seg = 0; returns 0 when done. */
static int next_edge(const loader *L, size_t *arc, size_t *seg, size_t *out)
{
    const borders *b = L->b;
    while (*arc < b->n_arcs) {
        if (b->arc_off[*arc] == b->arc_off[*arc + 1]) {
            ++*arc;
            *seg = 0;
            continue;
        }
        if (*seg < L->arc_start[*arc])
            *seg = L->arc_start[*arc];
        while (*seg + 1 < L->arc_start[*arc + 1]) {
            size_t s = (*seg)++;
            int64_t dx = (int64_t)b->pts[2 * s + 2] - b->pts[2 * s];
            if (!same_point(b, s, s + 1) && dx <= L->half_x && dx >= -L->half_x) {
                *out = s;
                return 1;
            }
        }
        ++*arc;
        *seg = 0;
    }
    return 0;
}

/* Whether the edge from point s touches the closed cell (i, j): the cell is inside the edge's bounding box (the
 * caller ensures that) and not strictly on one side of its line. */
static int edge_touches_cell(const borders *b, size_t s, int64_t i, int64_t j)
{
    const int32_t *e = b->pts + 2 * s;
    int64_t dx = (int64_t)e[2] - e[0], dy = (int64_t)e[3] - e[1];
    int64_t x0 = i * b->cw, y0 = j * b->ch, x1 = x0 + b->cw, y1 = y0 + b->ch;
    int64_t cx[4] = {x0, x1, x0, x1}, cy[4] = {y0, y0, y1, y1};
    int pos = 0, neg = 0;
    for (int k = 0; k < 4; k++) {
        int64_t o = dx * (cy[k] - e[1]) - dy * (cx[k] - e[0]);
        pos |= o >= 0;
        neg |= o <= 0;
    }
    return pos && neg;
}

/* Lists the edges touching each cell (CSR in b->cell_off / b->cell_seg). */
static bogie_status build_cells(loader *L)
{
    borders *b = L->b;
    size_t ncells = (size_t)b->cols * (size_t)b->rows;
    if (alloc_array(L, &b->cell_off, ncells + 1, sizeof *b->cell_off))
        return nomem(L);
    for (int pass = 0; pass < 2; pass++) {
        size_t arc = 0, seg = 0, s;
        while (next_edge(L, &arc, &seg, &s)) {
            const int32_t *e = b->pts + 2 * s;
            int64_t i0 = (e[0] < e[2] ? e[0] : e[2]) / b->cw, i1 = (e[0] < e[2] ? e[2] : e[0]) / b->cw;
            int64_t j0 = (e[1] < e[3] ? e[1] : e[3]) / b->ch, j1 = (e[1] < e[3] ? e[3] : e[1]) / b->ch;
            if (i1 >= b->cols)
                i1 = b->cols - 1;
            if (j1 >= b->rows)
                j1 = b->rows - 1;
            for (int64_t j = j0; j <= j1; j++)
                for (int64_t i = i0; i <= i1; i++) {
                    if ((i1 > i0 || j1 > j0) && !edge_touches_cell(b, s, i, j))
                        continue;
                    size_t c = (size_t)j * (size_t)b->cols + (size_t)i;
                    if (pass == 0)
                        b->cell_off[c]++;
                    else
                        b->cell_seg[b->cell_off[c]++] = (uint32_t)s;
                }
        }
        if (pass == 0) {
            size_t sum = 0;
            for (size_t c = 0; c < ncells; c++) {
                size_t k = b->cell_off[c];
                b->cell_off[c] = (uint32_t)sum;
                sum += k;
                if (sum >= UINT32_MAX)
                    return jfail(L, BOGIE_ERR_UNSUPPORTED, "arcs: too many edge-cell pairs for the index");
            }
            b->cell_off[ncells] = (uint32_t)sum;
            b->n_cell_seg = sum == 0 ? 1 : sum;
            if (alloc_array(L, &b->cell_seg, sum, sizeof *b->cell_seg))
                return nomem(L);
        }
    }
    /* Each cell_off[c] now holds the end of cell c: shift to starts. */
    memmove(b->cell_off + 1, b->cell_off, ncells * sizeof *b->cell_off);
    b->cell_off[0] = 0;
    return BOGIE_OK;
}

/* Returns the set id for s (sorted in place), adding a multi-set when new; 0 when the ids run out. */
static uint32_t set_id(loader *L, pset *s, bogie_status *st)
{
    borders *b = L->b;
    if (s->n == 0)
        return 0;
    if (s->n == 1)
        return (uint32_t)s->c[0] + 1;
    for (int i = 1; i < s->n; i++) /* insertion sort */
        for (int k = i; k > 0 && s->c[k - 1] > s->c[k]; k--) {
            int32_t t = s->c[k];
            s->c[k] = s->c[k - 1];
            s->c[k - 1] = t;
        }
    for (size_t k = 0; k < b->n_sets; k++) {
        uint32_t o = b->set_off[k];
        if (b->set_off[k + 1] - o == (uint32_t)s->n && memcmp(b->set_items + o, s->c, (size_t)s->n * 4) == 0)
            return (uint32_t)(b->n_countries + 1 + k);
    }
    if (b->n_countries + 1 + b->n_sets > UINT16_MAX) {
        *st = jfail(L, BOGIE_ERR_UNSUPPORTED, "objects.countries: too many overlapping outlines");
        return 0;
    }
    size_t items = b->n_sets ? b->set_off[b->n_sets] : 0;
    if (util_grow(L->a, (void **)&b->set_off, &b->set_off_cap, b->n_sets + 2, sizeof *b->set_off) ||
        util_grow(L->a, (void **)&b->set_items, &b->set_items_cap, items + (size_t)s->n, sizeof *b->set_items)) {
        *st = nomem(L);
        return 0;
    }
    b->set_off[0] = 0;
    memcpy(b->set_items + items, s->c, (size_t)s->n * sizeof *s->c);
    b->set_off[b->n_sets + 1] = (uint32_t)(items + (size_t)s->n);
    b->n_sets++;
    return (uint32_t)(b->n_countries + b->n_sets);
}

/* Finds the set of countries containing each corner of the grid, perturbed by (+e, +e^2): along each row of corners,
 * the edges crossing the row's line, sorted by where they cross it, are toggled from the west. */
static bogie_status build_corners(loader *L)
{
    borders *b = L->b;
    const size_t nrow = (size_t)b->rows + 1, ncol = (size_t)b->cols + 1;
    L->row_off_n = nrow + 1;
    if (alloc_array(L, &L->row_off, nrow + 1, sizeof *L->row_off) ||
        alloc_array(L, &b->corner, nrow * ncol, sizeof *b->corner))
        return nomem(L);
    for (int pass = 0; pass < 2; pass++) {
        size_t arc = 0, seg = 0, s;
        while (next_edge(L, &arc, &seg, &s)) {
            const int32_t *e = b->pts + 2 * s;
            int64_t ax = e[0], ay = e[1], bx = e[2], by = e[3];
            if (ay == by)
                continue;
            if (ay > by) {
                int64_t t = ax;
                ax = bx;
                bx = t;
                t = ay;
                ay = by;
                by = t;
            }
            /* Rows of corners with ay <= Y < by: the edge crosses the line y = Y + e^2. */
            int64_t j0 = (ay + b->ch - 1) / b->ch, j1 = (by + b->ch - 1) / b->ch - 1;
            if (j1 > (int64_t)nrow - 1)
                j1 = (int64_t)nrow - 1;
            int64_t dx = bx - ax, dy = by - ay, den = (int64_t)b->cw * dy;
            for (int64_t j = j0; j <= j1; j++) {
                if (pass == 0) {
                    L->row_off[j]++;
                    continue;
                }
                /* It counts for corners at X >= its crossing x = ax + (Y - ay) dx / dy. */
                int64_t num = ax * dy + (j * b->ch - ay) * dx;
                int64_t k = num <= 0 ? 0 : (num + den - 1) / den;
                if (k > (int64_t)ncol)
                    k = (int64_t)ncol;
                L->row_cross[L->row_off[j]++] = (uint64_t)k << 32 | (uint64_t)b->seg_arc[s];
            }
        }
        if (pass == 0) {
            size_t sum = 0;
            for (size_t j = 0; j < nrow; j++) {
                size_t k = L->row_off[j];
                L->row_off[j] = sum;
                sum += k;
            }
            L->row_off[nrow] = sum;
            L->row_cross_n = sum == 0 ? 1 : sum;
            if (alloc_array(L, &L->row_cross, sum, sizeof *L->row_cross))
                return nomem(L);
        }
    }
    memmove(L->row_off + 1, L->row_off, nrow * sizeof *L->row_off);
    L->row_off[0] = 0;
    bogie_status st = BOGIE_OK;
    for (size_t j = 0; j < nrow; j++) {
        uint64_t *r = L->row_cross + L->row_off[j];
        size_t n = L->row_off[j + 1] - L->row_off[j], e = 0;
        util_sort(r, n, sizeof *r, cmp_u64);
        pset cur = {0};
        for (size_t i = 0; i < ncol; i++) {
            for (; e < n && (r[e] >> 32) == i; e++) {
                uint32_t arc = (uint32_t)(r[e] & 0xffffffffu);
                for (uint32_t k = b->arc_off[arc]; k < b->arc_off[arc + 1]; k++)
                    if (pset_toggle(&cur, b->arc_cty[k]) != 0)
                        return jfail(L, BOGIE_ERR_UNSUPPORTED, "objects.countries: more than %d outlines overlap",
                                     PSET_MAX);
            }
            pset tmp = cur;
            uint32_t id = set_id(L, &tmp, &st);
            if (st != BOGIE_OK)
                return st;
            b->corner[j * ncol + i] = (uint16_t)id;
        }
    }
    return BOGIE_OK;
}

/* A piece of an outline's closure along the antimeridian: country c at height y. */
typedef struct jump_end {
    int32_t c;
    int32_t y;
} jump_end;

static int cmp_jump_end(const void *pa, const void *pb)
{
    const jump_end *a = pa, *b = pb;
    if (a->c != b->c)
        return a->c < b->c ? -1 : 1;
    return a->y < b->y ? -1 : a->y > b->y;
}

/* Rings that cross the antimeridian (Russia's Chukotka, Fiji, Antarctica) hold edges from longitude -180 to +180
 * that are short on the sphere but span the whole plane, where they would add a band of the country around the
 * world. Each such edge A->B is cut where it meets the antimeridian, into A->(A's side, y) and (B's side, y)->B, and
 * the horizontal jump between the two sides is left out of the index (next_edge() skips it). Each country's outline
 * is then closed along both lines x(-180) and x(+180) by vertical edges: the heights where its edges were cut,
 * sorted, taken in pairs from the top, and an odd one out closed down to the bottom of the map (a ring around the
 * South Pole: Antarctica). A ring around the North Pole would come out inverted; admin-0 has none. Works on the
 * absolute quantized coordinates, before build_index() shifts them; widens min/max when the cuts lie outside. */
static bogie_status split_antimeridian(loader *L, int64_t min[2], int64_t max[2])
{
    borders *b = L->b;
    const double period = 360.0 / b->sx;
    const double dxl = (-180.0 - b->tx) / b->sx, dxr = (180.0 - b->tx) / b->sx;
    size_t jumps = 0, ends = 0;
    for (size_t a = 0; a < b->n_arcs; a++) {
        uint32_t nc = b->arc_off[a + 1] - b->arc_off[a];
        for (size_t p = L->arc_start[a]; nc && p + 1 < L->arc_start[a + 1]; p++) {
            int64_t dx = (int64_t)b->pts[2 * p + 2] - b->pts[2 * p];
            if (dx > L->half_x || dx < -L->half_x) {
                jumps++;
                ends += nc;
            }
        }
    }
    if (jumps == 0)
        return BOGIE_OK;
    if (!(dxl >= -BORDERS_COORD_LIMIT && dxr <= BORDERS_COORD_LIMIT))
        return jfail(L, BOGIE_ERR_UNSUPPORTED, "arcs: edges span more than 180 degrees of longitude, but the "
                     "antimeridian lies beyond +-%d quantized units", BORDERS_COORD_LIMIT);
    const int64_t xl = (int64_t)llround(dxl), xr = (int64_t)llround(dxr);
    jump_end *je = util_calloc(L->a, ends, sizeof *je);
    if (!je)
        return nomem(L);
    /* The new points: every arc with two more per cut, then the closing edges. */
    size_t n_new = b->n_pts + 2 * jumps, e = 0;
    size_t new_arc_start_n = 0, n_close = 0;
    /* Closing edges: count after the cuts are known, so first collect the cut heights. */
    for (size_t a = 0; a < b->n_arcs; a++) {
        for (size_t p = L->arc_start[a]; b->arc_off[a + 1] > b->arc_off[a] && p + 1 < L->arc_start[a + 1]; p++) {
            int64_t xa = b->pts[2 * p], ya = b->pts[2 * p + 1], xb = b->pts[2 * p + 2], yb = b->pts[2 * p + 3];
            int64_t dx = xb - xa;
            if (dx <= L->half_x && dx >= -L->half_x)
                continue;
            int a_west = xa - xl < xr - xa;
            double xbu = a_west ? (double)xb - period : (double)xb + period;
            double cross = a_west ? (double)xl : (double)xr;
            double den = xbu - (double)xa, t = den != 0 ? (cross - (double)xa) / den : 1.0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            int32_t y = (int32_t)llround((double)ya + t * (double)(yb - ya));
            for (uint32_t k = b->arc_off[a]; k < b->arc_off[a + 1]; k++) {
                je[e].c = b->arc_cty[k];
                je[e].y = y;
                e++;
            }
        }
    }
    util_sort(je, ends, sizeof *je, cmp_jump_end);
    for (size_t i = 0; i < ends;) {
        size_t j = i;
        while (j < ends && je[j].c == je[i].c)
            j++;
        n_close += (j - i + 1) / 2; /* intervals on each line */
        i = j;
    }
    n_close *= 2; /* both lines */
    n_new += 2 * n_close;
    new_arc_start_n = b->n_arcs + n_close + 1;
    if (n_new >= UINT32_MAX) {
        util_free(L->a, je, ends * sizeof *je);
        return jfail(L, BOGIE_ERR_UNSUPPORTED, "arcs: too many positions");
    }
    int32_t *pts = util_calloc(L->a, 2 * n_new, sizeof *pts);
    size_t *arc_start = util_calloc(L->a, new_arc_start_n, sizeof *arc_start);
    uint32_t *arc_off = util_calloc(L->a, b->n_arcs + n_close + 1, sizeof *arc_off);
    int32_t *arc_cty = util_calloc(L->a, b->n_arc_cty + n_close, sizeof *arc_cty);
    if (!pts || !arc_start || !arc_off || !arc_cty) {
        util_free(L->a, je, ends * sizeof *je);
        util_free(L->a, pts, 2 * n_new * sizeof *pts);
        util_free(L->a, arc_start, new_arc_start_n * sizeof *arc_start);
        util_free(L->a, arc_off, (b->n_arcs + n_close + 1) * sizeof *arc_off);
        util_free(L->a, arc_cty, (b->n_arc_cty + n_close) * sizeof *arc_cty);
        return nomem(L);
    }
    size_t q = 0;
    for (size_t a = 0; a < b->n_arcs; a++) {
        arc_start[a] = q;
        int used = b->arc_off[a + 1] > b->arc_off[a];
        for (size_t p = L->arc_start[a]; p < L->arc_start[a + 1]; p++) {
            pts[2 * q] = b->pts[2 * p];
            pts[2 * q + 1] = b->pts[2 * p + 1];
            q++;
            if (!used || p + 1 == L->arc_start[a + 1])
                continue;
            int64_t xa = b->pts[2 * p], ya = b->pts[2 * p + 1], xb = b->pts[2 * p + 2], yb = b->pts[2 * p + 3];
            int64_t dx = xb - xa;
            if (dx <= L->half_x && dx >= -L->half_x)
                continue;
            int a_west = xa - xl < xr - xa;
            double xbu = a_west ? (double)xb - period : (double)xb + period;
            double cross = a_west ? (double)xl : (double)xr;
            double den = xbu - (double)xa, t = den != 0 ? (cross - (double)xa) / den : 1.0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            int32_t y = (int32_t)llround((double)ya + t * (double)(yb - ya));
            pts[2 * q] = (int32_t)(a_west ? xl : xr);
            pts[2 * q + 1] = y;
            pts[2 * q + 2] = (int32_t)(a_west ? xr : xl);
            pts[2 * q + 3] = y;
            q += 2;
        }
    }
    memcpy(arc_off, b->arc_off, (b->n_arcs + 1) * sizeof *arc_off);
    memcpy(arc_cty, b->arc_cty, b->n_arc_cty * sizeof *arc_cty);
    size_t na = b->n_arcs, nk = arc_off[na];
    for (size_t i = 0; i < ends;) {
        size_t j = i;
        while (j < ends && je[j].c == je[i].c)
            j++;
        /* Heights i..j-1, sorted: pairs from the top; an odd one out goes down to the bottom. */
        for (size_t k = j; k > i;) {
            int32_t top = je[k - 1].y, bottom = k - 1 > i ? je[k - 2].y : (int32_t)min[1];
            k = k - 1 > i ? k - 2 : k - 1;
            for (int side = 0; side < 2; side++) {
                arc_start[na] = q;
                pts[2 * q] = (int32_t)(side ? xr : xl);
                pts[2 * q + 1] = bottom;
                pts[2 * q + 2] = (int32_t)(side ? xr : xl);
                pts[2 * q + 3] = top;
                q += 2;
                arc_cty[nk++] = je[i].c;
                arc_off[++na] = (uint32_t)nk;
            }
        }
        i = j;
    }
    arc_start[na] = q;
    util_free(L->a, je, ends * sizeof *je);
    util_free(L->a, b->pts, 2 * b->n_pts * sizeof *b->pts);
    util_free(L->a, L->arc_start, L->arc_start_n * sizeof *L->arc_start);
    util_free(L->a, b->arc_off, (b->n_arcs + 1) * sizeof *b->arc_off);
    util_free(L->a, b->arc_cty, b->n_arc_cty * sizeof *b->arc_cty);
    b->pts = pts;
    b->n_pts = n_new;
    L->arc_start = arc_start;
    L->arc_start_n = new_arc_start_n;
    b->arc_off = arc_off;
    b->arc_cty = arc_cty;
    b->n_arcs = na;
    b->n_arc_cty = b->n_arc_cty + n_close;
    for (int64_t x = xl; x <= xr; x += xr - xl) {
        if (x < min[0])
            min[0] = x;
        if (x > max[0])
            max[0] = x;
        if (xr == xl)
            break;
    }
    return BOGIE_OK;
}

/* Shifts the points to the origin, fixes the grid's size and builds the index. */
static bogie_status build_index(loader *L, const int64_t min[2], const int64_t max[2])
{
    borders *b = L->b;
    b->ox = (int32_t)min[0];
    b->oy = (int32_t)min[1];
    for (size_t p = 0; p < b->n_pts; p++) {
        b->pts[2 * p] -= b->ox;
        b->pts[2 * p + 1] -= b->oy;
    }
    int64_t ext_x = max[0] - min[0], ext_y = max[1] - min[1];
    double cw = floor(BORDERS_CELL_DEG / b->sx + 0.5), ch = floor(BORDERS_CELL_DEG / b->sy + 0.5);
    int64_t w = cw < 1 ? 1 : cw > (double)ext_x + 1 ? ext_x + 1 : (int64_t)cw;
    int64_t h = ch < 1 ? 1 : ch > (double)ext_y + 1 ? ext_y + 1 : (int64_t)ch;
    while ((ext_x / w + 2) * (ext_y / h + 2) > (int64_t)BORDERS_MAX_CORNERS) {
        w *= 2;
        h *= 2;
    }
    b->cw = (int32_t)w;
    b->ch = (int32_t)h;
    b->cols = (int32_t)(ext_x / w + 1);
    b->rows = (int32_t)(ext_y / h + 1);

    if (alloc_array(L, &b->seg_arc, b->n_pts, sizeof *b->seg_arc))
        return nomem(L);
    for (size_t a = 0; a < b->n_arcs; a++)
        for (size_t p = L->arc_start[a]; p < L->arc_start[a + 1]; p++)
            b->seg_arc[p] = (uint32_t)a;
    bogie_status st = build_cells(L);
    if (st == BOGIE_OK)
        st = build_corners(L);
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
    bogie_status st = csv_load(L.a, countries_csv_path, &L.csv, diag);
    if (st != BOGIE_OK)
        goto done;

    FILE *fp = fopen(topojson_path, "rb");
    if (!fp) {
        st = util_io_fail(diag, topojson_path, "cannot open", errno);
        goto done;
    }
    json_error_t jerr;
    root = json_loadf(fp, 0, &jerr);
    int read_err = ferror(fp) ? errno : 0;
    fclose(fp);
    if (!root) {
        if (read_err)
            st = util_io_fail(diag, topojson_path, "cannot read", read_err);
        else if (json_error_code(&jerr) == json_error_out_of_memory)
            st = util_nomem(diag, "parsing country borders");
        else
            st = util_fail(diag, BOGIE_ERR_INPUT, "%s: line %d column %d (byte %d): %s", topojson_path, jerr.line,
                           jerr.column, jerr.position, jerr.text);
        goto done;
    }
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!json_is_object(root) || !type || strcmp(type, "Topology") != 0) {
        st = jfail(&L, BOGIE_ERR_INPUT, "type: not a TopoJSON Topology");
        goto done;
    }
    int64_t min[2], max[2];
    if ((st = load_arcs(&L, root, min, max)) != BOGIE_OK)
        goto done;
    json_t *countries = json_object_get(json_object_get(root, "objects"), "countries");
    json_t *geoms = json_object_get(countries, "geometries");
    const char *ctype = json_string_value(json_object_get(countries, "type"));
    if (!json_is_object(countries) || !ctype || strcmp(ctype, "GeometryCollection") != 0 || !json_is_array(geoms)) {
        st = jfail(&L, BOGIE_ERR_INPUT, "objects.countries: missing or not a GeometryCollection with geometries");
        goto done;
    }
    size_t nf = json_array_size(geoms);
    if (nf >= INT32_MAX) {
        st = jfail(&L, BOGIE_ERR_UNSUPPORTED, "objects.countries: too many geometries");
        goto done;
    }
    if ((st = load_geometries(&L, geoms, 0)) != BOGIE_OK)
        goto done;
    L.n_feat = nf;
    L.feat_alloc = nf ? nf : 1;
    L.refs_cap = L.n_refs ? L.n_refs : 1;
    L.n_refs = 0;
    if (alloc_array(&L, &L.refs, L.refs_cap, sizeof *L.refs) ||
        alloc_array(&L, &L.feat_country, nf, sizeof *L.feat_country) ||
        alloc_array(&L, (void *)&L.feat_name, nf, sizeof *L.feat_name) ||
        alloc_array(&L, &L.feat_id, nf, sizeof *L.feat_id) ||
        alloc_array(&L, &L.feat_weight, nf, sizeof *L.feat_weight) ||
        alloc_array(&L, (void *)&L.feat_row, nf, sizeof *L.feat_row)) {
        st = nomem(&L);
        goto done;
    }
    for (size_t f = 0; f < nf; f++) {
        json_t *g = json_array_get(geoms, f);
        L.feat_id[f] = feature_id(g);
        L.feat_name[f] = json_string_value(json_object_get(json_object_get(g, "properties"), "name"));
    }
    if ((st = load_geometries(&L, geoms, 1)) != BOGIE_OK)
        goto done;
    if ((st = build_countries(&L, countries_csv_path)) != BOGIE_OK)
        goto done;
    if ((st = build_arc_countries(&L)) != BOGIE_OK)
        goto done;
    L.half_x = (int64_t)floor(180.0 / b->sx);
    if ((st = split_antimeridian(&L, min, max)) != BOGIE_OK)
        goto done;
    st = build_index(&L, min, max);

done:
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
