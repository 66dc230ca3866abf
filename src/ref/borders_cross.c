/* borders_cross.c: where a polyline crosses a country boundary (borders_crossings()): each segment is walked through
 * the grid cells it passes, toggling the countries of the boundary edges it crosses in order along it.
 *
 * The antimeridian. A polyline segment whose longitudes differ by more than 180 degrees is walked in two pieces, one
 * on each side of the seam, and the states on the seam's two faces compared. */
#include "ref/borders_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIT_MAX 64 /* boundary crossings collected per piece of a segment before splitting it */

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

/* Clips [*ta, *tb] of the grid segment from (px, py) by (dx, dy) to the grid rectangle (with a little slack).
 * Returns 0 when nothing of it is left. */
static int clip_to_grid(const borders *b, double px, double py, double dx, double dy, double *ta, double *tb)
{
    const double W = (double)b->cols * b->cw, H = (double)b->rows * b->ch;
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
        if (t1 > *ta)
            *ta = t1;
        if (t2 < *tb)
            *tb = t2;
    }
    return !(*ta > *tb);
}

/* A piece [t_lo, t_hi] of the grid segment p->q whose crossings are being collected, with the bounding box of its
 * clipped part (to skip edges cheaply). */
typedef struct piece {
    double px, py, qx, qy;
    double t_lo, t_hi;
    int open;
    double bx0, bx1, by0, by1;
} piece;

/* Adds to h (n so far) the crossings of the piece with the edges of cell c, once per edge. Returns the new count, or
 * -1 when more than HIT_MAX. */
static int cell_hits(const borders *b, const piece *pc, size_t c, hit *h, int n)
{
    for (uint32_t k = b->cell_off[c]; k < b->cell_off[c + 1]; k++) {
        uint32_t sg = b->cell_seg[k];
        const int32_t *e = b->pts + 2 * (size_t)sg;
        if ((e[0] < pc->bx0 - 1 && e[2] < pc->bx0 - 1) || (e[0] > pc->bx1 + 1 && e[2] > pc->bx1 + 1) ||
            (e[1] < pc->by0 - 1 && e[3] < pc->by0 - 1) || (e[1] > pc->by1 + 1 && e[3] > pc->by1 + 1))
            continue;
        double t;
        if (!bd_path_crosses(b, sg, pc->px, pc->py, pc->qx, pc->qy, &t))
            continue;
        if (t < pc->t_lo || t > pc->t_hi || (t == pc->t_hi && (pc->open & OPEN_HI)) ||
            (t == pc->t_lo && (pc->open & OPEN_LO)))
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
    return n;
}

/* Collects into h the crossings of the grid segment p->q whose t lies in [t_lo, t_hi] (less the ends that open
 * names), looking only in the cells that part of the segment passes. Returns the number, or -1 when more than
 * HIT_MAX. */
static int collect_hits(const borders *b, double px, double py, double qx, double qy, double t_lo, double t_hi,
                        int open, hit *h)
{
    const double dx = qx - px, dy = qy - py;
    double ta = t_lo, tb = t_hi;
    if (!clip_to_grid(b, px, py, dx, dy, &ta, &tb))
        return 0;
    piece pc = {px, py, qx, qy, t_lo, t_hi, open, 0, 0, 0, 0};
    pc.bx0 = fmin(px + ta * dx, px + tb * dx);
    pc.bx1 = fmax(px + ta * dx, px + tb * dx);
    pc.by0 = fmin(py + ta * dy, py + tb * dy);
    pc.by1 = fmax(py + ta * dy, py + tb * dy);
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
        for (int32_t j = j0; j <= j1; j++)
            if ((n = cell_hits(b, &pc, (size_t)j * (size_t)b->cols + (size_t)i, h, n)) < 0)
                return -1;
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
            bd_toggle_arc(w->b, &w->cur, w->b->seg_arc[h[k++].seg]);
        int to = bd_pset_resolve(&w->cur);
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
    bd_to_grid(b, lat0, lon0, &px, &py);
    bd_to_grid(b, lat1, lon1, &qx, &qy);
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
    bd_country_set(b, latlon[0] * 1e-7, latlon[1] * 1e-7, &w.cur);
    w.cur_country = bd_pset_resolve(&w.cur);
    if (start_country)
        *start_country = w.cur_country;
    for (size_t i = 0; i + 1 < n; i++) {
        const int32_t *p = latlon + 2 * i;
        if (p[0] == p[2] && p[1] == p[3])
            continue;
        w.segment = i;
        w.lat0 = p[0] * 1e-7;
        w.lon0 = bd_wrap_lon(p[1] * 1e-7);
        w.lat1 = p[2] * 1e-7;
        w.lon1 = bd_wrap_lon(p[3] * 1e-7);
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
            bd_country_set(b, lat_s, seam, &w.cur);
            int to = bd_pset_resolve(&w.cur);
            w.f0 = w.f1 = f;
            if (to != w.cur_country)
                emit(&w, 0.0, to);
            walk_degrees(&w, lat_s, -seam, w.lat1, lon1, f, 1.0, OPEN_LO);
        }
        /* Re-anchor at the vertex, so that rounding in one segment cannot carry into the next. */
        pset end;
        bd_country_set(b, w.lat1, lon1, &end);
        int to = bd_pset_resolve(&end);
        w.cur = end;
        if (to != w.cur_country) {
            w.f0 = 0.0;
            w.f1 = 1.0;
            emit(&w, 1.0, to);
        }
    }
    return w.count;
}
