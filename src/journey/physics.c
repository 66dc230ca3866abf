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

/* The curve resistance on a curve of radius_m (0: straight), in newtons: 800/R N per kN of weight. */
static double curve_force(const phys_params *p, double radius_m)
{
    return radius_m > 0 ? 0.8 * p->mass_kg * PHYS_G / radius_m : 0;
}

double phys_resistance(const phys_params *p, double v, double radius_m)
{
    double r = p->davis_a_n + p->davis_b_n_s_m * v + p->davis_c_n_s2_m2 * v * v;
    if (radius_m > 0)
        r += curve_force(p, radius_m);
    return r;
}

double phys_grade_force(const phys_params *p, double grade)
{
    return p->mass_kg * PHYS_G * grade;
}

/* The force of piece pc that does not depend on speed, in newtons: curve resistance plus the weight force of its
 * grade (negative downhill). */
static double track_force(const phys_params *p, const phys_piece *pc)
{
    return curve_force(p, pc->radius_m) + phys_grade_force(p, pc->grade);
}

/* The acceleration at speed v where the track adds track_n newtons (track_force()) to the running resistance. */
static double accel(const phys_params *p, double v, double track_n)
{
    return (phys_effort(p, v) - (phys_resistance(p, v, 0) + track_n)) / (p->mass_kg * p->rot_factor);
}

/* d(v^2)/ds = 2 a, with v^2 = w. */
static double dw_ds(const phys_params *p, double w, double track_n)
{
    return 2 * accel(p, w > 0 ? sqrt(w) : 0, track_n);
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

/* The time to run len metres under the train's own acceleration from v^2 = wa to wb. Where the speed changes by
 * more than 1 % and the acceleration keeps its sign and varies by less than a factor 4, this is the integral of
 * dv / a(v) from va to vb by three-point Gauss-Legendre quadrature (exact where 1 / a is a polynomial of degree 5
 * or less in v), which holds however the effort falls with speed; elsewhere, and for constant acceleration, linear_time(). */
static double accel_time(const phys_params *p, double track_n, double len, double wa, double wb)
{
    double va = sqrt(wa > 0 ? wa : 0), vb = sqrt(wb > 0 ? wb : 0);
    if (!(fabs(vb - va) > 0.01 * (va > vb ? va : vb)))
        return linear_time(len, wa, wb);
    static const double node[3] = {-0.7745966692414834, 0, 0.7745966692414834}; /* -sqrt(3/5), 0, sqrt(3/5) */
    static const double weight[3] = {5.0 / 9, 8.0 / 9, 5.0 / 9};
    double mid = (va + vb) / 2, half = (vb - va) / 2, sum = 0, lo = INFINITY, hi = 0;
    double ends[2] = {accel(p, va, track_n), accel(p, vb, track_n)};
    for (int i = 0; i < 5; i++) {
        double a = i < 3 ? accel(p, mid + half * node[i], track_n) : ends[i - 3];
        if (i < 3)
            sum += weight[i] / a;
        lo = fabs(a) < lo ? fabs(a) : lo;
        hi = fabs(a) > hi ? fabs(a) : hi;
        if (a * (vb - va) <= 0) /* the acceleration changes sign, or does not move the speed the way it goes */
            return linear_time(len, wa, wb);
    }
    return hi < 4 * lo ? half * sum : linear_time(len, wa, wb);
}

/* Sorts the n cut points at cuts (a few). */
static void sort_cuts(double *cuts, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cuts[j] < cuts[j - 1]; j--) {
            double tmp = cuts[j];
            cuts[j] = cuts[j - 1];
            cuts[j - 1] = tmp;
        }
}

/* Integrates dt = ds / v over one step of length ds where v^2 is the lowest of the lines (lines[0] the train's own
 * acceleration where the track adds track_n newtons): splits the step where the lowest line changes and sums the time of each
 * part. *w_end gets v^2 at the end. Returns false when the train cannot move (v = 0 throughout a part). */
static bool step_time(const phys_params *p, double track_n, const line lines[3], double ds, double *dt,
                      double *w_end)
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
    sort_cuts(cuts, nc);
    double total = 0;
    for (size_t i = 0; i + 1 < nc; i++) {
        double x0 = cuts[i], x1 = cuts[i + 1];
        if (x1 <= x0)
            continue;
        double mid = (x0 + x1) / 2;
        int low = 0;
        for (int a = 1; a < 3; a++)
            if (line_at(&lines[a], mid) < line_at(&lines[low], mid))
                low = a;
        double w0 = line_at(&lines[low], x0), w1 = line_at(&lines[low], x1);
        double part = low == 0 ? accel_time(p, track_n, x1 - x0, w0, w1) : linear_time(x1 - x0, w0, w1);
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

/* Advances len metres through piece pc from v^2 = w, where the braking envelope is env_end (as v^2) at the end:
 * fourth-order Runge-Kutta gives v^2 under the train's own acceleration at the end, and within the step v^2
 * follows the lowest of three lines in s: that acceleration, the piece's limit, and the braking curve that ends at
 * env_end. *dt and *w_end get the time and v^2 at the end; false when the train cannot move. */
static bool advance(const phys_params *p, const phys_piece *pc, double w, double len, double env_end, double *dt,
                    double *w_end)
{
    double r = track_force(p, pc);
    double k1 = dw_ds(p, w, r);
    double k2 = dw_ds(p, w + len / 2 * k1, r);
    double k3 = dw_ds(p, w + len / 2 * k2, r);
    double k4 = dw_ds(p, w + len * k3, r);
    double acc_end = w + len / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    if (acc_end < 0)
        acc_end = 0;
    line lines[3] = {{w, (acc_end - w) / len},
                     {pc->limit_ms * pc->limit_ms, 0},
                     {env_end + 2 * p->brake_ms2 * len, -2 * p->brake_ms2}};
    return step_time(p, r, lines, len, dt, w_end);
}

/* The first step from standstill, of len metres: v^2 grows like s from 0, where its square root (the speed, on
 * which the effort depends) has no derivative, so one Runge-Kutta step over it is inexact when the effort varies
 * with speed. The step is cut at len / 2^k for k = PHYS_START_SPLITS .. 1, so that v^2 about doubles over each
 * part, and each part is advanced on its own; the first, len / 2^PHYS_START_SPLITS long, takes a negligible share
 * of the time. */
#define PHYS_START_SPLITS 10
static bool advance_from_rest(const phys_params *p, const phys_piece *pc, double len, double env_end, double *dt,
                              double *w_end)
{
    double w = 0, t = 0, x0 = 0;
    for (int k = PHYS_START_SPLITS; k >= 0; k--) {
        double x1 = k > 0 ? ldexp(len, -k) : len, part;
        if (!advance(p, pc, w, x1 - x0, env_end + 2 * p->brake_ms2 * (len - x1), &part, &w))
            return false;
        t += part;
        x0 = x1;
    }
    *dt = t;
    *w_end = w;
    return true;
}

/* Advances one step of ds metres through piece pc from v^2 = w in parts of at most part_m (ds is longer on runs of
 * more than PHYS_MAX_STEPS steps: the samples are spread out, not the integration), each timed exactly at a limit
 * the train can hold and advanced otherwise; env_end and the results as for advance(). */
static bool advance_step(const phys_params *p, const phys_piece *pc, double w, double ds, double part_m,
                         double env_end, double *dt, double *w_end)
{
    size_t parts = ds > part_m * (1 + 1e-9) ? (size_t)ceil(ds / part_m) : 1;
    double t = 0, x0 = 0, lim2 = pc->limit_ms * pc->limit_ms;
    for (size_t j = 1; j <= parts; j++) {
        double x1 = j == parts ? ds : ds * (double)j / (double)parts, d;
        double env = env_end + 2 * p->brake_ms2 * (ds - x1); /* the braking curve at the end of the part */
        bool moved = true;
        if (w == lim2 && env >= lim2 && dw_ds(p, w, track_force(p, pc)) >= 0)
            d = (x1 - x0) / pc->limit_ms;
        else
            moved = w > 0 ? advance(p, pc, w, x1 - x0, env, &d, &w) : advance_from_rest(p, pc, x1 - x0, env, &d, &w);
        if (!moved)
            return false;
        t += d;
        x0 = x1;
    }
    *dt = t;
    *w_end = w;
    return true;
}

/* The height the grades of the n pieces at in give at each piece's start, from 0 at the first, into z. */
static void height_at_starts(const phys_piece *in, size_t n, double *z)
{
    z[0] = 0;
    for (size_t k = 1; k < n; k++)
        z[k] = z[k - 1] + in[k - 1].grade * (in[k - 1].end_m - in[k - 1].start_m);
}

/* The height at position x (height_at_starts() in z); before the first piece the track continues at its grade.
 * *k is the piece to search from, moved to the one holding x: calls must come with rising x. */
static inline double height_at(const phys_piece *in, size_t n, const double *z, size_t *k, double x)
{
    if (x <= in[0].start_m)
        return in[0].grade * (x - in[0].start_m);
    while (*k + 1 < n && in[*k].end_m < x)
        (*k)++;
    double d = (x < in[*k].end_m ? x : in[*k].end_m) - in[*k].start_m;
    return z[*k] + in[*k].grade * d;
}

/* The pieces as the train's head sees them: at head position s the limit is the lowest of those on [s - L, s], the
 * track the train of length L covers (a lower limit holds until the tail has cleared it; the track behind the start
 * counts as clear), and the radius is that under the head. The boundaries are those of the pieces and each piece's
 * end plus L; a sliding-window minimum (a deque of pieces with rising limits) gives each stretch its limit in
 * O(n). The grade is the mean over [s - L, s], (z(s) - z(s - L)) / L with z the height the grades give (the track
 * behind the start continues at the first piece's grade): the weight force on a train of evenly spread mass. Within
 * each stretch both s and s - L stay inside one piece, so that mean is linear in s and its value at the middle is
 * the stretch's mean. Writes at most 2 n pieces to out (the caller's) and returns their number; idx and z are the
 * caller's scratch of n entries each. */
static size_t tail_pieces(const phys_piece *in, size_t n, double length_m, phys_piece *out, size_t *idx, double *z)
{
    height_at_starts(in, n, z);
    size_t zh = 0, zt = 0; /* the pieces holding the stretch's middle and the middle minus L */
    double end = in[n - 1].end_m;
    size_t m = 0, head = 0, enter = 0, leave = 0, dq0 = 0, dq1 = 0; /* the deque is idx[dq0 .. dq1) */
    double at = in[0].start_m;
    while (at < end) {
        /* The next boundary: the next piece's start, or the next end plus L. */
        while (head < n && in[head].end_m <= at)
            head++;
        while (leave < n && in[leave].end_m + length_m <= at)
            leave++;
        double next = head < n ? in[head].end_m : end;
        if (leave < n && in[leave].end_m + length_m < next)
            next = in[leave].end_m + length_m;
        if (next > end)
            next = end;
        double mid = (at + next) / 2;
        for (; enter < n && in[enter].start_m < mid; enter++) {
            if (!(in[enter].end_m > in[enter].start_m))
                continue; /* a piece of no length limits nothing */
            while (dq1 > dq0 && in[idx[dq1 - 1]].limit_ms >= in[enter].limit_ms)
                dq1--;
            idx[dq1++] = enter;
        }
        while (dq1 - dq0 > 1 && in[idx[dq0]].end_m + length_m <= mid)
            dq0++;
        phys_piece pc = {at, next, in[idx[dq0]].limit_ms, in[head < n ? head : n - 1].radius_m, 0};
        pc.grade = (height_at(in, n, z, &zh, mid) - height_at(in, n, z, &zt, mid - length_m)) / length_m;
        if (m > 0 && out[m - 1].limit_ms == pc.limit_ms && out[m - 1].radius_m == pc.radius_m &&
            out[m - 1].grade == pc.grade)
            out[m - 1].end_m = next;
        else
            out[m++] = pc;
        at = next;
    }
    return m;
}
/* The samples of a run as they are written (phys_run()'s *out), grown by doubling with alloc. */
typedef struct run_out {
    const bogie_allocator *alloc;
    phys_sample *v;
    size_t n, cap;
    bool held; /* the last sample ends a step held at the limit (its speed) since the one before it */
} run_out;

/* Appends sample x, which a step held at the limit ends when held is set. Where the step before was held at the
 * same speed and limit too, x replaces the last sample: the time there is linear in position between the first
 * sample of the held stretch and x, so the samples between say nothing that interpolation does not. Returns -1
 * when out of memory. */
static inline int out_push(run_out *o, phys_sample x, bool held)
{
    if (held && o->held && o->n >= 2 && o->v[o->n - 1].v_ms == x.v_ms && o->v[o->n - 1].limit_ms == x.limit_ms &&
        o->v[o->n - 2].limit_ms == x.limit_ms) {
        o->v[o->n - 1] = x;
        return 0;
    }
    if (util_grow(o->alloc, (void **)&o->v, &o->cap, o->n + 1, sizeof *o->v) != 0)
        return -1;
    o->v[o->n++] = x;
    o->held = held;
    return 0;
}

/* The number of steps piece pc takes at step_m. */
static size_t piece_steps(const phys_piece *pc, double step_m)
{
    double len = pc->end_m - pc->start_m, x = len / step_m;
    if (!(len > 0))
        return 0;
    size_t k = (size_t)x; /* ceil(x) without the call: x is positive and far below 2^64 */
    return (double)k < x ? k + 1 : k;
}

/* The next piece after k that has a length (n when none). */
static size_t next_piece(const phys_piece *pieces, size_t n, size_t k)
{
    for (k++; k < n && !(pieces[k].end_m > pieces[k].start_m); k++)
        ;
    return k;
}

/* The limit of the sample at the end of piece k: the lower of its limit and that of the next piece with a length
 * (the head is at both). */
static double end_limit(const phys_piece *pieces, size_t n, size_t k)
{
    size_t nx = next_piece(pieces, n, k);
    return nx < n && pieces[nx].limit_ms < pieces[k].limit_ms ? pieces[nx].limit_ms : pieces[k].limit_ms;
}

/* The braking envelope at the end of each piece, as v^2, into env, and the limit there (end_limit()) into lim_end
 * (n entries each, the caller's): the highest v^2 from which the train can still keep every later limit and stop at
 * the end, by the backward recursion env = min(limit^2, env after + 2 b ds) over pieces rather than steps. Inside
 * piece k it is then min(limit_k^2, env[k] + 2 b (end_k - s)) (envelope_at()): braking at constant deceleration is
 * linear in v^2, so the steps between add nothing. Pieces of no length take the envelope of the one after. */
static void piece_envelopes(const phys_params *p, const phys_piece *pieces, size_t n, double *env, double *lim_end)
{
    double after = 0; /* at the start of the next piece with a length: the stop at the end */
    for (size_t k = n; k-- > 0;) {
        double lim = lim_end[k] = end_limit(pieces, n, k), w = after;
        env[k] = w < lim * lim ? w : lim * lim;
        if (pieces[k].end_m > pieces[k].start_m) {
            double back = env[k] + 2 * p->brake_ms2 * (pieces[k].end_m - pieces[k].start_m);
            after = back < pieces[k].limit_ms * pieces[k].limit_ms ? back : pieces[k].limit_ms * pieces[k].limit_ms;
        }
    }
}

/* The envelope (v^2) at position s of piece pc, whose end has env_end (piece_envelopes()). */
static double envelope_at(const phys_params *p, const phys_piece *pc, double env_end, double s)
{
    double w = env_end + 2 * p->brake_ms2 * (pc->end_m - s), lim2 = pc->limit_ms * pc->limit_ms;
    return w < lim2 ? w : lim2;
}

/* The failure of a train that came to a stand at s_m on piece pc: its effort at rest does not exceed the running
 * resistance plus, where the piece climbs, the weight force of its grade (as the train's length averages it). */
static bogie_status stuck(const phys_params *p, const phys_piece *pc, double s_m, bogie_diag *diag)
{
    double res = phys_resistance(p, 0, pc->radius_m) / 1000, effort = phys_effort(p, 0) / 1000;
    if (pc->grade > 0)
        return util_fail(diag, BOGIE_ERR_ARG,
                         "the train cannot move at %.0f m: on a grade of %.1f per mille its running resistance "
                         "(%.0f kN) and weight force (%.0f kN) are not less than its tractive effort (%.0f kN)",
                         s_m, pc->grade * 1000, res, phys_grade_force(p, pc->grade) / 1000, effort);
    return util_fail(diag, BOGIE_ERR_ARG,
                     "the train cannot move at %.0f m: its running resistance (%.0f kN) is not less than its "
                     "tractive effort (%.0f kN)",
                     s_m, res, effort);
}

/* The position at the end of step j of the steps of piece pc. */
static double step_end(const phys_piece *pc, size_t j, size_t steps)
{
    return j == steps ? pc->end_m : pc->start_m + (pc->end_m - pc->start_m) * (double)j / (double)steps;
}

/* The last step before the end of piece pc (of steps, from step j, whose end the braking envelope does not reach
 * below the limit) whose end the envelope does not reach below the limit either: the end of the stretch that the
 * train, holding the limit at step j, holds. The envelope falls with position, so a binary search over the steps
 * finds the step that testing them one by one would. */
static size_t last_held_step(const phys_params *p, const phys_piece *pc, double env_end, size_t j, size_t steps)
{
    double lim2 = pc->limit_ms * pc->limit_ms;
    size_t lo = j, hi = steps; /* step lo is held; step hi is the piece's last, not taken here */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (envelope_at(p, pc, env_end, step_end(pc, mid, steps)) >= lim2)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The state of the forward pass between steps. */
typedef struct run_state {
    double w, t, s;    /* v^2, time and position at the last step's end */
    size_t hold_piece; /* the piece whose limit the train is known to be able to hold */
    size_t steps;      /* steps taken, those run as one included */
    size_t next_check; /* the step at which the deadline is checked next */
    double hold_limit, hold_effort, hold_resistance; /* the effort and resistance at that limit (can_hold()) */
} run_state;

/* Whether the train can hold the limit of piece pc once it runs at it (v^2 = w = the limit squared): its effort
 * there is not less than its resistance and the track's force, as dw_ds() >= 0 says. The effort and the resistance
 * at the limit are kept in st for the next piece of the same limit (most are). */
static bool can_hold(const phys_params *p, const phys_piece *pc, double w, run_state *st)
{
    if (st->hold_limit != pc->limit_ms) {
        double v = w > 0 ? sqrt(w) : 0;
        st->hold_limit = pc->limit_ms;
        st->hold_effort = phys_effort(p, v);
        st->hold_resistance = phys_resistance(p, v, 0);
    }
    return (st->hold_effort - (st->hold_resistance + track_force(p, pc))) / (p->mass_kg * p->rot_factor) * 2 >= 0;
}

/* Runs piece k (of n, with a length) in steps of at most step_m, integrated in parts of at most part_m, from the
 * state *st, appending a sample at the end of each step to o. env_end is the envelope at the piece's end and
 * lim_end the limit there. */
static bogie_status run_piece(const phys_params *p, const phys_piece *pieces, size_t k, double env_end,
                              double lim_end, double step_m, double part_m, run_state *st, run_out *o,
                              bogie_diag *diag)
{
    const phys_piece *pc = &pieces[k];
    double lim2 = pc->limit_ms * pc->limit_ms;
    size_t steps = piece_steps(pc, step_m);
    for (size_t j = 1; j <= steps; j++) {
        if (++st->steps >= st->next_check && p->deadline > 0) {
            st->next_check = st->steps + 4096; /* the clock is read on the first step and every 4096 after */
            if (util_now() > p->deadline)
                return util_fail(diag, BOGIE_ERR_CANCELLED, "the time limit ran out while timing the run");
        }
        double s = step_end(pc, j, steps);
        double env = j == steps ? env_end : envelope_at(p, pc, env_end, s);
        /* Cruising at the limit with no braking due by the end of the step: the speed stays put, and the time is
         * exact without integrating. Whether the effort suffices to hold the limit is checked once per piece; the
         * steps that follow stay held up to the last one before braking begins, so they are run as one. */
        bool held = false;
        if (st->w == lim2 && env >= lim2) {
            if (st->hold_piece != k && can_hold(p, pc, st->w, st))
                st->hold_piece = k;
            held = st->hold_piece == k;
        }
        if (held && j < steps) {
            size_t last = last_held_step(p, pc, env_end, j, steps);
            st->steps += last - j;
            j = last;
            s = step_end(pc, j, steps);
        }
        double ds = s - st->s, v;
        if (held) {
            st->t += ds / pc->limit_ms;
            v = pc->limit_ms;
        } else {
            double dt, next;
            if (!advance_step(p, pc, st->w, ds, part_m, env, &dt, &next))
                return stuck(p, pc, st->s, diag);
            st->t += dt;
            st->w = next;
            v = sqrt(next);
        }
        st->s = s;
        /* The sample is made whole here, at once: filled in field by field it went through memory, and copying
         * it out stalled on those stores (about a tenth of the run's time). */
        if (out_push(o, (phys_sample){s, st->t, v, j == steps ? lim_end : pc->limit_ms}, held) != 0)
            return util_nomem(diag, "simulating the run");
    }
    return BOGIE_OK;
}

/* The forward pass over the n pieces: the samples into o, from standstill at the start, and *time_s the total. */
static bogie_status run_pieces(const phys_params *p, const phys_piece *pieces, size_t n, double step_m, double part_m,
                               run_out *o, double *time_s, bogie_diag *diag)
{
    double *env = util_malloc(o->alloc, 2 * n * sizeof *env), *lim_end = env + n;
    if (!env)
        return util_nomem(diag, "simulating the run");
    piece_envelopes(p, pieces, n, env, lim_end);
    run_state st = {0, 0, pieces[0].start_m, SIZE_MAX, 0, 0, -1, 0, 0};
    /* The first sample's limit is the lower of the first piece's and the next one's, as at every boundary. */
    size_t first = pieces[0].end_m > pieces[0].start_m ? 0 : next_piece(pieces, n, 0);
    double lim0 = pieces[0].limit_ms;
    if (first < n && pieces[first].limit_ms < lim0)
        lim0 = pieces[first].limit_ms;
    bogie_status rc = out_push(o, (phys_sample){pieces[0].start_m, 0, 0, lim0}, false) != 0
                          ? util_nomem(diag, "simulating the run")
                          : BOGIE_OK;
    for (size_t k = 0; rc == BOGIE_OK && k < n; k++)
        if (pieces[k].end_m > pieces[k].start_m)
            rc = run_piece(p, pieces, k, env[k], lim_end[k], step_m, part_m, &st, o, diag);
    util_free(o->alloc, env, 2 * n * sizeof *env);
    *time_s = st.t;
    return rc;
}
/* The pieces as the train's head sees them (tail_pieces()) in *head, allocated with alloc (2 * n entries; the
 * caller frees them), and their number in *n_head. */
static bogie_status head_pieces(const phys_params *p, const phys_piece *pieces, size_t n, const bogie_allocator *alloc,
                                phys_piece **head, size_t *n_head, bogie_diag *diag)
{
    *head = util_malloc(alloc, 2 * n * sizeof **head);
    size_t *idx = util_malloc(alloc, n * sizeof *idx);
    double *z = util_malloc(alloc, n * sizeof *z);
    bool ok = *head && idx && z;
    if (ok)
        *n_head = tail_pieces(pieces, n, p->length_m, *head, idx, z);
    util_free(alloc, idx, n * sizeof *idx);
    util_free(alloc, z, n * sizeof *z);
    if (ok)
        return BOGIE_OK;
    util_free(alloc, *head, 2 * n * sizeof **head);
    *head = NULL;
    return util_nomem(diag, "simulating the run");
}

bogie_status phys_run(const phys_params *p, const phys_piece *pieces, size_t n_pieces, double step_m,
                      const bogie_allocator *alloc, phys_sample **out, size_t *n_out, double *time_s,
                      bogie_diag *diag)
{
    *out = NULL;
    *n_out = 0;
    *time_s = 0;
    if (n_pieces == 0 || !(step_m > 0) || !(p->mass_kg > 0) || !(p->rot_factor > 0) || !(p->brake_ms2 > 0) ||
        !(p->length_m >= 0))
        return util_fail(diag, BOGIE_ERR_ARG, "physics: a run needs pieces, a positive step, mass and braking");
    for (size_t k = 0; k < n_pieces; k++)
        if (!(pieces[k].end_m - pieces[k].start_m >= 0) || !(pieces[k].limit_ms > 0))
            return util_fail(diag, BOGIE_ERR_ARG, "physics: piece %zu has a negative length or no speed limit", k);
    /* The samples are spread out on long runs so that they take at most PHYS_MAX_STEPS steps besides the piece
     * boundaries; each step is still integrated in parts of at most step_m. */
    double total = pieces[n_pieces - 1].end_m - pieces[0].start_m, part_m = step_m;
    if (total / step_m > PHYS_MAX_STEPS)
        step_m = total / PHYS_MAX_STEPS;
    phys_piece *head = NULL;
    size_t n_head = n_pieces;
    bogie_status rc = p->length_m > 0 ? head_pieces(p, pieces, n_pieces, alloc, &head, &n_head, diag) : BOGIE_OK;
    if (rc != BOGIE_OK)
        return rc;
    const phys_piece *use = head ? head : pieces;
    run_out o = {alloc, NULL, 0, 0, false};
    rc = run_pieces(p, use, n_head, step_m, part_m, &o, time_s, diag);
    util_free(alloc, head, 2 * n_pieces * sizeof *head);
    /* The samples go out in an array of their exact size (the caller frees it by its count). */
    phys_sample *exact = rc == BOGIE_OK ? util_realloc(alloc, o.v, o.cap * sizeof *o.v, o.n * sizeof *o.v) : NULL;
    if (rc == BOGIE_OK && !exact)
        rc = util_nomem(diag, "simulating the run");
    if (rc != BOGIE_OK) {
        util_free(alloc, o.v, o.cap * sizeof *o.v);
        *time_s = 0;
        return rc;
    }
    *out = exact;
    *n_out = o.n;
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
