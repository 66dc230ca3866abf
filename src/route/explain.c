/* explain.c: why there is no route: which constraints (gauge, wires, avoided places, turns) block the journey on
 * their own, told along the route that exists when none is enforced ("the train cannot leave 1435 mm track ...;
 * 1435 mm track ends at Khasan"). */
#include "route/route_int.h"

#include "base/geo.h"
#include "net/tags.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define RELAX_ALL (ROUTE_RELAX_GAUGE | ROUTE_RELAX_POWER | ROUTE_RELAX_AVOID | ROUTE_RELAX_TURNS)

/* ----- names for messages ----- */

/* Station s's name for a message (name:en, else name), into the caller's buf; returns buf. */
static const char *station_label(const route_base *b, uint32_t s, char *buf, size_t size)
{
    const net_station *st = &b->net->stations[s];
    const char *name = net_str(b->net, st->name), *en = NULL;
    for (uint32_t k = 0; k < st->names_count; k++)
        if (strcmp(net_str(b->net, b->net->names[st->names_first + k].key), "name:en") == 0)
            en = net_str(b->net, b->net->names[st->names_first + k].value);
    snprintf(buf, size, "%s", en && *en ? en : name);
    return buf;
}

/* Names a node for a message: its station, or the junction's distance from the nearest station; into the caller's
 * buf, which it returns. */
static const char *node_label(const route_base *b, uint32_t v, char *buf, size_t size)
{
    if (v >= b->net->n_nodes) {
        snprintf(buf, size, "the given point");
        return buf;
    }
    if (b->node_station[v] != BOGIE_NONE)
        return station_label(b, b->node_station[v], buf, size);
    double lat = b->net->nodes[v].lat * 1e-7, lon = b->net->nodes[v].lon * 1e-7, best = INFINITY;
    uint32_t near = BOGIE_NONE;
    for (uint32_t s = 0; s < b->net->n_stations; s++) {
        double d = geo_distance_m(lat, lon, b->net->stations[s].lat * 1e-7, b->net->stations[s].lon * 1e-7);
        if (d < best) {
            best = d;
            near = s;
        }
    }
    char st[128];
    if (near != BOGIE_NONE)
        snprintf(buf, size, "the junction %.1f km from %s (%.5f,%.5f)", best / 1000,
                 station_label(b, near, st, sizeof st), lat, lon);
    else
        snprintf(buf, size, "the junction at %.5f,%.5f", lat, lon);
    return buf;
}

static void gauge_list_label(const uint16_t *g, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%u", i ? (i + 1 == n ? " or " : ", ") : "", g[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* ----- wires ----- */

/* A length for a message: metres below a kilometre, else kilometres ("300 m", "1.2 km", "241 km"), into buf. */
static const char *length_label(double m, char *buf, size_t size)
{
    if (m < 999.5)
        snprintf(buf, size, "%.0f m", m);
    else if (m < 9950)
        snprintf(buf, size, "%.1f km", m / 1000);
    else
        snprintf(buf, size, "%.0f km", m / 1000);
    return buf;
}

/* A stretch of the route without wires the train accepts: consecutive edge items, from item first to item last. */
typedef struct gap_stretch {
    size_t first, last;
    double route_m;  /* how much of it the route runs */
    double run_m;    /* how long it is: the route's part, or the whole unwired run its edges belong to if longer */
} gap_stretch;

/* The stretch of r's route that breaks the train's limit on coasting: the first longer than max_gap_m, else the
 * longest; false when the route runs under suitable wires throughout. gap_run (per edge, or NULL) is the unwired
 * run each edge belongs to, as the search measures it. */
static bool blocking_gap(const route_base *b, const bogie_train *t, const route_result *r, const double *gap_run,
                         gap_stretch *out)
{
    gap_stretch cur = {0, 0, 0, 0}, best = {0, 0, 0, -1};
    bool open = false, found = false;
    for (size_t i = 0; i <= r->items.n && !found; i++) {
        const route_item *it = i < r->items.n ? &r->items.v[i] : NULL;
        if (it && it->kind != RITEM_EDGE)
            continue;
        const net_edge *e = it ? rt_base_edge(&r->view, it->h >> 1) : NULL;
        if (e && !rt_powered(t, &b->net->classes[e->cls])) {
            double s0, s1;
            rt_edge_span(&r->view, it->h >> 1, &s0, &s1);
            if (!open)
                cur = (gap_stretch){i, i, 0, 0};
            open = true;
            cur.last = i;
            cur.route_m += s1 - s0;
            double run = gap_run ? gap_run[e - b->net->edges] : 0;
            cur.run_m = fmax(fmax(cur.run_m, cur.route_m), run);
            continue;
        }
        if (open && cur.run_m > best.run_m)
            best = cur;
        found = open && cur.run_m > t->max_gap_m;
        open = false;
    }
    *out = best;
    return best.run_m >= 0;
}

/* Appends to sb the stretch of the route without wires the train accepts that it cannot coast through. */
static void power_story(const route_query *q, const route_result *r, strbuf *sb)
{
    const route_base *b = q->base;
    const bogie_train *t = q->train;
    rt_costs *costs = rt_costs_acquire(b, t);
    gap_stretch g;
    bool any = blocking_gap(b, t, r, costs ? costs->gap_run : NULL, &g);
    rt_costs_release(b, costs);
    sb_puts(sb, "it is electric (");
    for (size_t k = 0; k < t->n_systems; k++) {
        if (t->systems[k].frequency_hz == 0)
            sb_printf(sb, "%s%u V DC", k ? ", " : "", t->systems[k].voltage);
        else
            sb_printf(sb, "%s%u V %g Hz", k ? ", " : "", t->systems[k].voltage, t->systems[k].frequency_hz);
    }
    char len[32], part[32], at[160];
    sb_printf(sb, ") and can coast at most %s", length_label(t->max_gap_m, len, sizeof len));
    if (!any) {
        sb_puts(sb, ", but every way runs further without such wires");
        return;
    }
    /* What the route's part of the stretch is, by the electrification it has instead. */
    char labels[6][64];
    double m[6] = {0};
    size_t nl = 0;
    for (size_t i = g.first; i <= g.last; i++) {
        const route_item *it = &r->items.v[i];
        if (it->kind != RITEM_EDGE)
            continue;
        char l[64];
        double s0, s1;
        rt_edge_span(&r->view, it->h >> 1, &s0, &s1);
        tags_power_label(&b->net->classes[rt_base_edge(&r->view, it->h >> 1)->cls], l, sizeof l);
        size_t k = 0;
        while (k < nl && strcmp(labels[k], l) != 0)
            k++;
        if (k == nl && nl < 6)
            snprintf(labels[nl++], sizeof labels[0], "%s", l);
        if (k < 6)
            m[k] += s1 - s0;
    }
    if (g.run_m > g.route_m + 0.5)
        sb_printf(sb, ", but the way runs into %s of track without such wires, %s of it on the way (",
                  length_label(g.run_m, len, sizeof len), length_label(g.route_m, part, sizeof part));
    else
        sb_printf(sb, ", but the way runs %s without such wires (", length_label(g.route_m, len, sizeof len));
    for (size_t k = 0; k < nl; k++)
        sb_printf(sb, "%s%s %s", k ? ", " : "", length_label(m[k], part, sizeof part), labels[k]);
    sb_printf(sb, "), from %s on", node_label(b, rt_tail(&r->view, r->items.v[g.first].h), at, sizeof at));
}

/* ----- gauge ----- */

/* The methods a node offers for changing gauge (1 << bogie_change_method), from its facilities, or bogie exchange
 * and transshipment at a station where gauges meet; 0 when it is no change point. */
static unsigned change_methods(const route_base *b, uint32_t v)
{
    if (v >= b->net->n_nodes)
        return 0;
    unsigned m = 0;
    for (uint32_t f = b->node_facility[v]; f != BOGIE_NONE; f = b->facility_next[f])
        m |= b->world->facilities.v[f].methods;
    if (m)
        return m;
    if (b->node_station[v] != BOGIE_NONE && (b->net->node_flags[v] & NET_NODE_BREAK))
        return 1u << BOGIE_CHANGE_BOGIE_EXCHANGE | 1u << BOGIE_CHANGE_TRANSSHIPMENT;
    return 0;
}

static void methods_label(unsigned m, char *buf, size_t size)
{
    static const char *const text[] = {"", "bogie exchange", "variable gauge", "transshipment"};
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 1; k <= 3; k++)
        if (m & (1u << k)) {
            int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", text[k]);
            used += w > 0 && (size_t)w < size - used ? (size_t)w : 0;
        }
}

/* The nearest node offering method by any track from node from, by Dijkstra over lengths, and in *dist_m how far it
 * is; BOGIE_NONE when there is none. */
static uint32_t nearest_by_track(const route_base *b, uint32_t from, bogie_change_method method, double *dist_m)
{
    const bogie_network *net = b->net;
    if (from >= net->n_nodes)
        return BOGIE_NONE;
    double *d = util_malloc(b->alloc, net->n_nodes * sizeof *d);
    rt_heap q = {b->alloc, {0}};
    uint32_t found = BOGIE_NONE;
    if (!d)
        return BOGIE_NONE;
    for (uint32_t v = 0; v < net->n_nodes; v++)
        d[v] = INFINITY;
    d[from] = 0;
    if (rt_heap_push(&q, 0, 0, from) == 0) {
        while (q.h.n > 0) {
            rt_heap_item it = rt_heap_pop(&q);
            if (it.cost > d[it.state])
                continue;
            if (change_methods(b, it.state) & (1u << method)) {
                found = it.state;
                *dist_m = it.cost;
                break;
            }
            for (uint32_t k = net->node_adj[it.state]; k < net->node_adj[it.state + 1]; k++) {
                const net_edge *e = &net->edges[net->adj[k] >> 1];
                uint32_t w = net->adj[k] & 1 ? e->from : e->to;
                double c = it.cost + e->length_m;
                if (c < d[w]) {
                    d[w] = c;
                    if (rt_heap_push(&q, c, c, w) != 0)
                        break;
                }
            }
        }
    }
    VEC_FREE(b->alloc, q.h);
    util_free(b->alloc, d, net->n_nodes * sizeof *d);
    return found;
}

/* What the route found without constraints shows about the train's gauge: where its gauge ends, the first few
 * change points on the way, and whether one offers the train's method. */
typedef struct gauge_scan {
    uint32_t first;      /* where the route's first edge starts: the origin */
    uint32_t end;        /* the first node where the route leaves the train's gauges, or BOGIE_NONE */
    uint32_t points[4];
    size_t n_points;
    bool offered;
} gauge_scan;

static void scan_gauges(const route_base *b, const bogie_train *t, const route_result *r, gauge_scan *sc)
{
    sc->end = sc->first = BOGIE_NONE;
    sc->n_points = 0;
    sc->offered = false;
    for (size_t i = 0; i < r->items.n; i++) {
        const route_item *it = &r->items.v[i];
        if (it->kind != RITEM_EDGE)
            continue;
        const net_class *c = &b->net->classes[rt_base_edge(&r->view, it->h >> 1)->cls];
        bool ok = false;
        for (size_t g = 0; g < t->n_gauges; g++)
            ok |= route_gauge_ok(c, t->gauges[g]);
        uint32_t tail = rt_tail(&r->view, it->h);
        if (sc->first == BOGIE_NONE)
            sc->first = tail;
        if (!ok && sc->end == BOGIE_NONE)
            sc->end = tail;
        unsigned m = change_methods(b, tail);
        if (m && sc->n_points < 4) {
            bool dup = false;
            for (size_t k = 0; k < sc->n_points; k++)
                dup |= sc->points[k] == tail;
            if (!dup)
                sc->points[sc->n_points++] = tail;
        }
        if (m & (1u << t->change))
            sc->offered = true;
    }
}

/* Appends to sb the nearest point from node v offering the train's method of changing gauge, "from" v's name when
 * from is set, else "beyond the end of" its gauges' track. */
static void nearest_story(const route_base *b, const bogie_train *t, uint32_t v, bool from, const char *gl,
                          strbuf *sb)
{
    const char *method = bogie_change_method_name(t->change);
    char name[160], at[160];
    double km = 0;
    uint32_t near = nearest_by_track(b, v, t->change, &km);
    if (near == BOGIE_NONE)
        sb_printf(sb, "; no point in this network offers %s", method);
    else if (from)
        sb_printf(sb, "; the nearest point offering %s is %s, %.0f km from %s", method,
                  node_label(b, near, name, sizeof name), km / 1000, node_label(b, v, at, sizeof at));
    else
        sb_printf(sb, "; the nearest point offering %s is %s, %.0f km beyond the end of %s mm track", method,
                  node_label(b, near, name, sizeof name), km / 1000, gl);
}

/* Appends to sb where the train's gauge ends on the route and where it could, or could not, change. */
static void gauge_story(const route_query *q, const route_result *r, strbuf *sb)
{
    const route_base *b = q->base;
    const bogie_train *t = q->train;
    char gl[64], name[160];
    gauge_list_label(t->gauges, t->n_gauges, gl, sizeof gl);
    gauge_scan sc;
    scan_gauges(b, t, r, &sc);
    const char *method = bogie_change_method_name(t->change);
    if (sc.end != BOGIE_NONE && sc.end == sc.first) {
        /* No track of the train's gauges at the origin: it cannot even start (nor change its wheels there). */
        sb_printf(sb, "the train stands on %s mm wheels, and no %s mm track reaches %s, where the journey starts", gl,
                  gl, node_label(b, sc.end, name, sizeof name));
        if (t->change == BOGIE_CHANGE_NONE)
            sb_puts(sb, "; it cannot change gauge (its profile says none)");
        else
            sb_printf(sb, "; it cannot change gauge there by %s", method);
        if (t->change != BOGIE_CHANGE_NONE)
            nearest_story(b, t, sc.end, true, gl, sb);
        return;
    }
    if (t->change == BOGIE_CHANGE_NONE)
        sb_printf(sb, "the train cannot leave %s mm track and cannot change gauge (its profile says none)", gl);
    else if (sc.n_points && !sc.offered)
        sb_printf(sb, "the train cannot leave %s mm track and changes gauge only by %s, which no point on the way offers",
                  gl, method);
    else
        sb_printf(sb, "the train cannot leave %s mm track, and no gauge change point for %s is reachable", gl, method);
    if (sc.end != BOGIE_NONE)
        sb_printf(sb, "; %s mm track ends at %s", gl, node_label(b, sc.end, name, sizeof name));
    if (sc.n_points) {
        sb_puts(sb, t->change == BOGIE_CHANGE_NONE || !sc.offered ? "; gauge change points on the way: "
                                                                  : "; on the way: ");
        for (size_t k = 0; k < sc.n_points; k++) {
            char ml[80];
            methods_label(change_methods(b, sc.points[k]), ml, sizeof ml);
            sb_printf(sb, "%s%s (%s)", k ? ", " : "", node_label(b, sc.points[k], name, sizeof name), ml);
        }
    }
    if (t->change != BOGIE_CHANGE_NONE && (!sc.n_points || !sc.offered))
        nearest_story(b, t, sc.end, false, gl, sb);
}

/* ----- the explanation ----- */

/* Whether constraint flag alone blocks q: *blocks is set when the search with only it enforced finds no route.
 * Returns the error that stopped that search otherwise, with diag saying so (scratch holds the search's own
 * message). */
static bogie_status blocks_alone(const route_query *q, unsigned flag, bool *blocks, bogie_diag *scratch,
                                 bogie_diag *diag)
{
    route_query rq = *q;
    route_result r;
    memset(&r, 0, sizeof r);
    rq.relax = RELAX_ALL & ~flag;
    bogie_status rs = rt_search_once(&rq, &r, scratch);
    route_result_free(q->base->alloc, &r);
    *blocks = rs == BOGIE_ERR_NOT_FOUND;
    if (rs == BOGIE_OK || rs == BOGIE_ERR_NOT_FOUND)
        return BOGIE_OK;
    return rs == BOGIE_ERR_NOMEM ? util_nomem(diag, "explaining the failure") : util_fail(diag, rs, "%s", scratch->message);
}

/* Appends to sb the story of constraint flag along free_route, the route found without constraints. */
static void blocker_story(const route_query *q, unsigned flag, const route_result *free_route, strbuf *sb)
{
    switch (flag) {
    case ROUTE_RELAX_GAUGE: gauge_story(q, free_route, sb); break;
    case ROUTE_RELAX_POWER: power_story(q, free_route, sb); break;
    case ROUTE_RELAX_AVOID: sb_puts(sb, "every route passes a place --avoid names"); break;
    default:
        sb_printf(sb,
                  "every connection needs a turn sharper than %.0f degrees at a junction (%.0f where two tracks meet), "
                  "or a reversal where the train may not reverse (it reverses at a station, a stop position, a "
                  "buffer stop or on yard or siding track, once its %.0f m have cleared the last switch)",
                  ROUTE_MAX_DEFLECTION_DEG, NET_MAX_BEND_DEG, q->train->length_m);
    }
}

/* Appends to sb the story of every constraint that blocks q on its own, along free_route. */
static bogie_status tell_blockers(const route_query *q, const route_result *free_route, strbuf *sb,
                                  bogie_diag *scratch, bogie_diag *diag)
{
    struct {
        unsigned flag;
        bool applies;
    } checks[] = {{ROUTE_RELAX_GAUGE, true},
                  {ROUTE_RELAX_POWER, q->train->traction == BOGIE_TRACTION_ELECTRIC},
                  {ROUTE_RELAX_AVOID, q->avoid_node || q->avoid_edge},
                  {ROUTE_RELAX_TURNS, true}};
    size_t blockers = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (!checks[i].applies)
            continue;
        bool blocks;
        bogie_status rc = blocks_alone(q, checks[i].flag, &blocks, scratch, diag);
        if (rc != BOGIE_OK)
            return rc;
        if (!blocks)
            continue;
        if (blockers)
            sb_puts(sb, "; and ");
        blocker_story(q, checks[i].flag, free_route, sb);
        blockers++;
    }
    if (!blockers)
        sb_puts(sb, "no single constraint explains it, but together gauge, wires, avoided places and turns leave no "
                    "way through");
    return BOGIE_OK;
}

bogie_status rt_explain(const route_query *q, bogie_diag *diag)
{
    const route_base *b = q->base;
    route_query rq = *q;
    route_result free_route;
    bogie_diag scratch;
    rq.relax = RELAX_ALL;
    memset(&free_route, 0, sizeof free_route);
    bogie_status rc = rt_search_once(&rq, &free_route, &scratch);
    if (rc == BOGIE_ERR_NOMEM)
        return util_nomem(diag, "explaining the failure");
    if (rc != BOGIE_OK) {
        route_result_free(b->alloc, &free_route);
        return util_fail(diag, BOGIE_ERR_NOT_FOUND, "no route from %s to %s: no track of this network connects them",
                         q->places[0].label, q->places[q->n_places - 1].label);
    }
    strbuf sb;
    sb_init(&sb, b->alloc);
    sb_printf(&sb, "no route from %s to %s for %s: ", q->places[0].label, q->places[q->n_places - 1].label,
              q->train->name);
    rc = tell_blockers(q, &free_route, &sb, &scratch, diag);
    route_result_free(b->alloc, &free_route);
    if (rc == BOGIE_OK)
        rc = sb.failed ? util_nomem(diag, "explaining the failure") : util_fail(diag, BOGIE_ERR_NOT_FOUND, "%s", sb.s);
    sb_free(&sb);
    return rc;
}
