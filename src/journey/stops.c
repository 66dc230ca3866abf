/* stops.c: where the train stops on its route and for how long: the origin and destination, gauge changes,
 * reversals and the user's via stops from the route's items, and a border stop at every crossing. */
#include "journey/journey_int.h"

#include "net/network.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void jy_append_detail(jy_stop *s, const char *text)
{
    size_t used = strlen(s->detail);
    snprintf(s->detail + used, sizeof s->detail - used, "%s%s", used ? "; " : "", text);
}

/* Describes gauge change it by train t into text. */
static void change_detail(const bogie_world *w, const bogie_train *t, const route_item *it, char *text, size_t size)
{
    const char *method = t->change == BOGIE_CHANGE_BOGIE_EXCHANGE   ? "bogie exchange"
                         : t->change == BOGIE_CHANGE_VARIABLE_GAUGE ? "automatic gauge change"
                                                                    : "transshipment";
    if (it->facility != BOGIE_NONE)
        snprintf(text, size, "%s %u -> %u mm at the %s facility (%.0f min)", method, it->from_gauge, it->to_gauge,
                 w->facilities.v[it->facility].name, it->cost_s / 60);
    else
        snprintf(text, size,
                 "%s %u -> %u mm where the gauges meet; no facility is listed here, so %.0f min includes "
                 "%.0f min for an improvised change (assumed)",
                 method, it->from_gauge, it->to_gauge, it->cost_s / 60, ROUTE_IMPROVISED_CHANGE_PENALTY_S / 60);
}

/* Adds event it (a change, reversal or via stop) to stop s; *gauge follows a change. */
static void add_event(const bogie_world *w, const bogie_train *t, const route_item *it, jy_stop *s, uint16_t *gauge)
{
    char text[200];
    switch (it->kind) {
    case RITEM_CHANGE:
        s->kinds |= BOGIE_STOP_GAUGE_CHANGE;
        s->change_s += it->cost_s;
        *gauge = it->to_gauge;
        change_detail(w, t, it, text, sizeof text);
        jy_append_detail(s, text);
        break;
    case RITEM_REVERSAL:
        s->kinds |= BOGIE_STOP_REVERSAL;
        s->reversal_s += it->cost_s;
        snprintf(text, sizeof text, "the train reverses (%.0f min)", it->cost_s / 60);
        jy_append_detail(s, text);
        break;
    case RITEM_VIA:
        s->kinds |= BOGIE_STOP_VIA;
        s->dwell_s += it->cost_s;
        s->via = it->via;
        break;
    case RITEM_EDGE:
        break;
    }
    s->gauge = *gauge;
}

/* The stop at pos and node: the last of *stops when it is there, else a new one appended; NULL when out of memory. */
static jy_stop *stop_at(const bogie_allocator *a, jy_stops *stops, double pos, uint32_t node)
{
    if (stops->n && stops->v[stops->n - 1].pos == pos && stops->v[stops->n - 1].node == node)
        return &stops->v[stops->n - 1];
    jy_stop ns;
    memset(&ns, 0, sizeof ns);
    ns.pos = pos;
    ns.node = node;
    ns.via = BOGIE_NONE;
    if (VEC_PUSH(a, *stops, ns) != 0)
        return NULL;
    return &stops->v[stops->n - 1];
}

bogie_status jy_event_stops(const bogie_world *w, const bogie_train *t, const route_result *res, const jy_layout *L,
                            size_t n_places, const bogie_allocator *a, jy_stops *stops, bogie_diag *diag)
{
    jy_stop first;
    memset(&first, 0, sizeof first);
    first.kinds = BOGIE_STOP_ORIGIN;
    first.node = L->marks.v[0].node;
    first.via = 0;
    first.gauge = res->start_gauge;
    if (VEC_PUSH(a, *stops, first) != 0)
        return util_nomem(diag, "laying out the route");
    /* An event happens where the route is when it comes: at the mark of the last edge before it (L has one mark
     * per edge item, after the origin's). */
    uint16_t gauge = res->start_gauge;
    size_t mk = 0;
    for (size_t i = 0; i < res->items.n; i++) {
        const route_item *it = &res->items.v[i];
        if (it->kind == RITEM_EDGE) {
            if (mk + 1 < L->marks.n)
                mk++;
            continue;
        }
        jy_stop *s = stop_at(a, stops, L->marks.v[mk].pos, it->node);
        if (!s)
            return util_nomem(diag, "laying out the route");
        add_event(w, t, it, s, &gauge);
    }
    jy_stop last;
    memset(&last, 0, sizeof last);
    last.kinds = BOGIE_STOP_DESTINATION;
    last.pos = L->length;
    last.node = L->marks.v[L->marks.n - 1].node;
    last.via = (uint32_t)(n_places - 1);
    last.gauge = gauge;
    if (VEC_PUSH(a, *stops, last) != 0)
        return util_nomem(diag, "laying out the route");
    return BOGIE_OK;
}

bogie_status jy_insert_stop(const bogie_allocator *a, jy_stops *stops, const jy_stop *s, bogie_diag *diag)
{
    size_t k = 0;
    while (k < stops->n && stops->v[k].pos < s->pos)
        k++;
    while (k < stops->n && stops->v[k].pos == s->pos && stops->v[k].node != s->node)
        k++;
    if (k < stops->n && stops->v[k].pos == s->pos && stops->v[k].node == s->node) {
        jy_stop *at = &stops->v[k];
        at->kinds |= s->kinds;
        at->dwell_s += s->dwell_s;
        at->change_s += s->change_s;
        at->border_s += s->border_s;
        at->reversal_s += s->reversal_s;
        jy_append_detail(at, s->detail);
        return BOGIE_OK;
    }
    if (k == stops->n && stops->n > 0)
        k = stops->n - 1; /* before the destination */
    jy_stop ins = *s;
    if (k < stops->n)
        ins.gauge = stops->v[k > 0 ? k - 1 : 0].gauge;
    if (VEC_PUSH(a, *stops, ins) != 0)
        return util_nomem(diag, "laying out the route");
    memmove(&stops->v[k + 1], &stops->v[k], (stops->n - 1 - k) * sizeof *stops->v);
    stops->v[k] = ins;
    return BOGIE_OK;
}

/* The mark of L at a station nearest to pos, within 30 km, the origin's excepted (work there would delay the
 * departure); SIZE_MAX when there is none. */
static size_t station_near(const bogie_planner *p, const jy_layout *L, double pos)
{
    double best = 30000;
    size_t at = SIZE_MAX;
    for (size_t k = 1; k < L->marks.n; k++) {
        uint32_t v = L->marks.v[k].node;
        double d = fabs(L->marks.v[k].pos - pos);
        if (v < p->net->n_nodes && p->base.node_station[v] != BOGIE_NONE && d < best) {
            best = d;
            at = k;
        }
    }
    return at;
}

bogie_status jy_border_stops(const bogie_planner *p, const jy_layout *L, jy_stops *stops, bogie_diag *diag)
{
    const bogie_network *net = p->net;
    bogie_status rc = BOGIE_OK;
    for (size_t i = 0; rc == BOGIE_OK && i < L->xings.n; i++) {
        const jy_xing *x = &L->xings.v[i];
        const char *ca = net->countries[x->from - 1].alpha2, *cb = net->countries[x->to - 1].alpha2;
        size_t at = station_near(p, L, x->pos);
        jy_stop bs;
        memset(&bs, 0, sizeof bs);
        bs.kinds = BOGIE_STOP_BORDER;
        bs.via = BOGIE_NONE;
        bs.pos = at != SIZE_MAX ? L->marks.v[at].pos : x->pos;
        bs.node = at != SIZE_MAX ? L->marks.v[at].node : BOGIE_NONE;
        bs.border_s = world_border_stop_s(p->world, ca, cb);
        char text[200];
        snprintf(text, sizeof text, "%s -> %s (%s -> %s), crossing at %.5f,%.5f",
                 net_str(net, net->countries[x->from - 1].name), net_str(net, net->countries[x->to - 1].name), ca, cb,
                 x->lat, x->lon);
        jy_append_detail(&bs, text);
        rc = jy_insert_stop(p->alloc, stops, &bs, diag);
    }
    return rc;
}
