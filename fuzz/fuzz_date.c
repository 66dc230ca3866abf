/* fuzz_date.c: a libFuzzer harness for departure times and the calendar (src/ref/tz.c): the input is parsed by
 * tz_parse_datetime(), and an accepted time must be a valid civil time with an offset under a day that formats and
 * parses back to itself and converts to UTC and back in UTC and in Asia/Pyongyang. The input's first 20 bytes are also
 * read as a raw date and instant, for the calendar arithmetic and the conversions at the limits of their types. */
#include "fuzz.h"
#include "ref/tz.h"

#include <limits.h>

static tz_db *db;
static const tz_zone *utc, *pyongyang; /* NULL when the system's tz database lacks them */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    bogie_diag d = {0};
    if (tz_db_open(NULL, NULL, &db, &d) == BOGIE_OK) {
        tz_db_get(db, "UTC", &utc, &d);
        tz_db_get(db, "Asia/Pyongyang", &pyongyang, &d);
    }
    return 0;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static bool civil_valid(const tz_civil *c)
{
    return c->month >= 1 && c->month <= 12 && c->day >= 1 && c->day <= days_in(c->year, c->month) && c->hour >= 0 &&
           c->hour <= 23 && c->minute >= 0 && c->minute <= 59 && c->second >= 0 && c->second <= 59;
}

/* Converts a valid civil time to UTC in zone z and back, which must give it again unless it falls in a gap. */
static void round_trip(const tz_zone *z, const tz_civil *c)
{
    if (!z)
        return;
    int64_t t = 0;
    FUZZ_CHECK(tz_civil_to_utc(z, c, &t) == BOGIE_OK);
    tz_civil back;
    int off = 0;
    const char *abbr = NULL;
    tz_utc_to_civil(z, t, &back, &off, &abbr);
    FUZZ_CHECK(abbr != NULL && civil_valid(&back));
    if (z == utc)
        FUZZ_CHECK(back.year == c->year && back.month == c->month && back.day == c->day && back.hour == c->hour &&
                   back.minute == c->minute && back.second == c->second && off == 0);
    char buf[16];
    tz_format_offset(off, buf, sizeof buf);
    FUZZ_CHECK(strlen(buf) < sizeof buf);
}

/* The calendar and conversions on raw values: any int date, any instant. */
static void raw(const uint8_t *data, size_t size)
{
    if (size < 20)
        return;
    int y, m, dd;
    int64_t t;
    memcpy(&y, data, 4);
    memcpy(&m, data + 4, 4);
    memcpy(&dd, data + 8, 4);
    memcpy(&t, data + 12, 8);
    /* Within a few million years, a date normalises and converts back exactly. */
    if (y > -4000000 && y < 4000000 && m > -4000000 && m < 4000000 && dd > -4000000 && dd < 4000000) {
        int64_t days = tz_days_from_civil(y, m, dd);
        int y2, m2, d2;
        tz_civil_from_days(days, &y2, &m2, &d2);
        FUZZ_CHECK(m2 >= 1 && m2 <= 12 && d2 >= 1 && d2 <= days_in(y2, m2));
        FUZZ_CHECK(tz_days_from_civil(y2, m2, d2) == days);
    }
    int y3, m3, d3;
    tz_civil_from_days(t, &y3, &m3, &d3);
    FUZZ_CHECK(m3 >= 1 && m3 <= 12 && d3 >= 1 && d3 <= 31);
    const tz_zone *zones[] = {utc, pyongyang};
    for (size_t i = 0; i < 2; i++) {
        if (!zones[i])
            continue;
        tz_civil c;
        tz_utc_to_civil(zones[i], t, &c, NULL, NULL);
        FUZZ_CHECK(c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31 && c.hour >= 0 && c.hour <= 23 &&
                   c.minute >= 0 && c.minute <= 59 && c.second >= 0 && c.second <= 59);
        tz_civil w = {y, m, dd, (int)(t & 31) - 4, (int)((t >> 5) & 63) - 2, (int)((t >> 11) & 63) - 2};
        int64_t u = 0;
        bogie_status st = tz_civil_to_utc(zones[i], &w, &u);
        FUZZ_CHECK((st == BOGIE_OK) == civil_valid(&w));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    raw(data, size);
    char *s = fuzz_cstring(data, size);
    tz_civil c;
    int has = -1, off = INT_MIN;
    bogie_diag d = {0};
    if (tz_parse_datetime(s, &c, &has, &off, &d) != BOGIE_OK) {
        fuzz_check_diag(&d);
        FUZZ_CHECK(has == -1 && off == INT_MIN);
        free(s);
        return 0;
    }
    FUZZ_CHECK(civil_valid(&c) && c.year >= 0 && c.year <= 9999);
    FUZZ_CHECK(has == 0 || has == 1);
    FUZZ_CHECK(off > -86400 && off < 86400 && off % 60 == 0 && (has || off == 0));
    char buf[32];
    tz_format_civil(&c, buf, sizeof buf);
    tz_civil again;
    FUZZ_CHECK(tz_parse_datetime(buf, &again, NULL, NULL, &d) == BOGIE_OK);
    FUZZ_CHECK(again.year == c.year && again.month == c.month && again.day == c.day && again.hour == c.hour &&
               again.minute == c.minute && again.second == 0);
    char small[6];
    tz_format_civil(&c, small, sizeof small);
    FUZZ_CHECK(strlen(small) == 5);
    round_trip(utc, &c);
    round_trip(pyongyang, &c);
    free(s);
    return 0;
}
