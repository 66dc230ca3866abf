/* facilities.c: where the reference data's gauge-change facilities apply on a network (facilities.h), and the list
 * of those that apply nowhere, for reports. */
#include "net/facilities.h"

#include "base/geo.h"

uint32_t net_facility_station(const bogie_network *net, const world_facility *fa)
{
    double best = NET_FACILITY_RADIUS_M;
    uint32_t at = BOGIE_NONE;
    for (uint32_t s = 0; s < net->n_stations; s++) {
        const net_station *st = &net->stations[s];
        if (st->node == BOGIE_NONE)
            continue;
        double d = geo_distance_m(fa->lat, fa->lon, st->lat * 1e-7, st->lon * 1e-7);
        if (d < best) {
            best = d;
            at = s;
        }
    }
    return at;
}

size_t bogie_unplaced_facilities(const bogie_network *net, const bogie_world *world, const char **names, size_t cap,
                                 size_t *n_listed)
{
    size_t n = 0;
    *n_listed = world ? world->facilities.n : 0;
    for (size_t f = 0; world && f < world->facilities.n; f++) {
        const world_facility *fa = &world->facilities.v[f];
        if (net_facility_station(net, fa) != BOGIE_NONE)
            continue;
        if (n < cap)
            names[n] = fa->name;
        n++;
    }
    return n;
}
