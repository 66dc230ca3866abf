/* output.c: writes a planned journey as a timetable for people, JSON, GeoJSON, GPX, a speed-profile CSV, or an SVG
 * plot of speed and limit against distance (a GTFS feed is output_gtfs.c's). */
#include "bogie.h"

#include "output/output.h"
#include "ref/tz.h"
#include "base/text.h"
#include "base/util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Writes v with the given decimals at p (UTIL_FIXED_MAX bytes) as sb_fixed would and returns its length; what
 * util_format_fixed does not take (never a real coordinate or profile figure) goes through printf, cut to fit. */
static size_t fixed_text(char *p, double v, int decimals)
{
    size_t k = util_format_fixed(p, v, decimals);
    if (k == 0) {
        int m = snprintf(p, UTIL_FIXED_MAX, "%.*f", decimals, v);
        k = m < 0 ? 0 : (size_t)m < UTIL_FIXED_MAX ? (size_t)m : UTIL_FIXED_MAX - 1;
    }
    return k;
}

/* Appends one profile point as "km,time_s,speed_kmh,limit_kmh", each to its own precision, written in place. */
static void write_profile_point(strbuf *sb, const bogie_profile_point *pt)
{
    char *at = sb_room(sb, 3 + 4 * UTIL_FIXED_MAX), *p = at;
    if (!at)
        return;
    p += fixed_text(p, pt->km, 3);
    *p++ = ',';
    p += fixed_text(p, pt->time_s, 1);
    *p++ = ',';
    p += fixed_text(p, pt->speed_kmh, 2);
    *p++ = ',';
    p += fixed_text(p, pt->limit_kmh, 2);
    sb_wrote(sb, (size_t)(p - at));
}

static void duration(double s, char *buf, size_t n)
{
    long m = lround(s / 60);
    if (m >= 60)
        snprintf(buf, n, "%ld h %02ld min", m / 60, m % 60);
    else
        snprintf(buf, n, "%ld min", m);
}

static void elapsed(double s, char *buf, size_t n)
{
    long m = lround(s / 60);
    snprintf(buf, n, "+%ld:%02ld", m / 60, m % 60);
}

/* "2023-09-10T15:00:00+09:00" for a UTC instant shown at a fixed offset. */
void output_iso_time(int64_t utc, int offset, char *buf, size_t n)
{
    int64_t t = utc + offset;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int secs = (int)(t - days * 86400);
    int y, m, d;
    tz_civil_from_days(days, &y, &m, &d);
    int off = offset < 0 ? -offset : offset;
    char zone[16];
    if (offset == 0)
        snprintf(zone, sizeof zone, "Z");
    else
        snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', off / 3600 % 100, off / 60 % 60);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, m % 100, d % 100, secs / 3600 % 100, secs / 60 % 60,
             secs % 60, zone);
}

static const char *const kind_names[] = {"origin", "destination", "via", "gauge_change", "border", "reversal",
                                         "pass", "seen", "halt"};

static void kinds_text(unsigned kinds, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t used = 0;
    for (unsigned i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (kinds & (1u << i)) {
            int w = snprintf(buf + used, n - used, "%s%s", used ? "," : "", kind_names[i]);
            if (w > 0 && (size_t)w < n - used)
                used += (size_t)w;
        }
}

static const char *stop_event(const bogie_stop *s)
{
    if (s->kinds & BOGIE_STOP_ORIGIN)
        return "depart";
    if (s->kinds & BOGIE_STOP_DESTINATION)
        return "arrive";
    if (s->kinds & BOGIE_STOP_GAUGE_CHANGE)
        return "gauge change";
    if (s->kinds & BOGIE_STOP_BORDER)
        return "border";
    if (s->kinds & BOGIE_STOP_REVERSAL)
        return "reversal";
    if (s->kinds & BOGIE_STOP_VIA)
        return "stop";
    return "";
}

/* The stop's name as the timetable shows it, "Khasan (Хасан)", with its control characters replaced (each takes a
 * column then, as U+FFFD). */
static void stop_label(const bogie_stop *s, char *buf, size_t n)
{
    char raw[300];
    if (s->local_name[0] && strcmp(s->local_name, s->name) != 0)
        snprintf(raw, sizeof raw, "%s (%s)", s->name, s->local_name);
    else
        snprintf(raw, sizeof raw, "%s", s->name);
    strbuf sb;
    sb_init(&sb, NULL);
    text_append_clean(&sb, raw, false);
    util_strlcpy_utf8(buf, sb.failed || !sb.s ? "" : sb.s, n);
    sb_free(&sb);
}

/* The width of the station column: 40, or the widest name if wider, so that the column after it lines up. */
static size_t name_column(const bogie_journey *j)
{
    size_t cols = 40;
    for (size_t i = 0; i < j->n_stops; i++) {
        char name[300];
        stop_label(&j->stops[i], name, sizeof name);
        size_t w = text_width(name);
        cols = w > cols ? w : cols;
    }
    return cols;
}

/* Writes the timetable into sb, control characters and all (write_text replaces them). */
static void write_timetable(const bogie_journey *j, strbuf *sb)
{
    const bogie_stop *o = &j->stops[0], *d = &j->stops[j->n_stops - 1];
    char tot[32], mov[32], alw[32], chg[32], brd[32], dwl[32], rev[32];
    sb_printf(sb, "%s: %s\n", j->train, j->train_title);
    sb_printf(sb, "%s -> %s, %.1f km", o->name, d->name, j->length_m / 1000);
    if (j->has_clock)
        sb_printf(sb, ", departing %s %s%s%s%s", o->depart_local, o->abbr, o->zone[0] ? " (" : "", o->zone,
                  o->zone[0] ? ")" : "");
    sb_puts(sb, "\n\n");
    size_t name_cols = name_column(j);
    sb_printf(sb, "%8s  %-22s %-22s ", "km", "arrive", "depart");
    text_append_padded(sb, "station", name_cols);
    sb_puts(sb, " \n");
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *s = &j->stops[i];
        char arr[40] = "", dep[40] = "", name[300];
        bool pass = s->kinds == BOGIE_STOP_PASS;
        if (j->has_clock) {
            if (!(s->kinds & BOGIE_STOP_ORIGIN))
                snprintf(arr, sizeof arr, "%s %s", s->arrive_local, s->abbr);
            if (!(s->kinds & BOGIE_STOP_DESTINATION) && !pass)
                snprintf(dep, sizeof dep, "%s %s", s->depart_local, s->abbr);
        } else {
            if (!(s->kinds & BOGIE_STOP_ORIGIN))
                elapsed(s->arrive_s, arr, sizeof arr);
            if (!(s->kinds & BOGIE_STOP_DESTINATION) && !pass)
                elapsed(s->depart_s, dep, sizeof dep);
        }
        if (pass && j->has_clock)
            snprintf(arr, sizeof arr, "%s %s", s->arrive_local, s->abbr), snprintf(dep, sizeof dep, "(pass)");
        else if (pass)
            snprintf(dep, sizeof dep, "(pass)");
        stop_label(s, name, sizeof name);
        sb_printf(sb, "%8.1f  %-22s %-22s ", s->km, arr, dep);
        text_append_padded(sb, name, name_cols);
        sb_printf(sb, " %s", stop_event(s));
        if (s->detail[0] && strcmp(s->detail, stop_event(s)) != 0)
            sb_printf(sb, ": %s", s->detail);
        if ((s->kinds & BOGIE_STOP_VIA) && s->dwell_s > 0) {
            /* A via stop where something else happens too (a reversal, a gauge change) says so after that event's
             * own time: "reversal: the train reverses (30 min); via stop (10 min)". */
            char dw[32];
            duration(s->dwell_s, dw, sizeof dw);
            sb_printf(sb, s->detail[0] ? "; via stop (%s)" : " (%s)", dw);
        }
        output_seen_row_text(s, sb);
        sb_puts(sb, "\n");
    }
    duration(j->total_s, tot, sizeof tot);
    duration(j->running_s + j->allowance_s, mov, sizeof mov);
    duration(j->allowance_s, alw, sizeof alw);
    duration(j->change_s, chg, sizeof chg);
    duration(j->border_s, brd, sizeof brd);
    duration(j->dwell_s, dwl, sizeof dwl);
    duration(j->reversal_s, rev, sizeof rev);
    sb_printf(sb, "\ntotal %s: moving %s (allowance %s included), changing gauge %s, at borders %s, dwelling %s, "
                  "reversing %s\n",
              tot, mov, alw, chg, brd, dwl, rev);
    if (j->retimed)
        output_seen_text(j, sb);
    else if (j->has_clock)
        sb_printf(sb, "arrives %s %s%s%s%s\n", d->arrive_local, d->abbr, d->zone[0] ? " (" : "", d->zone,
                  d->zone[0] ? ")" : "");
    /* Work at the destination (a border, a gauge change) comes after the arrival: the total counts it. */
    if (j->has_clock && !j->retimed && d->depart_s > d->arrive_s + 0.5 && d->depart_local[0])
        sb_printf(sb, "the stop there (%s) ends %s %s, which the total counts\n",
                  d->border_s > 0 && d->change_s > 0 ? "border and gauge change"
                  : d->border_s > 0                  ? "border"
                                                     : "gauge change",
                  d->depart_local, d->abbr);
    if (j->graded_km > 0)
        sb_printf(sb, "grades known on %.1f of %.1f km (steepest %.1f per mille); the rest taken as flat\n",
                  j->graded_km, j->length_m / 1000, j->max_grade_permille);
    if (j->n_countries) {
        sb_puts(sb, "countries:");
        for (size_t i = 0; i < j->n_countries; i++)
            sb_printf(sb, " %s", j->countries[i]);
        sb_puts(sb, "\n");
    }
    for (size_t i = 0; i < j->n_warnings; i++)
        sb_printf(sb, "note: %s\n", j->warnings[i]);
}

/* The timetable for people: no control character of the data (an escape sequence in a station's name) reaches the
 * terminal; each becomes U+FFFD. */
static void write_text(const bogie_journey *j, strbuf *sb)
{
    strbuf raw;
    sb_init(&raw, sb->alloc);
    write_timetable(j, &raw);
    if (raw.failed)
        sb->failed = true;
    else if (raw.s)
        text_append_clean(sb, raw.s, true);
    sb_free(&raw);
}

static void json_time(strbuf *sb, const char *key, const bogie_journey *j, const bogie_stop *s, bool depart)
{
    sb_printf(sb, ",\"%s_s\":%.0f", key, depart ? s->depart_s : s->arrive_s);
    if (j->has_clock) {
        char iso[64];
        output_iso_time(depart ? s->depart_utc : s->arrive_utc, s->utc_offset_s, iso, sizeof iso);
        sb_printf(sb, ",\"%s\":\"%s\"", key, iso);
    }
}

/* The route's geometry as GeoJSON positions, [lon, lat], comma-separated. */
static void write_coords(strbuf *sb, const bogie_journey *j)
{
    /* Each point is written in place: a 10,000 km line has some 50,000 of them, most of 25 bytes or so, for which
     * room is made at once. */
    if (!sb_room(sb, j->n_line * 26))
        return;
    for (size_t i = 0; i < j->n_line; i++) {
        char *at = sb_room(sb, 4 + 2 * UTIL_FIXED_MAX), *p = at;
        if (!at)
            return;
        if (i)
            *p++ = ',';
        *p++ = '[';
        p += fixed_text(p, j->line[i][1], 7);
        *p++ = ',';
        p += fixed_text(p, j->line[i][0], 7);
        *p++ = ']';
        sb_wrote(sb, (size_t)(p - at));
    }
}

void output_journey_json(const bogie_journey *j, strbuf *sb, bool with_line)
{
    sb_puts(sb, "{\"train\":");
    sb_json_string(sb, j->train);
    sb_puts(sb, ",\"title\":");
    sb_json_string(sb, j->train_title);
    sb_printf(sb,
              ",\"length_km\":%.3f,\"total_s\":%.0f,\"running_s\":%.0f,\"allowance_s\":%.0f,\"gauge_change_s\":%.0f,"
              "\"border_s\":%.0f,\"dwell_s\":%.0f,\"reversal_s\":%.0f,\"weight_s\":%.0f,\"graded_km\":%.3f,"
              "\"max_grade_permille\":%.1f",
              j->length_m / 1000, j->total_s, j->running_s, j->allowance_s, j->change_s, j->border_s, j->dwell_s,
              j->reversal_s, j->weight_s, j->graded_km, j->max_grade_permille);
    sb_puts(sb, ",\"stops\":[");
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *s = &j->stops[i];
        char kinds[128];
        kinds_text(s->kinds, kinds, sizeof kinds);
        sb_puts(sb, i ? ",{\"name\":" : "{\"name\":");
        sb_json_string(sb, s->name);
        sb_puts(sb, ",\"local_name\":");
        sb_json_string(sb, s->local_name);
        sb_printf(sb, ",\"kinds\":\"%s\",\"km\":%.3f,\"lat\":%.7f,\"lon\":%.7f", kinds, s->km, s->lat, s->lon);
        if (s->station != BOGIE_NONE)
            sb_printf(sb, ",\"station\":%u", s->station);
        json_time(sb, "arrive", j, s, false);
        json_time(sb, "depart", j, s, true);
        sb_puts(sb, ",\"zone\":");
        sb_json_string(sb, s->zone);
        sb_puts(sb, ",\"zone_abbr\":");
        sb_json_string(sb, s->abbr);
        sb_printf(sb, ",\"utc_offset_s\":%d,\"country\":\"%s\",\"gauge_mm\":%u", s->utc_offset_s, s->country,
                  (unsigned)s->gauge);
        sb_printf(sb, ",\"dwell_s\":%.0f,\"gauge_change_s\":%.0f,\"border_s\":%.0f,\"reversal_s\":%.0f", s->dwell_s,
                  s->change_s, s->border_s, s->reversal_s);
        sb_puts(sb, ",\"detail\":");
        sb_json_string(sb, s->detail);
        if (j->retimed)
            output_seen_stop_json(s, sb);
        sb_puts(sb, "}");
    }
    sb_puts(sb, "]");
    if (j->retimed)
        output_seen_json(j, sb, output_iso_time);
    sb_puts(sb, ",\"path_osm_nodes\":[");
    for (size_t i = 0; i < j->n_path_nodes; i++)
        sb_printf(sb, "%s%lld", i ? "," : "", (long long)j->path_nodes[i]);
    sb_puts(sb, "],\"countries\":[");
    for (size_t i = 0; i < j->n_countries; i++)
        sb_printf(sb, "%s\"%s\"", i ? "," : "", j->countries[i]);
    sb_puts(sb, "],\"warnings\":[");
    for (size_t i = 0; i < j->n_warnings; i++) {
        sb_puts(sb, i ? "," : "");
        sb_json_string(sb, j->warnings[i]);
    }
    sb_puts(sb, "]");
    if (with_line) {
        sb_puts(sb, ",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
        write_coords(sb, j);
        sb_puts(sb, "]}");
    }
    {
        sb_puts(sb, ",\"profile\":[");
        for (size_t i = 0; i < j->n_profile; i++) {
            sb_append(sb, i ? ",[" : "[", i ? 2 : 1);
            write_profile_point(sb, &j->profile[i]);
            sb_append(sb, "]", 1);
        }
        sb_puts(sb, "],\"profile_columns\":[\"km\",\"time_s\",\"speed_kmh\",\"limit_kmh\"]");
    }
    sb_puts(sb, "}\n");
}

static void write_geojson(const bogie_journey *j, strbuf *sb)
{
    sb_puts(sb, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"kind\":\"route\","
                "\"train\":");
    sb_json_string(sb, j->train);
    sb_printf(sb, ",\"length_km\":%.3f,\"total_s\":%.0f},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[",
              j->length_m / 1000, j->total_s);
    write_coords(sb, j);
    sb_puts(sb, "]}}");
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *s = &j->stops[i];
        char kinds[128];
        kinds_text(s->kinds, kinds, sizeof kinds);
        sb_printf(sb, ",{\"type\":\"Feature\",\"properties\":{\"kind\":\"stop\",\"stop\":\"%s\",\"name\":", kinds);
        sb_json_string(sb, s->name);
        sb_puts(sb, ",\"local_name\":");
        sb_json_string(sb, s->local_name);
        sb_printf(sb, ",\"km\":%.3f", s->km);
        json_time(sb, "arrive", j, s, false);
        json_time(sb, "depart", j, s, true);
        sb_puts(sb, ",\"detail\":");
        sb_json_string(sb, s->detail);
        sb_printf(sb, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}", s->lon, s->lat);
    }
    sb_puts(sb, "]}\n");
}

/* Appends s as XML character data or an attribute value: markup characters escaped, and control characters (which
 * XML 1.0 forbids, or which reach a terminal) and bytes that are not UTF-8 replaced by U+FFFD. */
static void xml_text(strbuf *sb, const char *s)
{
    strbuf clean;
    sb_init(&clean, sb->alloc);
    text_append_clean(&clean, s, false);
    if (clean.failed)
        sb->failed = true;
    for (const char *p = clean.s; p && *p; p++) {
        switch (*p) {
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '&': sb_puts(sb, "&amp;"); break;
        case '"': sb_puts(sb, "&quot;"); break;
        default: sb_append(sb, p, 1);
        }
    }
    sb_free(&clean);
}

/* One track point, with its time (UTC, ISO 8601) when utc is given. */
static void write_trkpt(strbuf *sb, double lat, double lon, const int64_t *utc)
{
    sb_printf(sb, "    <trkpt lat=\"%.7f\" lon=\"%.7f\"", lat, lon);
    if (utc) {
        char iso[64];
        output_iso_time(*utc, 0, iso, sizeof iso);
        sb_printf(sb, "><time>%s</time></trkpt>\n", iso);
    } else {
        sb_puts(sb, "/>\n");
    }
}

/* The time (seconds after the start of the clock) the speed profile gives for km: on the first sample at km when
 * there are several (a stop: the arrival), else interpolated between the last sample before km and the first after.
 * *q is the first sample that can still matter; kilometres must come in rising order. */
static double profile_time_at(const bogie_journey *j, double km, size_t *q)
{
    const bogie_profile_point *p = j->profile;
    while (*q < j->n_profile && p[*q].km < km)
        (*q)++;
    if (*q == 0)
        return p[0].time_s;
    if (*q == j->n_profile)
        return p[j->n_profile - 1].time_s;
    const bogie_profile_point *a = &p[*q - 1], *b = &p[*q];
    if (b->km <= km || b->km <= a->km)
        return b->time_s;
    return a->time_s + (b->time_s - a->time_s) * (km - a->km) / (b->km - a->km);
}

/* Whether the train stands at stop s (the origin and destination always count): the track gets a point at its
 * arrival and one at its departure there. */
static bool stands_at(const bogie_stop *s)
{
    return (s->kinds & (BOGIE_STOP_ORIGIN | BOGIE_STOP_DESTINATION)) || s->depart_utc > s->arrive_utc;
}

/* A stop's points: its arrival (not at the origin) and its departure (not at the destination), at (lat, lon).
 * *last is the latest time written, kept so that times never go back. */
static void write_stop_points(strbuf *sb, const bogie_stop *s, double lat, double lon, int64_t *last)
{
    if (!(s->kinds & BOGIE_STOP_ORIGIN)) {
        *last = s->arrive_utc > *last ? s->arrive_utc : *last;
        write_trkpt(sb, lat, lon, last);
    }
    if (!(s->kinds & BOGIE_STOP_DESTINATION) && (s->depart_utc > s->arrive_utc || (s->kinds & BOGIE_STOP_ORIGIN))) {
        *last = s->depart_utc > *last ? s->depart_utc : *last;
        write_trkpt(sb, lat, lon, last);
    }
}

/* The route's track points with their times: from the speed profile between stops, and at every stop where the
 * train stands its arrival and departure (a point of the line there, or the stop's own position). The first point is
 * the departure and the last the arrival; times never decrease. */
static void write_timed_track(const bogie_journey *j, strbuf *sb)
{
    const bogie_stop *o = &j->stops[0];
    int64_t t0 = o->depart_utc - (int64_t)llround(o->depart_s), last = INT64_MIN;
    size_t k = 0, q = 0;
    const double eps_km = 1e-3; /* a line point within a metre of a stop is the stop's */
    for (size_t i = 0; i < j->n_line; i++) {
        double km = j->line_km[i];
        bool at_stop = false;
        for (; k < j->n_stops && j->stops[k].km <= km + eps_km; k++) {
            const bogie_stop *s = &j->stops[k];
            if (!stands_at(s))
                continue;
            bool here = s->km >= km - eps_km;
            write_stop_points(sb, s, here ? j->line[i][0] : s->lat, here ? j->line[i][1] : s->lon, &last);
            at_stop |= here;
        }
        if (at_stop)
            continue;
        int64_t t = t0 + (int64_t)llround(profile_time_at(j, km, &q));
        last = t > last ? t : last;
        write_trkpt(sb, j->line[i][0], j->line[i][1], &last);
    }
    for (; k < j->n_stops; k++)
        if (stands_at(&j->stops[k]))
            write_stop_points(sb, &j->stops[k], j->stops[k].lat, j->stops[k].lon, &last);
}

static void write_gpx(const bogie_journey *j, strbuf *sb)
{
    sb_puts(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"bogie\" "
                "xmlns=\"http://www.topografix.com/GPX/1/1\">\n");
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *s = &j->stops[i];
        sb_printf(sb, "  <wpt lat=\"%.7f\" lon=\"%.7f\">", s->lat, s->lon);
        if (j->has_clock) {
            char iso[64];
            output_iso_time(s->arrive_utc, 0, iso, sizeof iso);
            sb_printf(sb, "<time>%s</time>", iso);
        }
        sb_puts(sb, "<name>");
        xml_text(sb, s->name);
        sb_puts(sb, "</name><desc>");
        char kinds[128];
        kinds_text(s->kinds, kinds, sizeof kinds);
        xml_text(sb, kinds);
        if (s->detail[0]) {
            sb_puts(sb, ": ");
            xml_text(sb, s->detail);
        }
        sb_puts(sb, "</desc></wpt>\n");
    }
    sb_puts(sb, "  <trk><name>");
    xml_text(sb, j->train);
    sb_puts(sb, "</name><trkseg>\n");
    if (j->has_clock)
        write_timed_track(j, sb);
    else
        for (size_t i = 0; i < j->n_line; i++)
            write_trkpt(sb, j->line[i][0], j->line[i][1], NULL);
    sb_puts(sb, "  </trkseg></trk>\n</gpx>\n");
}

static void write_csv(const bogie_journey *j, strbuf *sb)
{
    sb_puts(sb, "km,time_s,speed_kmh,limit_kmh\n");
    for (size_t i = 0; i < j->n_profile; i++) {
        write_profile_point(sb, &j->profile[i]);
        sb_puts(sb, "\n");
    }
}

/* A round axis step for a range: 1, 2 or 5 times a power of ten, giving about n ticks. */
static double nice_step(double range, int n)
{
    double raw = range / n, p = pow(10, floor(log10(raw > 0 ? raw : 1))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* The frame of the speed plot: its margins and the ranges it shows. */
typedef struct plot {
    double W, H, ml, mt, pw, ph; /* picture size, left and top margins, plot width and height (px) */
    double km_max, v_max;        /* the ranges of the axes */
} plot;

static double px(const plot *f, double km)
{
    return f->ml + km / f->km_max * f->pw;
}

static double py(const plot *f, double v)
{
    return f->mt + f->ph - (v < f->v_max ? v : f->v_max) / f->v_max * f->ph;
}

static plot plot_frame(const bogie_journey *j)
{
    plot f = {1200, 560, 70, 150, 0, 0, j->length_m / 1000, 10};
    const double mr = 100, mb = 60;
    f.pw = f.W - f.ml - mr;
    f.ph = f.H - f.mt - mb;
    for (size_t i = 0; i < j->n_profile; i++) {
        if (j->profile[i].limit_kmh > f.v_max && j->profile[i].limit_kmh < 1000)
            f.v_max = j->profile[i].limit_kmh;
        if (j->profile[i].speed_kmh > f.v_max)
            f.v_max = j->profile[i].speed_kmh;
    }
    f.v_max = ceil(f.v_max * 1.1 / 10) * 10;
    if (f.km_max <= 0)
        f.km_max = 1;
    return f;
}

/* The title, the grid and the axes' labels. */
static void write_svg_axes(const bogie_journey *j, const plot *f, strbuf *sb)
{
    sb_puts(sb, "<text x=\"20\" y=\"24\" font-size=\"16\">");
    xml_text(sb, j->train);
    sb_puts(sb, ": ");
    xml_text(sb, j->stops[0].name);
    sb_puts(sb, " - ");
    xml_text(sb, j->stops[j->n_stops - 1].name);
    char tot[32];
    duration(j->total_s, tot, sizeof tot);
    sb_printf(sb, ", %.0f km, %s</text>\n", f->km_max, tot);
    double vs = nice_step(f->v_max, 6), ks = nice_step(f->km_max, 10);
    for (double v = 0; v <= f->v_max + 1e-9; v += vs)
        sb_printf(sb,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" "
                  "text-anchor=\"end\">%.0f</text>\n",
                  f->ml, py(f, v), f->ml + f->pw, py(f, v), f->ml - 6, py(f, v) + 4, v);
    for (double k = 0; k <= f->km_max + 1e-9; k += ks)
        sb_printf(sb,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%.1f\" "
                  "text-anchor=\"middle\">%g</text>\n",
                  px(f, k), f->mt, px(f, k), f->mt + f->ph, px(f, k), f->mt + f->ph + 16, k);
    sb_printf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">distance (km)</text>\n", f->ml + f->pw / 2,
              f->mt + f->ph + 36);
    sb_printf(sb, "<text transform=\"translate(22 %.1f) rotate(-90)\" text-anchor=\"middle\">speed (km/h)</text>\n",
              f->mt + f->ph / 2);
}

/* Stops: a dashed line each, and labels above the plot, rotated; stops closer than a label's height share one. */
static void write_svg_stops(const bogie_journey *j, const plot *f, strbuf *sb)
{
    double last_x = -1000;
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *s = &j->stops[i];
        if (s->kinds == BOGIE_STOP_PASS)
            continue;
        const char *color = (s->kinds & BOGIE_STOP_GAUGE_CHANGE) ? "#c0392b"
                            : (s->kinds & BOGIE_STOP_BORDER)     ? "#8e44ad"
                                                                 : "#555";
        double x = px(f, s->km);
        sb_printf(sb,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>\n",
                  x, f->mt, x, f->mt + f->ph, color);
        if (x - last_x < 15)
            continue;
        last_x = x;
        sb_printf(sb, "<text transform=\"translate(%.1f %.1f) rotate(-45)\" fill=\"%s\">", x + 3, f->mt - 6, color);
        xml_text(sb, s->name);
        for (size_t k = i + 1; k < j->n_stops; k++) {
            const bogie_stop *t = &j->stops[k];
            if (t->kinds == BOGIE_STOP_PASS)
                continue;
            if (px(f, t->km) - x >= 15)
                break;
            sb_puts(sb, ", ");
            xml_text(sb, t->name);
        }
        sb_puts(sb, "</text>\n");
    }
}

/* How each kind of limit is drawn (indexed by bogie_limit_kind), and named in the legend. */
static const struct limit_style {
    const char *cls, *label, *color, *dash;
} limit_styles[] = {
    [BOGIE_LIMIT_LINE] = {"limit limit-line", "limit (tagged)", "#f0a35e", ""},
    [BOGIE_LIMIT_ASSUMED] = {"limit limit-assumed", "limit (assumed)", "#f0a35e", "7 4"},
    [BOGIE_LIMIT_CURVE] = {"limit limit-curve", "limit (curve)", "#2a9d8f", ""},
    [BOGIE_LIMIT_TRAIN] = {"limit limit-train", "train's top speed", "#b8b8b8", ""},
};

#define LIMIT_KINDS (sizeof limit_styles / sizeof limit_styles[0])

static size_t limit_kind_index(const bogie_profile_point *p)
{
    return (size_t)p->limit_kind < LIMIT_KINDS ? (size_t)p->limit_kind : BOGIE_LIMIT_LINE;
}

/* The limit as wide pale steps, one path for each kind of limit, and over it the speed as a thin line, so that both
 * stay visible where the train runs at the limit. Profile point i's limit holds until point i + 1. */
static void write_svg_curves(const bogie_journey *j, const plot *f, strbuf *sb)
{
    for (size_t kind = 0; kind < LIMIT_KINDS; kind++) {
        const struct limit_style *ls = &limit_styles[kind];
        bool open = false, drawing = false;
        for (size_t i = 0; i + 1 < j->n_profile; i++) {
            const bogie_profile_point *p = &j->profile[i], *nx = &j->profile[i + 1];
            if (limit_kind_index(p) != kind) {
                drawing = false;
                continue;
            }
            if (!open)
                sb_printf(sb,
                          "<path class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"5\" "
                          "stroke-opacity=\"0.85\"%s%s%s d=\"",
                          ls->cls, ls->color, *ls->dash ? " stroke-dasharray=\"" : "", ls->dash, *ls->dash ? "\"" : "");
            if (!drawing)
                sb_printf(sb, "M%.1f,%.1f", px(f, p->km), py(f, i > 0 ? j->profile[i - 1].limit_kmh : p->limit_kmh));
            sb_printf(sb, " L%.1f,%.1f L%.1f,%.1f ", px(f, p->km), py(f, p->limit_kmh), px(f, nx->km),
                      py(f, p->limit_kmh));
            open = drawing = true;
        }
        if (open)
            sb_puts(sb, "\"/>\n");
    }
    sb_puts(sb, "<polyline class=\"speed\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.5\" points=\"");
    for (size_t i = 0; i < j->n_profile; i++)
        sb_printf(sb, "%.1f,%.1f ", px(f, j->profile[i].km), py(f, j->profile[i].speed_kmh));
    sb_puts(sb, "\"/>\n");
}

/* One entry of the legend at *lx, which it moves on. */
static void legend_entry(strbuf *sb, double *lx, const char *cls, const char *label, const char *color,
                         const char *dash, double width, bool label_in_color)
{
    sb_printf(sb,
              "<line class=\"%s\" x1=\"%.0f\" y1=\"44\" x2=\"%.0f\" y2=\"44\" stroke=\"%s\" stroke-width=\"%g\"%s%s%s/>"
              "<text x=\"%.0f\" y=\"48\" fill=\"%s\">%s</text>\n",
              cls, *lx, *lx + 24, color, width, *dash ? " stroke-dasharray=\"" : "", dash, *dash ? "\"" : "", *lx + 30,
              label_in_color ? color : "#000", label);
    *lx += 40 + 7 * (double)strlen(label);
}

/* The legend, in one row under the title: the speed, the kinds of limit the plot shows, and the kinds of stop. */
static void write_svg_legend(const bogie_journey *j, strbuf *sb)
{
    double lx = 20;
    legend_entry(sb, &lx, "legend speed", "speed", "#1f5fa8", "", 2, false);
    for (size_t kind = 0; kind < LIMIT_KINDS; kind++) {
        bool shown = false;
        for (size_t i = 0; i + 1 < j->n_profile && !shown; i++)
            shown = limit_kind_index(&j->profile[i]) == kind;
        if (shown)
            legend_entry(sb, &lx, "legend limit", limit_styles[kind].label, limit_styles[kind].color,
                         limit_styles[kind].dash, 5, false);
    }
    legend_entry(sb, &lx, "legend stop", "gauge change", "#c0392b", "4 3", 1, true);
    legend_entry(sb, &lx, "legend stop", "border", "#8e44ad", "4 3", 1, true);
    legend_entry(sb, &lx, "legend stop", "other stop", "#555", "4 3", 1, true);
}

static void write_svg(const bogie_journey *j, strbuf *sb)
{
    plot f = plot_frame(j);
    sb_printf(sb,
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
              "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
              f.W, f.H, f.W, f.H);
    write_svg_axes(j, &f, sb);
    write_svg_stops(j, &f, sb);
    write_svg_curves(j, &f, sb);
    sb_printf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", f.ml,
              f.mt, f.pw, f.ph);
    write_svg_legend(j, sb);
    sb_puts(sb, "</svg>\n");
}

bogie_status bogie_journey_write(const bogie_journey *j, bogie_format format, char **out)
{
    *out = NULL;
    if (!j || j->n_stops == 0)
        return BOGIE_ERR_ARG;
    strbuf sb;
    sb_init(&sb, NULL);
    switch (format) {
    case BOGIE_FORMAT_TEXT: write_text(j, &sb); break;
    case BOGIE_FORMAT_JSON: output_journey_json(j, &sb, true); break;
    case BOGIE_FORMAT_GEOJSON: write_geojson(j, &sb); break;
    case BOGIE_FORMAT_GPX: write_gpx(j, &sb); break;
    case BOGIE_FORMAT_CSV: write_csv(j, &sb); break;
    case BOGIE_FORMAT_SVG: write_svg(j, &sb); break;
    default: sb_free(&sb); return BOGIE_ERR_ARG;
    }
    if (sb.failed) {
        sb_free(&sb);
        return BOGIE_ERR_NOMEM;
    }
    *out = sb.s;
    return BOGIE_OK;
}

bogie_status bogie_journey_write_bytes(const bogie_journey *j, bogie_format format, unsigned char **out, size_t *len,
                                       bogie_diag *diag)
{
    *out = NULL;
    *len = 0;
    if (!j || j->n_stops == 0)
        return util_fail(diag, BOGIE_ERR_ARG, "no journey to write");
    if (format == BOGIE_FORMAT_GTFS)
        return output_gtfs(j, out, len, diag);
    char *text;
    bogie_status st = bogie_journey_write(j, format, &text);
    if (st != BOGIE_OK)
        return util_fail(diag, st, "cannot write the journey: %s", bogie_strerror(st));
    *out = (unsigned char *)text;
    *len = strlen(text);
    return BOGIE_OK;
}

/* The heading of alternative i of n in the text: the fastest, or how much longer it takes and how much it shares. */
static void alternative_heading(const bogie_journey *const *js, size_t i, size_t n, strbuf *sb)
{
    if (i == 0) {
        sb_printf(sb, "alternative 1 of %zu: the fastest\n", n);
        return;
    }
    char d[32];
    duration(fabs(js[i]->total_s - js[0]->total_s), d, sizeof d);
    sb_printf(sb, "\nalternative %zu of %zu: %s%s, shares %.0f %%\n", i + 1, n,
              js[i]->total_s >= js[0]->total_s ? "+" : "-", d, 100 * js[i]->shared);
}

bogie_status bogie_journeys_write(const bogie_journey *const *js, size_t n, bogie_format format, char **out)
{
    *out = NULL;
    if (!js || n == 0 || (format != BOGIE_FORMAT_TEXT && format != BOGIE_FORMAT_JSON))
        return BOGIE_ERR_ARG;
    for (size_t i = 0; i < n; i++)
        if (!js[i] || js[i]->n_stops == 0)
            return BOGIE_ERR_ARG;
    strbuf sb;
    sb_init(&sb, NULL);
    if (format == BOGIE_FORMAT_JSON)
        sb_puts(&sb, "{\"alternatives\":[");
    for (size_t i = 0; i < n; i++) {
        if (format == BOGIE_FORMAT_TEXT) {
            alternative_heading(js, i, n, &sb);
            write_text(js[i], &sb);
            continue;
        }
        /* Each journey's object, reopened for its share. */
        output_journey_json(js[i], &sb, true);
        if (!sb.failed && sb.len >= 2 && strcmp(sb.s + sb.len - 2, "}\n") == 0)
            sb.len -= 2;
        sb_printf(&sb, ",\"shared\":%.3f}%s", js[i]->shared, i + 1 < n ? "," : "");
    }
    if (format == BOGIE_FORMAT_JSON)
        sb_puts(&sb, "]}\n");
    if (sb.failed) {
        sb_free(&sb);
        return BOGIE_ERR_NOMEM;
    }
    *out = sb.s;
    return BOGIE_OK;
}

bogie_status bogie_position_write(const bogie_journey *j, const bogie_position *pos, bogie_format format, char **out)
{
    *out = NULL;
    if (!j || !j->n_stops || !pos || (format != BOGIE_FORMAT_TEXT && format != BOGIE_FORMAT_JSON))
        return BOGIE_ERR_ARG;
    strbuf sb;
    sb_init(&sb, NULL);
    if (format == BOGIE_FORMAT_TEXT) {
        output_position_text(j, pos, &sb);
    } else {
        output_journey_json(j, &sb, true);
        /* The journey's object, reopened for the position. */
        if (!sb.failed && sb.len >= 2 && strcmp(sb.s + sb.len - 2, "}\n") == 0)
            sb.len -= 2;
        output_position_json(j, pos, &sb, output_iso_time);
        sb_puts(&sb, "}\n");
    }
    if (sb.failed) {
        sb_free(&sb);
        return BOGIE_ERR_NOMEM;
    }
    *out = sb.s;
    return BOGIE_OK;
}
