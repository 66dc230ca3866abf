/* journey_int.h: what the files of journey/ share (prefix jy_): the planner, the track and stops of a journey being
 * planned, and the stages of the plan in the order journey.c runs them (places -> search -> layout -> stops -> run ->
 * timetable -> clock -> result). */
#ifndef BOGIE_JOURNEY_INT_H
#define BOGIE_JOURNEY_INT_H

#include "bogie.h"

#include "base/util.h"
#include "journey/physics.h"
#include "ref/tz.h"
#include "ref/world.h"
#include "route/route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Match keys of station names, sorted, for searches (places.c). */
typedef struct jy_name_key {
    char *key;
    size_t key_len;
    uint32_t station;
    uint32_t name; /* index into the network's station names */
} jy_name_key;

struct bogie_planner {
    const bogie_allocator *alloc;
    const bogie_network *net;
    const bogie_world *world;
    route_base base;
    jy_name_key *keys; /* one slot per network name (n_names, at least 1); n_keys are used */
    size_t n_keys;
};

/* ----- places.c: resolving the places the user gave ----- */

/* Fills p->keys with the match key of every station name that is valid UTF-8, sorted; p->alloc and p->net must be
 * set. The keys are p's; jy_free_names releases them, also after a failure here. */
bogie_status jy_index_names(bogie_planner *p, bogie_diag *diag);
void jy_free_names(bogie_planner *p);

/* The display name of station s (name:en, else name), and in *local (when not NULL) its name; both point into net. */
const char *jy_station_name(const bogie_network *net, uint32_t s, const char **local);

/* Reads "lat,lon" (decimal degrees, optional spaces); returns false when text is not of that form. */
bool jy_parse_coordinates(const char *text, double *lat, double *lon);

/* Resolves one place into *out: coordinates at a station the train can use mean the station, other coordinates snap
 * to track within snap_m, names must match one station. role names the field in messages, such as "--from". */
bogie_status jy_resolve_place(const bogie_planner *p, const bogie_train *t, const char *role, const char *text,
                              double snap_m, route_place *out, bogie_diag *diag);

/* Coordinates at a station (within 300 m of it or of its node) whose track t can use mean the station: fills *out
 * with it and returns true, else returns false. */
bool jy_station_at(const bogie_planner *p, const bogie_train *t, double lat, double lon, route_place *out);
/* The country (1 + index, 0 for none) of place pl: a station's node's, or for a point the country of the track it
 * snapped to, at its position along the edge. */
uint16_t jy_place_country(const bogie_network *net, const route_place *pl);

/* ----- vias.c: what the request asks of each via ----- */

/* One via of a request: its place, and the stop it asks for there. */
typedef struct jy_via_ask {
    char place[256];   /* the via's place, without a "+DURATION" or "@TIME" suffix */
    double dwell_s;    /* the stop asked for; negative for the request's via_dwell_s (or the train's own) */
    const char *leave; /* the time to leave it, as the request gives it (pointing into the request), or NULL */
} jy_via_ask;

/* Reads what req asks of each via into asks[0 .. req->n_via): the via's text ("PLACE", "PLACE+DURATION" or
 * "PLACE@TIME") and the request's via_dwell_each and via_leave, which take precedence. Refuses a duration it cannot
 * read, a via with both, and a time to leave without a departure. */
bogie_status jy_via_asks(const bogie_journey_request *req, jy_via_ask *asks, bogie_diag *diag);

/* Resolves req's from, vias (the places of asks, one per via; with asks NULL, req's via texts as they are) and to into places[0 .. *n_places) (room for 32), and
 * refuses two neighbours that are the same station. */
bogie_status jy_resolve_places(const bogie_planner *p, const bogie_journey_request *req, const jy_via_ask *asks,
                               route_place *places, size_t *n_places, bogie_diag *diag);

/* ----- journey.c: the plan ----- */
/* Plans a journey for req's train (its departure, avoided places and limits; its places are not read) through
 * places[0 .. np) (2 to 32, resolved; the caller's), passing the vias without stopping: the route is the fastest
 * through them, and the timetable is the one bogie_plan would give for that route. On success *out is the caller's
 * (bogie_journey_free). */
bogie_status jy_plan_places(const bogie_planner *p, const bogie_journey_request *req, const route_place *places,
                            size_t np, bogie_journey **out, bogie_diag *diag);
/* ----- search.c: asking route/ for the route ----- */

/* Train t as it may be at origin o when nobody says which wheels it has, into *out: at a station, t with the
 * gauges it can change to whose track leaves o among those it may start on (the search starts on whichever is
 * fastest, as if it had changed there before the journey), or, when its own wheels fit no track there and one other
 * gauge does, t on that gauge (as for a start_gauge); on open track (a point), t. Returns whether *out differs from
 * t. */
bool jy_train_at(const bogie_network *net, const bogie_train *t, const route_place *o, bogie_train *out);

/* The train of req as it is at origin, into *out: on the wheels req->start_gauge says (refused when the train can
 * have none of that gauge: its own, or one it can change to), else as jy_train_at gives it. */
bogie_status jy_start_wheels(const bogie_planner *p, const bogie_journey_request *req, const route_place *origin,
                             bogie_train *out, bogie_diag *diag);

/* Finds the fastest route for train t (req's, on its wheels at the start: jy_start_wheels) through places[0 .. np)
 * (with the stops asks[] asks of the vias) that avoids what req avoids, into res[0], and when max > 1 up to max - 1 alternatives after it into res[1 ..)
 * (route_alternatives: *searched says whether they were searched for, shared[i] the fraction of route i's length
 * on track of the routes before it); *n_res gets how many. The caller frees each with route_result_free. The
 * search gives up once util_now() passes deadline (0: never), the plan's, which the physics shares. */
bogie_status jy_search(const bogie_planner *p, const bogie_journey_request *req, const jy_via_ask *asks,
                       const bogie_train *t, const route_place *places, size_t np, double deadline, size_t max,
                       route_result *res, double *shared, size_t *n_res, bool *searched, bogie_diag *diag);

/* When req does not say which wheels the train has and route res starts on wheels other than the train's own, says
 * so on j. */
void jy_note_start_wheels(const bogie_journey_request *req, const route_place *origin, const route_result *res,
                          bogie_journey *j);

/* ----- layout.c: laying out the track of the route ----- */

/* A stretch of the route with one limit. */
typedef struct jy_seg {
    double s0, s1;   /* metres from the origin */
    double limit_ms;
    double radius_m; /* for curve resistance; 0 when straight or unknown */
    bool assumed;    /* the line limit is assumed (untagged, or tagged as assumed) */
    bool schematic;
    bogie_limit_kind kind; /* why limit_ms applies */
    bool graded;     /* both ends have a known elevation: grade holds */
    double grade;    /* rise per metre in travel direction, smoothed (grades.c); 0 where not graded */
} jy_seg;

/* A point of the route where the track's elevation is known. */
typedef struct jy_height {
    double pos;   /* metres from the origin */
    double z;     /* metres above sea level */
    size_t run;   /* the first point of its run: the points joined by graded segments without a gap */
} jy_height;

/* The node at the end of a travelled item. */
typedef struct jy_mark {
    double pos;    /* metres from the origin */
    uint32_t node; /* view node */
    size_t item;   /* the route item that ends here */
} jy_mark;

/* A border crossing. */
typedef struct jy_xing {
    double pos; /* metres from the origin */
    double lat, lon;
    uint16_t from, to; /* 1 + country index */
} jy_xing;

typedef struct jy_layout {
    const bogie_allocator *a;
    VEC(jy_seg) segs;
    VEC(jy_xing) xings;    /* border crossings, in travel order */
    VEC(double) line;      /* lat, lon pairs */
    VEC(double) line_km;   /* per point: kilometres from the origin */
    VEC(jy_mark) marks;    /* the origin, then the node at the end of every travelled edge item */
    VEC(jy_height) heights;/* the known elevations along the route, in travel order */
    double length;
} jy_layout;

/* Lays out the edges of res from the origin node (a view node) into *L, whose allocator L->a must be set; L owns
 * what it gathers (jy_layout_free), also after a failure. */
bogie_status jy_lay_out(const route_base *b, const bogie_train *t, const route_result *res, uint32_t origin,
                        jy_layout *L, bogie_diag *diag);
void jy_layout_free(jy_layout *L);

/* The countries passed, into j->countries: the origin's (first: 1 + index, 0 for none), then each one a crossing of
 * L enters. */
void jy_countries_passed(const bogie_network *net, uint16_t first, const jy_layout *L, bogie_journey *j);

/* The country (1 + index, 0 for none) at pos metres along L, for a route starting in country first: the country the
 * last crossing at or before pos enters. */
uint16_t jy_country_at(const jy_layout *L, uint16_t first, double pos);

/* ----- grades.c: the grade of every graded segment from the route's elevations ----- */

/* The half-width of the window the grades are fitted over, in metres (grades.c describes the method). */
#define JY_GRADE_HALF_WINDOW_M 3000.0

/* Gives each graded segment of L its grade: the least-squares slope of the elevations (L->heights, piecewise
 * linear between points) over the JY_GRADE_HALF_WINDOW_M either side of the segment's middle, clipped to the run
 * of known elevations it lies in, rounded to 0.1 per mille. Fails only when memory runs out. */
bogie_status jy_grade_segments(jy_layout *L, bogie_diag *diag);

/* ----- stops.c: where the train stops, and for how long ----- */

typedef struct jy_stop {
    double pos;       /* metres from the origin */
    uint32_t node;    /* view node, or BOGIE_NONE */
    double lat, lon;  /* where it is when node is BOGIE_NONE (a border stop at the crossing itself) */
    unsigned kinds;   /* BOGIE_STOP_* */
    double dwell_s, change_s, border_s, reversal_s;
    uint16_t gauge;   /* the wheels the train leaves with */
    char detail[256];
    uint32_t via;     /* place index for origin, via and destination, else BOGIE_NONE */
    double arrive_s, depart_s; /* from the departure; set by jy_run */
    bool has_leave;   /* a via the train must leave at leave_s (jy_via_leave_times); jy_run sets its dwell */
    double leave_s;   /* seconds after the departure */
    double late_s;    /* set by jy_run: how much later than leave_s the train can leave, when it can't in time */
} jy_stop;

typedef VEC(jy_stop) jy_stops;

/* Appends text to s's detail, after "; " when there is one already. */
void jy_append_detail(jy_stop *s, const char *text);

/* The stops of the route's own items, in order, appended to *stops (allocated with a, the caller's): the origin, each
 * gauge change, reversal and via stop (items at one node and position share a stop), and the destination. L is the
 * layout of res; n_places counts the places, the last being the destination. */
bogie_status jy_event_stops(const bogie_world *w, const bogie_train *t, const route_result *res, const jy_layout *L,
                            size_t n_places, const bogie_allocator *a, jy_stops *stops, bogie_diag *diag);

/* Adds stop s to *stops (in order of position, allocated with a, the caller's): joined to a stop at the same position
 * and node (kinds, times and detail added to it), else inserted before the first stop beyond it but never after the
 * last (the destination), leaving with the wheels of the stop before it. */
bogie_status jy_insert_stop(const bogie_allocator *a, jy_stops *stops, const jy_stop *s, bogie_diag *diag);

/* A border stop for every crossing of L, at the station on the route nearest to it (within 30 km; never the
 * origin, where work would delay the departure), else where it crosses, added to *stops (allocated with p->alloc). */
bogie_status jy_border_stops(const bogie_planner *p, const jy_layout *L, jy_stops *stops, bogie_diag *diag);

/* ----- vias.c (continued): the times to leave vias ----- */

/* Gives each stop at a via whose ask has a time to leave that time, as seconds after the departure (leave_s, read
 * in the via's zone unless it has an offset; the departure in the origin's), for jy_run to wait until. places are
 * the plan's (origin, vias, destination). */
bogie_status jy_via_leave_times(const bogie_planner *p, const bogie_journey_request *req, const route_place *places,
                                const jy_via_ask *asks, jy_stops *stops, bogie_diag *diag);

/* After jy_run: refuses the plan when the train reaches a via it must leave at a time too late to leave then,
 * saying when it arrives and can leave at the earliest, in the via's local time. */
bogie_status jy_via_check_leaves(const bogie_planner *p, const bogie_journey_request *req, const route_place *places,
                                 const jy_via_ask *asks, const jy_stops *stops, bogie_diag *diag);

/* ----- run.c: running the train between stops ----- */

typedef VEC(phys_sample) jy_profile;
typedef VEC(phys_piece) jy_pieces;

/* The pieces of L's segments between from and to (metres from the origin), measured from from, neighbours of one
 * limit and radius merged, into *out (emptied first; allocated with a, the caller's). *seg_i is the first segment
 * that may still matter; it only grows, so consecutive calls go along the route. */
bogie_status jy_pieces_between(const jy_layout *L, double from, double to, size_t *seg_i, const bogie_allocator *a,
                               jy_pieces *out, bogie_diag *diag);

/* Runs the physics from stop to stop: sets each stop's arrive_s and depart_s, appends the speed profile to *prof
 * (allocated with a, the caller's) and adds the running, allowance and stop times to j. The journey's clock starts
 * at the departure from the origin: work there (a gauge change on wheels the request gave) ends at 0 and is not
 * added to j; the work at the destination ends at its depart_s and is. Gives up with BOGIE_ERR_CANCELLED once
 * util_now() passes deadline (0: never). */
bogie_status jy_run(const bogie_train *t, const jy_layout *L, jy_stops *stops, double deadline,
                    const bogie_allocator *a, jy_profile *prof, bogie_journey *j, bogie_diag *diag);

/* ----- timetable.c: the rows of the timetable ----- */

typedef VEC(bogie_stop) jy_rows;

/* The stops and, between them, every station passed as a timing point, named and each with its country (its
 * station's or node's, else the country the route is in there; a point given takes the track's), into *rows
 * (allocated with p->alloc, the caller's). */
bogie_status jy_timetable(const bogie_planner *p, const route_view *view, const route_place *places,
                          const jy_layout *L, const jy_stops *stops, const jy_profile *prof, jy_rows *rows,
                          bogie_diag *diag);

/* ----- clock.c: putting the journey on the clock ----- */

/* The UTC time of a departure read as civ: minus its offset when it has one, else in zone; with neither, as UTC
 * (and *as_utc is set). Fails when civ is not a valid local time in zone. */
bogie_status jy_departure_utc(const tz_civil *civ, bool has_offset, int offset_s, const tz_zone *zone,
                              int64_t *t_utc, bool *as_utc);

/* Whether a wall-clock time civ, read in zone as t_utc (by tz_civil_to_utc), exists once, was skipped by a change
 * of the clocks (t_utc is then where tz_civil_to_utc put it) or happens twice (t_utc is the first; *other_utc
 * receives the second, else t_utc). A NULL zone (UTC) has every time once. */
typedef enum jy_fold { JY_TIME_ONCE = 0, JY_TIME_SKIPPED, JY_TIME_TWICE } jy_fold;
jy_fold jy_local_fold(const tz_zone *zone, const tz_civil *civ, int64_t t_utc, int64_t *other_utc);

/* The local time of when (UTC seconds) in zone (NULL: UTC), written as tz_format_civil does into buf; *offset_s and
 * *abbr (static or the zone's) receive the offset and the zone's abbreviation. */
void jy_local_time(const tz_zone *zone, int64_t when, char *buf, size_t size, int *offset_s, const char **abbr);

/* Gives every row its time zone (from its station, else its country, set by jy_timetable; a row whose zone is
 * unknown takes the one before it) and, when req departs at a time, its UTC and local times. A departure time
 * skipped or repeated by a change of the clocks is read as tz_civil_to_utc does, with a warning on j that says
 * which way. Work at the origin, done before the departure, gets its start time in the origin's detail. pre is the
 * prefix of field names in messages ("--" or ""). */
bogie_status jy_put_on_clock(const bogie_planner *p, const bogie_journey_request *req, const char *pre,
                             jy_rows *rows, bogie_journey *j, bogie_diag *diag);

/* ----- result.c: the bogie_journey ----- */

/* Adds a warning to j (up to BOGIE_MAX_WARNINGS; later ones are dropped). */
void jy_warn(bogie_journey *j, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Thins the speed profile prof[0 .. n): writes the indices of the samples kept into kept (room for n) and returns
 * their count. A sample is kept where leaving it out would move the speed or the limit drawn between the kept ones
 * by more than JY_PROFILE_TOL_KMH, or the time by more than JY_PROFILE_TOL_S; the ends and stops always stay. */
#define JY_PROFILE_TOL_KMH 0.5
#define JY_PROFILE_TOL_S 1.0
size_t jy_thin_profile(const phys_sample *prof, size_t n, uint32_t *kept);

/* Moves the line from L into j (L->a must be j->alloc; L's line and line_km are left empty), copies the thinned
 * profile, the path and the rows into j (allocated with j->alloc; j owns them), and sets its length and total time:
 * from the departure to the end of the work at the destination, which must be the sum of its parts
 * (jy_totals_add_up; asserted). */
bogie_status jy_fill_journey(const bogie_network *net, jy_layout *L, const jy_profile *prof,
                             const jy_rows *rows, bogie_journey *j, bogie_diag *diag);

/* Whether j's total time is the sum of its parts (moving, allowance included, and the stops by cause) within
 * JY_TOTALS_TOL_S per hour of the journey (float rounding). */
#define JY_TOTALS_TOL_S 0.001
bool jy_totals_add_up(const bogie_journey *j);

/* Warns about the data the answer rests on: assumed limits, schematic track, untagged gauges, missing wires, places
 * far from the track. */
void jy_warn_about_data(const bogie_train *t, const route_result *res, const jy_layout *L, const route_place *places,
                        size_t np, bogie_journey *j);

/* ----- seen.c: re-timing the journey to the sightings of its train ----- */

/* A sighting farther than this from the route's line is refused as off the route, in metres. */
#define JY_SEEN_OFF_ROUTE_M 1000.0
/* Two sightings closer in time than the train's physics allow by more than this are refused, in seconds: each is
 * given to the minute. */
#define JY_SEEN_SLACK_S 120.0
/* The slowest pace (running time over the plan's) taken between two sightings; beyond it, the rest is a halt. */
#define JY_SEEN_MAX_PACE 1.5
/* The precision of a sighting's time, added on both sides of the arrival's band, in seconds. */
#define JY_SEEN_MINUTE_S 60.0
#define JY_SEEN_MAX 16

/* Re-times the planned journey j (its rows, profile and totals) so that it passes every sighting of req at its time,
 * and fills j's sightings, stretches and band (allocated with j->alloc; j owns them). Nothing to do without
 * sightings. Refuses, with the reason, a sighting off the route, before the departure, behind the one before it or
 * too soon after it for the train's physics. pre prefixes field names in messages. */
bogie_status jy_retime(const bogie_planner *p, const bogie_journey_request *req, const char *pre, bogie_journey *j,
                       bogie_diag *diag);

#endif
