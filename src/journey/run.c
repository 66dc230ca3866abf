/* run.c: runs the train's physics from stop to stop over the laid-out track, giving each stop its arrival and
 * departure (seconds from the start) and the journey its speed profile and running times. */
#include "journey/journey_int.h"

#include <stdio.h>
#include <string.h>

/* The train as the integrator sees it. */
static phys_params physics_of(const bogie_train *t)
{
    phys_params p;
    memset(&p, 0, sizeof p);
    p.mass_kg = t->mass_kg;
    p.rot_factor = t->rotating_factor;
    p.power_w = t->power_w * t->efficiency;
    double adhesion = t->adhesion * t->adhesive_mass_kg * PHYS_G;
    p.max_effort_n = t->max_effort_n > 0 && t->max_effort_n < adhesion ? t->max_effort_n : adhesion;
    if (t->n_effort_points > 0) {
        p.curve = (const double (*)[2])t->effort_curve;
        p.n_curve = t->n_effort_points;
    }
    p.davis_a_n = t->davis_a_n;
    p.davis_b_n_s_m = t->davis_b_n_s_m;
    p.davis_c_n_s2_m2 = t->davis_c_n_s2_m2;
    p.brake_ms2 = t->brake_ms2;
    p.length_m = t->length_m;
    return p;
}

bogie_status jy_pieces_between(const jy_layout *L, double from, double to, size_t *seg_i, const bogie_allocator *a,
                               jy_pieces *out, bogie_diag *diag)
{
    out->n = 0;
    while (*seg_i < L->segs.n && L->segs.v[*seg_i].s1 <= from)
        (*seg_i)++;
    /* At most one piece per segment: room for them all at once, rather than copying as the pieces grow. */
    size_t last = *seg_i;
    while (last < L->segs.n && L->segs.v[last].s0 < to)
        last++;
    if (VEC_RESERVE(a, *out, last - *seg_i) != 0)
        return util_nomem(diag, "timing the journey");
    for (size_t i = *seg_i; i < L->segs.n && L->segs.v[i].s0 < to; i++) {
        const jy_seg *sg = &L->segs.v[i];
        double a0 = sg->s0 > from ? sg->s0 : from, a1 = sg->s1 < to ? sg->s1 : to;
        if (a1 <= a0)
            continue;
        phys_piece pc = {a0 - from, a1 - from, sg->limit_ms, sg->radius_m, sg->grade};
        const phys_piece *prev = out->n ? &out->v[out->n - 1] : NULL;
        if (prev && prev->limit_ms == pc.limit_ms && prev->radius_m == pc.radius_m && prev->grade == pc.grade)
            out->v[out->n - 1].end_m = pc.end_m;
        else if (VEC_PUSH(a, *out, pc) != 0)
            return util_nomem(diag, "timing the journey");
    }
    return BOGIE_OK;
}

/* Runs pp over pieces, the leg from from to to (metres from the origin), leaving at *clock plus t's start-up time:
 * appends the samples to *prof, adds the running and allowance times to j, and moves *clock to the arrival. */
static bogie_status run_leg(const phys_params *pp, const bogie_train *t, const jy_pieces *pieces, double from,
                            double to, double *clock, const bogie_allocator *a, jy_profile *prof, bogie_journey *j,
                            bogie_diag *diag)
{
    double allowance = t->allowance_pct / 100.0;
    double step = (to - from) / 4000;
    step = step < 10 ? 10 : step > 100 ? 100 : step;
    phys_sample *smp;
    size_t nsmp;
    double run = 0;
    bogie_status rc = phys_run(pp, pieces->v, pieces->n, step, a, &smp, &nsmp, &run, diag);
    if (rc == BOGIE_ERR_ARG && diag) {
        /* Say where on the route: the physics counts from the start of the run. */
        char why[sizeof diag->message];
        snprintf(why, sizeof why, "%s", diag->message);
        util_fail(diag, rc, "on the run from km %.1f to km %.1f of the route, %s", from / 1000, to / 1000, why);
    }
    if (rc != BOGIE_OK)
        return rc;
    double t0 = *clock + t->startup_s;
    if (VEC_RESERVE(a, *prof, prof->n + nsmp) != 0)
        rc = util_nomem(diag, "timing the journey");
    for (size_t i = 0; i < nsmp && rc == BOGIE_OK; i++) {
        phys_sample x = smp[i];
        x.s_m += from;
        x.t_s = t0 + x.t_s * (1 + allowance);
        if (VEC_PUSH(a, *prof, x) != 0)
            rc = util_nomem(diag, "timing the journey");
    }
    util_free(a, smp, nsmp * sizeof *smp);
    j->running_s += run + t->startup_s;
    j->allowance_s += run * allowance;
    *clock = t0 + run * (1 + allowance);
    return rc;
}

bogie_status jy_run(const bogie_train *t, const jy_layout *L, jy_stops *stops, double deadline,
                    const bogie_allocator *a, jy_profile *prof, bogie_journey *j, bogie_diag *diag)
{
    phys_params pp = physics_of(t);
    pp.deadline = deadline;
    double clock = 0;
    size_t seg_i = 0;
    jy_pieces pieces = {0};
    bogie_status rc = BOGIE_OK;
    for (size_t k = 0; rc == BOGIE_OK && k < stops->n; k++) {
        jy_stop *s = &stops->v[k];
        if (k > 0) {
            /* Run from the previous stop to this one. */
            double from = stops->v[k - 1].pos, to = s->pos;
            rc = jy_pieces_between(L, from, to, &seg_i, a, &pieces, diag);
            if (rc == BOGIE_OK && pieces.n > 0)
                rc = run_leg(&pp, t, &pieces, from, to, &clock, a, prof, j, diag);
        }
        if (s->has_leave) {
            /* A via left at a given time: the train waits there until then, its other work included. */
            double wait = s->leave_s - clock - (s->change_s + s->border_s + s->reversal_s);
            s->dwell_s = wait > 0 ? wait : 0;
            s->late_s = wait < 0 ? -wait : 0;
        }
        double work = s->dwell_s + s->change_s + s->border_s + s->reversal_s;
        if (k == 0) {
            /* Work at the origin ends at the departure asked, and is not part of the journey's time. */
            s->arrive_s = work > 0 ? -work : 0; /* never -0 */
            s->depart_s = 0;
            if (work > 0)
                jy_append_detail(s, "done before the departure");
            continue;
        }
        s->arrive_s = clock;
        j->dwell_s += s->dwell_s;
        j->change_s += s->change_s;
        j->border_s += s->border_s;
        j->reversal_s += s->reversal_s;
        clock += work;
        s->depart_s = clock;
    }
    VEC_FREE(a, pieces);
    return rc;
}
