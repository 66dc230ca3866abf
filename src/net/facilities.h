/* facilities.h: where the reference data's gauge-change facilities (data/gauge-changers.csv) apply on a network:
 * at the nearest station within NET_FACILITY_RADIUS_M of the row's coordinates, or nowhere. The route planner uses
 * the rule to place them, `bogie info` and `bogie route --verbose` to report the rows that apply nowhere. */
#ifndef BOGIE_NET_FACILITIES_H
#define BOGIE_NET_FACILITIES_H

#include "net/network.h"
#include "ref/world.h"

/* A facility applies at the network's nearest station within this distance of its coordinates. */
#define NET_FACILITY_RADIUS_M 5000.0

/* The index of the station (with a node) that facility fa applies at, or BOGIE_NONE when no station of net lies
 * within NET_FACILITY_RADIUS_M. */
uint32_t net_facility_station(const bogie_network *net, const world_facility *fa);

#endif
