/* physics.h: a train's motion along a route, integrated over distance: tractive effort limited by power and
 * adhesion, Davis and curve resistance, braking ahead of every lower limit, and the speed limit at every point. */
#ifndef BOGIE_PHYSICS_H
#define BOGIE_PHYSICS_H

#include "bogie.h"

#include <stddef.h>

#define PHYS_G 9.80665 /* standard gravity, m/s^2 */

/* The train as the integrator sees it, in SI units. */
typedef struct phys_params {
    double mass_kg;          /* total mass */
    double rot_factor;       /* rotating-mass coefficient: effective mass = mass_kg * rot_factor */
    double power_w;          /* power at the rail; the effort is at most power_w / v */
    double max_effort_n;     /* the effort limit at low speed: the smaller of the tractive effort and adhesion */
    const double (*curve)[2];/* optional effort-speed curve: (m/s, N) points by rising speed; replaces power and
                                max_effort_n when n_curve > 0 (linear between points, flat beyond the ends) */
    size_t n_curve;
    double davis_a_n;        /* resistance = A + B v + C v^2, v in m/s */
    double davis_b_n_s_m;
    double davis_c_n_s2_m2;
    double brake_ms2;        /* service braking deceleration */
    double length_m;         /* the train's length: a lower limit holds until its tail has cleared it; 0: a point */
    double deadline;         /* util_now() after which phys_run() gives up with BOGIE_ERR_CANCELLED; 0: none */
} phys_params;

/* A run takes at most this many steps besides its piece boundaries: the step grows beyond step_m on longer runs,
 * so memory does not follow a length (an OSM distance=* tag can claim any) beyond 10 samples per km up to 5000 km. */
#define PHYS_MAX_STEPS 50000

/* A stretch of the run with one speed limit, one curve radius and one grade. */
typedef struct phys_piece {
    double start_m, end_m;
    double limit_ms;  /* the lowest of train, line and curve limits */
    double radius_m;  /* curve radius for curve resistance; 0 for straight or unknown */
    double grade;     /* rise per metre along the track (taken as sin theta), positive uphill; 0 flat or unknown */
} phys_piece;

/* The state at one position. */
typedef struct phys_sample {
    double s_m, t_s, v_ms, limit_ms;
} phys_sample;

/* The effort available at speed v (m/s), in newtons. */
double phys_effort(const phys_params *p, double v);
/* The running resistance at speed v on a curve of radius_m (0: straight), in newtons: Davis plus 800/R N per kN of
 * weight. */
double phys_resistance(const phys_params *p, double v, double radius_m);

/* The weight force along a grade (rise per metre, as phys_piece.grade), in newtons: m g sin(theta), negative
 * downhill. */
double phys_grade_force(const phys_params *p, double grade);

/* Simulates one run from standstill at 0 to standstill at the end of the last piece. pieces must be contiguous,
 * start at 0 and have positive limits. The run is stepped at every piece boundary (of the pieces as the head sees
 * them, below) and at most step_m apart (farther on runs of over PHYS_MAX_STEPS steps, whose steps are still
 * integrated in parts of at most step_m), and sampled at the end of every step except inside a stretch held at the
 * limit: there only its first and last samples are kept, since the time is linear in position between them (a
 * 10,000 km run keeps about one sample in ten). The samples are written to *out (an array allocated with alloc,
 * owned by the caller, *n_out entries; free with util_free(alloc, *out, *n_out * sizeof **out)), each with the
 * limit the train obeys there. *time_s receives the running time.
 *
 * Method: with a train length L the limit at head position s is the lowest on [s - L, s], so that a lower limit
 * holds until the tail has cleared it (as OSRD and TrainRuns.jl do); the track behind the start counts as clear.
 * A backward pass over the pieces gives the braking envelope (the highest speed from which the train can still brake
 * at brake_ms2 to every later limit and to the stop) at each piece's end; inside a piece it is the lower of the limit
 * and the braking line back from there, linear in v^2, so no array per step is needed. A forward pass integrates d(v^2)/ds = 2 a(v) with fourth-order
 * Runge-Kutta over each step and caps v^2 by the limit and the envelope. The time over a part of a step where the
 * train accelerates (or slows) under its own effort and resistance is the integral of dv / a(v) (three-point
 * Gauss-Legendre), and ds over the mean of the end speeds at the limit or on the braking curve, which is exact for
 * constant deceleration. Where the train holds the limit with no braking due, the steps up to the last before
 * braking begins (found by binary search, the envelope falling with position) are run as one, at the limit. The
 * first step from standstill is cut into parts of 1/1024, 1/1024, 1/512, ... 1/2 of it,
 * since v^2 = 2 a s has no derivative in v at s = 0.
 * Grades: each piece's grade adds m g grade to the resistance (negative downhill, where it pushes the train, which
 * still never exceeds a limit). With a train length L the grade at head position s is the mean over [s - L, s]
 * (OSRD's gradient averaged over the train length: the mass spread evenly along the train); with L = 0 the piece's
 * own. The braking deceleration brake_ms2 is taken as the same on every grade (a service brake the driver adjusts),
 * so braking distances do not lengthen downhill.
 * Fails with BOGIE_ERR_ARG (and a message naming the position, and the grade where it climbs) when the train comes
 * to a stand because resistance and grade exceed its effort, and with BOGIE_ERR_CANCELLED when p->deadline passes. */
bogie_status phys_run(const phys_params *p, const phys_piece *pieces, size_t n_pieces, double step_m,
                      const bogie_allocator *alloc, phys_sample **out, size_t *n_out, double *time_s,
                      bogie_diag *diag);

/* Returns the time at position s_m by linear interpolation between samples (sorted by position). */
double phys_time_at(const phys_sample *samples, size_t n, double s_m);

#endif
