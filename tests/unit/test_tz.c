/* test_tz.c: unit tests of time zones: conversions in real zones of the system's tz database (gaps and overlaps
 * included), footer rules, the calendar helpers, the parsing and formatting of departure times, damaged TZif files,
 * failed allocations and concurrent lookups.
 *
 * The tests of real zones need Debian's tzdata package (the files under /usr/share/zoneinfo, or $TZDIR). */
#include "testutil.h"

#include "ref/tz.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>

/* Opens the system's tz database, failing the test with a hint when tzdata is missing. */
static tz_db *system_db(void)
{
    tz_db *db = NULL;
    bogie_diag diag = {0};
    if (tz_db_open(NULL, NULL, &db, &diag) != BOGIE_OK)
        fail_msg("cannot open the system tz database (is Debian's tzdata package installed?): %s", diag.message);
    const tz_zone *z;
    if (tz_db_get(db, "Europe/Berlin", &z, &diag) != BOGIE_OK)
        fail_msg("the system tz database lacks Europe/Berlin (is tzdata installed?): %s", diag.message);
    return db;
}

static const tz_zone *get_zone(tz_db *db, const char *name)
{
    const tz_zone *z = NULL;
    bogie_diag diag = {0};
    if (tz_db_get(db, name, &z, &diag) != BOGIE_OK)
        fail_msg("tz_db_get(%s): %s", name, diag.message);
    assert_string_equal(tz_zone_name(z), name);
    return z;
}

/* Writes n bytes to dir/name, replacing the file. */
static void write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s", path);
    if (n && fwrite(data, 1, n, f) != n)
        fail_msg("cannot write %s", path);
    fclose(f);
}

/* Reads a whole file into a malloc'd buffer owned by the caller. */
static unsigned char *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (is tzdata installed?)", path);
    unsigned char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static const char *system_tzdir(void)
{
    const char *d = getenv("TZDIR");
    return (d && *d) ? d : "/usr/share/zoneinfo";
}

/* ---------------------------------------------------------------------------------------------------------------
 * Real zones. Every expectation below was checked against both Python's zoneinfo (datetime.fromtimestamp(t, tz),
 * and datetime(..., tzinfo=tz, fold=0).timestamp() for civil times) and `TZ=zone date -d @t`, on Debian 12 with
 * tzdata 2025b. A bulk comparison with Python over all 599 zones (every transition +-1 s, 300 random instants from
 * 1800 to 2400 and samples in 2050-2399, 1.9 million conversions both ways) also agreed.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct utc_case {
    const char *zone;
    int64_t t;
    int offset;
    const char *abbr;
    tz_civil local;
} utc_case;

static const utc_case utc_cases[] = {
    /* Pyongyang: UTC+9 until 2015-08-15 00:00 local, UTC+8:30 until 2018-05-04 23:30 local, UTC+9 after. */
    {"Asia/Pyongyang", 1439564399LL, 32400, "KST", {2015, 8, 14, 23, 59, 59}}, /* 2015-08-14 14:59:59 UTC */
    {"Asia/Pyongyang", 1439564400LL, 30600, "KST", {2015, 8, 14, 23, 30, 0}},  /* 2015-08-14 15:00:00 UTC */
    {"Asia/Pyongyang", 1525445999LL, 30600, "KST", {2018, 5, 4, 23, 29, 59}},  /* 2018-05-04 14:59:59 UTC */
    {"Asia/Pyongyang", 1525446000LL, 32400, "KST", {2018, 5, 5, 0, 0, 0}},     /* 2018-05-04 15:00:00 UTC */
    {"Asia/Pyongyang", 1694325600LL, 32400, "KST", {2023, 9, 10, 15, 0, 0}},   /* 2023-09-10 06:00:00 UTC */
    {"Asia/Pyongyang", 1262304000LL, 32400, "KST", {2010, 1, 1, 9, 0, 0}},     /* 2010-01-01 00:00:00 UTC */
    /* Vladivostok: +10, +11 from 2011-03-27 to 2014-10-26, +10 since (footer "<+10>-10"). */
    {"Asia/Vladivostok", 1301155199LL, 36000, "+10", {2011, 3, 27, 1, 59, 59}},  /* 2011-03-26 15:59:59 UTC */
    {"Asia/Vladivostok", 1301155200LL, 39600, "+11", {2011, 3, 27, 3, 0, 0}},    /* 2011-03-26 16:00:00 UTC */
    {"Asia/Vladivostok", 1414249199LL, 39600, "+11", {2014, 10, 26, 1, 59, 59}}, /* 2014-10-25 14:59:59 UTC */
    {"Asia/Vladivostok", 1414249200LL, 36000, "+10", {2014, 10, 26, 1, 0, 0}},   /* 2014-10-25 15:00:00 UTC */
    {"Asia/Vladivostok", 1694304000LL, 36000, "+10", {2023, 9, 10, 10, 0, 0}},   /* 2023-09-10 00:00:00 UTC */
    /* Berlin in 2023 (transitions table) and 2100 (footer "CET-1CEST,M3.5.0,M10.5.0/3"). */
    {"Europe/Berlin", 1679792399LL, 3600, "CET", {2023, 3, 26, 1, 59, 59}},    /* 2023-03-26 00:59:59 UTC */
    {"Europe/Berlin", 1679792400LL, 7200, "CEST", {2023, 3, 26, 3, 0, 0}},     /* 2023-03-26 01:00:00 UTC */
    {"Europe/Berlin", 1698541199LL, 7200, "CEST", {2023, 10, 29, 2, 59, 59}},  /* 2023-10-29 00:59:59 UTC */
    {"Europe/Berlin", 1698541200LL, 3600, "CET", {2023, 10, 29, 2, 0, 0}},     /* 2023-10-29 01:00:00 UTC */
    {"Europe/Berlin", 4109878799LL, 3600, "CET", {2100, 3, 28, 1, 59, 59}},    /* 2100-03-28 00:59:59 UTC */
    {"Europe/Berlin", 4109878800LL, 7200, "CEST", {2100, 3, 28, 3, 0, 0}},     /* 2100-03-28 01:00:00 UTC */
    {"Europe/Berlin", 4128627599LL, 7200, "CEST", {2100, 10, 31, 2, 59, 59}},  /* 2100-10-31 00:59:59 UTC */
    {"Europe/Berlin", 4128627600LL, 3600, "CET", {2100, 10, 31, 2, 0, 0}},     /* 2100-10-31 01:00:00 UTC */
    /* New York, including local mean time before the first transition (type 0) and the footer in 2100. */
    {"America/New_York", 1678604399LL, -18000, "EST", {2023, 3, 12, 1, 59, 59}}, /* 2023-03-12 06:59:59 UTC */
    {"America/New_York", 1678604400LL, -14400, "EDT", {2023, 3, 12, 3, 0, 0}},   /* 2023-03-12 07:00:00 UTC */
    {"America/New_York", 1699163999LL, -14400, "EDT", {2023, 11, 5, 1, 59, 59}}, /* 2023-11-05 05:59:59 UTC */
    {"America/New_York", 1699164000LL, -18000, "EST", {2023, 11, 5, 1, 0, 0}},   /* 2023-11-05 06:00:00 UTC */
    {"America/New_York", -5364662400LL, -17762, "LMT", {1799, 12, 31, 19, 3, 58}}, /* 1800-01-01 00:00:00 UTC */
    {"America/New_York", 4118400000LL, -14400, "EDT", {2100, 7, 4, 12, 0, 0}},   /* 2100-07-04 16:00:00 UTC */
    /* Kolkata: +5:30 now, +6:30 during the war. */
    {"Asia/Kolkata", 1694338200LL, 19800, "IST", {2023, 9, 10, 15, 0, 0}},   /* 2023-09-10 09:30:00 UTC */
    {"Asia/Kolkata", -839030400LL, 23400, "+0630", {1943, 6, 1, 6, 30, 0}},  /* 1943-06-01 00:00:00 UTC */
    /* Sydney: the southern hemisphere, whose footer "AEST-10AEDT,M10.1.0,M4.1.0/3" wraps around the new year. */
    {"Australia/Sydney", 1680364799LL, 39600, "AEDT", {2023, 4, 2, 2, 59, 59}}, /* 2023-04-01 15:59:59 UTC */
    {"Australia/Sydney", 1680364800LL, 36000, "AEST", {2023, 4, 2, 2, 0, 0}},   /* 2023-04-01 16:00:00 UTC */
    {"Australia/Sydney", 1696089599LL, 36000, "AEST", {2023, 10, 1, 1, 59, 59}}, /* 2023-09-30 15:59:59 UTC */
    {"Australia/Sydney", 1696089600LL, 39600, "AEDT", {2023, 10, 1, 3, 0, 0}},  /* 2023-09-30 16:00:00 UTC */
    {"Australia/Sydney", 7258118400LL, 39600, "AEDT", {2200, 1, 1, 11, 0, 0}},  /* 2200-01-01 00:00:00 UTC */
    {"Australia/Sydney", 7273756800LL, 36000, "AEST", {2200, 7, 1, 10, 0, 0}},  /* 2200-07-01 00:00:00 UTC */
    {"UTC", 0LL, 0, "UTC", {1970, 1, 1, 0, 0, 0}},
    {"UTC", 1694358000LL, 0, "UTC", {2023, 9, 10, 15, 0, 0}},
};

static void assert_civil(const tz_civil *got, const tz_civil *want, const char *what)
{
    if (got->year != want->year || got->month != want->month || got->day != want->day || got->hour != want->hour ||
        got->minute != want->minute || got->second != want->second)
        fail_msg("%s: got %04d-%02d-%02d %02d:%02d:%02d, expected %04d-%02d-%02d %02d:%02d:%02d", what, got->year,
                 got->month, got->day, got->hour, got->minute, got->second, want->year, want->month, want->day,
                 want->hour, want->minute, want->second);
}

static void test_utc_to_civil_real_zones(void **state)
{
    (void)state;
    tz_db *db = system_db();
    for (size_t i = 0; i < sizeof utc_cases / sizeof utc_cases[0]; i++) {
        const utc_case *c = &utc_cases[i];
        const tz_zone *z = get_zone(db, c->zone);
        char what[128];
        snprintf(what, sizeof what, "%s at %lld", c->zone, (long long)c->t);
        const char *abbr = NULL;
        int off = tz_offset_at(z, c->t, &abbr);
        if (off != c->offset || strcmp(abbr, c->abbr) != 0)
            fail_msg("%s: offset %d %s, expected %d %s", what, off, abbr, c->offset, c->abbr);
        assert_int_equal(tz_offset_at(z, c->t, NULL), c->offset);
        tz_civil civ;
        int off2 = 0;
        const char *abbr2 = NULL;
        tz_utc_to_civil(z, c->t, &civ, &off2, &abbr2);
        assert_civil(&civ, &c->local, what);
        assert_int_equal(off2, c->offset);
        assert_string_equal(abbr2, c->abbr);
        tz_utc_to_civil(z, c->t, &civ, NULL, NULL);
        assert_civil(&civ, &c->local, what);
    }
    tz_db_close(db);
}

typedef struct civil_case {
    const char *zone;
    tz_civil local;
    int64_t t;
} civil_case;

static const civil_case civil_cases[] = {
    {"Europe/Berlin", {2023, 3, 26, 2, 30, 0}, 1679794200LL},   /* gap: read as CET, so 01:30 UTC (03:30 CEST) */
    {"Europe/Berlin", {2023, 3, 26, 1, 59, 59}, 1679792399LL},  /* the last second before the gap */
    {"Europe/Berlin", {2023, 3, 26, 3, 0, 0}, 1679792400LL},    /* the first second after it */
    {"Europe/Berlin", {2023, 10, 29, 2, 30, 0}, 1698539400LL},  /* overlap: the earlier instant, CEST */
    {"Europe/Berlin", {2023, 10, 29, 3, 0, 0}, 1698544800LL},
    {"Europe/Berlin", {2023, 10, 29, 1, 59, 59}, 1698537599LL},
    {"Europe/Berlin", {2023, 9, 10, 15, 0, 0}, 1694350800LL},
    {"Europe/Berlin", {2100, 3, 28, 2, 30, 0}, 4109880600LL},   /* gap, from the footer */
    {"Europe/Berlin", {2100, 10, 31, 2, 30, 0}, 4128625800LL},  /* overlap, from the footer */
    {"America/New_York", {2023, 3, 12, 2, 30, 0}, 1678606200LL}, /* gap: read as EST */
    {"America/New_York", {2023, 11, 5, 1, 30, 0}, 1699162200LL}, /* overlap: EDT */
    {"America/New_York", {2023, 11, 5, 2, 0, 0}, 1699167600LL},
    {"Asia/Pyongyang", {2015, 8, 14, 23, 45, 0}, 1439563500LL}, /* overlap of 2015: the earlier, UTC+9 */
    {"Asia/Pyongyang", {2015, 8, 15, 0, 0, 0}, 1439566200LL},
    {"Asia/Pyongyang", {2018, 5, 4, 23, 45, 0}, 1525446900LL},  /* gap of 2018: read as UTC+8:30 */
    {"Asia/Pyongyang", {2018, 5, 5, 0, 0, 0}, 1525446000LL},
    {"Asia/Pyongyang", {2023, 9, 10, 15, 0, 0}, 1694325600LL},
    {"Asia/Vladivostok", {2011, 3, 27, 2, 30, 0}, 1301157000LL}, /* gap */
    {"Asia/Vladivostok", {2014, 10, 26, 1, 30, 0}, 1414247400LL}, /* overlap */
    {"Asia/Kolkata", {2023, 9, 10, 15, 0, 0}, 1694338200LL},
    {"Australia/Sydney", {2023, 4, 2, 2, 30, 0}, 1680363000LL},  /* overlap: AEDT */
    {"Australia/Sydney", {2023, 10, 1, 2, 30, 0}, 1696091400LL}, /* gap: read as AEST */
    {"UTC", {2023, 9, 10, 15, 0, 0}, 1694358000LL},
};

static void test_civil_to_utc_real_zones(void **state)
{
    (void)state;
    tz_db *db = system_db();
    for (size_t i = 0; i < sizeof civil_cases / sizeof civil_cases[0]; i++) {
        const civil_case *c = &civil_cases[i];
        const tz_zone *z = get_zone(db, c->zone);
        int64_t t = -1;
        assert_int_equal(tz_civil_to_utc(z, &c->local, &t), BOGIE_OK);
        if (t != c->t)
            fail_msg("%s %04d-%02d-%02d %02d:%02d:%02d: got %lld, expected %lld", c->zone, c->local.year,
                     c->local.month, c->local.day, c->local.hour, c->local.minute, c->local.second, (long long)t,
                     (long long)c->t);
    }
    /* Every instant that is not in the later half of an overlap converts back to itself. */
    for (size_t i = 0; i < sizeof utc_cases / sizeof utc_cases[0]; i++) {
        const utc_case *c = &utc_cases[i];
        const tz_zone *z = get_zone(db, c->zone);
        int64_t t;
        assert_int_equal(tz_civil_to_utc(z, &c->local, &t), BOGIE_OK);
        int later_half = (c->t == 1439564400LL || c->t == 1698541200LL || c->t == 4128627600LL ||
                          c->t == 1699164000LL || c->t == 1680364800LL || c->t == 1414249200LL);
        if (!later_half)
            assert_int_equal(t, c->t);
        else
            assert_int_equal(t, c->t - (utc_cases[i - 1].offset - c->offset)); /* the earlier instant */
    }
    tz_db_close(db);
}

static void test_civil_to_utc_rejects_invalid(void **state)
{
    (void)state;
    tz_db *db = system_db();
    const tz_zone *z = get_zone(db, "Europe/Berlin");
    static const tz_civil bad[] = {
        {2023, 2, 29, 12, 0, 0}, {2023, 2, 30, 12, 0, 0}, {2023, 4, 31, 0, 0, 0}, {2023, 13, 1, 0, 0, 0},
        {2023, 0, 1, 0, 0, 0},   {2023, 1, 0, 0, 0, 0},   {2023, 1, 1, 24, 0, 0}, {2023, 1, 1, -1, 0, 0},
        {2023, 1, 1, 0, 60, 0},  {2023, 1, 1, 0, 0, 60},  {1900, 2, 29, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        assert_int_equal(tz_civil_to_utc(z, &bad[i], &t), BOGIE_ERR_ARG);
        assert_int_equal(t, 42); /* untouched */
    }
    int64_t t;
    tz_civil leap = {2024, 2, 29, 12, 0, 0}, leap2000 = {2000, 2, 29, 0, 0, 0};
    assert_int_equal(tz_civil_to_utc(z, &leap, &t), BOGIE_OK);
    assert_int_equal(t, 1709204400LL); /* 2024-02-29 11:00 UTC */
    assert_int_equal(tz_civil_to_utc(z, &leap2000, &t), BOGIE_OK);
    tz_db_close(db);
}

/* Far outside the tables, in both directions, conversions still work and do not overflow. */
static void test_extreme_instants(void **state)
{
    (void)state;
    tz_db *db = system_db();
    const char *zones[] = {"Europe/Berlin", "Australia/Sydney", "Asia/Pyongyang", "UTC"};
    const int64_t ts[] = {INT64_MIN, INT64_MIN + 1, -(1LL << 40), (1LL << 40), INT64_MAX - 1, INT64_MAX};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        const tz_zone *z = get_zone(db, zones[i]);
        for (size_t j = 0; j < sizeof ts / sizeof ts[0]; j++) {
            tz_civil c;
            int off;
            const char *abbr;
            tz_utc_to_civil(z, ts[j], &c, &off, &abbr);
            assert_true(off > -90000 && off < 93600);
            assert_non_null(abbr);
        }
    }
    /* Berlin in the year 9999 still follows the footer: 9999-07-01 12:00 is CEST. */
    const tz_zone *berlin = get_zone(db, "Europe/Berlin");
    int64_t t = (tz_days_from_civil(9999, 7, 1) * 86400) + 12 * 3600;
    const char *abbr;
    assert_int_equal(tz_offset_at(berlin, t, &abbr), 7200);
    assert_string_equal(abbr, "CEST");
    tz_civil c = {9999, 7, 1, 14, 0, 0};
    int64_t back;
    assert_int_equal(tz_civil_to_utc(berlin, &c, &back), BOGIE_OK);
    assert_int_equal(back, t);
    /* And so does the year -1000 (proleptic), with local mean time. */
    c = (tz_civil){-1000, 1, 1, 0, 53, 28}; /* Berlin LMT is +0:53:28 */
    assert_int_equal(tz_civil_to_utc(berlin, &c, &back), BOGIE_OK);
    assert_int_equal(back, tz_days_from_civil(-1000, 1, 1) * 86400);
    tz_db_close(db);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Synthetic TZif files.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct syn_type {
    int32_t utoff;
    uint8_t isdst;
    const char *abbr;
} syn_type;

static size_t put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return 4;
}

/* Builds a TZif file of the given version (0 for 1, or '2'...) into out: the same transitions in the version 1 block
 * and, for version 2 and later, the 64-bit block and the footer. n_leap leap second records and (when indicators is
 * set) std/wall and UT/local indicators are included, to be skipped. Returns the size. */
static size_t build_tzif(unsigned char *out, char version, const int64_t *trans, const uint8_t *idx, size_t n_trans,
                         const syn_type *types, size_t n_types, size_t n_leap, int indicators, const char *footer)
{
    char chars[256];
    size_t n_chars = 0, abbr_at[16];
    for (size_t i = 0; i < n_types; i++) {
        abbr_at[i] = n_chars;
        size_t l = strlen(types[i].abbr) + 1;
        memcpy(chars + n_chars, types[i].abbr, l);
        n_chars += l;
    }
    size_t pos = 0;
    for (int block = 0; block < (version ? 2 : 1); block++) {
        unsigned tsize = block ? 8 : 4;
        memcpy(out + pos, "TZif", 4);
        out[pos + 4] = (unsigned char)version;
        memset(out + pos + 5, 0, 15);
        pos += 20;
        pos += put32(out + pos, indicators ? (uint32_t)n_types : 0);
        pos += put32(out + pos, indicators ? (uint32_t)n_types : 0);
        pos += put32(out + pos, (uint32_t)n_leap);
        pos += put32(out + pos, (uint32_t)n_trans);
        pos += put32(out + pos, (uint32_t)n_types);
        pos += put32(out + pos, (uint32_t)n_chars);
        for (size_t i = 0; i < n_trans; i++) {
            if (tsize == 8)
                pos += put32(out + pos, (uint32_t)((uint64_t)trans[i] >> 32));
            pos += put32(out + pos, (uint32_t)trans[i]);
        }
        if (n_trans)
            memcpy(out + pos, idx, n_trans);
        pos += n_trans;
        for (size_t i = 0; i < n_types; i++) {
            pos += put32(out + pos, (uint32_t)types[i].utoff);
            out[pos++] = types[i].isdst;
            out[pos++] = (unsigned char)abbr_at[i];
        }
        memcpy(out + pos, chars, n_chars);
        pos += n_chars;
        for (size_t i = 0; i < n_leap; i++) {
            if (tsize == 8)
                pos += put32(out + pos, 0);
            pos += put32(out + pos, (uint32_t)(78796800 + 15768000 * i)); /* 1972-07-01, ... */
            pos += put32(out + pos, (uint32_t)(i + 1));
        }
        if (indicators) {
            memset(out + pos, 0, 2 * n_types);
            pos += 2 * n_types;
        }
    }
    if (version) {
        out[pos++] = '\n';
        memcpy(out + pos, footer, strlen(footer));
        pos += strlen(footer);
        out[pos++] = '\n';
    }
    return pos;
}

/* Loads the file bytes as zone "Syn" from a fresh db in dir; returns the status. *dbp receives the db (close it). */
static bogie_status load_syn(const char *dir, const unsigned char *data, size_t n, tz_db **dbp, const tz_zone **z,
                             bogie_diag *diag)
{
    write_file(dir, "Syn", data, n);
    assert_int_equal(tz_db_open(dir, NULL, dbp, diag), BOGIE_OK);
    return tz_db_get(*dbp, "Syn", z, diag);
}

static void test_version1_leap_records_and_versions(void **state)
{
    (void)state;
    const char *dir = test_tmpdir();
    static const int64_t trans[] = {1679792400LL, 1698541200LL}; /* Berlin's changes of 2023 */
    static const uint8_t idx[] = {1, 0};
    static const syn_type types[] = {{3600, 0, "CET"}, {7200, 1, "CEST"}};
    unsigned char buf[2048];
    const char versions[] = {0, '2', '3', '4'};
    for (size_t v = 0; v < sizeof versions; v++) {
        size_t n = build_tzif(buf, versions[v], trans, idx, 2, types, 2, 3, 1, "");
        tz_db *db;
        const tz_zone *z;
        bogie_diag diag = {0};
        if (load_syn(dir, buf, n, &db, &z, &diag) != BOGIE_OK)
            fail_msg("version %d: %s", versions[v], diag.message);
        const char *abbr;
        assert_int_equal(tz_offset_at(z, 1679792399LL, &abbr), 3600);
        assert_string_equal(abbr, "CET");
        assert_int_equal(tz_offset_at(z, 1679792400LL, &abbr), 7200);
        assert_string_equal(abbr, "CEST");
        assert_int_equal(tz_offset_at(z, 1698541200LL, &abbr), 3600);
        /* No footer: the last type stays in force. */
        assert_int_equal(tz_offset_at(z, 4109878800LL, &abbr), 3600);
        assert_int_equal(tz_offset_at(z, -4000000000LL, &abbr), 3600); /* before the first: type 0 */
        tz_db_close(db);
    }
    /* Transitions out of order, or naming a type that does not exist, are refused. */
    static const int64_t unordered[] = {1698541200LL, 1679792400LL};
    static const uint8_t bad_idx[] = {1, 2};
    for (int k = 0; k < 2; k++) {
        size_t n = build_tzif(buf, '2', k ? trans : unordered, k ? bad_idx : idx, 2, types, 2, 0, 0, "CET-1");
        tz_db *db;
        const tz_zone *z;
        bogie_diag diag = {0};
        assert_int_equal(load_syn(dir, buf, n, &db, &z, &diag), BOGIE_ERR_INPUT);
        assert_non_null(strstr(diag.message, k ? "type 2" : "not later"));
        tz_db_close(db);
    }
    /* An unknown version is refused as unsupported. */
    size_t n = build_tzif(buf, '5', trans, idx, 2, types, 2, 0, 0, "CET-1");
    tz_db *db;
    const tz_zone *z;
    bogie_diag diag = {0};
    assert_int_equal(load_syn(dir, buf, n, &db, &z, &diag), BOGIE_ERR_UNSUPPORTED);
    assert_int_equal(diag.status, BOGIE_ERR_UNSUPPORTED);
    tz_db_close(db);
}

typedef struct footer_case {
    int64_t t;
    int offset;
    const char *abbr;
} footer_case;

/* Footers with Julian days, checked with glibc: TZ='<footer>' date -d @t (at instants away from the new year, where
 * glibc only looks at the rules of the current year). */
static void test_footer_rules(void **state)
{
    (void)state;
    const char *dir = test_tmpdir();
    unsigned char buf[2048];
    tz_db *db;
    const tz_zone *z;
    bogie_diag diag = {0};

    /* Daylight saving time all year, the form RFC 8536 describes. */
    static const syn_type est[] = {{-18000, 0, "EST"}};
    size_t n = build_tzif(buf, '3', NULL, NULL, 0, est, 1, 0, 0, "EST5EDT,0/0,J365/25");
    assert_int_equal(load_syn(dir, buf, n, &db, &z, &diag), BOGIE_OK);
    static const int64_t perm[] = {1672549200LL, 1688169600LL, 1704085200LL, 1735686000LL, 1704067200LL};
    for (size_t i = 0; i < sizeof perm / sizeof perm[0]; i++) {
        const char *abbr;
        assert_int_equal(tz_offset_at(z, perm[i], &abbr), -14400);
        assert_string_equal(abbr, "EDT");
    }
    tz_civil c = {2024, 1, 1, 0, 30, 0};
    int64_t t;
    assert_int_equal(tz_civil_to_utc(z, &c, &t), BOGIE_OK);
    assert_int_equal(t, 1704083400LL);
    tz_db_close(db);

    /* DST periods that would last a year or more make DST permanent, as in tzcode (and glibc agrees). */
    static const syn_type m3[] = {{-10800, 0, "-03"}};
    n = build_tzif(buf, '3', NULL, NULL, 0, m3, 1, 0, 0, "<-03>3<-02>,J1/-100,J365/140");
    assert_int_equal(load_syn(dir, buf, n, &db, &z, &diag), BOGIE_OK);
    for (int64_t at = 1672531200LL; at < 1672531200LL + 800 * 86400LL; at += 3 * 3600 + 7)
        assert_int_equal(tz_offset_at(z, at, NULL), -7200);
    tz_db_close(db);

    /* "Jn" never counts 29 February; "n" does, from 0. */
    n = build_tzif(buf, '2', NULL, NULL, 0, m3, 1, 0, 0, "<-03>3<-02>,J60,300");
    assert_int_equal(load_syn(dir, buf, n, &db, &z, &diag), BOGIE_OK);
    static const footer_case jul[] = {
        {1677646799LL, -10800, "-03"}, /* 2023-03-01 04:59:59 UTC */
        {1677646800LL, -7200, "-02"},  /* 2023-03-01 05:00:00 UTC: J60 is 1 March */
        {1709269199LL, -10800, "-03"}, /* 2024-03-01 04:59:59 UTC: still 1 March in a leap year */
        {1709269200LL, -7200, "-02"},
        {1698465599LL, -7200, "-02"},  /* 2023-10-28 03:59:59 UTC: day 300 is 28 October */
        {1698465600LL, -10800, "-03"},
        {1730001599LL, -7200, "-02"},  /* 2024-10-27 03:59:59 UTC: but 27 October in a leap year */
        {1730001600LL, -10800, "-03"},
    };
    for (size_t i = 0; i < sizeof jul / sizeof jul[0]; i++) {
        const char *abbr;
        int off = tz_offset_at(z, jul[i].t, &abbr);
        if (off != jul[i].offset || strcmp(abbr, jul[i].abbr) != 0)
            fail_msg("J60,300 at %lld: %d %s, expected %d %s", (long long)jul[i].t, off, abbr, jul[i].offset,
                     jul[i].abbr);
    }
    tz_db_close(db);

    /* A fixed offset with a numeric abbreviation. */
    static const syn_type p10[] = {{36000, 0, "+10"}};
    n = build_tzif(buf, '2', NULL, NULL, 0, p10, 1, 0, 0, "<+10>-10");
    assert_int_equal(load_syn(dir, buf, n, &db, &z, &diag), BOGIE_OK);
    const char *abbr;
    assert_int_equal(tz_offset_at(z, 1694304000LL, &abbr), 36000);
    assert_string_equal(abbr, "+10");
    tz_db_close(db);

    /* Footers bogie cannot read. */
    static const struct {
        const char *footer;
        bogie_status status;
    } bad[] = {
        {"CET-1CEST", BOGIE_ERR_UNSUPPORTED}, /* DST without a rule */
        {"garbage!", BOGIE_ERR_INPUT},
        {"CET", BOGIE_ERR_INPUT},
        {"CET-1CEST,M3.5.0", BOGIE_ERR_INPUT},
        {"CET-1CEST,M13.5.0,M10.5.0/3", BOGIE_ERR_INPUT},
        {"CET-1CEST,M3.6.0,M10.5.0/3", BOGIE_ERR_INPUT},
        {"CET-1CEST,M3.5.7,M10.5.0/3", BOGIE_ERR_INPUT},
        {"CET-1CEST,J0,J300", BOGIE_ERR_INPUT},
        {"CET-1CEST,366,J300", BOGIE_ERR_INPUT},
        {"CET-1CEST,M3.5.0/168,M10.5.0", BOGIE_ERR_INPUT},
        {"CET-1CEST,M3.5.0,M10.5.0/3x", BOGIE_ERR_INPUT},
        {"CET-25", BOGIE_ERR_INPUT},
        {"<+1>-1", BOGIE_ERR_INPUT}, /* abbreviation too short */
        {"<+10-10", BOGIE_ERR_INPUT},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = build_tzif(buf, '2', NULL, NULL, 0, p10, 1, 0, 0, bad[i].footer);
        bogie_status st = load_syn(dir, buf, n, &db, &z, &diag);
        if (st != bad[i].status)
            fail_msg("footer \"%s\": status %d, expected %d (%s)", bad[i].footer, st, bad[i].status,
                     st ? diag.message : "");
        assert_non_null(strstr(diag.message, "Syn"));
        assert_non_null(strstr(diag.message, bad[i].footer));
        tz_db_close(db);
    }
}

/* Every truncation of a real TZif file, and garbage, fail with BOGIE_ERR_INPUT and a message naming zone and file. */
static void test_truncated_and_garbage_files(void **state)
{
    (void)state;
    char src[4200];
    snprintf(src, sizeof src, "%s/Europe/Berlin", system_tzdir());
    size_t size;
    unsigned char *data = read_whole(src, &size);
    assert_true(size > 100);
    const char *dir = test_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/Trunc", dir);

    tz_db *db;
    bogie_diag diag = {0};
    assert_int_equal(tz_db_open(dir, NULL, &db, &diag), BOGIE_OK);
    const tz_zone *z;
    for (size_t len = 0; len < size; len++) {
        write_file(dir, "Trunc", data, len);
        memset(&diag, 0, sizeof diag);
        bogie_status st = tz_db_get(db, "Trunc", &z, &diag);
        if (st != BOGIE_ERR_INPUT)
            fail_msg("Berlin truncated to %zu of %zu bytes: status %d: %s", len, size, st, diag.message);
        assert_int_equal(diag.status, BOGIE_ERR_INPUT);
        assert_non_null(strstr(diag.message, "\"Trunc\""));
        assert_non_null(strstr(diag.message, path));
    }
    /* The whole file loads (failures are not cached) and agrees with the real zone. */
    write_file(dir, "Trunc", data, size);
    assert_int_equal(tz_db_get(db, "Trunc", &z, &diag), BOGIE_OK);
    assert_int_equal(tz_offset_at(z, 1679792400LL, NULL), 7200);

    /* Garbage: random bytes, and a valid magic followed by random bytes. */
    unsigned char junk[4096];
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)(round * 37 % (int)sizeof junk);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = (unsigned char)(seed >> 16);
        }
        if (round % 2 && n >= 5) {
            memcpy(junk, "TZif", 4);
            junk[4] = "\0" "234"[round % 4];
        }
        write_file(dir, "Garbage", junk, n);
        bogie_status st = tz_db_get(db, "Garbage", &z, &diag);
        assert_int_equal(st, BOGIE_ERR_INPUT);
        assert_non_null(strstr(diag.message, "\"Garbage\""));
    }
    /* Counts far beyond the file. */
    unsigned char huge[64] = "TZif2";
    memset(huge + 20, 0xff, 24);
    write_file(dir, "Garbage", huge, sizeof huge);
    assert_int_equal(tz_db_get(db, "Garbage", &z, &diag), BOGIE_ERR_INPUT);
    assert_non_null(strstr(diag.message, "truncated"));
    tz_db_close(db);

    /* Single-byte corruptions anywhere in a real file load or fail cleanly, never crash; what loads answers
     * queries with offsets in range. */
    free(data);
    snprintf(src, sizeof src, "%s/Asia/Pyongyang", system_tzdir());
    data = read_whole(src, &size);
    static const unsigned char flips[] = {0x00, 0xff, 0x01, 0x80};
    for (size_t i = 0; i < size; i++) {
        for (size_t f = 0; f < sizeof flips; f++) {
            unsigned char saved = data[i];
            data[i] = flips[f] == 0x00 || flips[f] == 0xff ? flips[f] : (unsigned char)(saved ^ flips[f]);
            bogie_status st = load_syn(dir, data, size, &db, &z, &diag);
            data[i] = saved;
            if (st != BOGIE_OK && st != BOGIE_ERR_INPUT && st != BOGIE_ERR_UNSUPPORTED)
                fail_msg("byte %zu set: status %d: %s", i, st, diag.message);
            if (st == BOGIE_OK) {
                for (int64_t t = -3000000000LL; t < 5000000000LL; t += 99999999) {
                    tz_civil c;
                    int off;
                    const char *abbr;
                    tz_utc_to_civil(z, t, &c, &off, &abbr);
                    assert_true(off >= -89999 && off <= 93599);
                    int64_t back;
                    assert_int_equal(tz_civil_to_utc(z, &c, &back), BOGIE_OK);
                }
            }
            tz_db_close(db);
        }
    }
    free(data);
}

static void test_db_names_and_errors(void **state)
{
    (void)state;
    tz_db *db = system_db();
    const tz_zone *a, *b;
    bogie_diag diag = {0};
    assert_int_equal(tz_db_get(db, "Asia/Pyongyang", &a, &diag), BOGIE_OK);
    assert_int_equal(tz_db_get(db, "Asia/Pyongyang", &b, &diag), BOGIE_OK);
    assert_ptr_equal(a, b); /* cached */
    assert_string_equal(tz_zone_name(a), "Asia/Pyongyang");
    assert_int_equal(tz_db_get(db, "Etc/GMT-14", &a, &diag), BOGIE_OK); /* '-' and digits */
    assert_int_equal(tz_offset_at(a, 0, NULL), 14 * 3600);
    assert_int_equal(tz_db_get(db, "America/Port-au-Prince", &a, &diag), BOGIE_OK);

    assert_int_equal(tz_db_get(db, "Nowhere/Zone", &a, &diag), BOGIE_ERR_NOT_FOUND);
    assert_int_equal(diag.status, BOGIE_ERR_NOT_FOUND);
    assert_non_null(strstr(diag.message, "\"Nowhere/Zone\""));
    assert_non_null(strstr(diag.message, "/Nowhere/Zone:"));
    assert_int_equal(tz_db_get(db, "Asia", &a, &diag), BOGIE_ERR_NOT_FOUND); /* a directory */
    assert_int_equal(tz_db_get(db, "Europe/Berlin/x", &a, &diag), BOGIE_ERR_NOT_FOUND);

    static const char *const bad[] = {"../etc/passwd", "Europe/../../etc/passwd", "/etc/passwd", "", "Europe/Berlin ",
                                      "Europe\\Berlin", "Europe/Berlin\n", "zone.tab", "Asia/Pyöngyang"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = NULL;
        assert_int_equal(tz_db_get(db, bad[i], &a, &diag), BOGIE_ERR_ARG);
        assert_null(a);
    }
    assert_int_equal(tz_db_get(db, NULL, &a, &diag), BOGIE_ERR_ARG);
    tz_db_close(db);
    tz_db_close(NULL);

    /* A missing directory fails at open. */
    assert_int_equal(tz_db_open("/nonexistent/zoneinfo", NULL, &db, &diag), BOGIE_ERR_IO);
    assert_non_null(strstr(diag.message, "/nonexistent/zoneinfo"));
    assert_null(db);

    /* With no directory given, $TZDIR is used. */
    const char *dir = test_tmpdir();
    write_file(dir, "Only", "not a zone", 10);
    char *old = getenv("TZDIR") ? strdup(getenv("TZDIR")) : NULL;
    setenv("TZDIR", dir, 1);
    assert_int_equal(tz_db_open(NULL, NULL, &db, &diag), BOGIE_OK);
    if (old)
        setenv("TZDIR", old, 1);
    else
        unsetenv("TZDIR");
    free(old);
    assert_int_equal(tz_db_get(db, "Only", &a, &diag), BOGIE_ERR_INPUT);
    assert_non_null(strstr(diag.message, dir));
    assert_int_equal(tz_db_get(db, "Europe/Berlin", &a, &diag), BOGIE_ERR_NOT_FOUND);
    tz_db_close(db);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Failed allocations.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct counting {
    long calls;      /* allocations and reallocations so far */
    long fail_at;    /* fail the call with this number (from 1); 0 never fails */
    long failures;
    long live;       /* bytes allocated and not freed, by the sizes the library reports */
} counting;

static void *counting_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    counting *c = ud;
    if (new_size == 0) {
        if (ptr)
            c->live -= (long)old_size;
        free(ptr);
        return NULL;
    }
    if (++c->calls == c->fail_at) {
        c->failures++;
        return NULL;
    }
    void *p = realloc(ptr, new_size);
    if (p)
        c->live += (long)new_size - (ptr ? (long)old_size : 0);
    return p;
}

static void test_nomem_at_every_allocation(void **state)
{
    (void)state;
    tz_db_close(system_db());
    int saw_open = 0, saw_get = 0;
    for (long n = 1;; n++) {
        counting c = {0, n, 0, 0};
        bogie_allocator a = {counting_alloc, &c};
        tz_db *db = NULL;
        bogie_diag diag = {0};
        bogie_status st = tz_db_open(NULL, &a, &db, &diag);
        if (st == BOGIE_ERR_NOMEM) {
            assert_int_equal(diag.status, BOGIE_ERR_NOMEM);
            assert_null(db);
            assert_int_equal(c.live, 0);
            saw_open = 1;
            continue;
        }
        assert_int_equal(st, BOGIE_OK);
        const char *names[] = {"Europe/Berlin", "Asia/Pyongyang", "America/New_York", "UTC"};
        int failed = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            const tz_zone *z = NULL;
            st = tz_db_get(db, names[i], &z, &diag);
            if (st == BOGIE_ERR_NOMEM) {
                assert_int_equal(diag.status, BOGIE_ERR_NOMEM);
                failed = 1;
                saw_get = 1;
                /* The db stays usable: the same request succeeds once memory is back. */
                c.fail_at = 0;
                assert_int_equal(tz_db_get(db, names[i], &z, &diag), BOGIE_OK);
            } else {
                assert_int_equal(st, BOGIE_OK);
            }
            assert_non_null(z);
            assert_string_equal(tz_zone_name(z), names[i]);
        }
        tz_db_close(db);
        assert_int_equal(c.live, 0);
        if (!failed && c.failures == 0)
            break; /* n is past the last allocation */
        assert_true(n < 1000);
    }
    assert_true(saw_open);
    assert_true(saw_get);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Threads.
 * ------------------------------------------------------------------------------------------------------------- */

enum { N_THREADS = 8, N_ROUNDS = 300 };

static const char *const thread_zones[] = {"Europe/Berlin", "Asia/Pyongyang", "Asia/Vladivostok",
                                           "America/New_York", "Asia/Kolkata", "UTC", "Australia/Sydney",
                                           "Europe/London", "Asia/Tokyo", "America/Sao_Paulo"};
enum { N_THREAD_ZONES = sizeof thread_zones / sizeof thread_zones[0] };

typedef struct thread_arg {
    tz_db *db;
    int id;
    const tz_zone *seen[N_THREAD_ZONES];
    int errors;
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *arg = p;
    for (int r = 0; r < N_ROUNDS; r++) {
        for (int k = 0; k < N_THREAD_ZONES; k++) {
            int i = (k + arg->id * 3 + r) % N_THREAD_ZONES;
            const tz_zone *z;
            bogie_diag diag;
            if (tz_db_get(arg->db, thread_zones[i], &z, &diag) != BOGIE_OK) {
                arg->errors++;
                continue;
            }
            if (arg->seen[i] && arg->seen[i] != z)
                arg->errors++;
            arg->seen[i] = z;
            if (strcmp(tz_zone_name(z), thread_zones[i]) != 0)
                arg->errors++;
            tz_civil c;
            int64_t t = 1694358000LL + r * 86400LL * 7, back;
            tz_utc_to_civil(z, t, &c, NULL, NULL);
            if (tz_civil_to_utc(z, &c, &back) != BOGIE_OK || (back != t && strcmp(thread_zones[i], "UTC") == 0))
                arg->errors++;
        }
    }
    return NULL;
}

static void test_concurrent_gets(void **state)
{
    (void)state;
    tz_db_close(system_db());
    tz_db *db;
    bogie_diag diag;
    assert_int_equal(tz_db_open(NULL, NULL, &db, &diag), BOGIE_OK); /* an empty cache: the threads race to load */
    pthread_t th[N_THREADS];
    thread_arg args[N_THREADS];
    memset(args, 0, sizeof args);
    for (int i = 0; i < N_THREADS; i++) {
        args[i].db = db;
        args[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < N_THREADS; i++) {
        assert_int_equal(args[i].errors, 0);
        for (int k = 0; k < N_THREAD_ZONES; k++)
            assert_ptr_equal(args[i].seen[k], args[0].seen[k]); /* one zone object per name */
    }
    tz_db_close(db);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Calendar helpers.
 * ------------------------------------------------------------------------------------------------------------- */

static void test_days_round_trip(void **state)
{
    (void)state;
    /* Fixed points, from Python: date(y, m, d).toordinal() - date(1970, 1, 1).toordinal(). */
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tz_days_from_civil(2200, 12, 31), 84370);
    assert_int_equal(tz_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(tz_days_from_civil(9999, 12, 31), 2932896);
    /* Every day from 1900 to 2200 follows the one before and converts back. */
    int64_t expect = tz_days_from_civil(1900, 1, 1);
    for (int y = 1900; y <= 2200; y++) {
        for (int m = 1; m <= 12; m++) {
            static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            int nd = mdays[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= nd; d++) {
                int64_t days = tz_days_from_civil(y, m, d);
                if (days != expect)
                    fail_msg("%04d-%02d-%02d: %lld, expected %lld", y, m, d, (long long)days, (long long)expect);
                int yy, mm, dd;
                tz_civil_from_days(days, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d)
                    fail_msg("%lld: %04d-%02d-%02d, expected %04d-%02d-%02d", (long long)days, yy, mm, dd, y, m, d);
                expect++;
            }
        }
    }
    assert_int_equal(expect, 84371);
    /* A wide range, sparsely, including negative years. */
    for (int64_t days = -400000000; days <= 400000000; days += 9973) {
        int y, m, d;
        tz_civil_from_days(days, &y, &m, &d);
        assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        assert_int_equal(tz_days_from_civil(y, m, d), days);
    }
    /* Months and days outside their ranges carry. */
    assert_int_equal(tz_days_from_civil(2023, 13, 1), tz_days_from_civil(2024, 1, 1));
    assert_int_equal(tz_days_from_civil(2023, 0, 1), tz_days_from_civil(2022, 12, 1));
    assert_int_equal(tz_days_from_civil(2023, -11, 1), tz_days_from_civil(2022, 1, 1));
    assert_int_equal(tz_days_from_civil(2023, 1, 32), tz_days_from_civil(2023, 2, 1));
    assert_int_equal(tz_days_from_civil(2024, 3, 0), tz_days_from_civil(2024, 2, 29));
}

/* ---------------------------------------------------------------------------------------------------------------
 * Parsing and formatting.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct parse_ok {
    const char *s;
    tz_civil c;
    int has_offset, offset_s;
} parse_ok;

static void test_parse_good(void **state)
{
    (void)state;
    static const parse_ok cases[] = {
        {"2023-09-10 15:00", {2023, 9, 10, 15, 0, 0}, 0, 0},
        {"2023-09-10T15:00", {2023, 9, 10, 15, 0, 0}, 0, 0},
        {"2023-09-10 15:00:30", {2023, 9, 10, 15, 0, 30}, 0, 0},
        {"2023-09-10 15:00Z", {2023, 9, 10, 15, 0, 0}, 1, 0},
        {"2023-09-10T15:00:59Z", {2023, 9, 10, 15, 0, 59}, 1, 0},
        {"2023-09-10 15:00+09:00", {2023, 9, 10, 15, 0, 0}, 1, 32400},
        {"2023-09-10 15:00+0900", {2023, 9, 10, 15, 0, 0}, 1, 32400},
        {"2023-09-10 15:00+09", {2023, 9, 10, 15, 0, 0}, 1, 32400},
        {"2023-09-10 15:00-05:30", {2023, 9, 10, 15, 0, 0}, 1, -19800},
        {"2023-09-10 15:00 +08:30", {2023, 9, 10, 15, 0, 0}, 1, 30600},
        {"2023-09-10 15:00:00 -03", {2023, 9, 10, 15, 0, 0}, 1, -10800},
        {"2023-09-10 15:00 Z", {2023, 9, 10, 15, 0, 0}, 1, 0},
        {"2023-09-10T00:00-00:00", {2023, 9, 10, 0, 0, 0}, 1, 0},
        {"2024-02-29 23:59:59", {2024, 2, 29, 23, 59, 59}, 0, 0},
        {"2000-02-29 00:00", {2000, 2, 29, 0, 0, 0}, 0, 0},
        {"0001-01-01 00:00", {1, 1, 1, 0, 0, 0}, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tz_civil c;
        int has = -1, off = -1;
        bogie_diag diag = {0};
        if (tz_parse_datetime(cases[i].s, &c, &has, &off, &diag) != BOGIE_OK)
            fail_msg("\"%s\": %s", cases[i].s, diag.message);
        assert_civil(&c, &cases[i].c, cases[i].s);
        assert_int_equal(has, cases[i].has_offset);
        assert_int_equal(off, cases[i].offset_s);
        assert_int_equal(tz_parse_datetime(cases[i].s, &c, NULL, NULL, NULL), BOGIE_OK);
    }
}

typedef struct parse_bad {
    const char *s;
    int position; /* the character the message must name, from 1 */
} parse_bad;

static void test_parse_bad(void **state)
{
    (void)state;
    static const parse_bad cases[] = {
        {"", 1},
        {"2023", 5},
        {"2023-09-10", 11},             /* no time */
        {"2023-09-10 ", 12},
        {"2023-09-10 15", 14},
        {"2023-09-10 15:", 15},
        {"2023-09-10 15:0", 15},
        {"2023-9-10 15:00", 6},
        {"2023-09-1 15:00", 9},
        {"23-09-10 15:00", 1},
        {"20230-09-10 15:00", 5},
        {"2023/09/10 15:00", 5},
        {"2023-13-01 10:00", 6},
        {"2023-00-01 10:00", 6},
        {"2023-02-29 10:00", 9},        /* not a leap year */
        {"2023-04-31 10:00", 9},
        {"2023-09-00 10:00", 9},
        {"2023-09-10 24:00", 12},
        {"2023-09-10 15:60", 15},
        {"2023-09-10 15:00:60", 18},
        {"2023-09-10 15:00:5", 18},
        {"2023-09-10 15:00x", 17},
        {"2023-09-10 15:00 ", 18},
        {"2023-09-10 15:00  +09:00", 18},
        {"2023-09-10 15:00+9", 18},
        {"2023-09-10 15:00+24:00", 18},
        {"2023-09-10 15:00+09:60", 21},
        {"2023-09-10 15:00+09:0", 21},
        {"2023-09-10 15:00+09:00x", 23},
        {"2023-09-10 15:00Zx", 18},
        {"2023-09-10 15:00 UTC", 18},
        {"2023-09-10_15:00", 11},
        {" 2023-09-10 15:00", 1},
        {"2023-09-10 15:00:00.5", 20},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tz_civil c = {-1, -1, -1, -1, -1, -1};
        int has = -7, off = -7;
        bogie_diag diag = {0};
        bogie_status st = tz_parse_datetime(cases[i].s, &c, &has, &off, &diag);
        if (st != BOGIE_ERR_ARG)
            fail_msg("\"%s\" was accepted", cases[i].s);
        assert_int_equal(diag.status, BOGIE_ERR_ARG);
        char want[64];
        snprintf(want, sizeof want, "\": character %d: ", cases[i].position);
        if (!strstr(diag.message, want) || strncmp(diag.message + 1, cases[i].s, strlen(cases[i].s)) != 0)
            fail_msg("\"%s\": message '%s' does not name the input and character %d", cases[i].s, diag.message,
                     cases[i].position);
        assert_int_equal(c.year, -1); /* outputs untouched */
        assert_int_equal(has, -7);
        assert_int_equal(off, -7);
    }
    bogie_diag diag = {0};
    tz_civil c;
    assert_int_equal(tz_parse_datetime("2023-13-01 10:00", &c, NULL, NULL, &diag), BOGIE_ERR_ARG);
    assert_string_equal(diag.message, "\"2023-13-01 10:00\": character 6: month must be 01-12");
    assert_int_equal(tz_parse_datetime("2023-9-10 10:00", &c, NULL, NULL, &diag), BOGIE_ERR_ARG);
    assert_string_equal(diag.message, "\"2023-9-10 10:00\": character 6: expected a two-digit month (01-12)");
    assert_int_equal(tz_parse_datetime("2023-02-29 10:00", &c, NULL, NULL, &diag), BOGIE_ERR_ARG);
    assert_string_equal(diag.message, "\"2023-02-29 10:00\": character 9: day must be 01-28 in 2023-02");
    assert_int_equal(tz_parse_datetime(NULL, &c, NULL, NULL, &diag), BOGIE_ERR_ARG);
}

static void test_format(void **state)
{
    (void)state;
    char buf[32];
    tz_civil c = {2023, 9, 10, 15, 0, 42};
    tz_format_civil(&c, buf, sizeof buf);
    assert_string_equal(buf, "2023-09-10 15:00");
    c = (tz_civil){987, 1, 2, 3, 4, 5};
    tz_format_civil(&c, buf, sizeof buf);
    assert_string_equal(buf, "0987-01-02 03:04");
    tz_format_civil(&c, buf, 5);
    assert_string_equal(buf, "0987"); /* truncated, terminated */

    static const struct {
        int off;
        const char *text;
    } offs[] = {
        {0, "UTC"},           {32400, "UTC+9"},         {30600, "UTC+8:30"}, {-10800, "UTC-3"},
        {19800, "UTC+5:30"},  {20700, "UTC+5:45"},      {-12600, "UTC-3:30"}, {50400, "UTC+14"},
        {-17762, "UTC-4:56:02"}, {3600, "UTC+1"},       {-60, "UTC-0:01"},
    };
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        tz_format_offset(offs[i].off, buf, sizeof buf);
        assert_string_equal(buf, offs[i].text);
    }
    tz_format_offset(-93599, buf, 16);
    assert_string_equal(buf, "UTC-25:59:59");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc_to_civil_real_zones),
        cmocka_unit_test(test_civil_to_utc_real_zones),
        cmocka_unit_test(test_civil_to_utc_rejects_invalid),
        cmocka_unit_test(test_extreme_instants),
        cmocka_unit_test(test_version1_leap_records_and_versions),
        cmocka_unit_test(test_footer_rules),
        cmocka_unit_test(test_truncated_and_garbage_files),
        cmocka_unit_test(test_db_names_and_errors),
        cmocka_unit_test(test_nomem_at_every_allocation),
        cmocka_unit_test(test_concurrent_gets),
        cmocka_unit_test(test_days_round_trip),
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
