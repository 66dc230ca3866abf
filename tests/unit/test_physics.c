/* test_physics.c: the running-time integrator against closed forms: constant force from rest, braking distance
 * v^2 / 2b, time at constant speed, the power limit P = F v, and grades (the balance speed on a constant grade,
 * rolling down one, and a train too heavy for one). Tolerances are stated with each check. */
#include "testutil.h"

#include "journey/physics.h"

#include <math.h>

/* A train with constant effort F and no resistance: a = F / m. */
static phys_params constant_force(double mass, double force, double brake)
{
    phys_params p = {0};
    p.mass_kg = mass;
    p.rot_factor = 1.0;
    p.power_w = 1e12; /* no power limit within the test's speeds */
    p.max_effort_n = force;
    p.brake_ms2 = brake;
    return p;
}

static void test_constant_force_from_rest(void **state)
{
    (void)state;
    /* 1000 t pulled with 200 kN: a = 0.2 m/s^2. Over 5 km with a limit it never reaches (v would be 44.7 m/s) and
     * braking so strong it takes under a metre, v(s) = sqrt(2 a s) and t(s) = sqrt(2 s / a). */
    phys_params p = constant_force(1e6, 2e5, 1e4);
    phys_piece piece = {0, 5000, 100, 0, 0};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, &piece, 1, 10.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    for (size_t i = 1; i < n; i++) {
        if (s[i].s_m > 4990)
            break;
        double a = 0.2, x = s[i].s_m;
        /* RK4 with constant acceleration is exact; only rounding remains: 1e-9 relative. */
        assert_near(s[i].v_ms, sqrt(2 * a * x), 1e-9 * sqrt(2 * a * x) + 1e-12);
        assert_near(s[i].t_s, sqrt(2 * x / a), 1e-9 * sqrt(2 * x / a) + 1e-12);
    }
    free(s);
}

static void test_braking_distance(void **state)
{
    (void)state;
    /* Huge effort reaches 25 m/s at once; braking at 0.5 m/s^2 must start v^2 / 2b = 625 m before the stop and take
     * v / b = 50 s. Steps of 1 m put the start of braking within one step: tolerance 1 m and 0.1 s. */
    phys_params p = constant_force(5e5, 1e9, 0.5);
    phys_piece piece = {0, 10000, 25, 0, 0};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, &piece, 1, 1.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    double brake_start = -1, t_brake = -1;
    for (size_t i = 1; i < n; i++)
        if (s[i].v_ms < 25 - 1e-9 && s[i - 1].v_ms >= 25 - 1e-9 && s[i].s_m > 5000) {
            brake_start = s[i - 1].s_m;
            t_brake = s[i - 1].t_s;
        }
    assert_near(10000 - brake_start, 625.0, 1.0);
    assert_near(t - t_brake, 50.0, 0.1);
    assert_near(s[n - 1].v_ms, 0, 1e-9);
    free(s);
}

static void test_time_at_constant_speed(void **state)
{
    (void)state;
    /* With near-instant acceleration and braking, 20 km at 20 m/s takes 1000 s; the two transitions add
     * v/(2a) + v/(2b) = 0.02 s, and the integrator splits each step where acceleration meets the limit, so the
     * coarse 10 m steps cost nothing: tolerance 0.05 s. */
    phys_params p = constant_force(1e5, 1e9, 500);
    phys_piece piece = {0, 20000, 20, 0, 0};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, &piece, 1, 10.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    assert_near(t, 1000.0, 0.05);
    assert_near(phys_time_at(s, n, 10000), 500.0, 0.05);
    free(s);
}

static void test_held_stretch_keeps_its_ends(void **state)
{
    (void)state;
    /* 30 m/s on a 20 km line of 10 pieces of different grades the train can hold its limit on, then a 10 m/s
     * limit from 20 km to 21 km: once at the limit, the samples of each stretch held at it are only its first and
     * last (the time is linear in position between them), so the run keeps a few dozen of its 2,100 steps, and the
     * time anywhere held is the distance over the limit from the stretch's start: tolerance 1e-6 s (rounding).
     * Braking for the 10 m/s limit begins (30^2 - 10^2) / (2 * 0.5) = 800 m before it, at 19.2 km. */
    phys_params p = constant_force(5e5, 1e9, 0.5);
    phys_piece pieces[11];
    for (int k = 0; k < 10; k++)
        pieces[k] = (phys_piece){2000.0 * k, 2000.0 * (k + 1), 30, 0, 0.001 * (k % 3)};
    pieces[10] = (phys_piece){20000, 21000, 10, 0, 0};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, pieces, 11, 10.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    assert_true(n < 150);
    size_t i0 = 0; /* the first sample at the limit */
    while (i0 < n && s[i0].v_ms < 30)
        i0++;
    assert_true(i0 < n && s[i0].s_m < 100);
    for (double x = 1000; x < 19000; x += 777)
        assert_near(phys_time_at(s, n, x), s[i0].t_s + (x - s[i0].s_m) / 30, 1e-6);
    for (size_t i = 1; i < n; i++) {
        assert_true(s[i].s_m > s[i - 1].s_m && s[i].t_s > s[i - 1].t_s);
        if (s[i].s_m > 19200 + 10 && s[i].s_m <= 20000)
            assert_true(s[i].v_ms < 30); /* braking: every step sampled */
    }
    free(s);
}

static void test_lower_limit_ahead_is_braked_for(void **state)
{
    (void)state;
    /* 30 m/s, then a 10 m/s limit from 5 km: the train must be at 10 m/s when it gets there, having braked over
     * (30^2 - 10^2) / 2b = 800 m at b = 0.5. Tolerance: one 5 m step. */
    phys_params p = constant_force(5e5, 1e9, 0.5);
    phys_piece pieces[] = {{0, 5000, 30, 0, 0}, {5000, 8000, 10, 0, 0}};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, pieces, 2, 5.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    for (size_t i = 0; i < n; i++) {
        assert_true(s[i].v_ms <= s[i].limit_ms + 1e-9);
        if (fabs(s[i].s_m - 5000) < 1e-9)
            assert_near(s[i].v_ms, 10, 1e-9);
        if (s[i].s_m > 4200 - 5 && s[i].s_m < 4200 + 5 && s[i].s_m <= 4195)
            assert_near(s[i].v_ms, 30, 1e-9); /* still at the limit just before braking begins */
    }
    free(s);
}

static void test_power_limit(void **state)
{
    (void)state;
    /* Under a power limit P and no resistance, kinetic energy grows by P per second: once P/v < F_max,
     * m v dv/dt = P, so t(v2) - t(v1) = m (v2^2 - v1^2) / (2 P). 400 t, 2 MW, F_max 200 kN (power-limited above
     * 10 m/s). From 15 to 25 m/s: 400000 * (625 - 225) / 4e6 = 40 s. Steps of 2 m: tolerance 0.05 s. */
    phys_params p = constant_force(4e5, 2e5, 1e4);
    p.power_w = 2e6;
    phys_piece piece = {0, 30000, 40, 0, 0};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, &piece, 1, 2.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    double t15 = -1, t25 = -1;
    for (size_t i = 1; i < n; i++) {
        if (t15 < 0 && s[i].v_ms >= 15) /* interpolate the crossing time */
            t15 = s[i - 1].t_s + (s[i].t_s - s[i - 1].t_s) * (15 - s[i - 1].v_ms) / (s[i].v_ms - s[i - 1].v_ms);
        if (t25 < 0 && s[i].v_ms >= 25)
            t25 = s[i - 1].t_s + (s[i].t_s - s[i - 1].t_s) * (25 - s[i - 1].v_ms) / (s[i].v_ms - s[i - 1].v_ms);
    }
    assert_near(t25 - t15, 40.0, 0.05);
    free(s);
}

static void test_resistance_and_curves(void **state)
{
    (void)state;
    phys_params p = constant_force(2e5, 1e5, 0.5);
    p.davis_a_n = 1000;
    p.davis_b_n_s_m = 10;
    p.davis_c_n_s2_m2 = 5;
    /* Davis at 20 m/s: 1000 + 200 + 2000 = 3200 N; a 400 m curve adds 800/400 N per kN of weight. */
    assert_near(phys_resistance(&p, 20, 0), 3200, 1e-9);
    assert_near(phys_resistance(&p, 20, 400), 3200 + 0.8 * 2e5 * PHYS_G / 400, 1e-6);
    /* Terminal speed where effort equals resistance: 1e5 = 1000 + 10 v + 5 v^2 -> v = 139.7 m/s, beyond the limit;
     * with a weak train it must settle near the balance speed instead. */
    p.max_effort_n = 6000;
    p.power_w = 1e12;
    double vbal = (-10 + sqrt(100 + 4 * 5 * (6000 - 1000))) / (2 * 5); /* 30.6 m/s */
    phys_piece piece = {0, 200000, 100, 0, 0};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, &piece, 1, 20.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    double vmax = 0;
    for (size_t i = 0; i < n; i++)
        vmax = s[i].v_ms > vmax ? s[i].v_ms : vmax;
    assert_true(vmax < vbal + 1e-6);
    assert_true(vmax > vbal * 0.98); /* 200 km is long enough to get within 2 % of it */
    free(s);
}

static void test_cannot_start(void **state)
{
    (void)state;
    phys_params p = constant_force(1e6, 1000, 0.5);
    p.davis_a_n = 5000;
    phys_piece piece = {0, 1000, 10, 0, 0};
    phys_sample *s;
    size_t n;
    double t;
    bogie_diag d = {0};
    assert_int_equal(phys_run(&p, &piece, 1, 10.0, NULL, &s, &n, &t, &d), BOGIE_ERR_ARG);
    assert_non_null(strstr(d.message, "cannot move"));
}

/* The time and speed at distance x from rest under a(v) = al - be v (a linearly falling effort, no resistance):
 * t(v) = -ln(1 - be v / al) / be and s(v) = -v / be - al ln(1 - be v / al) / be^2, solved for v by bisection. */
static void falling_effort_exact(double al, double be, double x, double *t, double *v)
{
    double lo = 0, hi = al / be;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (-mid / be - al / (be * be) * log(1 - be * mid / al) < x)
            lo = mid;
        else
            hi = mid;
    }
    *v = (lo + hi) / 2;
    *t = -log(1 - be * *v / al) / be;
}

static void test_start_from_rest_falling_effort(void **state)
{
    (void)state;
    /* 100 t with an effort curve falling linearly from 300 kN at 0 to 0 at 108 km/h (30 m/s): a = 3 - 0.1 v. The
     * first step from standstill used to be timed as if the force were constant: 2.81 s instead of 2.70 s over the
     * first 10 m, and 10.77 s instead of 9.44 s over the first 100 at 100 m steps. Tolerances: 0.005 s at 10 m
     * steps, 0.01 s at 100 m steps (the exact first step; the later ones carry the Runge-Kutta error). */
    static const double curve[2][2] = {{0, 3e5}, {30, 0}};
    phys_params p = constant_force(1e5, 0, 1e4);
    p.curve = curve;
    p.n_curve = 2;
    phys_piece piece = {0, 5000, 100, 0, 0};
    const double steps[2] = {10, 100}, tol[2] = {0.005, 0.01};
    for (int k = 0; k < 2; k++) {
        phys_sample *s;
        size_t n;
        double t;
        assert_int_equal(phys_run(&p, &piece, 1, steps[k], NULL, &s, &n, &t, NULL), BOGIE_OK);
        size_t checked = 0;
        for (size_t i = 1; i < n && s[i].s_m <= 4000; i++) {
            double te, ve;
            falling_effort_exact(3, 0.1, s[i].s_m, &te, &ve);
            assert_near(s[i].t_s, te, tol[k]);
            assert_near(s[i].v_ms, ve, 1e-3 * ve);
            checked++;
        }
        assert_true(checked >= 40);
        free(s);
    }
}

/* A train 150 m long with near-instant acceleration and braking: 30 m/s over 0-1000 m, 10 m/s over 1000-1100, 30
 * m/s to 3000. Its head must stay at 10 m/s from 1000 to 1250, until the tail has left the low limit: 1000 / 30 +
 * 250 / 10 + 1750 / 30 = 116.667 s, where a point train takes 1000 / 30 + 100 / 10 + 1900 / 30 = 106.667 s. The
 * transitions add v / 2a + v / 2b < 0.1 s: tolerance 0.1 s. */
static void test_train_length_holds_a_limit(void **state)
{
    (void)state;
    phys_params p = constant_force(1e5, 1e9, 500);
    phys_piece pieces[] = {{0, 1000, 30, 0, 0}, {1000, 1100, 10, 0, 0}, {1100, 3000, 30, 0, 0}};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, pieces, 3, 10.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    assert_near(t, 106.667, 0.1);
    free(s);
    p.length_m = 150;
    assert_int_equal(phys_run(&p, pieces, 3, 10.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    assert_near(t, 116.667, 0.1);
    for (size_t i = 0; i < n; i++) {
        bool held = s[i].s_m >= 1000 && s[i].s_m <= 1250;
        assert_true(s[i].v_ms <= (held ? 10 : 30) + 1e-9);
        if (s[i].s_m > 1000 && s[i].s_m < 1250)
            assert_near(s[i].limit_ms, 10, 1e-12);
    }
    free(s);
    /* Nine limits, as on a real section: 8 low spots of 50 m at 20 m/s, 500 m apart, on a 40 m/s line; each costs
     * L / 20 - L / 40 more, 150 m / 40 m/s = 3.75 s, for a train of 150 m (the brakes and acceleration near
     * instant). */
    phys_piece nine[17];
    double at = 0, base;
    for (int i = 0; i < 17; i++) {
        double len = i % 2 ? 50 : 500;
        nine[i] = (phys_piece){at, at + len, i % 2 ? 20 : 40, 0, 0};
        at += len;
    }
    p.length_m = 0;
    assert_int_equal(phys_run(&p, nine, 17, 10.0, NULL, &s, &n, &base, NULL), BOGIE_OK);
    free(s);
    p.length_m = 150;
    assert_int_equal(phys_run(&p, nine, 17, 10.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    free(s);
    assert_near(t - base, 8 * 3.75, 0.1);
}

/* A run of 1,000,000 km (as distance=* tags may claim) takes at most PHYS_MAX_STEPS steps besides its piece
 * boundaries, still integrated in parts of the step asked for (Runge-Kutta over one 20 km step would overshoot into
 * the air drag and come out at a fraction of the limit), and a deadline already past cancels it. */
static void test_long_run_is_bounded(void **state)
{
    (void)state;
    phys_params p = constant_force(1e6, 2e5, 0.5);
    p.power_w = 3e6;         /* power-limited above 15 m/s */
    p.davis_c_n_s2_m2 = 99; /* 89 kN at 30 m/s, where the effort is 100 kN */
    phys_piece pieces[] = {{0, 5e8, 30, 0, 0}, {5e8, 1e9, 20, 0, 0}};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, pieces, 2, 10.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    assert_true(n <= PHYS_MAX_STEPS + 3);
    /* 500,000 km at 30 m/s and 500,000 at 20 m/s, give or take the few minutes of starting and braking. */
    assert_near(t, 5e8 / 30 + 5e8 / 20, 600);
    free(s);
    p.deadline = 1; /* long past on util_now()'s clock */
    bogie_diag d = {0};
    assert_int_equal(phys_run(&p, pieces, 2, 10.0, NULL, &s, &n, &t, &d), BOGIE_ERR_CANCELLED);
    assert_null(s);
    assert_non_null(strstr(d.message, "time limit"));
}

/* p with power_w, a constant resistance davis_a_n and a length. */
static phys_params resisted(phys_params p, double power_w, double davis_a_n, double length_m)
{
    p.power_w = power_w;
    p.davis_a_n = davis_a_n;
    p.length_m = length_m;
    return p;
}

static void test_constant_grade_balance_speed(void **state)
{
    (void)state;
    /* 1000 t, 3 MW at the rail, A = 20 kN, climbing a constant 10 per mille: the speed settles where the effort
     * P / v equals A + m g sin(theta), v = 3e6 / (20000 + 1e6 * 9.80665 * 0.01) = 25.41 m/s (on the flat it would
     * reach the 40 m/s limit). The time constant of the approach is m v^2 / P = 215 s, about 5.5 km: after 50 km
     * the speed is within 0.1 % of the balance, and it never exceeds it. The grade is the same under the whole
     * train, so its length changes nothing. */
    phys_params p = resisted(constant_force(1e6, 1e9, 0.5), 3e6, 20000, 400);
    phys_piece piece = {0, 100000, 40, 0, 0.01};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, &piece, 1, 50.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    double vbal = 3e6 / (20000 + 1e6 * PHYS_G * 0.01);
    for (size_t i = 0; i < n; i++) {
        assert_true(s[i].v_ms < vbal * (1 + 1e-9));
        if (s[i].s_m >= 50000 && s[i].s_m <= 80000)
            assert_near(s[i].v_ms, vbal, 1e-3 * vbal);
    }
    free(s);
}

static void test_rolling_down_a_grade(void **state)
{
    (void)state;
    /* A train with no effort and no resistance on a constant -5 per mille rolls under its weight alone:
     * a = g sin(theta) / rot_factor = 0.0490 m/s^2 / 1.05, v(s) = sqrt(2 a s). Constant acceleration is exact
     * for the integrator: 1e-9 relative. On the flat the same train cannot move at all. */
    phys_params p = constant_force(5e5, 0, 1e4);
    p.rot_factor = 1.05;
    phys_piece piece = {0, 3000, 100, 0, -0.005};
    phys_sample *s;
    size_t n;
    double t;
    assert_int_equal(phys_run(&p, &piece, 1, 10.0, NULL, &s, &n, &t, NULL), BOGIE_OK);
    double a = PHYS_G * 0.005 / 1.05;
    for (size_t i = 1; i < n && s[i].s_m < 2990; i++)
        assert_near(s[i].v_ms, sqrt(2 * a * s[i].s_m), 1e-9 * sqrt(2 * a * s[i].s_m));
    free(s);
    piece.grade = 0;
    assert_int_equal(phys_run(&p, &piece, 1, 10.0, NULL, &s, &n, &t, NULL), BOGIE_ERR_ARG);
}

static void test_too_heavy_for_the_grade(void **state)
{
    (void)state;
    /* 1000 t with at most 110 kN of effort and A = 10 kN can climb 10 per mille (10 + 98 kN) but not the 30 per
     * mille (10 + 294 kN) of a 200 m hump between flat track, run at 2 m/s (its kinetic energy lifts it 0.2 m, the
     * hump is 6 m high). As a point it stalls on the hump and is refused with the grade; 1000 m long, it feels
     * the mean over its length, at most 30 * 200 / 1000 = 6 per mille (10 + 59 kN), holds 2 m/s throughout and
     * takes 5 km at 2 m/s plus v / 2a = 10 s for starting at 0.1 m/s^2 and v / 2b = 2 s for braking: tolerance
     * 0.5 s. */
    phys_params p = resisted(constant_force(1e6, 110000, 0.5), 1e12, 10000, 0);
    phys_piece pieces[] = {{0, 1000, 2, 0, 0}, {1000, 1200, 2, 0, 0.03}, {1200, 5000, 2, 0, 0}};
    phys_sample *s;
    size_t n;
    double t;
    bogie_diag d = {0};
    assert_int_equal(phys_run(&p, pieces, 3, 10.0, NULL, &s, &n, &t, &d), BOGIE_ERR_ARG);
    assert_non_null(strstr(d.message, "cannot move at 1"));
    assert_non_null(strstr(d.message, "grade of 30.0 per mille"));
    assert_non_null(strstr(d.message, "weight force (294 kN)"));
    p.length_m = 1000;
    assert_int_equal(phys_run(&p, pieces, 3, 10.0, NULL, &s, &n, &t, &d), BOGIE_OK);
    assert_near(t, 2500 + 10 + 2, 0.5);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_force_from_rest), cmocka_unit_test(test_braking_distance),
        cmocka_unit_test(test_time_at_constant_speed),   cmocka_unit_test(test_held_stretch_keeps_its_ends),
        cmocka_unit_test(test_lower_limit_ahead_is_braked_for),
        cmocka_unit_test(test_power_limit),              cmocka_unit_test(test_resistance_and_curves),
        cmocka_unit_test(test_cannot_start),             cmocka_unit_test(test_start_from_rest_falling_effort),
        cmocka_unit_test(test_train_length_holds_a_limit), cmocka_unit_test(test_long_run_is_bounded),
        cmocka_unit_test(test_constant_grade_balance_speed), cmocka_unit_test(test_rolling_down_a_grade),
        cmocka_unit_test(test_too_heavy_for_the_grade),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
