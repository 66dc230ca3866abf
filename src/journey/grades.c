/* grades.c: fits the grade of every graded segment of a laid-out route to the elevations along it, smoothing the
 * noise of the terrain model the elevations come from.
 *
 * Method: the elevations known along the route (jy_layout.heights) make a piecewise-linear profile z(x) in runs
 * without gaps. A segment's grade is the least-squares slope of z over the window [c - W, c + W] around the
 * segment's middle c (W = JY_GRADE_HALF_WINDOW_M), clipped to the segment's run:
 *     slope = integral (x - m)(z - zm) dx / integral (x - m)^2 dx,
 * m and zm the window's mean position and elevation, integrated exactly over each linear piece. On a constant grade
 * the slope is that grade; a bump narrower than the window moves it by at most its area times 6 / W^2. Grades are
 * rounded to 0.1 per mille (about 1 kN per 1000 t), so that neighbours of equal grade make one piece. Limits: a
 * terrain model samples the ground, not the track, so valleys under bridges and hills over tunnels still leave false
 * grades of a few per mille where they are longer than the window, and real grades shorter than the window are
 * flattened; the physics then averages them again over the train's length. */
#include "journey/journey_int.h"

#include <math.h>

/* The moments of z(x) over a window, x taken from the window's centre. */
typedef struct moments {
    double n, x, xx, z, xz; /* integrals of 1, x, x^2, z, x z */
} moments;

/* Adds the part [lo, hi] of the linear piece from (x0, z0) to (x1, z1) (x from the centre) to *m. */
static void add_piece(moments *m, double x0, double z0, double x1, double z1, double lo, double hi)
{
    double a = x0 > lo ? x0 : lo, b = x1 < hi ? x1 : hi, h = b - a;
    if (!(h > 0) || !(x1 > x0))
        return;
    double za = z0 + (z1 - z0) * (a - x0) / (x1 - x0), zb = z0 + (z1 - z0) * (b - x0) / (x1 - x0);
    m->n += h;
    m->x += h * (a + b) / 2;
    m->xx += h * (a * a + a * b + b * b) / 3;
    m->z += h * (za + zb) / 2;
    m->xz += h * (2 * a * za + a * zb + b * za + 2 * b * zb) / 6;
}

/* The least-squares slope of the run of heights h[first .. last] over [c - w, c + w]; *at is the first point that
 * may still lie in the window (it only grows as c grows). */
static double window_slope(const jy_height *h, size_t first, size_t last, size_t *at, double c, double w)
{
    if (*at < first)
        *at = first;
    while (*at + 1 <= last && h[*at + 1].pos <= c - w)
        (*at)++;
    moments m = {0, 0, 0, 0, 0};
    for (size_t i = *at; i < last && h[i].pos < c + w; i++)
        add_piece(&m, h[i].pos - c, h[i].z, h[i + 1].pos - c, h[i + 1].z, -w, w);
    double var = m.n > 0 ? m.xx - m.x * m.x / m.n : 0;
    return var > 0 ? (m.xz - m.x * m.z / m.n) / var : 0;
}

void jy_grade_segments(jy_layout *L)
{
    const jy_height *h = L->heights.v;
    size_t nh = L->heights.n, k = 0, at = 0, last = 0;
    for (size_t i = 0; i < L->segs.n; i++) {
        jy_seg *sg = &L->segs.v[i];
        if (!sg->graded)
            continue;
        double c = (sg->s0 + sg->s1) / 2;
        /* The point where the segment starts, then the end of its run. */
        while (k + 1 < nh && h[k + 1].pos <= sg->s0)
            k++;
        if (last <= k || h[last].run != h[k].run) { /* a graded segment ends at a later point of its run */
            last = k;
            while (last + 1 < nh && h[last + 1].run == h[k].run)
                last++;
        }
        double slope = window_slope(h, h[k].run, last, &at, c, JY_GRADE_HALF_WINDOW_M);
        sg->grade = round(slope * 1e4) / 1e4;
    }
}
