/* world.h: the reference data a journey needs besides the network: gauge-change facilities, border stop times, time
 * zones by country and default speed limits (the CSV tables in data/), and the system's time zone database. */
#ifndef BOGIE_WORLD_H
#define BOGIE_WORLD_H

#include "bogie.h"
#include "ref/tz.h"
#include "base/util.h"

typedef struct world_facility {
    char name[64];
    double lat, lon;
    char country[4];
    unsigned methods;                /* 1 << bogie_change_method for each method offered */
    uint16_t gauges[BOGIE_MAX_TRAIN_GAUGES];
    size_t n_gauges;
    double change_s;                 /* < 0: use the train's own figure */
} world_facility;

typedef struct world_border {
    char a[4], b[4];                 /* "*" matches any */
    double stop_s;
} world_border;

typedef struct world_zone {
    char country[4];
    double min_lon, max_lon;         /* -1000 / 1000 when the row gives no range */
    char zone[64];
} world_zone;

typedef struct world_speed {
    char country[4];                 /* "*" for any */
    char use[24];
    double kmh;
} world_speed;

struct bogie_world {
    const bogie_allocator *alloc;
    VEC(world_facility) facilities;
    VEC(world_border) borders;
    VEC(world_zone) zones;
    VEC(world_speed) speeds;
    tz_db *tz;
};

/* The stop for crossing from country a to b (alpha-2 codes, either order), in seconds: the most specific row. */
double world_border_stop_s(const bogie_world *w, const char *a, const char *b);
/* The IANA zone for a place in country at longitude lon, or NULL when the table has none. */
const char *world_zone_for(const bogie_world *w, const char *country, double lon);
/* The default speed limit in km/h for track of the given use ("main", "siding", ... "unspecified") in country. */
double world_default_speed_kmh(const bogie_world *w, const char *country, const char *use);

#endif
