/* output.c: writes a planned journey as a timetable for people, JSON, GeoJSON, GPX, a speed-profile CSV, or an SVG
 * plot of speed and limit against distance. */
#include "bogie.h"

#include "output/output.h"
#include "ref/tz.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Appends one profile point as "km,time_s,speed_kmh,limit_kmh", each to its own precision. */
static void write_profile_point(strbuf *sb, const bogie_profile_point *p)
{
    sb_fixed(sb, p->km, 3);
    sb_puts(sb, ",");
    sb_fixed(sb, p->time_s, 1);
    sb_puts(sb, ",");
    sb_fixed(sb, p->speed_kmh, 2);
    sb_puts(sb, ",");
    sb_fixed(sb, p->limit_kmh, 2);
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
static void iso_time(int64_t utc, int offset, char *buf, size_t n)
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
                                         "pass"};

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

/* The columns a UTF-8 string takes in a terminal: East Asian wide characters (Hangul, CJK ideographs, kana,
 * fullwidth forms) take two, combining marks none, others one. */
static size_t display_width(const char *s)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        int len;
        if (*p < 0x80) {
            cp = *p;
            len = 1;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1F;
            len = 2;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0F;
            len = 3;
        } else {
            cp = *p & 0x07;
            len = 4;
        }
        for (int i = 1; i < len && p[i]; i++)
            cp = cp << 6 | (p[i] & 0x3F);
        for (int i = 0; i < len && *p; i++)
            p++;
        if (cp >= 0x300 && cp < 0x370)
            continue;
        bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6);
        w += wide ? 2 : 1;
    }
    return w;
}

static void write_text(const bogie_journey *j, strbuf *sb)
{
    const bogie_stop *o = &j->stops[0], *d = &j->stops[j->n_stops - 1];
    char tot[32], mov[32], alw[32], chg[32], brd[32], dwl[32], rev[32];
    sb_printf(sb, "%s: %s\n", j->train, j->train_title);
    sb_printf(sb, "%s -> %s, %.1f km", o->name, d->name, j->length_m / 1000);
    if (j->has_clock)
        sb_printf(sb, ", departing %s %s%s%s%s", o->depart_local, o->abbr, o->zone[0] ? " (" : "", o->zone,
                  o->zone[0] ? ")" : "");
    sb_puts(sb, "\n\n");
    sb_printf(sb, "%8s  %-22s %-22s %-40s %s\n", "km", "arrive", "depart", "station", "");
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
        if (s->local_name[0] && strcmp(s->local_name, s->name) != 0)
            snprintf(name, sizeof name, "%s (%s)", s->name, s->local_name);
        else
            snprintf(name, sizeof name, "%s", s->name);
        sb_printf(sb, "%8.1f  %-22s %-22s %s", s->km, arr, dep, name);
        for (size_t k = display_width(name); k < 40; k++)
            sb_puts(sb, " ");
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
    if (j->has_clock)
        sb_printf(sb, "arrives %s %s%s%s%s\n", d->arrive_local, d->abbr, d->zone[0] ? " (" : "", d->zone,
                  d->zone[0] ? ")" : "");
    if (j->n_countries) {
        sb_puts(sb, "countries:");
        for (size_t i = 0; i < j->n_countries; i++)
            sb_printf(sb, " %s", j->countries[i]);
        sb_puts(sb, "\n");
    }
    for (size_t i = 0; i < j->n_warnings; i++)
        sb_printf(sb, "note: %s\n", j->warnings[i]);
}

static void json_time(strbuf *sb, const char *key, const bogie_journey *j, const bogie_stop *s, bool depart)
{
    sb_printf(sb, ",\"%s_s\":%.0f", key, depart ? s->depart_s : s->arrive_s);
    if (j->has_clock) {
        char iso[64];
        iso_time(depart ? s->depart_utc : s->arrive_utc, s->utc_offset_s, iso, sizeof iso);
        sb_printf(sb, ",\"%s\":\"%s\"", key, iso);
    }
}

/* The route's geometry as GeoJSON positions, [lon, lat], comma-separated. */
static void write_coords(strbuf *sb, const bogie_journey *j)
{
    for (size_t i = 0; i < j->n_line; i++) {
        sb_puts(sb, i ? ",[" : "[");
        sb_fixed(sb, j->line[i][1], 7);
        sb_puts(sb, ",");
        sb_fixed(sb, j->line[i][0], 7);
        sb_puts(sb, "]");
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
              "\"border_s\":%.0f,\"dwell_s\":%.0f,\"reversal_s\":%.0f,\"weight_s\":%.0f",
              j->length_m / 1000, j->total_s, j->running_s, j->allowance_s, j->change_s, j->border_s, j->dwell_s,
              j->reversal_s, j->weight_s);
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
        sb_puts(sb, "}");
    }
    sb_puts(sb, "],\"path_osm_nodes\":[");
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
            sb_puts(sb, i ? ",[" : "[");
            write_profile_point(sb, &j->profile[i]);
            sb_puts(sb, "]");
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

static void xml_text(strbuf *sb, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': sb_puts(sb, "&lt;"); break;
        case '>': sb_puts(sb, "&gt;"); break;
        case '&': sb_puts(sb, "&amp;"); break;
        case '"': sb_puts(sb, "&quot;"); break;
        default: sb_append(sb, s, 1);
        }
    }
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
            iso_time(s->arrive_utc, 0, iso, sizeof iso);
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
    for (size_t i = 0; i < j->n_line; i++)
        sb_printf(sb, "    <trkpt lat=\"%.7f\" lon=\"%.7f\"/>\n", j->line[i][0], j->line[i][1]);
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

static void write_svg(const bogie_journey *j, strbuf *sb)
{
    const double W = 1200, H = 560, ml = 70, mr = 100, mt = 150, mb = 60;
    double km_max = j->length_m / 1000, v_max = 10;
    for (size_t i = 0; i < j->n_profile; i++) {
        if (j->profile[i].limit_kmh > v_max && j->profile[i].limit_kmh < 1000)
            v_max = j->profile[i].limit_kmh;
        if (j->profile[i].speed_kmh > v_max)
            v_max = j->profile[i].speed_kmh;
    }
    v_max = ceil(v_max * 1.1 / 10) * 10;
    if (km_max <= 0)
        km_max = 1;
    double pw = W - ml - mr, ph = H - mt - mb;
#define X(km) (ml + (km) / km_max * pw)
#define Y(v) (mt + ph - ((v) < v_max ? (v) : v_max) / v_max * ph)
    sb_printf(sb,
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
              "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
              W, H, W, H);
    sb_puts(sb, "<text x=\"20\" y=\"24\" font-size=\"16\">");
    xml_text(sb, j->train);
    sb_puts(sb, ": ");
    xml_text(sb, j->stops[0].name);
    sb_puts(sb, " - ");
    xml_text(sb, j->stops[j->n_stops - 1].name);
    char tot[32];
    duration(j->total_s, tot, sizeof tot);
    sb_printf(sb, ", %.0f km, %s</text>\n", km_max, tot);
    /* Grid and axes. */
    double vs = nice_step(v_max, 6), ks = nice_step(km_max, 10);
    for (double v = 0; v <= v_max + 1e-9; v += vs)
        sb_printf(sb,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" "
                  "text-anchor=\"end\">%.0f</text>\n",
                  ml, Y(v), ml + pw, Y(v), ml - 6, Y(v) + 4, v);
    for (double k = 0; k <= km_max + 1e-9; k += ks)
        sb_printf(sb,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%.1f\" "
                  "text-anchor=\"middle\">%g</text>\n",
                  X(k), mt, X(k), mt + ph, X(k), mt + ph + 16, k);
    sb_printf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">distance (km)</text>\n", ml + pw / 2,
              mt + ph + 36);
    sb_printf(sb, "<text transform=\"translate(22 %.1f) rotate(-90)\" text-anchor=\"middle\">speed (km/h)</text>\n",
              mt + ph / 2);
    /* Stops: a dashed line each, and labels above the plot, rotated; stops closer than a label's height share one. */
    double last_x = -1000;
    for (size_t i = 0; i < j->n_stops; i++) {
        const bogie_stop *s = &j->stops[i];
        if (s->kinds == BOGIE_STOP_PASS)
            continue;
        const char *color = (s->kinds & BOGIE_STOP_GAUGE_CHANGE) ? "#c0392b"
                            : (s->kinds & BOGIE_STOP_BORDER)     ? "#8e44ad"
                                                                 : "#555";
        double x = X(s->km);
        sb_printf(sb,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>\n",
                  x, mt, x, mt + ph, color);
        if (x - last_x < 15)
            continue;
        last_x = x;
        sb_printf(sb, "<text transform=\"translate(%.1f %.1f) rotate(-45)\" fill=\"%s\">", x + 3, mt - 6, color);
        xml_text(sb, s->name);
        for (size_t k = i + 1; k < j->n_stops; k++) {
            const bogie_stop *t = &j->stops[k];
            if (t->kinds == BOGIE_STOP_PASS)
                continue;
            if (X(t->km) - x >= 15)
                break;
            sb_puts(sb, ", ");
            xml_text(sb, t->name);
        }
        sb_puts(sb, "</text>\n");
    }
    /* The limit as a wide pale step line under the speed. */
    sb_puts(sb, "<polyline fill=\"none\" stroke=\"#f0a35e\" stroke-width=\"4\" stroke-linejoin=\"round\" points=\"");
    for (size_t i = 0; i < j->n_profile; i++) {
        const bogie_profile_point *p = &j->profile[i];
        if (i > 0)
            sb_printf(sb, "%.1f,%.1f ", X(p->km), Y(j->profile[i - 1].limit_kmh));
        sb_printf(sb, "%.1f,%.1f ", X(p->km), Y(p->limit_kmh));
    }
    sb_puts(sb, "\"/>\n<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.2\" points=\"");
    for (size_t i = 0; i < j->n_profile; i++)
        sb_printf(sb, "%.1f,%.1f ", X(j->profile[i].km), Y(j->profile[i].speed_kmh));
    sb_puts(sb, "\"/>\n");
    sb_printf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", ml,
              mt, pw, ph);
    /* The legend, in one row under the title. */
    static const struct {
        const char *label, *color, *dash;
        int width;
    } legend[] = {{"speed", "#1f5fa8", "", 2},          {"limit", "#f0a35e", "", 4},
                  {"gauge change", "#c0392b", "4 3", 1}, {"border", "#8e44ad", "4 3", 1},
                  {"other stop", "#555", "4 3", 1}};
    double lx = 20;
    for (size_t i = 0; i < sizeof legend / sizeof legend[0]; i++) {
        sb_printf(sb,
                  "<line x1=\"%.0f\" y1=\"44\" x2=\"%.0f\" y2=\"44\" stroke=\"%s\" stroke-width=\"%d\"%s%s%s/>"
                  "<text x=\"%.0f\" y=\"48\" fill=\"%s\">%s</text>\n",
                  lx, lx + 24, legend[i].color, legend[i].width, *legend[i].dash ? " stroke-dasharray=\"" : "",
                  legend[i].dash, *legend[i].dash ? "\"" : "", lx + 30, i < 2 ? "#000" : legend[i].color,
                  legend[i].label);
        lx += 40 + 7.5 * (double)strlen(legend[i].label);
    }
    sb_puts(sb, "</svg>\n");
#undef X
#undef Y
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
