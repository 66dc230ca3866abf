/* result.c: assembles the bogie_journey a plan answers with (its line, thinned speed profile, path, timetable and
 * warnings about the data) and frees it. */
#include "journey/journey_int.h"

#include "net/network.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void jy_warn(bogie_journey *j, const char *fmt, ...)
{
    if (j->n_warnings >= BOGIE_MAX_WARNINGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->warnings[j->n_warnings++], sizeof j->warnings[0], fmt, ap);
    va_end(ap);
}

void bogie_journey_free(bogie_journey *j)
{
    if (!j)
        return;
    const bogie_allocator *a = j->alloc;
    util_free(a, j->stops, (j->n_stops ? j->n_stops : 1) * sizeof *j->stops);
    util_free(a, j->line, (j->n_line ? j->n_line : 1) * sizeof *j->line);
    util_free(a, j->line_km, (j->n_line ? j->n_line : 1) * sizeof *j->line_km);
    util_free(a, j->profile, (j->n_profile ? j->n_profile : 1) * sizeof *j->profile);
    util_free(a, j->path_nodes, (j->n_path_nodes ? j->n_path_nodes : 1) * sizeof *j->path_nodes);
    util_free(a, j->sightings, j->n_sightings * sizeof *j->sightings);
    util_free(a, j->stretches, j->n_stretches * sizeof *j->stretches);
    util_free(a, j, sizeof *j);
}

/* ----- thinning the speed profile ----- */

/* The slopes (km/h, s and km/h per metre) that a line from the last kept sample may take and still pass within
 * tolerance of every sample since: "cone" line simplification, in one pass. */
typedef struct cone {
    double lo_v, hi_v, lo_t, hi_t, lo_l, hi_l;
} cone;

static void cone_open(cone *c)
{
    c->lo_v = c->lo_t = c->lo_l = -INFINITY;
    c->hi_v = c->hi_t = c->hi_l = INFINITY;
}

/* Narrows c to the lines from kept sample kk that pass within tolerance of sample x. */
static void cone_narrow(cone *c, const phys_sample *kk, const phys_sample *x)
{
    double ds = x->s_m - kk->s_m;
    if (!(ds > 0))
        return;
    double r = 1 / ds;
    double dv = (x->v_ms - kk->v_ms) * 3.6, dt = x->t_s - kk->t_s, dl = (x->limit_ms - kk->limit_ms) * 3.6;
    double a0 = (dv - JY_PROFILE_TOL_KMH) * r, z0 = (dv + JY_PROFILE_TOL_KMH) * r;
    double a1 = (dt - JY_PROFILE_TOL_S) * r, z1 = (dt + JY_PROFILE_TOL_S) * r;
    double a2 = (dl - JY_PROFILE_TOL_KMH) * r, z2 = (dl + JY_PROFILE_TOL_KMH) * r;
    c->lo_v = a0 > c->lo_v ? a0 : c->lo_v;
    c->hi_v = z0 < c->hi_v ? z0 : c->hi_v;
    c->lo_t = a1 > c->lo_t ? a1 : c->lo_t;
    c->hi_t = z1 < c->hi_t ? z1 : c->hi_t;
    c->lo_l = a2 > c->lo_l ? a2 : c->lo_l;
    c->hi_l = z2 < c->hi_l ? z2 : c->hi_l;
}

/* Whether the line from kept sample kk to sample nx lies within c. */
static bool cone_holds(const cone *c, const phys_sample *kk, const phys_sample *nx)
{
    double dn = nx->s_m - kk->s_m;
    double rn = dn > 0 ? 1 / dn : 0;
    double sv = (nx->v_ms - kk->v_ms) * 3.6 * rn, st = (nx->t_s - kk->t_s) * rn,
           sl = (nx->limit_ms - kk->limit_ms) * 3.6 * rn;
    return sv >= c->lo_v && sv <= c->hi_v && st >= c->lo_t && st <= c->hi_t && sl >= c->lo_l && sl <= c->hi_l;
}

size_t jy_thin_profile(const phys_sample *prof, size_t n, uint32_t *kept)
{
    size_t n_kept = 0, k = 0; /* k: the last kept sample */
    cone c;
    cone_open(&c);
    for (size_t i = 0; i < n; i++) {
        const phys_sample *x = &prof[i];
        bool keep = i == 0 || i + 1 == n || x->v_ms == 0;
        if (!keep && i > k) {
            /* Can the line from k to i + 1 still pass within tolerance of every point since k? */
            cone_narrow(&c, &prof[k], x);
            keep = !cone_holds(&c, &prof[k], &prof[i + 1]);
        }
        if (!keep)
            continue;
        kept[n_kept++] = (uint32_t)i;
        k = i;
        cone_open(&c);
    }
    return n_kept;
}

/* ----- the journey ----- */

/* How far behind a sample the stretch whose limit holds there may lie (a limit may be held until the tail of the
 * train has cleared it: the profiles' trains are at most 750 m long), in metres. */
#define JY_LIMIT_REACH_M 1000.0

/* Why the limit of sample x applies: the kind of the nearest segment of L at or behind x (within JY_LIMIT_REACH_M)
 * with that limit, else of the segment x lies on (the last of them, where x is on two). The segments that can
 * matter are *g up to, not including, *e, the first to start more than 1 m ahead of x; samples must come in order
 * of position, so both only move on. They are searched from the end back, where the match nearly always is. */
static bogie_limit_kind limit_kind_at(const jy_layout *L, const phys_sample *x, size_t *g, size_t *e)
{
    while (*g + 1 < L->segs.n && L->segs.v[*g].s1 < x->s_m - JY_LIMIT_REACH_M)
        (*g)++;
    if (*e < *g)
        *e = *g;
    while (*e < L->segs.n && L->segs.v[*e].s0 <= x->s_m + 1)
        (*e)++;
    bogie_limit_kind on = BOGIE_LIMIT_LINE;
    bool on_found = false;
    for (size_t h = *e; h-- > *g;) {
        const jy_seg *sg = &L->segs.v[h];
        if (fabs(sg->limit_ms - x->limit_ms) < 1e-9)
            return sg->kind;
        if (!on_found && sg->s0 <= x->s_m && x->s_m <= sg->s1) {
            on = sg->kind;
            on_found = true;
        }
    }
    return on;
}

/* j->profile: the thinned samples of prof, in km, s and km/h, with the kind of each limit from L. The kept samples'
 * indices are collected first so that the array has its exact size. Leaves j->profile NULL when out of memory. */
static void copy_profile(const jy_layout *L, const jy_profile *prof, bogie_journey *j)
{
    const bogie_allocator *a = j->alloc;
    uint32_t *kept_i = prof->n ? util_malloc(a, prof->n * sizeof *kept_i) : NULL;
    if (!kept_i) {
        if (prof->n == 0)
            j->profile = util_malloc(a, sizeof *j->profile);
        return;
    }
    size_t n = jy_thin_profile(prof->v, prof->n, kept_i);
    j->profile = util_malloc(a, (n ? n : 1) * sizeof *j->profile);
    j->n_profile = j->profile ? n : 0; /* bogie_journey_free frees by this count */
    size_t g = 0, e = 0;
    for (size_t i = 0; j->profile && i < n; i++) {
        const phys_sample *x = &prof->v[kept_i[i]];
        j->profile[i] = (bogie_profile_point){x->s_m / 1000, x->t_s, x->v_ms * 3.6, x->limit_ms * 3.6,
                                              limit_kind_at(L, x, &g, &e)};
    }
    util_free(a, kept_i, prof->n * sizeof *kept_i);
}

/* j->path_nodes: the OSM id of the node at every mark of L (0 for a point of its own). */
static bogie_status copy_path(const bogie_network *net, const jy_layout *L, bogie_journey *j, bogie_diag *diag)
{
    j->path_nodes = util_malloc(j->alloc, (L->marks.n ? L->marks.n : 1) * sizeof *j->path_nodes);
    if (!j->path_nodes)
        return util_nomem(diag, "writing the journey");
    for (size_t i = 0; i < L->marks.n; i++) {
        uint32_t v = L->marks.v[i].node;
        j->path_nodes[i] = v < net->n_nodes ? net->node_osm[v] : 0;
    }
    j->n_path_nodes = L->marks.n;
    return BOGIE_OK;
}

/* The length of L on which grades are known, and the steepest of them (per mille, either way). */
static void grade_totals(const jy_layout *L, bogie_journey *j)
{
    double m = 0, steep = 0;
    for (size_t i = 0; i < L->segs.n; i++)
        if (L->segs.v[i].graded) {
            m += L->segs.v[i].s1 - L->segs.v[i].s0;
            steep = fabs(L->segs.v[i].grade) > steep ? fabs(L->segs.v[i].grade) : steep;
        }
    j->graded_km = m / 1000;
    j->max_grade_permille = steep * 1000;
}

/* The array v of cap_bytes (allocated with a) cut to keep_bytes (at least 1), which it returns; NULL when out of
 * memory, v then freed. Shrinking in place costs nothing, where copying a 10,000 km line took a millisecond. */
static void *take_exact(const bogie_allocator *a, void *v, size_t cap_bytes, size_t keep_bytes)
{
    if (cap_bytes < keep_bytes) { /* an empty array: nothing to keep */
        util_free(a, v, cap_bytes);
        return util_malloc(a, keep_bytes);
    }
    void *p = util_realloc(a, v, cap_bytes, keep_bytes);
    if (!p)
        util_free(a, v, cap_bytes);
    return p;
}

bogie_status jy_fill_journey(const bogie_network *net, jy_layout *L, const jy_profile *prof,
                             const jy_rows *rows, bogie_journey *j, bogie_diag *diag)
{
    const bogie_allocator *a = j->alloc;
    j->length_m = L->length;
    grade_totals(L, j);
    j->total_s = rows->n ? rows->v[rows->n - 1].depart_s : 0;
    /* The line moves from L into j, in arrays of their exact size (one entry at least, as bogie_journey_free frees). */
    size_t n = L->line.n / 2 < L->line_km.n ? L->line.n / 2 : L->line_km.n, keep = n ? n : 1;
    j->line = take_exact(a, L->line.v, L->line.cap * sizeof *L->line.v, keep * sizeof *j->line);
    j->line_km = take_exact(a, L->line_km.v, L->line_km.cap * sizeof *L->line_km.v, keep * sizeof *j->line_km);
    L->line.v = L->line_km.v = NULL;
    L->line.n = L->line.cap = L->line_km.n = L->line_km.cap = 0;
    if (!j->line || !j->line_km) {
        util_free(a, j->line, keep * sizeof *j->line);
        util_free(a, j->line_km, keep * sizeof *j->line_km);
        j->line = NULL;
        j->line_km = NULL;
        return util_nomem(diag, "writing the journey");
    }
    j->n_line = n;
    copy_profile(L, prof, j);
    if (!j->profile)
        return util_nomem(diag, "writing the journey");
    bogie_status rc = copy_path(net, L, j, diag);
    if (rc != BOGIE_OK)
        return rc;
    j->stops = util_malloc(a, (rows->n ? rows->n : 1) * sizeof *j->stops);
    j->n_stops = j->stops ? rows->n : 0;
    if (!j->stops)
        return util_nomem(diag, "writing the timetable");
    memcpy(j->stops, rows->v, rows->n * sizeof *j->stops);
    for (size_t i = 0; i < j->n_stops; i++) {
        j->stops[i].planned_arrive_s = j->stops[i].arrive_s;
        j->stops[i].planned_depart_s = j->stops[i].depart_s;
    }
    /* A journey whose total is not the sum of its parts is a bug in the stages before: refuse it rather than print
     * figures that contradict each other (the caller frees j as on any error). */
    if (!jy_totals_add_up(j))
        return util_fail(diag, BOGIE_ERR_ARG,
                         "internal error: the journey's total (%.0f s) is not the sum of its parts (%.0f s)",
                         j->total_s, j->running_s + j->allowance_s + j->change_s + j->border_s + j->dwell_s +
                                         j->reversal_s);
    return BOGIE_OK;
}

bool jy_totals_add_up(const bogie_journey *j)
{
    double parts = j->running_s + j->allowance_s + j->change_s + j->border_s + j->dwell_s + j->reversal_s;
    return fabs(j->total_s - parts) <= JY_TOTALS_TOL_S * (1 + j->total_s / 3600);
}

void jy_warn_about_data(const bogie_train *t, const route_result *res, const jy_layout *L, const route_place *places,
                        size_t np, bogie_journey *j)
{
    double assumed = 0, schematic = 0;
    for (size_t i = 0; i < L->segs.n; i++) {
        if (L->segs.v[i].assumed)
            assumed += L->segs.v[i].s1 - L->segs.v[i].s0;
        if (L->segs.v[i].schematic)
            schematic += L->segs.v[i].s1 - L->segs.v[i].s0;
    }
    if (assumed >= 50)
        jy_warn(j, "speed limits are assumed (untagged or tagged as assumed) on %.1f of %.1f km", assumed / 1000,
                L->length / 1000);
    if (schematic > 0)
        jy_warn(j, "%.0f km run over schematic geometry: lengths from km posts, no curve limits", schematic / 1000);
    if (res->unknown_gauge_m > 0)
        jy_warn(j, "%.1f km of track on the route has no gauge tag and was taken to fit", res->unknown_gauge_m / 1000);
    if (t->traction == BOGIE_TRACTION_ELECTRIC && res->unpowered_m > 0)
        jy_warn(j, "%.1f km without suitable wires is coasted", res->unpowered_m / 1000);
    for (size_t i = 0; i < np; i++)
        if (places[i].is_point && places[i].snap_m > 50)
            jy_warn(j, "%s is %.0f m from the track; the journey starts or stops at the nearest track",
                    places[i].label, places[i].snap_m);
}
