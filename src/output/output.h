/* output.h: the journey writers that other modules (the HTTP API) reuse. */
#ifndef BOGIE_OUTPUT_H
#define BOGIE_OUTPUT_H

#include "bogie.h"
#include "base/util.h"

/* Appends the journey as JSON (the shape of `bogie route --format json`) to sb; with_line adds the route's geometry
 * as a GeoJSON LineString, and the speed profile is always there. */
void output_journey_json(const bogie_journey *j, strbuf *sb, bool with_line);

#endif
