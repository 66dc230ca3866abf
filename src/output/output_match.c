/* output_match.c: writes a map-matched trace (bogie_match_write): each matching's timetable with the time observed
 * against the time predicted per section between stations, as text for people, JSON or GeoJSON. */
#include "bogie.h"

#include "output/output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "1:02:03" for a duration in seconds, or "-" when unknown (negative). */
static void duration_text(double s, char *buf, size_t n)
{
    if (s < 0) {
        snprintf(buf, n, "-");
        return;
    }
    long r = lround(s);
    snprintf(buf, n, "%ld:%02d:%02d", r / 3600, (int)(r / 60 % 60), (int)(r % 60));
}

static void sections_text(const bogie_matching *m, strbuf *sb)
{
    const bogie_journey *j = m->journey;
    sb_puts(sb, "\nobserved against predicted running time, per section between stations:\n");
    sb_printf(sb, "%8s %8s  %-50s %9s %9s %7s\n", "km", "to km", "section", "predicted", "observed", "diff");
    for (size_t i = 0; i < m->n_sections; i++) {
        const bogie_section *s = &m->sections[i];
        char name[300], p[48], o[48], d[48];
        snprintf(name, sizeof name, "%s -> %s", j->stops[s->from].name, j->stops[s->to].name);
        duration_text(s->predicted_s, p, sizeof p);
        duration_text(s->observed_s, o, sizeof o);
        if (s->observed_s >= 0)
            snprintf(d, sizeof d, "%+.0f s", s->observed_s - s->predicted_s);
        else
            snprintf(d, sizeof d, "-");
        sb_printf(sb, "%8.1f %8.1f  %-50.50s %9s %9s %7s\n", s->km0, s->km1, name, p, o, d);
    }
    char p[48], o[48];
    duration_text(m->predicted_s, p, sizeof p);
    duration_text(m->observed_s, o, sizeof o);
    sb_printf(sb, "%8s %8s  %-50s %9s %9s", "", "", "total", p, o);
    if (m->observed_s >= 0)
        sb_printf(sb, " %+6.0f s", m->observed_s - m->predicted_s);
    sb_puts(sb, "\n");
}

static void write_text(const bogie_match_result *r, strbuf *sb)
{
    size_t unmatched = 0;
    for (size_t i = 0; i < r->n_points; i++)
        unmatched += !r->points[i].matched;
    sb_printf(sb, "%zu trace points, %zu matched in %zu matching%s, %zu not matched\n", r->n_points,
              r->n_points - unmatched, r->n_matchings, r->n_matchings == 1 ? "" : "s", unmatched);
    for (size_t k = 0; k < r->n_matchings; k++) {
        const bogie_matching *m = &r->matchings[k];
        sb_printf(sb, "\nmatching %zu: trace points %zu to %zu, %zu matched, confidence %.3f, sent through %zu of "
                      "them\n\n",
                  k + 1, m->first + 1, m->last + 1, m->n_matched, m->confidence, m->n_vias);
        char *t = NULL;
        if (bogie_journey_write(m->journey, BOGIE_FORMAT_TEXT, &t) == BOGIE_OK)
            sb_puts(sb, t);
        else
            sb->failed = true;
        free(t);
        sections_text(m, sb);
    }
}

static void tracepoint_json(const bogie_tracepoint *tp, strbuf *sb)
{
    if (!tp->matched) {
        sb_puts(sb, "null");
        return;
    }
    sb_printf(sb, "{\"location\":[%.7f,%.7f],\"distance_m\":%.2f,\"km\":%.4f,\"matchings_index\":%zu,"
                  "\"waypoint_index\":%zu,\"alternatives_count\":%zu}",
              tp->lon, tp->lat, tp->distance_m, tp->km, tp->matching, tp->waypoint_index, tp->alternatives);
}

static void sections_json(const bogie_matching *m, strbuf *sb)
{
    sb_puts(sb, "\"sections\":[");
    for (size_t i = 0; i < m->n_sections; i++) {
        const bogie_section *s = &m->sections[i];
        sb_printf(sb, "%s{\"from\":", i ? "," : "");
        sb_json_string(sb, m->journey->stops[s->from].name);
        sb_puts(sb, ",\"to\":");
        sb_json_string(sb, m->journey->stops[s->to].name);
        sb_printf(sb, ",\"from_stop\":%zu,\"to_stop\":%zu,\"km0\":%.3f,\"km1\":%.3f,\"predicted_s\":%.1f,"
                      "\"observed_s\":",
                  s->from, s->to, s->km0, s->km1, s->predicted_s);
        if (s->observed_s >= 0)
            sb_printf(sb, "%.1f}", s->observed_s);
        else
            sb_puts(sb, "null}");
    }
    sb_puts(sb, "]");
}

static void write_json(const bogie_match_result *r, strbuf *sb)
{
    sb_puts(sb, "{\"train\":");
    sb_json_string(sb, r->train);
    sb_printf(sb, ",\"radius_m\":%g,\"sigma_m\":%g,\"beta_m\":%g,\"tracepoints\":[", r->radius_m, r->sigma_m,
              r->beta_m);
    for (size_t i = 0; i < r->n_points; i++) {
        sb_puts(sb, i ? "," : "");
        tracepoint_json(&r->points[i], sb);
    }
    sb_puts(sb, "],\"matchings\":[");
    for (size_t k = 0; k < r->n_matchings; k++) {
        const bogie_matching *m = &r->matchings[k];
        sb_printf(sb, "%s{\"confidence\":%.4f,\"first\":%zu,\"last\":%zu,\"matched\":%zu,\"vias\":%zu,"
                      "\"predicted_s\":%.1f,\"observed_s\":",
                  k ? "," : "", m->confidence, m->first, m->last, m->n_matched, m->n_vias, m->predicted_s);
        if (m->observed_s >= 0)
            sb_printf(sb, "%.1f,", m->observed_s);
        else
            sb_puts(sb, "null,");
        sections_json(m, sb);
        sb_puts(sb, ",\"journey\":");
        output_journey_json(m->journey, sb, true);
        while (sb->len && sb->s[sb->len - 1] == '\n')
            sb->len--;
        sb_puts(sb, "}");
    }
    sb_puts(sb, "]}\n");
}

static void write_geojson(const bogie_match_result *r, strbuf *sb)
{
    sb_puts(sb, "{\"type\":\"FeatureCollection\",\"features\":[");
    bool first = true;
    for (size_t k = 0; k < r->n_matchings; k++) {
        const bogie_matching *m = &r->matchings[k];
        const bogie_journey *j = m->journey;
        sb_printf(sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"matching\",\"matchings_index\":%zu,"
                      "\"confidence\":%.4f,\"length_km\":%.3f,\"total_s\":%.0f},"
                      "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[",
                  first ? "" : ",", k, m->confidence, j->length_m / 1000, j->total_s);
        for (size_t i = 0; i < j->n_line; i++)
            sb_printf(sb, "%s[%.7f,%.7f]", i ? "," : "", j->line[i][1], j->line[i][0]);
        sb_puts(sb, "]}}");
        first = false;
    }
    for (size_t i = 0; i < r->n_points; i++) {
        const bogie_tracepoint *tp = &r->points[i];
        if (!tp->matched)
            continue;
        sb_printf(sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"tracepoint\",\"index\":%zu,"
                      "\"matchings_index\":%zu,\"waypoint_index\":%zu,\"km\":%.4f,\"distance_m\":%.2f},"
                      "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]}}",
                  first ? "" : ",", i, tp->matching, tp->waypoint_index, tp->km, tp->distance_m, tp->lon, tp->lat);
        first = false;
    }
    sb_puts(sb, "]}\n");
}

bogie_status bogie_match_write(const bogie_match_result *r, bogie_format format, char **out)
{
    *out = NULL;
    if (!r)
        return BOGIE_ERR_ARG;
    strbuf sb;
    sb_init(&sb, NULL);
    switch (format) {
    case BOGIE_FORMAT_TEXT: write_text(r, &sb); break;
    case BOGIE_FORMAT_JSON: write_json(r, &sb); break;
    case BOGIE_FORMAT_GEOJSON: write_geojson(r, &sb); break;
    default: sb_free(&sb); return BOGIE_ERR_ARG;
    }
    if (sb.failed) {
        sb_free(&sb);
        return BOGIE_ERR_NOMEM;
    }
    *out = sb.s;
    return BOGIE_OK;
}
