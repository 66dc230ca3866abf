/* search.c: asks route/ for the fastest route through the places of a journey, with the places the request avoids
 * (countries, or stations by name) marked on the network's nodes and edges, for the train on the wheels it has at the
 * start (the request's gauge, else the one the track at the origin needs). */
#include "journey/journey_int.h"

#include "net/network.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* 1 + the index of the country named name (its ISO 3166 alpha-2 or alpha-3 code, or its name), or 0 for none. */
static uint16_t country_named(const bogie_network *net, const char *name)
{
    for (uint32_t c = 0; c < net->n_countries; c++)
        if ((net->countries[c].alpha2[0] && strcasecmp(name, net->countries[c].alpha2) == 0) ||
            (net->countries[c].alpha3[0] && strcasecmp(name, net->countries[c].alpha3) == 0) ||
            strcasecmp(name, net_str(net, net->countries[c].name)) == 0)
            return (uint16_t)(c + 1);
    return 0;
}

/* Marks every edge in or across the border of country (1 + index) in *avoid_edge (allocated here with a when NULL,
 * one byte per edge; the caller frees it); refuses a country that holds one of the places. */
static bogie_status avoid_country(const bogie_network *net, const bogie_allocator *a, const char *pre,
                                  const char *name, uint16_t country, const route_place *places, size_t np,
                                  uint8_t **avoid_edge, bogie_diag *diag)
{
    if (!*avoid_edge) {
        *avoid_edge = util_calloc(a, net->n_edges ? net->n_edges : 1, 1);
        if (!*avoid_edge)
            return util_nomem(diag, "marking avoided places");
    }
    bogie_status rc = BOGIE_OK;
    for (size_t k = 0; k < np && rc == BOGIE_OK; k++) {
        uint32_t v = places[k].is_point ? net->edges[places[k].edge].from : places[k].node;
        if (net->node_country[v] == country)
            rc = util_fail(diag, BOGIE_ERR_ARG, "%savoid \"%s\": %s lies in %s", pre, name, places[k].label,
                           net_str(net, net->countries[country - 1].name));
    }
    for (uint32_t e = 0; e < net->n_edges; e++) {
        const net_edge *ed = &net->edges[e];
        bool in = net->node_country[ed->from] == country || net->node_country[ed->to] == country;
        for (uint32_t k = net->edge_cross[e]; k < net->edge_cross[e + 1] && !in; k++)
            in = net->crossings[k].from == country || net->crossings[k].to == country;
        if (in)
            (*avoid_edge)[e] = 1;
    }
    return rc;
}

/* Marks the station named name in avoid_node (one byte per node); refuses coordinates and places of the journey. */
static bogie_status avoid_station(const bogie_planner *p, const bogie_journey_request *req, const char *pre,
                                  const char *name, const route_place *places, size_t np, uint8_t *avoid_node,
                                  bogie_diag *diag)
{
    char role[32];
    snprintf(role, sizeof role, "%savoid", pre);
    route_place ap;
    double snap = req->snap_radius_m > 0 ? req->snap_radius_m : 5000;
    bogie_status rc = jy_resolve_place(p, req->train, role, name, snap, &ap, diag);
    if (rc == BOGIE_OK && ap.is_point)
        rc = util_fail(diag, BOGIE_ERR_ARG, "%savoid \"%s\": name a station or a country", pre, name);
    if (rc != BOGIE_OK)
        return rc;
    for (size_t k = 0; k < np; k++)
        if (!places[k].is_point && places[k].node == ap.node)
            rc = util_fail(diag, BOGIE_ERR_ARG, "%savoid \"%s\" is also a place of the journey", pre, name);
    avoid_node[ap.node] = 1;
    return rc;
}

/* Marks what req avoids: *avoid_node (one byte per node) and, when a country is avoided, *avoid_edge (one byte per
 * edge), both allocated here with p->alloc and the caller's to free, also after a failure; NULL when nothing is
 * avoided. A country, by its ISO code or name, comes first; anything else names a station. */
static bogie_status mark_avoided(const bogie_planner *p, const bogie_journey_request *req, const route_place *places,
                                 size_t np, uint8_t **avoid_node, uint8_t **avoid_edge, bogie_diag *diag)
{
    const bogie_network *net = p->net;
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    if (!req->n_avoid)
        return BOGIE_OK;
    *avoid_node = util_calloc(p->alloc, net->n_nodes ? net->n_nodes : 1, 1);
    if (!*avoid_node)
        return util_nomem(diag, "marking avoided places");
    bogie_status rc = BOGIE_OK;
    for (size_t i = 0; rc == BOGIE_OK && i < req->n_avoid; i++) {
        uint16_t country = country_named(net, req->avoid[i]);
        if (country)
            rc = avoid_country(net, p->alloc, pre, req->avoid[i], country, places, np, avoid_edge, diag);
        else
            rc = avoid_station(p, req, pre, req->avoid[i], places, np, *avoid_node, diag);
    }
    return rc;
}

/* ----- the wheels at the start ----- */

static bool has_gauge(const uint16_t *list, size_t n, uint16_t g)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == g)
            return true;
    return false;
}

/* Train t as it is at the start on wheels of gauge g, into *out: t itself when g is one of its own gauges, else,
 * when it can change to g, t with g as its only gauge and its own gauges among those it can change to. Returns false
 * when t can have no such wheels. */
static bool train_on(const bogie_train *t, uint16_t g, bogie_train *out)
{
    *out = *t;
    if (has_gauge(t->gauges, t->n_gauges, g))
        return true;
    if (t->change == BOGIE_CHANGE_NONE || !has_gauge(t->change_to, t->n_change_to, g))
        return false;
    out->gauges[0] = g;
    out->n_gauges = 1;
    out->n_change_to = 0;
    for (size_t i = 0; i < t->n_gauges && out->n_change_to < BOGIE_MAX_TRAIN_GAUGES; i++)
        out->change_to[out->n_change_to++] = t->gauges[i];
    for (size_t i = 0; i < t->n_change_to && out->n_change_to < BOGIE_MAX_TRAIN_GAUGES; i++)
        if (t->change_to[i] != g)
            out->change_to[out->n_change_to++] = t->change_to[i];
    return true;
}

/* Whether track of gauge g leaves place pl. */
static bool fits_place(const bogie_network *net, const route_place *pl, uint16_t g)
{
    if (pl->is_point)
        return route_gauge_ok(&net->classes[net->edges[pl->edge].cls], g);
    for (uint32_t k = net->node_adj[pl->node]; k < net->node_adj[pl->node + 1]; k++)
        if (route_gauge_ok(&net->classes[net->edges[net->adj[k] >> 1].cls], g))
            return true;
    return false;
}

bool jy_train_at(const bogie_network *net, const bogie_train *t, const route_place *o, bogie_train *out)
{
    *out = *t;
    /* Only at a station could it have changed its wheels before; on open track it has its own. */
    if (o->is_point)
        return false;
    bool own_fit = false;
    for (size_t i = 0; i < t->n_gauges; i++)
        own_fit |= fits_place(net, o, t->gauges[i]);
    uint16_t other[BOGIE_MAX_TRAIN_GAUGES];
    size_t n_other = 0;
    for (size_t i = 0; t->change != BOGIE_CHANGE_NONE && i < t->n_change_to; i++)
        if (!has_gauge(t->gauges, t->n_gauges, t->change_to[i]) && fits_place(net, o, t->change_to[i]))
            other[n_other++] = t->change_to[i];
    if (n_other == 0)
        return false;
    if (!own_fit && n_other == 1)
        return train_on(t, other[0], out); /* its own wheels could not move from here */
    for (size_t i = 0; i < n_other && out->n_gauges < BOGIE_MAX_TRAIN_GAUGES; i++)
        out->gauges[out->n_gauges++] = other[i];
    return true;
}

/* Refuses wheels of gauge g that train t cannot have. */
static bogie_status refuse_gauge(const bogie_train *t, const char *pre, unsigned g, bogie_diag *diag)
{
    char own[64] = "", other[64] = "";
    for (size_t i = 0; i < t->n_gauges; i++)
        snprintf(own + strlen(own), sizeof own - strlen(own), "%s%u", i ? " or " : "", t->gauges[i]);
    for (size_t i = 0; t->change != BOGIE_CHANGE_NONE && i < t->n_change_to; i++)
        snprintf(other + strlen(other), sizeof other - strlen(other), "%s%u", i ? " or " : "", t->change_to[i]);
    return util_fail(diag, BOGIE_ERR_ARG, "%sgauge %u: the %s train's wheels fit %s mm%s%s%s", pre, g, t->name, own,
                     other[0] ? ", or " : "", other, other[0] ? " mm after a gauge change" : "");
}

bogie_status jy_start_wheels(const bogie_planner *p, const bogie_journey_request *req, const route_place *origin,
                             bogie_train *out, bogie_diag *diag)
{
    const bogie_train *t = req->train;
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    if (req->start_gauge && !train_on(t, req->start_gauge, out))
        return refuse_gauge(t, pre, req->start_gauge, diag);
    if (!req->start_gauge)
        jy_train_at(p->net, t, origin, out);
    return BOGIE_OK;
}

void jy_note_start_wheels(const bogie_journey_request *req, const route_place *origin, const route_result *res,
                          bogie_journey *j)
{
    const bogie_train *t = req->train;
    if (req->start_gauge || has_gauge(t->gauges, t->n_gauges, res->start_gauge))
        return;
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    jy_warn(j, "the train is taken to start on %u mm wheels, the fastest of those it can have at %s; %sgauge gives "
               "the wheels it has", res->start_gauge, origin->label, pre);
}

/* When the route was refused for train t, started on wheels other than req's train's own because the request did
 * not say which it has, appends that to the refusal in diag, so that "cannot leave 1435 mm track" is not read as a
 * contradiction of a 1520 mm profile. */
static void explain_start_wheels(const bogie_journey_request *req, const bogie_train *t, const route_place *origin,
                                 bogie_diag *diag)
{
    if (req->start_gauge || !diag || t->n_gauges == 0 || has_gauge(req->train->gauges, req->train->n_gauges,
                                                                    t->gauges[0]))
        return;
    const char *pre = req->field_prefix ? req->field_prefix : "--";
    size_t len = strlen(diag->message);
    snprintf(diag->message + len, sizeof diag->message - len,
             " (the train was taken to start on %u mm wheels, the only ones whose track leaves %s; %sgauge gives "
             "the wheels it has)", t->gauges[0], origin->label, pre);
}

bogie_status jy_search(const bogie_planner *p, const bogie_journey_request *req, const jy_via_ask *asks,
                       const bogie_train *t, const route_place *places, size_t np, double deadline, size_t max,
                       route_result *res, double *shared, size_t *n_res, bool *searched, bogie_diag *diag)
{
    const bogie_allocator *a = p->alloc;
    *n_res = 0;
    *searched = false;
    memset(res, 0, sizeof *res);
    uint8_t *avoid_node = NULL, *avoid_edge = NULL;
    bogie_status rc = mark_avoided(p, req, places, np, &avoid_node, &avoid_edge, diag);
    route_query q;
    memset(&q, 0, sizeof q);
    q.base = &p->base;
    q.train = t;
    q.places = places;
    q.n_places = np;
    q.via_dwell_s = req->via_dwell_s >= 0 ? req->via_dwell_s : t->dwell_s;
    /* Each via's own stop, where it asks for one; a via left at a given time waits as long as that takes, which the
     * search cannot know (every route passes every via, so the choice of route does not depend on it). */
    double dwell_at[32];
    for (size_t k = 0; k < np && k < 32; k++)
        dwell_at[k] = asks && k > 0 && k + 1 < np && asks[k - 1].dwell_s >= 0 ? asks[k - 1].dwell_s : q.via_dwell_s;
    q.via_dwell_at = dwell_at;
    q.avoid_node = avoid_node;
    q.avoid_edge = avoid_edge;
    q.explain_failure = true;
    q.deadline = deadline;
    if (rc == BOGIE_OK)
        rc = route_alternatives(&q, max ? max : 1, res, shared, n_res, searched, diag);
    if (rc == BOGIE_ERR_NOT_FOUND)
        explain_start_wheels(req, t, &places[0], diag);
    util_free(a, avoid_node, p->net->n_nodes ? p->net->n_nodes : 1);
    util_free(a, avoid_edge, p->net->n_edges ? p->net->n_edges : 1);
    return rc;
}
