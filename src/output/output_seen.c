/* output_seen.c: writes what sightings add to a journey (the sightings, the fitted pace per stretch and the band of
 * the arrival) and where the train is at a time (bogie_position), as text and as JSON. */
#include "bogie.h"

#include "output/output.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The clock time of a band's end: "17:40" when it is on the date of the arrival, else the date and time. */
static const char *band_end(const char *local, const char *arrival)
{
    return strncmp(local, arrival, 10) == 0 && strlen(local) > 11 ? local + 11 : local;
}

void output_seen_row_text(const bogie_stop *s, strbuf *sb)
{
    if (s->kinds & BOGIE_STOP_SEEN) {
        long late = lround((s->arrive_s + s->halt_s - s->planned_arrive_s) / 60);
        sb_printf(sb, "%sseen (%+ld min)", s->kinds & ~(BOGIE_STOP_SEEN | BOGIE_STOP_PASS | BOGIE_STOP_HALT) ? "; " : "",
                  late);
    }
    if (s->kinds & BOGIE_STOP_HALT)
        sb_printf(sb, ", after a halt of %.0f min", s->halt_s / 60);
}

void output_seen_text(const bogie_journey *j, strbuf *sb)
{
    const bogie_stop *d = &j->stops[j->n_stops - 1];
    for (size_t k = 0; k < j->n_stretches; k++) {
        const bogie_stretch *st = &j->stretches[k];
        sb_printf(sb, "pace %.2f from km %.1f to %.1f (%s)", st->pace, st->km0, st->km1,
                  st->predicted ? "predicted from the stretch before" : "fitted to the sightings");
        if (st->halt_s > 0)
            sb_printf(sb, ", and a halt of %.0f min", st->halt_s / 60);
        sb_puts(sb, "\n");
    }
    long late = lround((d->arrive_s - d->planned_arrive_s) / 60);
    sb_printf(sb, "arrives %s %s (%s - %s)%s%s%s: %ld min %s than planned\n", d->arrive_local, d->abbr,
              band_end(j->early_local, d->arrive_local), band_end(j->late_local, d->arrive_local),
              d->zone[0] ? " (" : "", d->zone, d->zone[0] ? ")" : "", late < 0 ? -late : late,
              late < 0 ? "earlier" : "later");
}

void output_seen_stop_json(const bogie_stop *s, strbuf *sb)
{
    sb_printf(sb, ",\"planned_arrive_s\":%.0f,\"planned_depart_s\":%.0f,\"seen\":%s,\"halt_s\":%.0f",
              s->planned_arrive_s, s->planned_depart_s, s->kinds & BOGIE_STOP_SEEN ? "true" : "false", s->halt_s);
}

void output_seen_json(const bogie_journey *j, strbuf *sb, void (*iso)(int64_t, int, char *, size_t))
{
    const bogie_stop *d = &j->stops[j->n_stops - 1];
    char a[64], b[64];
    sb_puts(sb, ",\"sightings\":[");
    for (size_t k = 0; k < j->n_sightings; k++) {
        const bogie_sighting *x = &j->sightings[k];
        sb_puts(sb, k ? ",{\"place\":" : "{\"place\":");
        sb_json_string(sb, x->place);
        if (x->station != BOGIE_NONE)
            sb_printf(sb, ",\"station\":%u", x->station);
        iso(x->seen_utc, d->utc_offset_s, a, sizeof a);
        sb_printf(sb, ",\"km\":%.3f,\"lat\":%.7f,\"lon\":%.7f,\"off_route_m\":%.0f,\"seen\":\"%s\",\"seen_s\":%.0f,"
                      "\"planned_s\":%.0f,\"late_s\":%.0f}",
                  x->km, x->lat, x->lon, x->off_route_m, a, x->seen_s, x->planned_s, x->seen_s - x->planned_s);
    }
    sb_puts(sb, "],\"stretches\":[");
    for (size_t k = 0; k < j->n_stretches; k++) {
        const bogie_stretch *st = &j->stretches[k];
        sb_printf(sb, "%s{\"from_km\":%.3f,\"to_km\":%.3f,\"planned_running_s\":%.0f,\"pace\":%.4f,\"halt_s\":%.0f,"
                      "\"predicted\":%s}",
                  k ? "," : "", st->km0, st->km1, st->planned_running_s, st->pace, st->halt_s,
                  st->predicted ? "true" : "false");
    }
    iso(j->early_utc, d->utc_offset_s, a, sizeof a);
    iso(j->late_utc, d->utc_offset_s, b, sizeof b);
    sb_printf(sb, "],\"planned_total_s\":%.0f,\"arrival_band\":{\"early_s\":%.0f,\"late_s\":%.0f,\"early\":\"%s\","
                  "\"late\":\"%s\",\"derivation\":\"the rest run at the fastest and the slowest of the plan's pace "
                  "and every fitted one, widened by a minute on each side\"}",
              j->planned_total_s, j->early_s, j->late_s, a, b);
}

static const char *const state_names[] = {"not departed", "running", "stopped", "arrived"};

/* The row of j at index i, for the position's last and next, as "Primorskaya (km 1009.2, left 12:48 +10)": verb
 * and its arrival, else its departure. */
static void row_text(const bogie_journey *j, size_t i, const char *verb, bool arrive, strbuf *sb)
{
    const bogie_stop *s = &j->stops[i];
    sb_printf(sb, "%s (km %.1f, %s %s %s)", s->name, s->km, verb, arrive ? s->arrive_local : s->depart_local,
              s->abbr);
}

void output_position_text(const bogie_journey *j, const bogie_position *o, strbuf *sb)
{
    sb_printf(sb, "at %s %s: %s, km %.1f of %.1f, at %.5f,%.5f", o->at_local, o->abbr, state_names[o->state], o->km,
              j->length_m / 1000, o->lat, o->lon);
    if (o->state == BOGIE_WHERE_RUNNING)
        sb_printf(sb, ", %.0f km/h", o->speed_kmh);
    sb_puts(sb, "\n");
    if (o->state == BOGIE_WHERE_STOPPED) {
        sb_printf(sb, "stopped at %s: %s\n", j->stops[o->last].name, o->why);
        sb_puts(sb, "then: ");
        row_text(j, o->last, "leaves", false, sb);
        sb_puts(sb, "\n");
    } else if (o->state == BOGIE_WHERE_RUNNING) {
        sb_puts(sb, "last: ");
        row_text(j, o->last, "left", false, sb);
        sb_puts(sb, "\n");
    }
    if (o->next < j->n_stops) {
        sb_puts(sb, "next: ");
        row_text(j, o->next, "arrives", true, sb);
        sb_puts(sb, "\n");
    }
}

void output_position_json(const bogie_journey *j, const bogie_position *o, strbuf *sb,
                          void (*iso)(int64_t, int, char *, size_t))
{
    char at[64];
    iso(o->at_utc, j->stops[o->last].utc_offset_s, at, sizeof at);
    sb_printf(sb, ",\"position\":{\"at\":\"%s\",\"at_s\":%.0f,\"state\":\"%s\",\"km\":%.3f,\"lat\":%.7f,"
                  "\"lon\":%.7f,\"speed_kmh\":%.1f,\"last\":",
              at, o->at_s, state_names[o->state], o->km, o->lat, o->lon, o->speed_kmh);
    sb_json_string(sb, j->stops[o->last].name);
    sb_printf(sb, ",\"last_index\":%zu,\"next\":", o->last);
    if (o->next < j->n_stops)
        sb_json_string(sb, j->stops[o->next].name);
    else
        sb_puts(sb, "null");
    sb_printf(sb, ",\"next_index\":%zu,\"stopped\":%s,\"why\":", o->next,
              o->state == BOGIE_WHERE_STOPPED ? "true" : "false");
    sb_json_string(sb, o->why);
    sb_puts(sb, "}");
}
