/* tags.h: reading OpenStreetMap tag values (gauge, maxspeed, electrification, distance, usage...) into a net_class,
 * reporting every value that cannot be read instead of guessing. */
#ifndef BOGIE_TAGS_H
#define BOGIE_TAGS_H

#include "net/netfmt.h"
#include "osm/osm.h"

#include <stdbool.h>

/* Receives each problem found: key and value as tagged, and a static sentence saying why the value was not used. */
typedef void (*tag_report_fn)(void *ud, const char *key, const char *value, const char *reason);

/* Plausible gauges, in millimetres: from 15-inch minimum-gauge lines to Indian broad gauge. */
#define TAGS_GAUGE_MIN 380
#define TAGS_GAUGE_MAX 1700
/* The fastest train in regular service runs under 400 km/h; anything above this is read as a typo. */
#define TAGS_SPEED_MAX_KMH 600.0

/* Returns the value of key among tags, or NULL. */
const char *tags_get(const osm_tag *tags, size_t n, const char *key);

/* Parses a gauge value such as "1435" or "1435;1520" into cls->gauge/n_gauge (sorted, without duplicates). Parts that
 * are not plausible gauges are reported and left out; the deprecated word "standard" is read as 1435 and reported. */
void tags_parse_gauge(const char *value, net_class *cls, tag_report_fn report, void *ud);

/* Parses a speed such as "120", "120 km/h" or "40 mph" into km/h. Returns false (and reports under key) when the
 * value cannot be read or is not in (0, TAGS_SPEED_MAX_KMH]. */
bool tags_parse_speed(const char *key, const char *value, float *kmh, tag_report_fn report, void *ud);

/* Parses a length in kilometres such as "5", "5.2 km", "800 m" or "3 mi" into metres. Returns false (and reports)
 * when it cannot be read or is not positive. */
bool tags_parse_distance(const char *value, double *metres, tag_report_fn report, void *ud);

/* Fills the electrification of cls from the electrified, voltage and frequency values (each may be NULL or hold
 * several values separated by ';'), pairing the i-th voltage with the i-th frequency and kind. */
void tags_parse_electrification(const char *electrified, const char *voltage, const char *frequency, net_class *cls,
                                tag_report_fn report, void *ud);

/* Fills every attribute of a track's class from its tags: gauge, speeds, electrification, usage, service,
 * preferred direction, tunnel, bridge, schematic and "assumed" flags. railway is the net_railway the caller chose.
 * Strings (name, ref) are not set here. Returns the distance=* length in metres, or -1 when there is none. */
double tags_read_track(const osm_tag *tags, size_t n, int railway, net_class *cls, tag_report_fn report, void *ud);

/* Writes a label for a gauge set ("1435", "1435;1520", or "unknown") into buf. */
void tags_gauge_label(const net_class *cls, char *buf, size_t size);
/* Writes a label for a class's electrification ("25000 V 50 Hz", "3000 V DC", "not electrified", "unknown"). */
void tags_power_label(const net_class *cls, char *buf, size_t size);
/* Returns static names of the enumerations, for output. */
const char *tags_usage_name(int usage);
const char *tags_service_name(int service);
const char *tags_railway_name(int railway);

#endif
