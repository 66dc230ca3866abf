/* output_gtfs.c: writes a planned journey as a one-trip GTFS feed (the GTFS Schedule reference's files, zipped with
 * libzip): its stops, the trip's stop times in the agency's zone, the service date and the route's shape. */
#include "bogie.h"

#include "output/output.h"
#include "ref/tz.h"
#include "base/text.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* The files of a feed, in the order the reference lists them. */
enum { F_AGENCY, F_STOPS, F_ROUTES, F_TRIPS, F_STOP_TIMES, F_CALENDAR_DATES, F_SHAPES, F_FEED_INFO, N_FILES };
static const char *const file_names[N_FILES] = {"agency.txt",     "stops.txt",          "routes.txt", "trips.txt",
                                                "stop_times.txt", "calendar_dates.txt", "shapes.txt", "feed_info.txt"};

/* The feed's one agency, route, trip, service and shape. */
#define GTFS_ID "bogie"
/* GTFS requires a URL for the agency and the publisher; bogie has no site of its own, so the feed names the
 * reserved documentation domain (RFC 2606) rather than invent one. */
#define GTFS_URL "https://example.org/bogie"

/* What the files share while they are written: the journey and the clock of its service day. */
typedef struct gtfs_feed {
    const bogie_journey *j;
    const char *zone;       /* the agency's zone: the origin's, or UTC */
    int64_t day_start;      /* the service day's "noon minus 12h" in the agency's zone, as a UTC instant */
    char date[16];          /* the service date, YYYYMMDD */
    strbuf files[N_FILES];
} gtfs_feed;

/* Appends s as one CSV field (RFC 4180): quoted, with its quotes doubled, when it holds a comma, a quote or a line
 * break; control characters and bytes outside UTF-8 replaced (U+FFFD). */
static void csv_field(strbuf *sb, const char *s)
{
    strbuf clean;
    sb_init(&clean, NULL);
    text_append_clean(&clean, s, false);
    const char *c = clean.s && !clean.failed ? clean.s : "";
    if (!strpbrk(c, ",\"\r\n")) {
        sb_puts(sb, c);
    } else {
        sb_puts(sb, "\"");
        for (const char *q; (q = strchr(c, '"')); c = q + 1) {
            sb_append(sb, c, (size_t)(q - c));
            sb_puts(sb, "\"\"");
        }
        sb_puts(sb, c);
        sb_puts(sb, "\"");
    }
    sb_free(&clean);
}

/* A GTFS time, "HH:MM:SS" counted from the service day's start, past 24:00:00 on later days (never below 0: the
 * service day is chosen so, gtfs_clock). */
static void gtfs_time(const gtfs_feed *f, int64_t utc, char *buf, size_t n)
{
    int64_t t = utc - f->day_start;
    t = t < 0 ? 0 : t;
    snprintf(buf, n, "%02lld:%02d:%02d", (long long)(t / 3600), (int)(t / 60 % 60), (int)(t % 60));
}

/* The stop's id: its station's ("st17"), so that a station the trip calls at twice is one stop, else its row's. */
static void stop_id(const bogie_journey *j, size_t i, char *buf, size_t n)
{
    if (j->stops[i].station != BOGIE_NONE)
        snprintf(buf, n, "st%u", (unsigned)j->stops[i].station);
    else
        snprintf(buf, n, "pt%zu", i);
}

/* Whether stop row i names a stop an earlier row already wrote. */
static bool stop_seen_before(const bogie_journey *j, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (j->stops[i].station != BOGIE_NONE && j->stops[k].station == j->stops[i].station)
            return true;
    return false;
}

static void write_agency(gtfs_feed *f, strbuf *sb)
{
    sb_puts(sb, "agency_id,agency_name,agency_url,agency_timezone,agency_lang\n" GTFS_ID ",");
    char name[200];
    snprintf(name, sizeof name, "bogie: %s", f->j->train_title[0] ? f->j->train_title : f->j->train);
    csv_field(sb, name);
    sb_printf(sb, "," GTFS_URL ",%s,en\n", f->zone);
}

/* One stops.txt row per stop of the journey; the local name, when it differs, and what happens there go into
 * stop_desc. */
static void write_stops(gtfs_feed *f, strbuf *sb)
{
    const bogie_journey *j = f->j;
    sb_puts(sb, "stop_id,stop_name,stop_desc,stop_lat,stop_lon,location_type,stop_timezone\n");
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *s = &j->stops[i];
        if (stop_seen_before(j, i))
            continue;
        char id[32], desc[400];
        stop_id(j, i, id, sizeof id);
        bool local = s->local_name[0] && strcmp(s->local_name, s->name) != 0;
        snprintf(desc, sizeof desc, "%s%s%s", local ? s->local_name : "", local && s->detail[0] ? "; " : "",
                 s->detail);
        sb_printf(sb, "%s,", id);
        csv_field(sb, s->name);
        sb_puts(sb, ",");
        csv_field(sb, desc);
        sb_puts(sb, ",");
        sb_fixed(sb, s->lat, 6);
        sb_puts(sb, ",");
        sb_fixed(sb, s->lon, 6);
        sb_printf(sb, ",0,%s\n", s->zone[0] ? s->zone : f->zone);
    }
}

static void write_route_and_trip(gtfs_feed *f, strbuf *routes, strbuf *trips)
{
    const bogie_journey *j = f->j;
    const bogie_stop *o = &j->stops[0], *d = &j->stops[j->n_stops - 1];
    char long_name[300];
    snprintf(long_name, sizeof long_name, "%s - %s", o->name, d->name);
    sb_puts(routes, "route_id,agency_id,route_short_name,route_long_name,route_desc,route_type\n" GTFS_ID "," GTFS_ID
                    ",");
    csv_field(routes, j->train);
    sb_puts(routes, ",");
    csv_field(routes, long_name);
    sb_puts(routes, ",");
    csv_field(routes, j->train_title);
    sb_puts(routes, ",2\n"); /* 2: rail, intercity or long-distance */
    sb_puts(trips, "route_id,service_id,trip_id,trip_headsign,shape_id\n" GTFS_ID "," GTFS_ID "," GTFS_ID ",");
    csv_field(trips, d->name);
    sb_puts(trips, "," GTFS_ID "\n");
}

/* One row per row of bogie's timetable, stops and timing points alike, at bogie's times to the second. Passengers
 * board and alight at the origin, the vias and the destination; every other row (a gauge change, a border, a
 * reversal, a point passed, a sighting, a halt) is the train's and takes none (pickup_type and drop_off_type 1).
 * The origin's arrival is its departure (work done there before the departure is not the passengers'), and the
 * destination's departure its arrival. */
static void write_stop_times(gtfs_feed *f, strbuf *sb)
{
    const bogie_journey *j = f->j;
    sb_puts(sb, "trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type,"
                "shape_dist_traveled,timepoint\n");
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *s = &j->stops[i];
        char arr[32], dep[32], id[32];
        bool first = i == 0, last = i + 1 == j->n_stops;
        gtfs_time(f, first ? s->depart_utc : s->arrive_utc, arr, sizeof arr);
        gtfs_time(f, last ? s->arrive_utc : s->depart_utc, dep, sizeof dep);
        stop_id(j, i, id, sizeof id);
        int none = !(s->kinds & (BOGIE_STOP_ORIGIN | BOGIE_STOP_VIA | BOGIE_STOP_DESTINATION));
        sb_printf(sb, GTFS_ID ",%s,%s,%s,%zu,%d,%d,", arr, dep, id, i + 1, none, none);
        sb_fixed(sb, s->km, 3);
        sb_puts(sb, ",1\n");
    }
}

static void write_calendar_and_info(gtfs_feed *f, strbuf *cal, strbuf *info)
{
    sb_printf(cal, "service_id,date,exception_type\n" GTFS_ID ",%s,1\n", f->date);
    sb_printf(info, "feed_publisher_name,feed_publisher_url,feed_lang,feed_start_date,feed_end_date,feed_version\n"
                    "bogie," GTFS_URL ",en,%s,%s,bogie " BOGIE_VERSION "\n",
              f->date, f->date);
}

/* The route's geometry with its distance in km, as the stop times measure it; a point no farther along than the one
 * before it is left out, so that the distances increase. */
static void write_shape(gtfs_feed *f, strbuf *sb)
{
    const bogie_journey *j = f->j;
    sb_puts(sb, "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence,shape_dist_traveled\n");
    double last_km = -1;
    size_t seq = 0;
    for (size_t i = 0; i < j->n_line; i++) {
        double km = j->line_km ? j->line_km[i] : 0;
        if (i > 0 && !(km > last_km + 0.0005))
            continue;
        last_km = km;
        sb_puts(sb, GTFS_ID ",");
        sb_fixed(sb, j->line[i][0], 6);
        sb_puts(sb, ",");
        sb_fixed(sb, j->line[i][1], 6);
        sb_printf(sb, ",%zu,", ++seq);
        sb_fixed(sb, km, 3);
        sb_puts(sb, "\n");
    }
}

/* Sets the feed's zone, service date and day start from the origin's departure. */
static bogie_status gtfs_clock(gtfs_feed *f, bogie_diag *diag)
{
    const bogie_stop *o = &f->j->stops[0];
    f->zone = o->zone[0] ? o->zone : "UTC";
    tz_db *db = NULL;
    bogie_status st = tz_db_open(NULL, NULL, &db, diag);
    const tz_zone *z = NULL;
    if (st == BOGIE_OK)
        st = tz_db_get(db, f->zone, &z, diag);
    /* The service day is the departure's local date, unless the departure comes before that day's "noon minus
     * 12h" (on the day the clocks go back, 00:30 local is before it): then the day before, whose times run past
     * 24:00:00, so that no time is below 0. */
    int64_t at = o->depart_utc;
    for (int tries = 0; st == BOGIE_OK && tries < 2; tries++) {
        tz_civil c;
        tz_utc_to_civil(z, at, &c, NULL, NULL);
        snprintf(f->date, sizeof f->date, "%04d%02d%02d", c.year % 10000, c.month % 100, c.day % 100);
        tz_civil noon = {c.year, c.month, c.day, 12, 0, 0};
        int64_t noon_utc;
        st = tz_civil_to_utc(z, &noon, &noon_utc);
        f->day_start = noon_utc - 12 * 3600;
        if (st != BOGIE_OK || o->depart_utc >= f->day_start)
            break;
        at = noon_utc - 24 * 3600; /* about noon of the day before */
    }
    tz_db_close(db);
    return st;
}

/* Zips the files into *out (malloc'd, *len bytes, the caller's); the zip is made in memory. */
static bogie_status gtfs_zip(gtfs_feed *f, unsigned char **out, size_t *len, bogie_diag *diag)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    bool ok = za != NULL;
    if (!za && src)
        zip_source_free(src);
    if (za)
        zip_source_keep(src); /* the archive's bytes outlive the archive */
    for (int i = 0; ok && i < N_FILES; i++) {
        zip_source_t *fs = zip_source_buffer(za, f->files[i].s, f->files[i].len, 0);
        zip_int64_t idx = fs ? zip_file_add(za, file_names[i], fs, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0)
            zip_source_free(fs);
        /* A fixed time in the archive, so that the same journey gives the same bytes, and files any user may read. */
        ok = idx >= 0 && zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)f->j->stops[0].depart_utc, 0) == 0 &&
             zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, 0100644u << 16) == 0;
    }
    if (za && (!ok || zip_close(za) != 0)) {
        zip_discard(za);
        ok = false;
    }
    zip_int64_t n = -1;
    if (ok && zip_source_open(src) == 0) {
        if (zip_source_seek(src, 0, SEEK_END) == 0 && (n = zip_source_tell(src)) > 0 &&
            zip_source_seek(src, 0, SEEK_SET) == 0 && (*out = malloc((size_t)n)) != NULL &&
            zip_source_read(src, *out, (zip_uint64_t)n) != n) {
            free(*out);
            *out = NULL;
        }
        zip_source_close(src);
    }
    if (za)
        zip_source_free(src);
    zip_error_fini(&ze);
    if (!*out)
        return util_nomem(diag, "zipping the GTFS feed");
    *len = (size_t)n;
    return BOGIE_OK;
}

bogie_status output_gtfs(const bogie_journey *j, unsigned char **out, size_t *len, bogie_diag *diag)
{
    *out = NULL;
    *len = 0;
    if (!j->has_clock)
        return util_fail(diag, BOGIE_ERR_ARG,
                         "a GTFS feed needs the journey's times of day: plan it with a departure time (depart)");
    gtfs_feed f = {.j = j};
    bogie_status st = gtfs_clock(&f, diag);
    if (st != BOGIE_OK)
        return st;
    for (int i = 0; i < N_FILES; i++)
        sb_init(&f.files[i], NULL);
    write_agency(&f, &f.files[F_AGENCY]);
    write_stops(&f, &f.files[F_STOPS]);
    write_route_and_trip(&f, &f.files[F_ROUTES], &f.files[F_TRIPS]);
    write_stop_times(&f, &f.files[F_STOP_TIMES]);
    write_calendar_and_info(&f, &f.files[F_CALENDAR_DATES], &f.files[F_FEED_INFO]);
    write_shape(&f, &f.files[F_SHAPES]);
    bool failed = false;
    for (int i = 0; i < N_FILES; i++)
        failed |= f.files[i].failed || !f.files[i].s;
    st = failed ? util_nomem(diag, "writing the GTFS feed") : gtfs_zip(&f, out, len, diag);
    for (int i = 0; i < N_FILES; i++)
        sb_free(&f.files[i]);
    return st;
}
