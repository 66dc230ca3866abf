/* tz.c: reads time zones from the system's tz database (TZif files, RFC 8536) into an immutable form, caches them
 * behind a mutex, converts between UTC instants and civil time with them, and parses and formats dates.
 *
 * A loaded zone is a table of transitions (UTC instants at which a new local time type takes effect), the table of
 * types (UTC offset, DST flag, abbreviation) and the file's footer, a POSIX TZ string such as
 * "CET-1CEST,M3.5.0,M10.5.0/3" that gives local time after the last transition. Nothing here calls tzset(),
 * localtime() or anything else that reads the TZ environment variable or keeps state between calls. */
#include "ref/tz.h"

#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_TZDIR "/usr/share/zoneinfo"

/* TZif files of the tz database are a few kilobytes; anything beyond this is not one. */
#define TZ_FILE_MAX (1u << 20)
/* Zone names longer than this are refused; the longest real one has 30 characters. */
#define TZ_NAME_MAX 255
/* Paths are built in a buffer of this size, so the directory may be at most this long minus a name. */
#define TZ_PATH_MAX 4096
/* Abbreviations in a footer ("CEST", "<+0530>" without brackets) may be at most this long. */
#define TZ_ABBR_MAX 31
/* RFC 8536 says UT offsets should lie in [-89999, 93599]; bounding them keeps all arithmetic in range. */
#define UTOFF_MIN (-89999)
#define UTOFF_MAX 93599
/* Seconds in 400 Gregorian years, after which the calendar, leap days and weekdays repeat. */
#define SECS_PER_400Y (146097LL * 86400)

/* One local time type of a zone. */
typedef struct tz_type {
    int32_t utoff;  /* seconds east of UTC */
    uint8_t isdst;  /* 1 when this is daylight saving time */
    uint32_t abbr;  /* index of the abbreviation in tz_zone.abbrs */
} tz_type;

/* The day and time of a DST change in a footer rule. */
typedef struct tz_rule_date {
    char kind;     /* 'J': Julian day 1-365 ignoring 29 February; 'D': day 0-365 counting it; 'M': month.week.day */
    int n;         /* the day for 'J' and 'D', the month 1-12 for 'M' */
    int week;      /* 'M' only: 1-4, or 5 for the last such weekday of the month */
    int wday;      /* 'M' only: 0 is Sunday */
    int32_t time;  /* seconds after local midnight at which the change happens: -167 h to +167 h */
} tz_rule_date;

/* A parsed footer: standard time, and optionally DST with the rules that start and end it. */
typedef struct tz_footer {
    int32_t std_off, dst_off;  /* seconds east of UTC */
    bool has_dst;
    tz_rule_date start, end;   /* start is in local standard time, end in local daylight time */
    char std_abbr[TZ_ABBR_MAX + 1];
    char dst_abbr[TZ_ABBR_MAX + 1];
} tz_footer;

struct tz_zone {
    char *name;            /* NUL-terminated, name_size bytes with the NUL */
    size_t name_size;
    int64_t *trans;        /* n_trans transition instants, strictly ascending */
    uint8_t *trans_type;   /* n_trans indices into types */
    size_t n_trans;
    tz_type *types;        /* n_types >= 1 */
    size_t n_types;
    char *abbrs;           /* abbrs_size bytes, the file's abbreviation characters plus a final NUL */
    size_t abbrs_size;
    bool has_footer;       /* false for version 1 files and empty footers */
    tz_footer footer;
};

struct tz_db {
    pthread_mutex_t mu;      /* guards zones */
    bogie_allocator alloc;   /* a copy of the caller's allocator */
    char *dir;               /* dir_size bytes with the NUL */
    size_t dir_size;
    VEC(tz_zone *) zones;    /* sorted by name */
};

/* ---------------------------------------------------------------------------------------------------------------
 * Calendar arithmetic (proleptic Gregorian; after Howard Hinnant's days_from_civil and civil_from_days).
 * ------------------------------------------------------------------------------------------------------------- */

/* Rounds a / b towards minus infinity; b must be positive. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* Returns a + b, saturated at the limits of int64_t. */
static int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap(y)) ? 29 : days[m - 1];
}

static int64_t days_from_civil64(int64_t y, int64_t m, int64_t d)
{
    int64_t carry = floor_div(m - 1, 12);
    y += carry;
    m -= carry * 12;
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days64(int64_t days, int64_t *y, int *m, int *d)
{
    /* Far beyond any representable year; clamping keeps the arithmetic below from overflowing. */
    const int64_t lim = INT64_MAX / 1024;
    if (days > lim)
        days = lim;
    if (days < -lim)
        days = -lim;
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int clamp_int(int64_t v)
{
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

int64_t tz_days_from_civil(int y, int m, int d)
{
    return days_from_civil64(y, m, d);
}

void tz_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    int64_t yy;
    civil_from_days64(days, &yy, m, d);
    *y = clamp_int(yy);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Footers: POSIX TZ strings with the RFC 8536 extensions (hours up to 167 and negative times in rules).
 * ------------------------------------------------------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Reads an unsigned number of 1 to max_digits digits at *p, no larger than max; advances *p. */
static bool read_num(const char **p, int max_digits, int max, int *out)
{
    int v = 0, n = 0;
    while (n < max_digits && is_digit(**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0 || v > max || is_digit(**p))
        return false;
    *out = v;
    return true;
}

/* Reads an abbreviation: three or more letters, or "<...>" holding three or more of [A-Za-z0-9+-]. */
static bool read_abbr(const char **p, char *out)
{
    const char *s = *p;
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (is_alpha(s[n]) || is_digit(s[n]) || s[n] == '+' || s[n] == '-')
            n++;
        if (s[n] != '>')
            return false;
        *p = s + n + 1;
    } else {
        while (is_alpha(s[n]))
            n++;
        *p = s + n;
    }
    if (n < 3 || n > TZ_ABBR_MAX)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* Reads [+-]hh[:mm[:ss]] with hh at most max_hours; returns the signed number of seconds. */
static bool read_hms(const char **p, int max_hours, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (**p == '+' || **p == '-') {
        sign = **p == '-' ? -1 : 1;
        (*p)++;
    }
    if (!read_num(p, 3, max_hours, &h))
        return false;
    if (**p == ':') {
        (*p)++;
        if (!read_num(p, 2, 59, &m))
            return false;
        if (**p == ':') {
            (*p)++;
            if (!read_num(p, 2, 59, &s))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

/* Reads a rule date, "Jn", "n" or "Mm.w.d", and an optional "/time" (02:00 by default). */
static bool read_rule_date(const char **p, tz_rule_date *r)
{
    memset(r, 0, sizeof *r);
    if (**p == 'J') {
        (*p)++;
        r->kind = 'J';
        if (!read_num(p, 3, 365, &r->n) || r->n < 1)
            return false;
    } else if (**p == 'M') {
        (*p)++;
        r->kind = 'M';
        if (!read_num(p, 2, 12, &r->n) || r->n < 1 || *(*p)++ != '.' || !read_num(p, 1, 5, &r->week) ||
            r->week < 1 || *(*p)++ != '.' || !read_num(p, 1, 6, &r->wday))
            return false;
    } else {
        r->kind = 'D';
        if (!read_num(p, 3, 365, &r->n))
            return false;
    }
    r->time = 2 * 3600;
    if (**p == '/') {
        (*p)++;
        if (!read_hms(p, 167, &r->time))
            return false;
    }
    return true;
}

/* Checks that a POSIX offset (seconds west of UTC) gives a UT offset in the range RFC 8536 recommends. */
static bool utoff_ok(int64_t utoff)
{
    return utoff >= UTOFF_MIN && utoff <= UTOFF_MAX;
}

/* Parses the footer text s into *f. Returns BOGIE_OK, BOGIE_ERR_INPUT when it is not a TZ string, or
 * BOGIE_ERR_UNSUPPORTED for DST without a rule (which zic never writes). *why receives a static explanation. */
static bogie_status parse_footer(const char *s, tz_footer *f, const char **why)
{
    const char *p = s;
    int32_t off;
    memset(f, 0, sizeof *f);
    *why = "the standard time abbreviation must be 3 or more letters, or <...>";
    if (!read_abbr(&p, f->std_abbr))
        return BOGIE_ERR_INPUT;
    *why = "expected the standard time offset, like 5 or -5:30";
    if (!read_hms(&p, 24, &off) || !utoff_ok(-(int64_t)off))
        return BOGIE_ERR_INPUT;
    f->std_off = -off;
    if (*p == '\0')
        return BOGIE_OK;
    *why = "the daylight saving time abbreviation must be 3 or more letters, or <...>";
    if (!read_abbr(&p, f->dst_abbr))
        return BOGIE_ERR_INPUT;
    f->has_dst = true;
    f->dst_off = f->std_off + 3600;
    *why = "the daylight saving time offset is out of range";
    if (!utoff_ok(f->dst_off))
        return BOGIE_ERR_INPUT;
    if (*p != ',' && *p != '\0') {
        *why = "expected the daylight saving time offset";
        if (!read_hms(&p, 24, &off) || !utoff_ok(-(int64_t)off))
            return BOGIE_ERR_INPUT;
        f->dst_off = -off;
    }
    if (*p == '\0') {
        *why = "daylight saving time without a rule saying when it applies";
        return BOGIE_ERR_UNSUPPORTED;
    }
    *why = "expected a rule like ,M3.5.0,M10.5.0/3";
    if (*p++ != ',' || !read_rule_date(&p, &f->start) || *p++ != ',' || !read_rule_date(&p, &f->end))
        return BOGIE_ERR_INPUT;
    *why = "unexpected text after the rule";
    if (*p != '\0')
        return BOGIE_ERR_INPUT;
    return BOGIE_OK;
}

/* Returns the instant, in seconds since 1970 on the local clock, at which rule date r falls in year y. */
static int64_t rule_local(const tz_rule_date *r, int64_t y)
{
    int64_t days;
    if (r->kind == 'J') {
        days = days_from_civil64(y, 1, 1) + r->n - 1 + (is_leap(y) && r->n >= 60);
    } else if (r->kind == 'D') {
        days = days_from_civil64(y, 1, 1) + r->n;
    } else {
        int64_t first = days_from_civil64(y, r->n, 1);
        int wd_first = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
        int dom = 1 + (r->wday - wd_first + 7) % 7 + (r->week - 1) * 7;
        while (dom > month_days(y, r->n))
            dom -= 7;
        days = first + dom - 1;
    }
    return days * 86400 + r->time;
}

/* A DST change of a footer rule: when (UTC) and whether DST starts (1) or ends (0). */
typedef struct rule_event {
    int64_t t;
    int dst;
} rule_event;

/* Evaluates a footer at UTC instant t: returns the offset and sets *type_dst, and *end to the next instant after t
 * at which the footer's answer may change (INT64_MAX for none). */
static int32_t footer_lookup(const tz_footer *f, int64_t t, bool *type_dst, int64_t *end)
{
    if (!f->has_dst) {
        *type_dst = false;
        *end = INT64_MAX;
        return f->std_off;
    }
    /* The rules repeat every 400 years, so work in [1970, 2370) and shift the result back. */
    int64_t k = floor_div(t, SECS_PER_400Y);
    int64_t tr = t - k * SECS_PER_400Y;
    int64_t y;
    int mo, d;
    civil_from_days64(floor_div(tr, 86400), &y, &mo, &d);
    /* Rule times may reach a week past their day, so take the events of two years either side, sorted by time. As in
     * the reference implementation (tzcode's tzparse), a year whose DST would last a whole year or more, like those
     * of "EST5EDT,0/0,J365/25", has no events; when no year has any, DST is in force all the time. */
    rule_event ev[10];
    int n = 0;
    for (int64_t yy = y - 2; yy <= y + 2; yy++) {
        int64_t s = rule_local(&f->start, yy) - f->std_off;
        int64_t e = rule_local(&f->end, yy) - f->dst_off;
        if (e < s || e - s < (is_leap(yy) ? 366 : 365) * 86400LL) {
            ev[n++] = (rule_event){s, 1};
            ev[n++] = (rule_event){e, 0};
        }
    }
    if (n == 0) {
        *type_dst = true;
        *end = INT64_MAX;
        return f->dst_off;
    }
    for (int i = 1; i < n; i++) {
        rule_event e = ev[i];
        int j = i;
        while (j > 0 && ev[j - 1].t > e.t) {
            ev[j] = ev[j - 1];
            j--;
        }
        ev[j] = e;
    }
    int dst = !ev[0].dst;
    *end = INT64_MAX;
    for (int i = 0; i < n; i++) {
        if (ev[i].t <= tr) {
            dst = ev[i].dst;
        } else {
            *end = sat_add(ev[i].t, k * SECS_PER_400Y);
            break;
        }
    }
    *type_dst = dst != 0;
    return dst ? f->dst_off : f->std_off;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Lookups on a loaded zone.
 * ------------------------------------------------------------------------------------------------------------- */

/* What is in force at an instant. */
typedef struct tz_info {
    int32_t offset;
    bool isdst;
    const char *abbr;  /* points into the zone */
    int64_t end;       /* the next instant after t at which any of the above may change, or INT64_MAX */
} tz_info;

static void zone_lookup(const tz_zone *z, int64_t t, tz_info *info)
{
    size_t n = z->n_trans;
    if (z->has_footer && (n == 0 || t >= z->trans[n - 1])) {
        info->offset = footer_lookup(&z->footer, t, &info->isdst, &info->end);
        info->abbr = info->isdst ? z->footer.dst_abbr : z->footer.std_abbr;
        return;
    }
    const tz_type *ty;
    if (n == 0 || t < z->trans[0]) {
        /* RFC 8536 section 3.2: before the first transition, the first time type applies. */
        ty = &z->types[0];
        info->end = n ? z->trans[0] : INT64_MAX;
    } else {
        size_t lo = 0, hi = n; /* find the last i with trans[i] <= t */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (z->trans[mid] <= t)
                lo = mid;
            else
                hi = mid;
        }
        ty = &z->types[z->trans_type[lo]];
        info->end = lo + 1 < n ? z->trans[lo + 1] : INT64_MAX;
    }
    info->offset = ty->utoff;
    info->isdst = ty->isdst != 0;
    info->abbr = z->abbrs + ty->abbr;
}

const char *tz_zone_name(const tz_zone *z)
{
    return z->name;
}

int tz_offset_at(const tz_zone *z, int64_t t, const char **abbr)
{
    tz_info info;
    zone_lookup(z, t, &info);
    if (abbr)
        *abbr = info.abbr;
    return info.offset;
}

void tz_utc_to_civil(const tz_zone *z, int64_t t, tz_civil *out, int *offset, const char **abbr)
{
    tz_info info;
    zone_lookup(z, t, &info);
    int64_t local = sat_add(t, info.offset);
    int64_t days = local / 86400, secs = local % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    int64_t y;
    civil_from_days64(days, &y, &out->month, &out->day);
    out->year = clamp_int(y);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
    if (offset)
        *offset = info.offset;
    if (abbr)
        *abbr = info.abbr;
}

bogie_status tz_civil_to_utc(const tz_zone *z, const tz_civil *c, int64_t *t)
{
    if (!z || !c || !t || c->month < 1 || c->month > 12 || c->day < 1 || c->day > month_days(c->year, c->month) ||
        c->hour < 0 || c->hour > 23 || c->minute < 0 || c->minute > 59 || c->second < 0 || c->second > 59)
        return BOGIE_ERR_ARG;
    int64_t local = days_from_civil64(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60 +
                    c->second;
    /* Every offset lies in [UTOFF_MIN, UTOFF_MAX], so any instant showing this local time lies in [lo, hi]. Walk the
     * intervals of constant offset across that window: the first interval containing local - offset gives the
     * earliest such instant. When none does, local time falls in a gap, which is read with the offset before it. */
    const int64_t lo = local - UTOFF_MAX, hi = local - UTOFF_MIN;
    int64_t cur = lo, gap = 0;
    bool in_gap = false, have_prev = false;
    int32_t prev_off = 0;
    while (cur <= hi) {
        tz_info info;
        zone_lookup(z, cur, &info);
        if (have_prev && info.offset > prev_off && local >= cur + prev_off && local < cur + info.offset &&
            !in_gap) {
            in_gap = true;
            gap = local - prev_off;
        }
        int64_t cand = local - info.offset;
        if (cand >= cur && cand < info.end) {
            *t = cand;
            return BOGIE_OK;
        }
        if (info.end == INT64_MAX)
            break;
        prev_off = info.offset;
        have_prev = true;
        cur = info.end;
    }
    *t = in_gap ? gap : local - tz_offset_at(z, local, NULL);
    return BOGIE_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Loading TZif files.
 * ------------------------------------------------------------------------------------------------------------- */

/* What a failure message names: the zone and its file. */
typedef struct load_ctx {
    const char *zone;
    const char *path;
    bogie_diag *diag;
} load_ctx;

#define LOAD_FAIL(lc, status, fmt, ...) \
    util_fail((lc)->diag, (status), "time zone \"%s\": %s: " fmt, (lc)->zone, (lc)->path, __VA_ARGS__)

/* The counts of a TZif header. */
typedef struct tzif_header {
    uint8_t version;   /* 0 for version 1, else '2', '3', '4' */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_header;

enum { TZIF_HEADER_SIZE = 44 };

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t get_be64(const uint8_t *p)
{
    uint64_t v = (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
    return v > (uint64_t)INT64_MAX ? -(int64_t)(UINT64_MAX - v) - 1 : (int64_t)v;
}

static int32_t get_be32s(const uint8_t *p)
{
    uint32_t v = get_be32(p);
    return v > (uint32_t)INT32_MAX ? -(int32_t)(UINT32_MAX - v) - 1 : (int32_t)v;
}

/* Reads and checks the header at buf[pos] of a file of len bytes. */
static bogie_status read_header(const uint8_t *buf, size_t len, size_t pos, tzif_header *h, const load_ctx *lc)
{
    if (len - pos < 4 || memcmp(buf + pos, "TZif", 4) != 0)
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "byte %zu: not a TZif file (no \"TZif\" magic)", pos);
    if (len - pos < TZIF_HEADER_SIZE)
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "truncated: the header at byte %zu needs %d bytes, %zu remain", pos,
                         TZIF_HEADER_SIZE, len - pos);
    const uint8_t *p = buf + pos;
    h->version = p[4];
    if (h->version != 0 && h->version != '2' && h->version != '3' && h->version != '4')
        return LOAD_FAIL(lc, BOGIE_ERR_UNSUPPORTED, "byte %zu: TZif version byte 0x%02x is not 0, '2', '3' or '4'",
                         pos + 4, h->version);
    h->isutcnt = get_be32(p + 20);
    h->isstdcnt = get_be32(p + 24);
    h->leapcnt = get_be32(p + 28);
    h->timecnt = get_be32(p + 32);
    h->typecnt = get_be32(p + 36);
    h->charcnt = get_be32(p + 40);
    return BOGIE_OK;
}

/* Returns the size of the data block that follows a header, for transition times of tsize bytes. */
static uint64_t block_size(const tzif_header *h, unsigned tsize)
{
    return (uint64_t)h->timecnt * tsize + h->timecnt + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* Checks that the counts of the header at byte pos are consistent and that its block of data fits in the file. */
static bogie_status check_counts(const tzif_header *h, size_t pos, unsigned tsize, size_t len, const load_ctx *lc)
{
    if (h->typecnt == 0)
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "header at byte %zu: typecnt is 0", pos);
    if (h->charcnt == 0)
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "header at byte %zu: charcnt is 0", pos);
    if (h->isutcnt != 0 && h->isutcnt != h->typecnt)
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "header at byte %zu: isutcnt %u is neither 0 nor typecnt %u", pos,
                         h->isutcnt, h->typecnt);
    if (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "header at byte %zu: isstdcnt %u is neither 0 nor typecnt %u", pos,
                         h->isstdcnt, h->typecnt);
    uint64_t need = block_size(h, tsize);
    if (need > len - pos - TZIF_HEADER_SIZE)
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT,
                         "truncated: the header at byte %zu announces %llu bytes of data, the file has %zu more", pos,
                         (unsigned long long)need, len - pos - TZIF_HEADER_SIZE);
    return BOGIE_OK;
}

/* Frees a zone and everything it owns; NULL is a no-op. */
static void zone_free(const bogie_allocator *a, tz_zone *z)
{
    if (!z)
        return;
    util_free(a, z->name, z->name_size);
    util_free(a, z->trans, z->n_trans * sizeof *z->trans);
    util_free(a, z->trans_type, z->n_trans);
    util_free(a, z->types, z->n_types * sizeof *z->types);
    util_free(a, z->abbrs, z->abbrs_size);
    util_free(a, z, sizeof *z);
}

/* Finds the data block to read in the TZif image buf of len bytes: the version 1 block, or for version 2 and later
 * the one after it (64-bit times). *h gets its header, *pos the header's offset and *tsize the size of its times. */
static bogie_status locate_block(const uint8_t *buf, size_t len, tzif_header *h, size_t *pos, unsigned *tsize,
                                 const load_ctx *lc)
{
    bogie_status st = read_header(buf, len, 0, h, lc);
    if (st != BOGIE_OK)
        return st;
    *pos = 0;
    *tsize = 4;
    if (h->version != 0) {
        /* Skip the version 1 block: only its size matters, and that is checked against the file first. */
        uint64_t v1 = block_size(h, 4);
        if (v1 > len - TZIF_HEADER_SIZE)
            return LOAD_FAIL(lc, BOGIE_ERR_INPUT,
                             "truncated: the version 1 header announces %llu bytes of data, the file has %zu more",
                             (unsigned long long)v1, len - TZIF_HEADER_SIZE);
        *pos = TZIF_HEADER_SIZE + (size_t)v1;
        uint8_t version = h->version;
        st = read_header(buf, len, *pos, h, lc);
        if (st != BOGIE_OK)
            return st;
        if (h->version != version)
            return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "byte %zu: the second header's version differs from the first's",
                             *pos + 4);
        *tsize = 8;
    }
    return check_counts(h, *pos, *tsize, len, lc);
}

/* Reads the transition times (tsize bytes each, at times) and their types (at idx) into z, checking that they
 * increase and name existing types. */
static bogie_status read_transitions(const uint8_t *buf, const tzif_header *h, unsigned tsize, const uint8_t *times,
                                     const uint8_t *idx, const bogie_allocator *a, tz_zone *z, const load_ctx *lc)
{
    if (h->timecnt) {
        z->trans = util_malloc(a, (size_t)h->timecnt * sizeof *z->trans);
        z->trans_type = util_malloc(a, h->timecnt);
        if (!z->trans || !z->trans_type) {
            util_free(a, z->trans, (size_t)h->timecnt * sizeof *z->trans);
            util_free(a, z->trans_type, h->timecnt);
            z->trans = NULL;
            z->trans_type = NULL;
            return util_nomem(lc->diag, "loading a time zone");
        }
        z->n_trans = h->timecnt;
    }
    for (size_t i = 0; i < h->timecnt; i++) {
        z->trans[i] = tsize == 8 ? get_be64(times + i * 8) : get_be32s(times + i * 4);
        if (i > 0 && z->trans[i] <= z->trans[i - 1])
            return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "byte %zu: transition %zu is not later than the one before it",
                             (size_t)(times - buf) + i * tsize, i);
        z->trans_type[i] = idx[i];
        if (idx[i] >= h->typecnt)
            return LOAD_FAIL(lc, BOGIE_ERR_INPUT,
                             "byte %zu: transition %zu has type %u, but there are only %u types",
                             (size_t)(idx - buf) + i, i, idx[i], h->typecnt);
    }
    return BOGIE_OK;
}

/* Reads the local time types (at ttinfo) into z, checking their offsets, DST flags and abbreviation indices into the
 * abbreviation bytes at chars. */
static bogie_status read_types(const uint8_t *buf, const tzif_header *h, const uint8_t *ttinfo, const uint8_t *chars,
                               const bogie_allocator *a, tz_zone *z, const load_ctx *lc)
{
    z->types = util_calloc(a, h->typecnt, sizeof *z->types);
    if (!z->types)
        return util_nomem(lc->diag, "loading a time zone");
    z->n_types = h->typecnt;
    for (size_t i = 0; i < h->typecnt; i++) {
        const uint8_t *q = ttinfo + i * 6;
        size_t at = (size_t)(q - buf);
        int32_t utoff = get_be32s(q);
        if (!utoff_ok(utoff))
            return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "byte %zu: type %zu has UT offset %ld s, outside [%d, %d]", at,
                             i, (long)utoff, UTOFF_MIN, UTOFF_MAX);
        if (q[4] > 1)
            return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "byte %zu: type %zu has isdst %u, not 0 or 1", at + 4, i, q[4]);
        if (q[5] >= h->charcnt || !memchr(chars + q[5], '\0', h->charcnt - q[5]))
            return LOAD_FAIL(lc, BOGIE_ERR_INPUT,
                             "byte %zu: type %zu has abbreviation index %u, but the %u abbreviation bytes hold no "
                             "NUL-terminated string there",
                             at + 5, i, q[5], h->charcnt);
        z->types[i] = (tz_type){utoff, q[4], q[5]};
    }
    return BOGIE_OK;
}

/* Reads the footer after the version 2+ block (ending at byte end): a newline, a POSIX TZ string (possibly empty),
 * a newline; a string goes to z->footer. */
static bogie_status read_footer(const uint8_t *buf, size_t len, size_t end, tz_zone *z, const load_ctx *lc)
{
    if (end >= len || buf[end] != '\n')
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "byte %zu: expected the footer's opening newline", end);
    const uint8_t *nl = memchr(buf + end + 1, '\n', len - end - 1);
    if (!nl)
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "byte %zu: the footer has no closing newline", end + 1);
    size_t flen = (size_t)(nl - (buf + end + 1));
    if (flen == 0)
        return BOGIE_OK;
    char text[256];
    if (flen >= sizeof text || memchr(buf + end + 1, '\0', flen))
        return LOAD_FAIL(lc, BOGIE_ERR_INPUT, "byte %zu: the footer is not a TZ string", end + 1);
    memcpy(text, buf + end + 1, flen);
    text[flen] = '\0';
    const char *why;
    bogie_status st = parse_footer(text, &z->footer, &why);
    if (st != BOGIE_OK)
        return LOAD_FAIL(lc, st, "byte %zu: footer \"%s\": %s", end + 1, text, why);
    z->has_footer = true;
    return BOGIE_OK;
}

/* Fills z (already zeroed, name set) from the TZif image buf of len bytes. Arrays are allocated with a and owned by
 * z, also on failure (zone_free() releases them). */
static bogie_status parse_tzif(const uint8_t *buf, size_t len, const bogie_allocator *a, tz_zone *z,
                               const load_ctx *lc)
{
    tzif_header h;
    size_t pos;
    unsigned tsize;
    bogie_status st = locate_block(buf, len, &h, &pos, &tsize, lc);
    if (st != BOGIE_OK)
        return st;
    const uint8_t *p = buf + pos + TZIF_HEADER_SIZE;
    const uint8_t *times = p;
    const uint8_t *idx = times + (size_t)h.timecnt * tsize;
    const uint8_t *ttinfo = idx + h.timecnt;
    const uint8_t *chars = ttinfo + (size_t)h.typecnt * 6;
    size_t end = (size_t)(p - buf) + (size_t)block_size(&h, tsize);
    if ((st = read_transitions(buf, &h, tsize, times, idx, a, z, lc)) != BOGIE_OK ||
        (st = read_types(buf, &h, ttinfo, chars, a, z, lc)) != BOGIE_OK)
        return st;
    z->abbrs = util_malloc(a, (size_t)h.charcnt + 1);
    if (!z->abbrs)
        return util_nomem(lc->diag, "loading a time zone");
    z->abbrs_size = (size_t)h.charcnt + 1;
    memcpy(z->abbrs, chars, h.charcnt);
    z->abbrs[h.charcnt] = '\0';
    /* Leap second records and the standard/wall and UT/local indicators follow; they are not used. */
    if (tsize == 4)
        return BOGIE_OK;
    return read_footer(buf, len, end, z, lc);
}

/* Reads the whole file at path into *buf, allocated with a (*size bytes, owned by the caller, free with
 * util_free(a, *buf, *size)), of which *len bytes were read. */
static bogie_status read_file(const char *path, const bogie_allocator *a, uint8_t **buf, size_t *size, size_t *len,
                              const load_ctx *lc)
{
    *buf = NULL;
    *size = *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return LOAD_FAIL(lc, BOGIE_ERR_NOT_FOUND, "%s", "no such zone in the time zone database");
        char what[TZ_NAME_MAX + 64];
        snprintf(what, sizeof what, "cannot open time zone \"%s\"", lc->zone);
        return util_io_fail(lc->diag, path, what, err);
    }
    bogie_status st = BOGIE_OK;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = util_io_fail(lc->diag, path, "cannot stat the time zone file", errno);
    } else if (!S_ISREG(sb.st_mode)) {
        st = LOAD_FAIL(lc, BOGIE_ERR_NOT_FOUND, "%s", "not a zone file (a directory or special file)");
    } else if ((uint64_t)sb.st_size > TZ_FILE_MAX) {
        st = LOAD_FAIL(lc, BOGIE_ERR_INPUT, "%lld bytes: too large for a TZif file", (long long)sb.st_size);
    } else {
        /* One spare byte, so that an empty file still gets a buffer and a growing file is noticed. */
        size_t want = (size_t)sb.st_size + 1, got = 0;
        *buf = util_malloc(a, want);
        if (!*buf) {
            st = util_nomem(lc->diag, "reading a time zone file");
        } else {
            *size = want;
            while (got < want) {
                ssize_t r = read(fd, *buf + got, want - got);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r < 0) {
                    st = util_io_fail(lc->diag, path, "cannot read the time zone file", errno);
                    break;
                }
                if (r == 0)
                    break;
                got += (size_t)r;
            }
            /* A file that changed size while being read is parsed as far as it was read, or refused as too large. */
            if (st == BOGIE_OK && got == want)
                st = LOAD_FAIL(lc, BOGIE_ERR_INPUT, "%s", "the file grew while being read");
            *len = got;
            if (st != BOGIE_OK) {
                util_free(a, *buf, *size);
                *buf = NULL;
                *size = *len = 0;
            }
        }
    }
    close(fd);
    return st;
}

/* Loads the zone called name from the file at path. On success *out is allocated with a and owned by the caller
 * (free with zone_free()). */
static bogie_status zone_load(const char *name, const char *path, const bogie_allocator *a, tz_zone **out,
                              bogie_diag *diag)
{
    load_ctx lc = {name, path, diag};
    uint8_t *buf;
    size_t size, len;
    bogie_status st = read_file(path, a, &buf, &size, &len, &lc);
    if (st != BOGIE_OK)
        return st;
    tz_zone *z = util_calloc(a, 1, sizeof *z);
    size_t name_len = strlen(name);
    if (z) {
        z->name = util_strndup(a, name, name_len);
        z->name_size = name_len + 1;
    }
    if (!z || !z->name) {
        st = util_nomem(diag, "loading a time zone");
    } else {
        st = parse_tzif(buf, len, a, z, &lc);
    }
    util_free(a, buf, size);
    if (st != BOGIE_OK) {
        zone_free(a, z);
        return st;
    }
    *out = z;
    return BOGIE_OK;
}

/* ---------------------------------------------------------------------------------------------------------------
 * The cache.
 * ------------------------------------------------------------------------------------------------------------- */

bogie_status tz_db_open(const char *dir, const bogie_allocator *alloc, tz_db **out, bogie_diag *diag)
{
    if (!out)
        return util_fail(diag, BOGIE_ERR_ARG, "tz_db_open: out must not be NULL");
    *out = NULL;
    if (!dir) {
        const char *env = getenv("TZDIR");
        dir = (env && *env) ? env : DEFAULT_TZDIR;
    }
    size_t dir_len = strlen(dir);
    if (dir_len == 0 || dir_len > TZ_PATH_MAX - TZ_NAME_MAX - 2)
        return util_fail(diag, BOGIE_ERR_ARG, "time zone database directory \"%.64s%s\": %s", dir,
                         dir_len > 64 ? "..." : "", dir_len ? "path too long" : "empty path");
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return util_io_fail(diag, dir, "cannot open the time zone database", errno);
    if (!S_ISDIR(sb.st_mode))
        return util_io_fail(diag, dir, "cannot open the time zone database", ENOTDIR);

    const bogie_allocator *a = util_alloc_or_default(alloc);
    tz_db *db = util_calloc(a, 1, sizeof *db);
    if (!db)
        return util_nomem(diag, "opening the time zone database");
    db->alloc = *a;
    db->dir = util_strndup(a, dir, dir_len);
    db->dir_size = dir_len + 1;
    if (!db->dir) {
        util_free(a, db, sizeof *db);
        return util_nomem(diag, "opening the time zone database");
    }
    int err = pthread_mutex_init(&db->mu, NULL);
    if (err != 0) {
        util_free(a, db->dir, db->dir_size);
        util_free(a, db, sizeof *db);
        return err == ENOMEM ? util_nomem(diag, "opening the time zone database")
                             : util_io_fail(diag, dir, "cannot create a mutex for the time zone database", err);
    }
    *out = db;
    return BOGIE_OK;
}

void tz_db_close(tz_db *db)
{
    if (!db)
        return;
    bogie_allocator a = db->alloc;
    for (size_t i = 0; i < db->zones.n; i++)
        zone_free(&a, db->zones.v[i]);
    VEC_FREE(&a, db->zones);
    pthread_mutex_destroy(&db->mu);
    util_free(&a, db->dir, db->dir_size);
    util_free(&a, db, sizeof *db);
}

/* Returns NULL when name is an acceptable zone name, else why it is not. */
static const char *name_problem(const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return "empty name";
    if (n > TZ_NAME_MAX)
        return "name too long";
    if (name[0] == '/')
        return "name must not start with '/'";
    if (strstr(name, ".."))
        return "name must not contain \"..\"";
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!(is_alpha(c) || is_digit(c) || c == '/' || c == '_' || c == '+' || c == '-'))
            return "name may hold only letters, digits and / _ + -";
    }
    return NULL;
}

/* Returns the index of the first zone whose name is not less than name; the caller holds the mutex. */
static size_t find_zone(const tz_db *db, const char *name)
{
    size_t lo = 0, hi = db->zones.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(db->zones.v[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bogie_status tz_db_get(tz_db *db, const char *name, const tz_zone **out, bogie_diag *diag)
{
    if (!db || !name || !out)
        return util_fail(diag, BOGIE_ERR_ARG, "tz_db_get: db, name and out must not be NULL");
    const char *why = name_problem(name);
    if (why)
        return util_fail(diag, BOGIE_ERR_ARG, "time zone \"%.64s%s\": %s", name, strlen(name) > 64 ? "..." : "",
                         why);
    bogie_status st = BOGIE_OK;
    pthread_mutex_lock(&db->mu);
    size_t at = find_zone(db, name);
    if (at < db->zones.n && strcmp(db->zones.v[at]->name, name) == 0) {
        *out = db->zones.v[at];
    } else if (VEC_RESERVE(&db->alloc, db->zones, db->zones.n + 1) != 0) {
        st = util_nomem(diag, "loading a time zone");
    } else {
        char path[TZ_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", db->dir, name);
        tz_zone *z = NULL;
        st = zone_load(name, path, &db->alloc, &z, diag);
        if (st == BOGIE_OK) {
            memmove(db->zones.v + at + 1, db->zones.v + at, (db->zones.n - at) * sizeof *db->zones.v);
            db->zones.v[at] = z;
            db->zones.n++;
            *out = z;
        }
    }
    pthread_mutex_unlock(&db->mu);
    return st;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Parsing and formatting.
 * ------------------------------------------------------------------------------------------------------------- */

/* Fails a parse of s at byte index i with the message what. */
static bogie_status parse_fail(bogie_diag *diag, const char *s, size_t i, const char *what)
{
    size_t n = strlen(s);
    return util_fail(diag, BOGIE_ERR_ARG, "\"%.*s%s\": character %zu: %s", n > 100 ? 100 : (int)n, s,
                     n > 100 ? "..." : "", i + 1, what);
}

/* Reads exactly two digits at s[i]; returns -1 when they are not there. */
static int two_digits(const char *s, size_t i)
{
    if (!is_digit(s[i]) || !is_digit(s[i + 1]))
        return -1;
    return (s[i] - '0') * 10 + (s[i + 1] - '0');
}

/* Reads the offset at s[i] ("Z", "+HH:MM", "+HHMM", "+HH", or with '-'), which must end the text. */
static bogie_status parse_offset(const char *s, size_t i, int *offset_s, bogie_diag *diag)
{
    const char *expected = "expected an offset: Z, +HH:MM, +HHMM or +HH";
    if (s[i] == 'Z') {
        if (s[i + 1] != '\0')
            return parse_fail(diag, s, i + 1, "unexpected text after the offset Z");
        *offset_s = 0;
        return BOGIE_OK;
    }
    if (s[i] != '+' && s[i] != '-')
        return parse_fail(diag, s, i, expected);
    int sign = s[i] == '-' ? -1 : 1;
    i++;
    int hh = two_digits(s, i);
    if (hh < 0)
        return parse_fail(diag, s, i, "expected a two-digit offset hour (00-23)");
    if (hh > 23)
        return parse_fail(diag, s, i, "offset hour must be 00-23");
    i += 2;
    int mm = 0;
    if (s[i] == ':' || is_digit(s[i])) {
        if (s[i] == ':')
            i++;
        mm = two_digits(s, i);
        if (mm < 0)
            return parse_fail(diag, s, i, "expected two-digit offset minutes (00-59)");
        if (mm > 59)
            return parse_fail(diag, s, i, "offset minutes must be 00-59");
        i += 2;
    }
    if (s[i] != '\0')
        return parse_fail(diag, s, i, "unexpected text after the offset");
    *offset_s = sign * (hh * 3600 + mm * 60);
    return BOGIE_OK;
}

bogie_status tz_parse_datetime(const char *s, tz_civil *out, int *has_offset, int *offset_s, bogie_diag *diag)
{
    if (!s || !out)
        return util_fail(diag, BOGIE_ERR_ARG, "tz_parse_datetime: s and out must not be NULL");
    tz_civil c = {0};
    for (size_t i = 0; i < 4; i++)
        if (!is_digit(s[i]))
            return parse_fail(diag, s, 0, "expected a four-digit year (YYYY-MM-DD HH:MM)");
    c.year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (s[4] != '-')
        return parse_fail(diag, s, 4, "expected '-' after the year (YYYY-MM-DD)");
    c.month = two_digits(s, 5);
    if (c.month < 0)
        return parse_fail(diag, s, 5, "expected a two-digit month (01-12)");
    if (c.month < 1 || c.month > 12)
        return parse_fail(diag, s, 5, "month must be 01-12");
    if (s[7] != '-')
        return parse_fail(diag, s, 7, "expected '-' after the month (YYYY-MM-DD)");
    c.day = two_digits(s, 8);
    if (c.day < 0)
        return parse_fail(diag, s, 8, "expected a two-digit day (01-31)");
    int mdays = month_days(c.year, c.month);
    if (c.day < 1 || c.day > mdays) {
        char what[64];
        snprintf(what, sizeof what, "day must be 01-%02d in %04d-%02d", mdays, c.year, c.month);
        return parse_fail(diag, s, 8, what);
    }
    if (s[10] != ' ' && s[10] != 'T')
        return parse_fail(diag, s, 10, "expected ' ' or 'T' and a time (HH:MM)");
    c.hour = two_digits(s, 11);
    if (c.hour < 0)
        return parse_fail(diag, s, 11, "expected a two-digit hour (00-23)");
    if (c.hour > 23)
        return parse_fail(diag, s, 11, "hour must be 00-23");
    if (s[13] != ':')
        return parse_fail(diag, s, 13, "expected ':' after the hour (HH:MM)");
    c.minute = two_digits(s, 14);
    if (c.minute < 0)
        return parse_fail(diag, s, 14, "expected a two-digit minute (00-59)");
    if (c.minute > 59)
        return parse_fail(diag, s, 14, "minute must be 00-59");
    size_t i = 16;
    if (s[i] == ':') {
        c.second = two_digits(s, i + 1);
        if (c.second < 0)
            return parse_fail(diag, s, i + 1, "expected a two-digit second (00-59)");
        if (c.second > 59)
            return parse_fail(diag, s, i + 1, "second must be 00-59");
        i += 3;
    }
    int off = 0, has = 0;
    if (s[i] != '\0') {
        if (s[i] == ' ') {
            i++;
            if (s[i] == '\0')
                return parse_fail(diag, s, i, "expected an offset after the space: Z, +HH:MM, +HHMM or +HH");
        } else if (s[i] != 'Z' && s[i] != '+' && s[i] != '-') {
            return parse_fail(diag, s, i, "expected the end, seconds (:SS) or an offset (Z, +HH:MM, +HHMM or +HH)");
        }
        bogie_status st = parse_offset(s, i, &off, diag);
        if (st != BOGIE_OK)
            return st;
        has = 1;
    }
    *out = c;
    if (has_offset)
        *has_offset = has;
    if (offset_s)
        *offset_s = off;
    return BOGIE_OK;
}

void tz_format_civil(const tz_civil *c, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", c->year, c->month, c->day, c->hour, c->minute);
}

void tz_format_offset(int offset_s, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    if (offset_s == 0) {
        snprintf(buf, size, "UTC");
        return;
    }
    char sign = offset_s < 0 ? '-' : '+';
    long a = offset_s < 0 ? -(long)offset_s : offset_s;
    long h = a / 3600, m = a / 60 % 60, s = a % 60;
    if (s)
        snprintf(buf, size, "UTC%c%ld:%02ld:%02ld", sign, h, m, s);
    else if (m)
        snprintf(buf, size, "UTC%c%ld:%02ld", sign, h, m);
    else
        snprintf(buf, size, "UTC%c%ld", sign, h);
}
