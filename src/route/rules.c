/* rules.c: what track a train may use: the gauges its wheels run on, the wires an electric train accepts, the speed
 * limit of a line for it, and where it may change gauge. */
#include "route/route_int.h"

#include "net/tags.h"

#include <math.h>

static bool gauges_compatible(uint16_t track, uint16_t wheels)
{
    if (track == wheels)
        return true;
    /* Russian and Finnish wheelsets run on each other's track (FACTS.md). */
    return (track == 1520 && wheels == 1524) || (track == 1524 && wheels == 1520);
}

bool route_gauge_ok(const net_class *cls, uint16_t g)
{
    if (cls->n_gauge == 0)
        return true; /* unknown gauge: usable, and counted in the result so the output can say so */
    for (unsigned i = 0; i < cls->n_gauge; i++)
        if (gauges_compatible(cls->gauge[i], g))
            return true;
    return false;
}

bool rt_powered(const bogie_train *t, const net_class *c)
{
    if (t->traction != BOGIE_TRACTION_ELECTRIC)
        return true;
    if (c->electrified != NET_ELEC_YES)
        return false;
    for (unsigned i = 0; i < c->n_power; i++)
        for (size_t k = 0; k < t->n_systems; k++) {
            if (c->power[i].voltage != t->systems[k].voltage)
                continue;
            if (c->power[i].freq_chz == NET_FREQ_UNKNOWN ||
                fabs(c->power[i].freq_chz / 100.0 - t->systems[k].frequency_hz) < 0.1)
                return true;
        }
    return false;
}

bool rt_gauges_usable(const bogie_train *t, const net_class *cls)
{
    bool gauge = false;
    for (size_t g = 0; g < t->n_gauges; g++)
        gauge |= route_gauge_ok(cls, t->gauges[g]);
    for (size_t g = 0; t->change != BOGIE_CHANGE_NONE && g < t->n_change_to; g++)
        gauge |= route_gauge_ok(cls, t->change_to[g]);
    return gauge;
}

bool route_train_can_use(const bogie_train *t, const net_class *cls)
{
    return rt_gauges_usable(t, cls) && rt_powered(t, cls);
}

/* The use label for default speeds: service if any, else usage, else "unspecified". */
static const char *use_label(const net_class *c)
{
    if (c->service)
        return tags_service_name(c->service);
    if (c->usage)
        return tags_usage_name(c->usage);
    return "unspecified";
}

double route_line_limit_kmh(const route_base *b, const bogie_train *t, const net_edge *e, bool backward,
                            bool *assumed)
{
    const net_class *c = &b->net->classes[e->cls];
    double line = backward ? c->maxspeed_bwd : c->maxspeed_fwd;
    bool is_assumed = (c->flags & NET_CLASS_SPEED_ASSUMED) != 0;
    if (!(line > 0)) {
        const char *country = net_node_country(b->net, e->from);
        line = b->world ? world_default_speed_kmh(b->world, country, use_label(c)) : 80.0;
        is_assumed = true;
    }
    double train = t->max_speed_ms * 3.6;
    if (assumed)
        *assumed = is_assumed && line < train;
    return line < train ? line : train;
}

/* Whether the listed facility f changes the train's wheels from g to g2; *cost gets the time it takes. */
static bool facility_changes(const route_base *b, const bogie_train *t, uint32_t f, uint16_t g, uint16_t g2,
                             double *cost)
{
    const world_facility *fa = &b->world->facilities.v[f];
    bool has_g = false, has_g2 = false;
    for (size_t i = 0; i < fa->n_gauges; i++) {
        has_g |= gauges_compatible(fa->gauges[i], g);
        has_g2 |= gauges_compatible(fa->gauges[i], g2);
    }
    if (!((fa->methods & (1u << t->change)) && has_g && has_g2))
        return false;
    *cost = fa->change_s >= 0 ? fa->change_s : t->change_s;
    return true;
}

double rt_change_cost_at(const route_base *b, const bogie_train *t, uint32_t v, uint16_t g, uint16_t g2,
                         uint32_t *facility)
{
    *facility = BOGIE_NONE;
    if (t->change == BOGIE_CHANGE_NONE || v >= b->net->n_nodes || g == g2)
        return -1;
    /* Every facility applying here is considered: the quickest that changes g to g2 by the train's method (the
     * first listed among equals). */
    double best = -1;
    for (uint32_t f = b->node_facility[v]; f != BOGIE_NONE; f = b->facility_next[f]) {
        double cost;
        if (facility_changes(b, t, f, g, g2, &cost) && (best < 0 || cost < best)) {
            best = cost;
            *facility = f;
        }
    }
    if (best >= 0)
        return best;
    /* An automatic gauge changer is an installation: only listed facilities have one. A bogie exchange or a
     * transshipment can be improvised at a station where the two gauges' tracks meet. */
    if (t->change == BOGIE_CHANGE_VARIABLE_GAUGE)
        return -1;
    const bogie_network *net = b->net;
    if (b->node_station[v] == BOGIE_NONE || !(net->node_flags[v] & NET_NODE_BREAK))
        return -1;
    bool has_g = false, has_g2 = false;
    for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1]; k++) {
        const net_class *c = &net->classes[net->edges[net->adj[k] >> 1].cls];
        if (c->n_gauge == 0)
            continue;
        has_g |= route_gauge_ok(c, g);
        has_g2 |= route_gauge_ok(c, g2);
    }
    return has_g && has_g2 ? t->change_s + ROUTE_IMPROVISED_CHANGE_PENALTY_S : -1;
}

/* ----- reversals and the preferred direction ----- */

bool rt_reversal_place(const route_base *b, uint32_t v)
{
    const bogie_network *net = b->net;
    if (b->node_station[v] != BOGIE_NONE || (net->node_flags[v] & (NET_NODE_STOP | NET_NODE_BUFFER_STOP)))
        return true;
    for (uint32_t k = net->node_adj[v]; k < net->node_adj[v + 1]; k++)
        if (net->classes[net->edges[net->adj[k] >> 1].cls].service != NET_SERVICE_NONE)
            return true; /* siding, yard, spur or crossover */
    return false;
}

/* Whether the track runs straight through node u (reached along half-edge in, whose tail u is) with no switch: only
 * two tracks meet there, no switch or crossing is tagged, and they do not meet in a V. *prev gets the half-edge
 * arriving at u from the other side. */
static bool plain_track_through(const bogie_network *net, const float *bearing, uint32_t u, uint32_t in,
                                uint32_t *prev)
{
    if (net->node_adj[u + 1] - net->node_adj[u] != 2 || (net->node_flags[u] & (NET_NODE_SWITCH | NET_NODE_CROSSING)))
        return false;
    uint32_t a = net->adj[net->node_adj[u]], z = net->adj[net->node_adj[u] + 1];
    uint32_t other = a == in ? z : a; /* leaves u away from in */
    if ((other >> 1) == (in >> 1))
        return false; /* a loop edge meeting itself */
    if (rt_deflection(bearing[in], bearing[other]) > NET_MAX_BEND_DEG)
        return false;
    *prev = other ^ 1;
    return true;
}

double rt_clear_behind(const route_base *b, uint32_t h, double cap)
{
    const bogie_network *net = b->net;
    double run = 0;
    /* Each step walks one edge back; a loop without a switch ends at cap, and the count bounds a loop of
     * zero-length edges. */
    for (uint32_t steps = 0; steps < net->n_edges + 1; steps++) {
        run += net->edges[h >> 1].length_m;
        uint32_t tail = rt_real_head(net, h ^ 1), prev;
        if (run >= cap || !plain_track_through(net, b->dep_bearing, tail, h, &prev))
            break;
        h = prev;
    }
    return run;
}

bool rt_may_reverse(const route_base *b, const bogie_train *t, uint32_t h)
{
    uint32_t v = rt_real_head(b->net, h);
    return rt_reversal_place(b, v) && rt_clear_behind(b, h, t->length_m) >= t->length_m;
}

double rt_direction_factor(const bogie_train *t, const net_class *c, bool backward)
{
    bool against = backward ? c->pref_dir == NET_DIR_FORWARD : c->pref_dir == NET_DIR_BACKWARD;
    return against ? 1 + t->wrong_track_pct / 100 : 1;
}
