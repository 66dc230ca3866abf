/* osm_coord.c: OSM coordinates as fixed-point degrees * 1e7, shared by every reader. */
#include "osm/osm.h"

#include <math.h>

int32_t osm_deg_to_e7(double deg)
{
    if (!isfinite(deg))
        return OSM_NO_COORD;
    double v = round(deg * OSM_COORD_SCALE);
    /* A value that does not fit (or that would collide with the sentinel) is as unusable as a missing one. */
    if (!(v > (double)INT32_MIN && v <= (double)INT32_MAX))
        return OSM_NO_COORD;
    return (int32_t)v;
}
