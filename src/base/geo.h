/* geo.h: geometry on the sphere for rail networks: distances, bearings, and a grid index for
 * nearest-point queries. */
#ifndef BOGIE_GEO_H
#define BOGIE_GEO_H

#include "bogie.h"

#include <stddef.h>
#include <stdint.h>

/* Mean Earth radius (IUGG), metres. */
#define GEO_EARTH_RADIUS_M 6371008.8

/* Great-circle distance in metres between two points given in degrees. */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);
/* The same for fixed-point degrees * 1e7. */
double geo_distance_e7(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2);
/* Initial bearing from point 1 to point 2, degrees clockwise from north in [0, 360). */
double geo_bearing_deg(double lat1, double lon1, double lat2, double lon2);


/* A grid of points for nearest-neighbour queries. Built once, then read-only: safe to share between threads. */
typedef struct geo_grid geo_grid;

/* Builds a grid over n points (lat, lon pairs in degrees * 1e7). The points array must stay valid for the grid's
 * lifetime; the grid keeps a pointer to it. *out is allocated with alloc and freed by geo_grid_free(). Returns
 * BOGIE_OK or BOGIE_ERR_NOMEM. */
bogie_status geo_grid_build(const int32_t *latlon, size_t n, const bogie_allocator *alloc, geo_grid **out);
void geo_grid_free(geo_grid *grid);

/* Returns the index of the point nearest to (lat, lon) in degrees within max_m metres, or SIZE_MAX when there is
 * none; *dist_m receives its distance. accept(ud, index) may be NULL; otherwise only points it accepts count. */
size_t geo_grid_nearest(const geo_grid *grid, double lat, double lon, double max_m,
                        int (*accept)(void *ud, size_t index), void *ud, double *dist_m);

/* Builds a grid over the segments of a polyline set: segment i runs from point i to point i + 1 of the n points
 * (lat, lon pairs in degrees * 1e7), for every i that is_segment(ud, i) accepts. Each segment is entered in every
 * cell its bounding box touches. The points must outlive the grid. Free with geo_grid_free(). */
bogie_status geo_grid_build_segments(const int32_t *latlon, size_t n, bool (*is_segment)(void *ud, size_t i),
                                     void *ud, const bogie_allocator *alloc, geo_grid **out);

/* Calls visit(ud, index) for the entries of the cells around (lat, lon), nearest cells first, until no entry
 * within the bound can remain: the bound starts at max_m and visit returns the new bound (for example the distance
 * of the k-th nearest found so far). An entry may be visited more than once (a segment in several cells). */
void geo_grid_visit(const geo_grid *grid, double lat, double lon, double max_m,
                    double (*visit)(void *ud, size_t index), void *ud);

#endif
