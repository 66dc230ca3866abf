/* tz.h: time zones read from the system's tz database (TZif files, RFC 8536), conversions between UTC instants and
 * civil time in a zone, and the parsing and formatting of departure times. Nothing here touches the TZ environment
 * variable, tzset() or localtime(), so every function is thread-safe, and one tz_db may serve any number of
 * threads. */
#ifndef BOGIE_TZ_H
#define BOGIE_TZ_H

#include "bogie.h"

#include <stddef.h>
#include <stdint.h>

/* A civil (wall-clock) date and time on the proleptic Gregorian calendar: month 1-12, day 1-31, hour 0-23, minute
 * and second 0-59. */
typedef struct tz_civil { int year, month, day, hour, minute, second; } tz_civil;
typedef struct tz_zone tz_zone;   /* one loaded zone; immutable once loaded */
typedef struct tz_db tz_db;       /* a thread-safe cache of loaded zones: a pthread mutex guards on-demand loading; zones live until tz_db_close */

/* Opens a cache reading TZif files under dir (NULL: $TZDIR if set, else /usr/share/zoneinfo). The directory must
 * exist (BOGIE_ERR_IO otherwise); zones are read only when first asked for. The db keeps copies of dir and *alloc
 * (alloc may be NULL for malloc). On success *out belongs to the caller, who releases it with tz_db_close(). */
bogie_status tz_db_open(const char *dir, const bogie_allocator *alloc, tz_db **out, bogie_diag *diag);
/* Frees the db and every zone it loaded; zone pointers it handed out become invalid. */
void tz_db_close(tz_db *db);   /* NULL is a no-op */
/* Returns the zone named like "Asia/Pyongyang" (also "UTC"), loading it on first use. Unknown or malformed zone ->
 * BOGIE_ERR_NOT_FOUND / BOGIE_ERR_INPUT with a message naming the zone and file. Rejects names with "..", leading
 * '/', or characters outside [A-Za-z0-9/_+-] with BOGIE_ERR_ARG. A file that exists but cannot be read gives
 * BOGIE_ERR_IO; a TZif version or footer rule bogie does not read gives BOGIE_ERR_UNSUPPORTED; a failed allocation
 * gives BOGIE_ERR_NOMEM and leaves the db usable. Failures are not cached: asking again reads the file again.
 * The zone belongs to the db and the pointer stays valid until tz_db_close. Safe to call from several threads. */
bogie_status tz_db_get(tz_db *db, const char *name, const tz_zone **out, bogie_diag *diag);
/* Returns the zone's name as given to tz_db_get(); the string belongs to the zone. */
const char *tz_zone_name(const tz_zone *z);
/* UTC offset in seconds in force at the UTC instant t (seconds since 1970), and its abbreviation ("KST", "+10",
 * "CEST"; a pointer into the zone). abbr may be NULL. Before the zone's first transition its first time type
 * (type 0) applies, as RFC 8536 section 3.2 says; after the last one the file's footer (a POSIX TZ string) does,
 * when it has one. */
int tz_offset_at(const tz_zone *z, int64_t t, const char **abbr);
/* Converts a UTC instant to the zone's civil time. offset and abbr may be NULL; otherwise they receive what
 * tz_offset_at() gives. The year is clamped to the range of int for instants beyond it. */
void tz_utc_to_civil(const tz_zone *z, int64_t t, tz_civil *out, int *offset, const char **abbr);
/* Converts civil time in the zone to UTC. In a gap (spring forward) the time is read with the offset before the
 * gap; in an overlap (fall back) the earlier instant is chosen. Returns BOGIE_ERR_ARG for an invalid civil
 * date/time (e.g. 2023-02-30), leaving *t untouched. */
bogie_status tz_civil_to_utc(const tz_zone *z, const tz_civil *c, int64_t *t);
/* Pure helpers on the proleptic Gregorian calendar. In tz_days_from_civil() a month outside 1-12 carries into the
 * year (month 13 is January of the next year), and the day counts on from the first of the month, so
 * tz_days_from_civil(2023, 1, 32) is the day of 2023-02-01. tz_civil_from_days() is its inverse for normalised
 * dates; it clamps the year to the range of int. */
int64_t tz_days_from_civil(int y, int m, int d);   /* days since 1970-01-01 */
void tz_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Parses a departure time: "2023-09-10 15:00", "2023-09-10T15:00", with optional ":SS", optionally followed by "Z",
 * "+09:00", "+0900", "+09" or "-05:30" (an ISO 8601 offset; a space before the offset is allowed). *has_offset says
 * whether an offset was given, *offset_s holds it (seconds east of UTC, from -23:59 to +23:59; 0 when none was
 * given). Anything else (missing parts, month 13, "2023-9-10", trailing junk, hour 24) -> BOGIE_ERR_ARG with a
 * message naming the input, the position (character index, counting from 1) and what was expected, e.g.
 * "\"2023-13-01 10:00\": character 6: month must be 01-12". has_offset and offset_s may be NULL; *out, *has_offset
 * and *offset_s are written only on success. */
bogie_status tz_parse_datetime(const char *s, tz_civil *out, int *has_offset, int *offset_s, bogie_diag *diag);
/* Formats "2023-09-10 15:00" (minute precision) into buf of size bytes, truncating if needed; 17 bytes hold any
 * four-digit year. */
void tz_format_civil(const tz_civil *c, char *buf, size_t size);
/* Formats an offset as "UTC+9", "UTC+8:30", "UTC-3", "UTC" into buf of size bytes; seconds appear only when they
 * are not zero ("UTC+8:22:48"). 16 bytes always suffice. */
void tz_format_offset(int offset_s, char *buf, size_t size);

#endif
