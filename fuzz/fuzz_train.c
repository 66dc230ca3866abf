/* fuzz_train.c: a libFuzzer harness for train profiles (src/journey/train.c): the input is parsed as a profile's JSON by
 * train_parse(), the code bogie_train_load() runs on a file, and a profile it accepts must hold only what the checks
 * promise. */
#include "fuzz.h"
#include "journey/train.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bogie_train t;
    bogie_diag d = {0};
    bogie_status st = train_parse("fuzz.json", (const char *)data, size, &t, &d);
    if (st != BOGIE_OK) {
        fuzz_check_diag(&d);
        return 0;
    }
    FUZZ_CHECK(memchr(t.name, '\0', sizeof t.name) && memchr(t.title, '\0', sizeof t.title));
    FUZZ_CHECK(t.n_gauges >= 1 && t.n_gauges <= BOGIE_MAX_TRAIN_GAUGES);
    for (size_t i = 0; i < t.n_gauges; i++)
        FUZZ_CHECK(t.gauges[i] >= 380 && t.gauges[i] <= 1700);
    FUZZ_CHECK(t.n_change_to <= BOGIE_MAX_TRAIN_GAUGES);
    FUZZ_CHECK(t.change == BOGIE_CHANGE_NONE || t.n_change_to >= 1);
    FUZZ_CHECK(t.n_systems <= BOGIE_MAX_TRAIN_SYSTEMS);
    FUZZ_CHECK(t.traction == BOGIE_TRACTION_DIESEL || t.n_systems >= 1);
    FUZZ_CHECK(t.n_effort_points == 0 || (t.n_effort_points >= 2 && t.n_effort_points <= BOGIE_MAX_EFFORT_POINTS));
    FUZZ_CHECK(t.n_effort_points > 0 || t.max_effort_n > 0);
    const double figures[] = {t.change_s, t.max_gap_m, t.max_speed_ms, t.mass_kg, t.length_m, t.power_w,
                              t.efficiency, t.max_effort_n, t.adhesive_mass_kg, t.adhesion, t.davis_a_n,
                              t.davis_b_n_s_m, t.davis_c_n_s2_m2, t.rotating_factor, t.brake_ms2, t.startup_s,
                              t.reversal_s, t.dwell_s, t.curve_lateral_ms2, t.allowance_pct};
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
        FUZZ_CHECK(isfinite(figures[i]) && figures[i] >= 0);
    FUZZ_CHECK(t.mass_kg > 0 && t.max_speed_ms > 0 && t.brake_ms2 > 0 && t.adhesive_mass_kg <= t.mass_kg);
    for (size_t i = 0; i < t.n_effort_points; i++) {
        FUZZ_CHECK(isfinite(t.effort_curve[i][0]) && isfinite(t.effort_curve[i][1]) && t.effort_curve[i][1] >= 0);
        FUZZ_CHECK(i == 0 || t.effort_curve[i][0] > t.effort_curve[i - 1][0]);
    }
    return 0;
}
