/* borders_point.c: which country a point lies in: sets of countries under the even-odd rule, the orientation tests
 * under the symbolic perturbation, and the walk from a grid cell's corner to the point.
 *
 * A point query starts from its cell's corner, whose set of countries the index stores, and toggles the countries of
 * every edge of the cell that the straight path from the corner to the point crosses: cost O(edges in one cell),
 * O(1) in cells no boundary touches.
 *
 * Degeneracies. Query points are taken as moved by (+e, +e^2) for an infinitesimal e (simulation of simplicity), so
 * no point lies on an edge and no path passes through a vertex. With integer corners and edges the corner sets are
 * exact; paths from real-valued points are exact up to the rounding of one orientation test. */
#include "ref/borders_int.h"

#include <math.h>

/* Toggles c in s. Returns -1 when s is full (the toggle is lost), else 0. */
int bd_pset_toggle(pset *s, int32_t c)
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
int bd_pset_resolve(const pset *s)
{
    if (s->n == 0)
        return -1;
    int32_t m = s->c[0];
    for (int i = 1; i < s->n; i++)
        if (s->c[i] < m)
            m = s->c[i];
    return (int)m;
}

/* Loads into s the set of countries that id stands for (as b->corner stores them). */
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

/* Toggles in s the countries of arc. */
void bd_toggle_arc(const borders *b, pset *s, uint32_t arc)
{
    for (uint32_t i = b->arc_off[arc]; i < b->arc_off[arc + 1]; i++)
        bd_pset_toggle(s, b->arc_cty[i]);
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
int bd_path_crosses(const borders *b, uint32_t s, double px, double py, double qx, double qy, double *t)
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
void bd_to_grid(const borders *b, double lat, double lon, double *x, double *y)
{
    *x = (lon - b->tx) / b->sx - b->ox;
    *y = (lat - b->ty) / b->sy - b->oy;
}

/* Longitude brought into [-180, 180): +180 is the antimeridian's west face, -180. */
double bd_wrap_lon(double lon)
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
        if (bd_path_crosses(b, sg, rx, ry, x, y, NULL))
            bd_toggle_arc(b, s, b->seg_arc[sg]);
    }
}

/* The set of countries containing the point (degrees, any longitude). */
void bd_country_set(const borders *b, double lat, double lon, pset *s)
{
    double x, y;
    bd_to_grid(b, lat, bd_wrap_lon(lon), &x, &y);
    point_set(b, x, y, s);
}


int borders_country_at(const borders *b, double lat, double lon)
{
    if (!b)
        return -1;
    pset s;
    bd_country_set(b, lat, lon, &s);
    return bd_pset_resolve(&s);
}
