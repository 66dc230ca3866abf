/* fuzz_gpx.c: a libFuzzer harness for the GPX reader (src/journey/gpx.c, on expat): a trace it accepts must have
 * points, every one within -90..90 and -180..180, with times on all of them or on none, never going back; a refusal
 * must come with a message naming the file. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bogie_trace *t = NULL;
    bogie_diag d = {0};
    bogie_status st = bogie_trace_parse_gpx((const char *)data, size, "fuzz.gpx", NULL, &t, &d);
    if (st != BOGIE_OK) {
        fuzz_check_diag(&d);
        FUZZ_CHECK(strncmp(d.message, "fuzz.gpx", 8) == 0 || st == BOGIE_ERR_NOMEM);
        FUZZ_CHECK(t == NULL);
        return 0;
    }
    FUZZ_CHECK(t && t->n_points > 0 && t->n_points <= t->cap_points);
    for (size_t i = 0; i < t->n_points; i++) {
        const bogie_trace_point *p = &t->points[i];
        FUZZ_CHECK(p->lat >= -90 && p->lat <= 90 && p->lon >= -180 && p->lon <= 180);
        FUZZ_CHECK(p->has_time == t->has_times);
        FUZZ_CHECK(i == 0 || !p->has_time || p->time_utc >= t->points[i - 1].time_utc);
    }
    bogie_trace_free(t);
    return 0;
}
