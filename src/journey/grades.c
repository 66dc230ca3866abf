/* grades.c: fits the grade of every graded segment of a laid-out route to the elevations along it, smoothing the
 * noise of the terrain model the elevations come from.
 *
 * Method: the elevations known along the route (jy_layout.heights) make a piecewise-linear profile z(x) in runs
 * without gaps. A segment's grade is the least-squares slope of z over the window [c - W, c + W] around the
 * segment's middle c (W = JY_GRADE_HALF_WINDOW_M), clipped to the segment's run:
 *     slope = integral (x - m)(z - zm) dx / integral (x - m)^2 dx,
 * m and zm the window's mean position and elevation, integrated exactly over each linear piece: prefix sums of the
 * moments along each run give the pieces inside the window in O(1), the parts at its ends are added, so a route
 * of n points takes O(n) (over every point in the window, 10,000 km took 15 ms more). On a constant grade
 * the slope is that grade; a bump narrower than the window moves it by at most its area times 6 / W^2. Grades are
 * rounded to 0.1 per mille (about 1 kN per 1000 t), so that neighbours of equal grade make one piece. Limits: a
 * terrain model samples the ground, not the track, so valleys under bridges and hills over tunnels still leave false
 * grades of a few per mille where they are longer than the window, and real grades shorter than the window are
 * flattened; the physics then averages them again over the train's length. */
#include "journey/journey_int.h"

#include <math.h>

/* The moments of z(x) over a stretch, x taken from the first point of its run. */
typedef struct moments {
    double n, x, xx, z, xz; /* integrals of 1, x, x^2, z, x z */
} moments;

/* Adds the part [lo, hi] of the linear piece from (x0, z0) to (x1, z1) to *m. */
static inline void add_piece(moments *m, double x0, double z0, double x1, double z1, double lo, double hi)
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

/* Adds the part [lo, hi] of the piece from height point i to i + 1 (x from the first point of its run) to *m.
 * Inline, so that the prefix sums keep their moments in registers rather than in memory across a call. */
static inline void add_height_piece(moments *m, const jy_height *h, size_t i, double lo, double hi)
{
    double x0 = h[h[i].run].pos;
    add_piece(m, h[i].pos - x0, h[i].z, h[i + 1].pos - x0, h[i + 1].z, lo - x0, hi - x0);
}

/* pre[i]: the moments from the first point of point i's run to point i, for the n points at h. */
static void prefix_moments(const jy_height *h, size_t n, moments *pre)
{
    for (size_t i = 0; i < n; i++) {
        moments m = {0, 0, 0, 0, 0};
        if (h[i].run != i) {
            m = pre[i - 1];
            add_height_piece(&m, h, i - 1, -INFINITY, INFINITY);
        }
        pre[i] = m;
    }
}

/* The scan of one run: its points first .. last, and the first point at or after the window's start (*ia) and the
 * last at or before its end (*ib); both only grow as the window moves along the run. */
typedef struct run_scan {
    size_t first, last, ia, ib;
} run_scan;

/* The least-squares slope of the heights of run r over [c - w, c + w], clipped to the run: the full pieces inside
 * from the prefix moments pre, the parts at the window's ends added. */
static double window_slope(const jy_height *h, const moments *pre, run_scan *r, double c, double w)
{
    double a = c - w, b = c + w; /* not fmax and fmin, which are calls: the positions are never NaN */
    a = a > h[r->first].pos ? a : h[r->first].pos;
    b = b < h[r->last].pos ? b : h[r->last].pos;
    while (r->ia < r->last && h[r->ia].pos < a)
        r->ia++;
    while (r->ib < r->last && h[r->ib + 1].pos <= b)
        r->ib++;
    moments m = {0, 0, 0, 0, 0};
    if (r->ia <= r->ib) {
        const moments *p = &pre[r->ib], *q = &pre[r->ia];
        m = (moments){p->n - q->n, p->x - q->x, p->xx - q->xx, p->z - q->z, p->xz - q->xz};
    }
    if (r->ia > r->first)
        add_height_piece(&m, h, r->ia - 1, a, b);
    if (r->ib < r->last && r->ib + 1 != r->ia)
        add_height_piece(&m, h, r->ib, a, b);
    double var = m.n > 0 ? m.xx - m.x * m.x / m.n : 0;
    return var > 0 ? (m.xz - m.x * m.z / m.n) / var : 0;
}

bogie_status jy_grade_segments(jy_layout *L, bogie_diag *diag)
{
    const jy_height *h = L->heights.v;
    size_t nh = L->heights.n, k = 0;
    if (nh == 0)
        return BOGIE_OK;
    moments *pre = util_malloc(L->a, nh * sizeof *pre);
    if (!pre)
        return util_nomem(diag, "fitting the grades");
    prefix_moments(h, nh, pre);
    run_scan r = {0, 0, 0, 0};
    bool in_run = false;
    for (size_t i = 0; i < L->segs.n; i++) {
        jy_seg *sg = &L->segs.v[i];
        if (!sg->graded)
            continue;
        /* The point where the segment starts, then its run's points. */
        while (k + 1 < nh && h[k + 1].pos <= sg->s0)
            k++;
        if (!in_run || h[k].run != r.first) {
            r.first = r.ia = r.ib = h[k].run;
            for (r.last = k; r.last + 1 < nh && h[r.last + 1].run == r.first;)
                r.last++;
            in_run = true;
        }
        double slope = window_slope(h, pre, &r, (sg->s0 + sg->s1) / 2, JY_GRADE_HALF_WINDOW_M);
        sg->grade = round(slope * 1e4) / 1e4;
    }
    util_free(L->a, pre, nh * sizeof *pre);
    return BOGIE_OK;
}
