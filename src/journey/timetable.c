/* timetable.c: the rows of a journey's timetable: its stops, and between them every station the train passes as a
 * timing point at the time the speed profile gives, each named. */
#include "journey/journey_int.h"

#include "net/network.h"

#include <stdio.h>
#include <string.h>

/* The timing point at mark m, a station the train passes with the given wheels. */
static bogie_stop pass_row(const bogie_planner *p, const route_view *view, const jy_mark *m, const jy_profile *prof,
                           uint16_t gauge)
{
    bogie_stop x;
    memset(&x, 0, sizeof x);
    x.kinds = BOGIE_STOP_PASS;
    x.station = p->base.node_station[m->node];
    x.km = m->pos / 1000;
    x.arrive_s = x.depart_s = phys_time_at(prof->v, prof->n, m->pos);
    x.gauge = gauge;
    route_node_pos(view, m->node, &x.lat, &x.lon);
    return x;
}

/* The row of stop s: a station's, or a place given as coordinates named by its label. */
static bogie_stop stop_row(const bogie_planner *p, const route_view *view, const route_place *places,
                           const jy_stop *s)
{
    bogie_stop x;
    memset(&x, 0, sizeof x);
    x.kinds = s->kinds;
    x.station = s->node < p->net->n_nodes ? p->base.node_station[s->node] : BOGIE_NONE;
    if (s->via != BOGIE_NONE && !places[s->via].is_point)
        x.station = places[s->via].station;
    x.km = s->pos / 1000;
    x.arrive_s = s->arrive_s;
    x.depart_s = s->depart_s;
    x.dwell_s = s->dwell_s;
    x.change_s = s->change_s;
    x.border_s = s->border_s;
    x.reversal_s = s->reversal_s;
    x.gauge = s->gauge;
    snprintf(x.detail, sizeof x.detail, "%s", s->detail);
    route_node_pos(view, s->node, &x.lat, &x.lon);
    if (s->via != BOGIE_NONE && places[s->via].is_point) {
        x.station = BOGIE_NONE;
        util_strlcpy_utf8(x.name, places[s->via].label, sizeof x.name);
    }
    return x;
}

/* Gives row x, at node (a view node) and pos metres along L, its country: its station's, else its node's, else the
 * one the route is in there (first being the origin's). */
static void set_country(const bogie_network *net, const jy_layout *L, uint16_t first, uint32_t node, double pos,
                        bogie_stop *x)
{
    if (x->station != BOGIE_NONE)
        node = net->stations[x->station].node;
    uint16_t c = node < net->n_nodes ? net->node_country[node] : 0;
    if (!c)
        c = jy_country_at(L, first, pos);
    snprintf(x->country, sizeof x->country, "%s", c ? net->countries[c - 1].alpha2 : "");
}

/* Names the rows: a station by its display and local names, a row without a name by its coordinates. */
static void name_rows(const bogie_network *net, jy_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        bogie_stop *x = &rows->v[i];
        if (x->station != BOGIE_NONE) {
            const char *local;
            util_strlcpy_utf8(x->name, jy_station_name(net, x->station, &local), sizeof x->name);
            util_strlcpy_utf8(x->local_name, local, sizeof x->local_name);
        } else if (!x->name[0]) {
            snprintf(x->name, sizeof x->name, "%.5f,%.5f", x->lat, x->lon);
        }
    }
}

bogie_status jy_timetable(const bogie_planner *p, const route_view *view, const route_place *places,
                          const jy_layout *L, const jy_stops *stops, const jy_profile *prof, jy_rows *rows,
                          bogie_diag *diag)
{
    const bogie_allocator *a = p->alloc;
    bogie_status rc = BOGIE_OK;
    size_t mk = 0;
    uint16_t first = jy_place_country(p->net, &places[0]);
    for (size_t k = 0; rc == BOGIE_OK && k < stops->n; k++) {
        const jy_stop *s = &stops->v[k];
        /* Timing points before this stop: the stations passed since the last, with its wheels. */
        for (; mk < L->marks.n && L->marks.v[mk].pos < s->pos; mk++) {
            const jy_mark *m = &L->marks.v[mk];
            if (k == 0 || m->node >= p->net->n_nodes || p->base.node_station[m->node] == BOGIE_NONE || m->pos <= 0)
                continue;
            bogie_stop x = pass_row(p, view, m, prof, stops->v[k - 1].gauge);
            set_country(p->net, L, first, m->node, m->pos, &x);
            if (VEC_PUSH(a, *rows, x) != 0)
                rc = util_nomem(diag, "writing the timetable");
        }
        while (mk < L->marks.n && L->marks.v[mk].pos <= s->pos)
            mk++;
        bogie_stop x = stop_row(p, view, places, s);
        set_country(p->net, L, first, s->node, s->pos, &x);
        if (VEC_PUSH(a, *rows, x) != 0)
            rc = util_nomem(diag, "writing the timetable");
    }
    if (rc == BOGIE_OK)
        name_rows(p->net, rows);
    return rc;
}
