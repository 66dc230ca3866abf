/* borders_antimeridian.c: cuts the outlines' edges that cross the antimeridian and closes the outlines along the map's
 * east and west edges.
 *
 * TopoJSON outlines live on the sphere: an edge from 179.9 E to 179.9 W is 0.2 degrees long. On the plane it would
 * span the map, so such edges are cut at load and the outlines closed along the seam. */
#include "ref/borders_int.h"

#include <math.h>
#include <string.h>

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

/* The seam in the quantized grid: where x is -180 and +180 degrees, and how far 360 degrees is. */
typedef struct seam {
    int64_t xl, xr;
    double period;
} seam;

/* The outline arrays rebuilt with the cuts and the closing edges (allocated with the loader's allocator, sizes as
 * allocated), and how much of them is written. */
typedef struct outline {
    int32_t *pts;
    size_t n_pts; /* points: 2 * n_pts coordinates */
    size_t *arc_start;
    size_t arc_start_n;
    uint32_t *arc_off;
    size_t arc_off_n;
    int32_t *arc_cty;
    size_t arc_cty_n;
    size_t q;  /* points written */
    size_t na; /* arcs written */
    size_t nk; /* arc countries written */
} outline;

/* Whether the edge starting at point p is wider than half the map: it crosses the antimeridian. */
static int is_jump(const loader *L, size_t p)
{
    const borders *b = L->b;
    int64_t dx = (int64_t)b->pts[2 * p + 2] - b->pts[2 * p];
    return dx > L->half_x || dx < -L->half_x;
}

/* Counts the edges of used arcs that cross the antimeridian (*jumps) and their countries (*ends). */
static void count_jumps(const loader *L, size_t *jumps, size_t *ends)
{
    const borders *b = L->b;
    *jumps = *ends = 0;
    for (size_t a = 0; a < b->n_arcs; a++) {
        uint32_t nc = b->arc_off[a + 1] - b->arc_off[a];
        for (size_t p = L->arc_start[a]; nc && p + 1 < L->arc_start[a + 1]; p++) {
            if (is_jump(L, p)) {
                ++*jumps;
                *ends += nc;
            }
        }
    }
}

/* The height at which the edge starting at point p meets the antimeridian, on the face of its first point;
 * *a_west tells whether that point lies on the west face (x of -180 degrees). */
static int32_t cut_height(const loader *L, const seam *sm, size_t p, int *a_west)
{
    const borders *b = L->b;
    int64_t xa = b->pts[2 * p], ya = b->pts[2 * p + 1], xb = b->pts[2 * p + 2], yb = b->pts[2 * p + 3];
    *a_west = xa - sm->xl < sm->xr - xa;
    double xbu = *a_west ? (double)xb - sm->period : (double)xb + sm->period;
    double cross = *a_west ? (double)sm->xl : (double)sm->xr;
    double den = xbu - (double)xa, t = den != 0 ? (cross - (double)xa) / den : 1.0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return (int32_t)llround((double)ya + t * (double)(yb - ya));
}

/* Fills je with the country and height of every cut, one per country of each crossing edge's arc. */
static void collect_cut_heights(const loader *L, const seam *sm, jump_end *je)
{
    const borders *b = L->b;
    size_t e = 0;
    for (size_t a = 0; a < b->n_arcs; a++) {
        for (size_t p = L->arc_start[a]; b->arc_off[a + 1] > b->arc_off[a] && p + 1 < L->arc_start[a + 1]; p++) {
            if (!is_jump(L, p))
                continue;
            int a_west;
            int32_t y = cut_height(L, sm, p, &a_west);
            for (uint32_t k = b->arc_off[a]; k < b->arc_off[a + 1]; k++) {
                je[e].c = b->arc_cty[k];
                je[e].y = y;
                e++;
            }
        }
    }
}

/* The number of closing edges for the cuts je (sorted by country): per country, its heights in pairs (an odd one
 * out alone), on both lines. */
static size_t count_closing_edges(const jump_end *je, size_t ends)
{
    size_t n_close = 0;
    for (size_t i = 0; i < ends;) {
        size_t j = i;
        while (j < ends && je[j].c == je[i].c)
            j++;
        n_close += (j - i + 1) / 2; /* intervals on each line */
        i = j;
    }
    return n_close * 2; /* both lines */
}

static void free_outline(loader *L, outline *o)
{
    util_free(L->a, o->pts, 2 * o->n_pts * sizeof *o->pts);
    util_free(L->a, o->arc_start, o->arc_start_n * sizeof *o->arc_start);
    util_free(L->a, o->arc_off, o->arc_off_n * sizeof *o->arc_off);
    util_free(L->a, o->arc_cty, o->arc_cty_n * sizeof *o->arc_cty);
}

/* Allocates o for n_new points and n_close closing edges besides the present arcs; on failure frees what it took. */
static bogie_status alloc_outline(loader *L, outline *o, size_t n_new, size_t n_close)
{
    const borders *b = L->b;
    memset(o, 0, sizeof *o);
    o->n_pts = n_new;
    o->arc_start_n = b->n_arcs + n_close + 1;
    o->arc_off_n = b->n_arcs + n_close + 1;
    o->arc_cty_n = b->n_arc_cty + n_close;
    o->pts = util_calloc(L->a, 2 * n_new, sizeof *o->pts);
    o->arc_start = util_calloc(L->a, o->arc_start_n, sizeof *o->arc_start);
    o->arc_off = util_calloc(L->a, o->arc_off_n, sizeof *o->arc_off);
    o->arc_cty = util_calloc(L->a, o->arc_cty_n, sizeof *o->arc_cty);
    if (!o->pts || !o->arc_start || !o->arc_off || !o->arc_cty) {
        free_outline(L, o);
        return bd_nomem(L);
    }
    return BOGIE_OK;
}

/* Copies every arc into o, cutting each edge of a used arc that crosses the antimeridian in two: a point on its
 * first point's face and one on the other face, at the same height. */
static void copy_with_cuts(const loader *L, const seam *sm, outline *o)
{
    const borders *b = L->b;
    size_t q = 0;
    for (size_t a = 0; a < b->n_arcs; a++) {
        o->arc_start[a] = q;
        int used = b->arc_off[a + 1] > b->arc_off[a];
        for (size_t p = L->arc_start[a]; p < L->arc_start[a + 1]; p++) {
            o->pts[2 * q] = b->pts[2 * p];
            o->pts[2 * q + 1] = b->pts[2 * p + 1];
            q++;
            if (!used || p + 1 == L->arc_start[a + 1] || !is_jump(L, p))
                continue;
            int a_west;
            int32_t y = cut_height(L, sm, p, &a_west);
            o->pts[2 * q] = (int32_t)(a_west ? sm->xl : sm->xr);
            o->pts[2 * q + 1] = y;
            o->pts[2 * q + 2] = (int32_t)(a_west ? sm->xr : sm->xl);
            o->pts[2 * q + 3] = y;
            q += 2;
        }
    }
    memcpy(o->arc_off, b->arc_off, (b->n_arcs + 1) * sizeof *o->arc_off);
    memcpy(o->arc_cty, b->arc_cty, b->n_arc_cty * sizeof *o->arc_cty);
    o->q = q;
    o->na = b->n_arcs;
    o->nk = o->arc_off[o->na];
}

/* Appends to o a vertical arc of country c from bottom to top on both lines of the seam. */
static void add_closing_pair(const seam *sm, int32_t c, int32_t bottom, int32_t top, outline *o)
{
    for (int side = 0; side < 2; side++) {
        size_t q = o->q;
        o->arc_start[o->na] = q;
        o->pts[2 * q] = (int32_t)(side ? sm->xr : sm->xl);
        o->pts[2 * q + 1] = bottom;
        o->pts[2 * q + 2] = (int32_t)(side ? sm->xr : sm->xl);
        o->pts[2 * q + 3] = top;
        o->q += 2;
        o->arc_cty[o->nk++] = c;
        o->arc_off[++o->na] = (uint32_t)o->nk;
    }
}

/* Closes each country's outline along the seam: its cut heights (je, sorted), in pairs from the top, and an odd one
 * out down to the bottom of the map (y_min). */
static void add_closing_edges(const seam *sm, const jump_end *je, size_t ends, int32_t y_min, outline *o)
{
    for (size_t i = 0; i < ends;) {
        size_t j = i;
        while (j < ends && je[j].c == je[i].c)
            j++;
        /* Heights i..j-1, sorted: pairs from the top; an odd one out goes down to the bottom. */
        for (size_t k = j; k > i;) {
            int32_t top = je[k - 1].y, bottom = k - 1 > i ? je[k - 2].y : y_min;
            k = k - 1 > i ? k - 2 : k - 1;
            add_closing_pair(sm, je[i].c, bottom, top, o);
        }
        i = j;
    }
    o->arc_start[o->na] = o->q;
}

/* Replaces b's points and arcs and L's arc starts with o's. */
static void install_outline(loader *L, const outline *o)
{
    borders *b = L->b;
    util_free(L->a, b->pts, 2 * b->n_pts * sizeof *b->pts);
    util_free(L->a, L->arc_start, L->arc_start_n * sizeof *L->arc_start);
    util_free(L->a, b->arc_off, (b->n_arcs + 1) * sizeof *b->arc_off);
    util_free(L->a, b->arc_cty, b->n_arc_cty * sizeof *b->arc_cty);
    b->pts = o->pts;
    b->n_pts = o->n_pts;
    L->arc_start = o->arc_start;
    L->arc_start_n = o->arc_start_n;
    b->arc_off = o->arc_off;
    b->arc_cty = o->arc_cty;
    b->n_arcs = o->na;
    b->n_arc_cty = o->arc_cty_n;
}

/* Widens the x extent min[0]..max[0] to both lines of the seam. */
static void widen_to_seam(const seam *sm, int64_t min[2], int64_t max[2])
{
    const int64_t xl = sm->xl, xr = sm->xr;
    for (int64_t x = xl; x <= xr; x += xr - xl) {
        if (x < min[0])
            min[0] = x;
        if (x > max[0])
            max[0] = x;
        if (xr == xl)
            break;
    }
}

/* Rings that cross the antimeridian (Russia's Chukotka, Fiji, Antarctica) hold edges from longitude -180 to +180
 * that are short on the sphere but span the whole plane, where they would add a band of the country around the
 * world. Each such edge A->B is cut where it meets the antimeridian, into A->(A's side, y) and (B's side, y)->B, and
 * the horizontal jump between the two sides is left out of the index (next_edge() skips it). Each country's outline
 * is then closed along both lines x(-180) and x(+180) by vertical edges: the heights where its edges were cut,
 * sorted, taken in pairs from the top, and an odd one out closed down to the bottom of the map (a ring around the
 * South Pole: Antarctica). A ring around the North Pole would come out inverted; admin-0 has none. Works on the
 * absolute quantized coordinates, before bd_build_index() shifts them; widens min/max when the cuts lie outside. */
bogie_status bd_split_antimeridian(loader *L, int64_t min[2], int64_t max[2])
{
    borders *b = L->b;
    const double dxl = (-180.0 - b->tx) / b->sx, dxr = (180.0 - b->tx) / b->sx;
    size_t jumps, ends;
    count_jumps(L, &jumps, &ends);
    if (jumps == 0)
        return BOGIE_OK;
    if (!(dxl >= -BORDERS_COORD_LIMIT && dxr <= BORDERS_COORD_LIMIT))
        return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "arcs: edges span more than 180 degrees of longitude, but the "
                       "antimeridian lies beyond +-%d quantized units", BORDERS_COORD_LIMIT);
    const seam sm = {(int64_t)llround(dxl), (int64_t)llround(dxr), 360.0 / b->sx};
    jump_end *je = util_calloc(L->a, ends, sizeof *je);
    if (!je)
        return bd_nomem(L);
    collect_cut_heights(L, &sm, je);
    util_sort(je, ends, sizeof *je, cmp_jump_end);
    /* The new points: every arc with two more per cut, then the closing edges. */
    size_t n_close = count_closing_edges(je, ends);
    size_t n_new = b->n_pts + 2 * jumps + 2 * n_close;
    outline o;
    bogie_status st = n_new >= UINT32_MAX ? bd_fail(L, BOGIE_ERR_UNSUPPORTED, "arcs: too many positions")
                                          : alloc_outline(L, &o, n_new, n_close);
    if (st == BOGIE_OK) {
        copy_with_cuts(L, &sm, &o);
        add_closing_edges(&sm, je, ends, (int32_t)min[1], &o);
        install_outline(L, &o);
        widen_to_seam(&sm, min, max);
    }
    util_free(L->a, je, ends * sizeof *je);
    return st;
}
