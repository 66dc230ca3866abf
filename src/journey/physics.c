/* physics.c: integrates a train's motion over distance between two stops (see physics.h for the method). */
#include "journey/physics.h"

#include "base/util.h"

#include <math.h>
#include <stdbool.h>

double phys_effort(const phys_params *p, double v)
{
    if (p->n_curve > 0) {
        if (v <= p->curve[0][0])
            return p->curve[0][1];
        if (v >= p->curve[p->n_curve - 1][0])
            return p->curve[p->n_curve - 1][1];
        /* Binary search for the first point at or above v: curves have up to BOGIE_MAX_EFFORT_POINTS points. */
        size_t lo = 0, hi = p->n_curve - 1; /* curve[lo][0] < v <= curve[hi][0] */
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (p->curve[mid][0] < v)
                lo = mid;
            else
                hi = mid;
        }
        double v0 = p->curve[lo][0], v1 = p->curve[hi][0];
        double f0 = p->curve[lo][1], f1 = p->curve[hi][1];
        return v1 > v0 ? f0 + (f1 - f0) * (v - v0) / (v1 - v0) : f1;
    }
    double f = p->max_effort_n;
    if (v > 0 && p->power_w / v < f)
        f = p->power_w / v;
    return f;
}

double phys_resistance(const phys_params *p, double v, double radius_m)
{
    double r = p->davis_a_n + p->davis_b_n_s_m * v + p->davis_c_n_s2_m2 * v * v;
    if (radius_m > 0)
        r += 0.8 * p->mass_kg * PHYS_G / radius_m; /* 800/R N per kN of weight */
    return r;
}

/* d(v^2)/ds = 2 a, with v^2 = w. */
static double dw_ds(const phys_params *p, double w, double radius_m)
{
    double v = w > 0 ? sqrt(w) : 0;
    double a = (phys_effort(p, v) - phys_resistance(p, v, radius_m)) / (p->mass_kg * p->rot_factor);
    return 2 * a;
}

/* A straight line w(s) = w0 + k s in v^2 over one step. */
typedef struct line {
    double w0, k;
} line;

static double line_at(const line *l, double x)
{
    return l->w0 + l->k * x;
}

/* The time to run [a, b] while v^2 changes linearly from wa to wb: exact for constant acceleration. Returns
 * INFINITY when the train stands still over the whole interval. */
static double linear_time(double len, double wa, double wb)
{
    double va = sqrt(wa > 0 ? wa : 0), vb = sqrt(wb > 0 ? wb : 0);
    if (len <= 0)
        return 0;
    return va + vb > 0 ? 2 * len / (va + vb) : INFINITY;
}

/* Integrates dt = ds / v over one step of length ds where v^2 is the lowest of the lines: splits the step where
 * the lowest line changes and sums the exact time of each linear part. *w_end gets v^2 at the end. Returns false
 * when the train cannot move (v = 0 throughout a part). */
static bool step_time(const line lines[3], double ds, double *dt, double *w_end)
{
    double cuts[5] = {0, ds};
    size_t nc = 2;
    for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++) {
            double dk = lines[a].k - lines[b].k;
            if (dk == 0)
                continue;
            double x = (lines[b].w0 - lines[a].w0) / dk;
            if (x > 0 && x < ds)
                cuts[nc++] = x;
        }
    /* Sort the few cut points. */
    for (size_t i = 1; i < nc; i++)
        for (size_t j = i; j > 0 && cuts[j] < cuts[j - 1]; j--) {
            double tmp = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = tmp;
        }
    double total = 0;
    for (size_t i = 0; i + 1 < nc; i++) {
        double x0 = cuts[i], x1 = cuts[i + 1];
        if (x1 <= x0)
            continue;
        double mid = (x0 + x1) / 2;
        const line *low = &lines[0];
        for (int a = 1; a < 3; a++)
            if (line_at(&lines[a], mid) < line_at(low, mid))
                low = &lines[a];
        double part = linear_time(x1 - x0, line_at(low, x0), line_at(low, x1));
        if (!isfinite(part))
            return false;
        total += part;
    }
    double we = line_at(&lines[0], ds);
    for (int a = 1; a < 3; a++)
        if (line_at(&lines[a], ds) < we)
            we = line_at(&lines[a], ds);
    *dt = total;
    *w_end = we > 0 ? we : 0;
    return true;
}

bogie_status phys_run(const phys_params *p, const phys_piece *pieces, size_t n_pieces, double step_m,
                      const bogie_allocator *alloc, phys_sample **out, size_t *n_out, double *time_s,
                      bogie_diag *diag)
{
    *out = NULL;
    *n_out = 0;
    *time_s = 0;
    if (n_pieces == 0 || !(step_m > 0) || !(p->mass_kg > 0) || !(p->rot_factor > 0) || !(p->brake_ms2 > 0))
        return util_fail(diag, BOGIE_ERR_ARG, "physics: a run needs pieces, a positive step, mass and braking");
    /* Positions: every piece boundary, and steps of at most step_m inside each piece. */
    size_t n = 1;
    for (size_t k = 0; k < n_pieces; k++) {
        double len = pieces[k].end_m - pieces[k].start_m;
        if (!(len >= 0) || !(pieces[k].limit_ms > 0))
            return util_fail(diag, BOGIE_ERR_ARG, "physics: piece %zu has a negative length or no speed limit", k);
        n += len > 0 ? (size_t)ceil(len / step_m) : 0;
    }
    phys_sample *s = util_calloc(alloc, n, sizeof *s);
    size_t *piece_of = util_malloc(alloc, n * sizeof *piece_of); /* the piece of the step that ends at sample i */
    double *env = util_malloc(alloc, n * sizeof *env);            /* braking envelope, as v^2 */
    if (!s || !piece_of || !env) {
        util_free(alloc, s, n * sizeof *s);
        util_free(alloc, piece_of, n * sizeof *piece_of);
        util_free(alloc, env, n * sizeof *env);
        return util_nomem(diag, "simulating the run");
    }
    size_t m = 1;
    s[0].s_m = pieces[0].start_m;
    piece_of[0] = 0;
    for (size_t k = 0; k < n_pieces; k++) {
        double a = pieces[k].start_m, len = pieces[k].end_m - a;
        size_t steps = len > 0 ? (size_t)ceil(len / step_m) : 0;
        for (size_t j = 1; j <= steps; j++) {
            s[m].s_m = j == steps ? pieces[k].end_m : a + len * (double)j / (double)steps;
            piece_of[m++] = k;
        }
    }
    /* The limit at a sample is the lower of the limits on either side of it. */
    for (size_t i = 0; i < m; i++) {
        double lim = pieces[piece_of[i]].limit_ms;
        if (i + 1 < m && pieces[piece_of[i + 1]].limit_ms < lim)
            lim = pieces[piece_of[i + 1]].limit_ms;
        s[i].limit_ms = lim;
    }
    /* Backward pass: from the stop at the end, the highest v^2 from which every later limit can be kept. */
    env[m - 1] = 0;
    for (size_t i = m - 1; i-- > 0;) {
        double w = env[i + 1] + 2 * p->brake_ms2 * (s[i + 1].s_m - s[i].s_m);
        double lim = s[i].limit_ms * s[i].limit_ms;
        env[i] = w < lim ? w : lim;
    }
    /* Forward pass. */
    double w = 0, t = 0;
    bogie_status rc = BOGIE_OK;
    s[0].v_ms = 0;
    s[0].t_s = 0;
    size_t hold_piece = SIZE_MAX; /* the piece whose limit the train is known to be able to hold */
    for (size_t i = 1; i < m; i++) {
        double ds = s[i].s_m - s[i - 1].s_m;
        const phys_piece *pc = &pieces[piece_of[i]];
        double lim2 = pc->limit_ms * pc->limit_ms;
        /* Cruising at the limit with no braking due by the end of the step: the speed stays put, and the time is
         * exact without integrating. Whether the effort suffices to hold the limit is checked once per piece. */
        if (w == lim2 && env[i] >= lim2) {
            if (hold_piece != piece_of[i] && dw_ds(p, w, pc->radius_m) >= 0)
                hold_piece = piece_of[i];
            if (hold_piece == piece_of[i]) {
                t += ds / pc->limit_ms;
                s[i].v_ms = pc->limit_ms;
                s[i].t_s = t;
                continue;
            }
        }
        double k1 = dw_ds(p, w, pc->radius_m);
        double k2 = dw_ds(p, w + ds / 2 * k1, pc->radius_m);
        double k3 = dw_ds(p, w + ds / 2 * k2, pc->radius_m);
        double k4 = dw_ds(p, w + ds * k3, pc->radius_m);
        double acc_end = w + ds / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
        if (acc_end < 0)
            acc_end = 0;
        /* Within the step, v^2 follows the lowest of three lines in s: acceleration, the piece's limit, and the
         * braking curve that ends at the envelope's value at the end of the step. */
        line lines[3] = {{w, (acc_end - w) / ds},
                         {pc->limit_ms * pc->limit_ms, 0},
                         {env[i] + 2 * p->brake_ms2 * ds, -2 * p->brake_ms2}};
        double dt, next;
        if (!step_time(lines, ds, &dt, &next)) {
            rc = util_fail(diag, BOGIE_ERR_ARG,
                           "the train cannot move at %.0f m: its running resistance (%.0f kN) is not less than its "
                           "tractive effort (%.0f kN)",
                           s[i - 1].s_m, phys_resistance(p, 0, pc->radius_m) / 1000, phys_effort(p, 0) / 1000);
            break;
        }
        t += dt;
        w = next;
        s[i].v_ms = sqrt(next);
        s[i].t_s = t;
    }
    util_free(alloc, piece_of, n * sizeof *piece_of);
    util_free(alloc, env, n * sizeof *env);
    if (rc != BOGIE_OK) {
        util_free(alloc, s, n * sizeof *s);
        return rc;
    }
    *out = s;
    *n_out = m; /* m == n: n counted exactly the samples added */
    *time_s = t;
    return BOGIE_OK;
}

double phys_time_at(const phys_sample *s, size_t n, double x)
{
    if (n == 0)
        return 0;
    if (x <= s[0].s_m)
        return s[0].t_s;
    size_t lo = 0, hi = n - 1;
    if (x >= s[hi].s_m)
        return s[hi].t_s;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s[mid].s_m <= x)
            lo = mid;
        else
            hi = mid;
    }
    double span = s[hi].s_m - s[lo].s_m;
    if (span <= 0)
        return s[lo].t_s;
    /* Within a step the speed changes linearly with distance only approximately; at the step sizes used (tens of
     * metres) interpolating time linearly is accurate to well under a second. */
    return s[lo].t_s + (s[hi].t_s - s[lo].t_s) * (x - s[lo].s_m) / span;
}
