/* borders.h: which country a point of track lies in, and where a line of track crosses a country boundary, from
 * Natural Earth admin-0 outlines as carried by world-atlas's TopoJSON (data/world/).
 *
 * Countries. Every feature of objects.countries is matched to a row of countries.csv by name (and, failing that,
 * by its ISO numeric id). Features that share a non-empty ISO alpha-2 code form one country: Australia and the
 * Ashmore and Cartier Islands are both AU, and the Baikonur lease area is part of KZ. A country's name is that of
 * its largest feature; borders_find() also knows the names of the others. Features without a code stay countries
 * of their own, with alpha2 and alpha3 "".
 *
 * Geometry. Coordinates are worked in the file's quantized grid (world-atlas 10m: 1/99999 of 360 degrees of longitude
 * and of 168.9 degrees of latitude, about 400 m by 190 m at the equator), and track segments are straight lines in
 * longitude/latitude (plate carree), which for track segments of metres to a few kilometres differs from the great
 * circle by far less than the outlines' own error. A point exactly on a boundary is decided by a fixed symbolic
 * perturbation (as if moved an infinitesimal step east and an even smaller step north), so every point belongs to
 * exactly one side and crossings found along a line agree with borders_country_at() at its vertices.
 *
 * A borders is immutable once loaded: any number of threads may query it at once. */
#ifndef BOGIE_BORDERS_H
#define BOGIE_BORDERS_H

#include "bogie.h"

#include <stddef.h>
#include <stdint.h>

typedef struct borders borders; /* immutable after load; shareable between threads */

/* Loads a world-atlas TopoJSON (objects.countries: Polygon/MultiPolygon geometries over delta-encoded quantized arcs
 * with a transform) and the companion countries.csv (header numeric,alpha2,alpha3,name) and builds the spatial
 * index. On success *out is allocated with alloc (NULL means malloc) and owned by the caller, who releases it with
 * borders_free(); on failure *out is NULL and diag names the file and the position or field, e.g.
 * "countries-10m.json: objects.countries.geometries[12]: arc index 99999 out of range". Returns BOGIE_ERR_IO when
 * a file cannot be read, BOGIE_ERR_INPUT when one is malformed, BOGIE_ERR_UNSUPPORTED for an unquantized topology
 * or coordinates beyond +-2^24 quantized units, BOGIE_ERR_NOMEM when memory runs out. The JSON parser (jansson)
 * allocates with malloc; everything kept is allocated with alloc. */
bogie_status borders_load(const char *topojson_path, const char *countries_csv_path, const bogie_allocator *alloc,
                          borders **out, bogie_diag *diag);

/* Frees b and everything it owns. NULL does nothing. */
void borders_free(borders *b);

/* Number of countries; indices run from 0 to borders_count() - 1. */
size_t borders_count(const borders *b);

/* Index of the country containing the point (degrees), or -1 at sea, outside every polygon, or for NaN. A country's
 * rings are taken even-odd, so holes (Lesotho in South Africa) and enclaves work. */
int borders_country_at(const borders *b, double lat, double lon);

/* ISO 3166-1 codes and name of a country index. The strings are owned by b and live as long as it; "" when the code
 * is unknown or the index is out of range. */
const char *borders_alpha2(const borders *b, int country); /* "KP" */
const char *borders_alpha3(const borders *b, int country); /* "PRK" */
const char *borders_name(const borders *b, int country);   /* "North Korea", as world-atlas spells it */

/* Country index for an alpha-2 or alpha-3 code or a feature name, compared ignoring ASCII case; -1 when none. */
int borders_find(const borders *b, const char *code_or_name);

typedef struct borders_crossing {
    size_t segment;  /* index of the polyline segment (points i, i+1) where the crossing lies */
    double fraction; /* position along that segment, 0..1 */
    double lat, lon; /* degrees */
    int from, to;    /* country indices (-1 = none/sea) */
} borders_crossing;

/* Finds where a polyline of n points (lat, lon pairs in degrees * 1e7) changes country, in order along it. Writes
 * at most max crossings into out (which may be NULL when max is 0) and returns how many there are, which may exceed
 * max. *start_country (if not NULL) gets the country of the first point, -1 when n is 0. A segment that leaves a
 * country and comes back between two points gives both crossings. Several boundary edges crossed at the same place
 * (a tripoint) give one crossing. A segment whose longitudes differ by more than 180 degrees is taken to cross the
 * antimeridian. Allocates nothing; safe to call from several threads on one b. */
size_t borders_crossings(const borders *b, const int32_t *latlon, size_t n, borders_crossing *out, size_t max,
                         int *start_country);

#endif
