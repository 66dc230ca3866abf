/* output.h: the journey writers that other modules (the HTTP API) reuse. */
#ifndef BOGIE_OUTPUT_H
#define BOGIE_OUTPUT_H

#include "bogie.h"
#include "base/util.h"

/* Appends the journey as JSON (the shape of `bogie route --format json`) to sb; with_line adds the route's geometry
 * as a GeoJSON LineString, and the speed profile is always there. */
void output_journey_json(const bogie_journey *j, strbuf *sb, bool with_line);

/* "2023-09-10T15:00:00+09:00" for a UTC instant (seconds since 1970) shown at a fixed offset (seconds), into buf. */
void output_iso_time(int64_t utc, int offset, char *buf, size_t n);

/* output_seen.c: what sightings add. The words after a sighted row's event in the timetable ("seen (+60 min)"). */
void output_seen_row_text(const bogie_stop *s, strbuf *sb);
/* The paces per stretch and the arrival with its band, the timetable's last lines for a re-timed journey. */
void output_seen_text(const bogie_journey *j, strbuf *sb);
/* A stop's planned times, for a re-timed journey's JSON. */
void output_seen_stop_json(const bogie_stop *s, strbuf *sb);
/* The sightings, stretches and band, as members appended to the journey's JSON object; iso writes a time. */
void output_seen_json(const bogie_journey *j, strbuf *sb, void (*iso)(int64_t, int, char *, size_t));
/* Where the train is (bogie_position_write): as text for people, and as a "position" member of the journey's JSON
 * object. */
void output_position_text(const bogie_journey *j, const bogie_position *o, strbuf *sb);
void output_position_json(const bogie_journey *j, const bogie_position *o, strbuf *sb,
                          void (*iso)(int64_t, int, char *, size_t));

/* output_gtfs.c: journey j as a one-trip GTFS feed, zipped, into *out (malloc'd, *len bytes, the caller's; free()
 * it). BOGIE_ERR_ARG when j has no departure time; diag may be NULL. */
bogie_status output_gtfs(const bogie_journey *j, unsigned char **out, size_t *len, bogie_diag *diag);

#endif
