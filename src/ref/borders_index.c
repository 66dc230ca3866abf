/* borders_index.c: builds the uniform grid over the outlines' quantized coordinates that the point and crossing
 * queries walk.
 *
 * Boundary edges are the segments of the TopoJSON arcs, kept in the file's integer coordinates (shifted so the
 * smallest is 0). Each arc knows the countries whose rings use it an odd number of times; crossing one of its edges
 * toggles membership of each of them (even-odd rule per country; shared borders toggle two countries, and a border
 * between two features of one country toggles nothing and is dropped). A grid of cells of about 0.25 degrees lists
 * the edges touching each cell, and for the lower-left corner of every cell stores the set of countries that contain
 * it, found by a scanline along each row of corners. */
#include "ref/borders_int.h"

#include <math.h>
#include <string.h>

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
            if (!bd_same_point(b, s, s + 1) && dx <= L->half_x && dx >= -L->half_x) {
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
    if (bd_alloc_array(L, &b->cell_off, ncells + 1, sizeof *b->cell_off))
        return bd_nomem(L);
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
                    return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "arcs: too many edge-cell pairs for the index");
            }
            b->cell_off[ncells] = (uint32_t)sum;
            b->n_cell_seg = sum == 0 ? 1 : sum;
            if (bd_alloc_array(L, &b->cell_seg, sum, sizeof *b->cell_seg))
                return bd_nomem(L);
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
        *st = bd_fail(L, BOGIE_ERR_UNSUPPORTED, "objects.countries: too many overlapping outlines");
        return 0;
    }
    size_t items = b->n_sets ? b->set_off[b->n_sets] : 0;
    if (util_grow(L->a, (void **)&b->set_off, &b->set_off_cap, b->n_sets + 2, sizeof *b->set_off) ||
        util_grow(L->a, (void **)&b->set_items, &b->set_items_cap, items + (size_t)s->n, sizeof *b->set_items)) {
        *st = bd_nomem(L);
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
    if (bd_alloc_array(L, &L->row_off, nrow + 1, sizeof *L->row_off) ||
        bd_alloc_array(L, &b->corner, nrow * ncol, sizeof *b->corner))
        return bd_nomem(L);
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
            if (bd_alloc_array(L, &L->row_cross, sum, sizeof *L->row_cross))
                return bd_nomem(L);
        }
    }
    memmove(L->row_off + 1, L->row_off, nrow * sizeof *L->row_off);
    L->row_off[0] = 0;
    bogie_status st = BOGIE_OK;
    for (size_t j = 0; j < nrow; j++) {
        uint64_t *r = L->row_cross + L->row_off[j];
        size_t n = L->row_off[j + 1] - L->row_off[j], e = 0;
        util_sort(r, n, sizeof *r, bd_cmp_u64);
        pset cur = {0};
        for (size_t i = 0; i < ncol; i++) {
            for (; e < n && (r[e] >> 32) == i; e++) {
                uint32_t arc = (uint32_t)(r[e] & 0xffffffffu);
                for (uint32_t k = b->arc_off[arc]; k < b->arc_off[arc + 1]; k++)
                    if (bd_pset_toggle(&cur, b->arc_cty[k]) != 0)
                        return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "objects.countries: more than %d outlines overlap",
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

/* Shifts the points to the origin, fixes the grid's size and builds the index. */
bogie_status bd_build_index(loader *L, const int64_t min[2], const int64_t max[2])
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

    if (bd_alloc_array(L, &b->seg_arc, b->n_pts, sizeof *b->seg_arc))
        return bd_nomem(L);
    for (size_t a = 0; a < b->n_arcs; a++)
        for (size_t p = L->arc_start[a]; p < L->arc_start[a + 1]; p++)
            b->seg_arc[p] = (uint32_t)a;
    bogie_status st = build_cells(L);
    if (st == BOGIE_OK)
        st = build_corners(L);
    return st;
}
