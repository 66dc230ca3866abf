/* world.c: loads bogie's reference tables (the CSV files in data/) and answers look-ups in them. */
#include "ref/world.h"

#include "base/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct load_ctx {
    bogie_world *w;
    const char *path;
} load_ctx;

/* Parses a whole-field decimal number. */
static bool parse_num(const char *s, double *out)
{
    char *end;
    if (!*s)
        return false;
    double v = strtod(s, &end);
    if (*end || v != v)
        return false;
    *out = v;
    return true;
}

static bogie_status bad(const load_ctx *c, const csv_row *r, const char *col, const char *what, bogie_diag *diag)
{
    return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu, field \"%s\": %s", c->path, r->line, col, what);
}

static bool code_ok(const char *s)
{
    size_t n = strlen(s);
    return (n == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z') || strcmp(s, "*") == 0;
}

static bogie_status facility_row(void *ud, const csv_row *r, bogie_diag *diag)
{
    load_ctx *c = ud;
    world_facility f;
    memset(&f, 0, sizeof f);
    util_strlcpy_utf8(f.name, r->field[0], sizeof f.name);
    if (!*f.name)
        return bad(c, r, "name", "empty", diag);
    if (!parse_num(r->field[1], &f.lat) || f.lat < -90 || f.lat > 90)
        return bad(c, r, "lat", "not a latitude in degrees", diag);
    if (!parse_num(r->field[2], &f.lon) || f.lon < -180 || f.lon > 180)
        return bad(c, r, "lon", "not a longitude in degrees", diag);
    if (!code_ok(r->field[3]) || strcmp(r->field[3], "*") == 0)
        return bad(c, r, "country", "not an ISO 3166-1 alpha-2 code", diag);
    snprintf(f.country, sizeof f.country, "%s", r->field[3]);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", r->field[4]);
    for (char *tok = strtok(buf, ";"); tok; tok = strtok(NULL, ";")) {
        int m = -1;
        for (int k = BOGIE_CHANGE_BOGIE_EXCHANGE; k <= BOGIE_CHANGE_TRANSSHIPMENT; k++)
            if (strcmp(tok, bogie_change_method_name((bogie_change_method)k)) == 0)
                m = k;
        if (m < 0)
            return bad(c, r, "methods", "must list bogie_exchange, variable_gauge or transshipment", diag);
        f.methods |= 1u << m;
    }
    if (!f.methods)
        return bad(c, r, "methods", "empty", diag);
    snprintf(buf, sizeof buf, "%s", r->field[5]);
    for (char *tok = strtok(buf, ";"); tok; tok = strtok(NULL, ";")) {
        double g;
        if (!parse_num(tok, &g) || g < 380 || g > 1700 || f.n_gauges >= BOGIE_MAX_TRAIN_GAUGES)
            return bad(c, r, "gauges", "must list up to four gauges in millimetres", diag);
        f.gauges[f.n_gauges++] = (uint16_t)g;
    }
    if (f.n_gauges < 2)
        return bad(c, r, "gauges", "a facility connects at least two gauges", diag);
    f.change_s = -1;
    if (*r->field[6]) {
        double m;
        if (!parse_num(r->field[6], &m) || m < 0 || m > 100000)
            return bad(c, r, "minutes", "not a number of minutes", diag);
        f.change_s = m * 60;
    }
    if (strlen(r->field[7]) < 3)
        return bad(c, r, "source", "every row says where it comes from", diag);
    return VEC_PUSH(c->w->alloc, c->w->facilities, f) == 0 ? BOGIE_OK : util_nomem(diag, "reading facilities");
}

static bogie_status border_row(void *ud, const csv_row *r, bogie_diag *diag)
{
    load_ctx *c = ud;
    world_border b;
    memset(&b, 0, sizeof b);
    if (!code_ok(r->field[0]))
        return bad(c, r, "from", "not an ISO 3166-1 alpha-2 code or *", diag);
    if (!code_ok(r->field[1]))
        return bad(c, r, "to", "not an ISO 3166-1 alpha-2 code or *", diag);
    snprintf(b.a, sizeof b.a, "%s", r->field[0]);
    snprintf(b.b, sizeof b.b, "%s", r->field[1]);
    double m;
    if (!parse_num(r->field[2], &m) || m < 0 || m > 100000)
        return bad(c, r, "minutes", "not a number of minutes", diag);
    b.stop_s = m * 60;
    if (strlen(r->field[3]) < 3)
        return bad(c, r, "source", "every row says where it comes from", diag);
    return VEC_PUSH(c->w->alloc, c->w->borders, b) == 0 ? BOGIE_OK : util_nomem(diag, "reading borders");
}

static bogie_status zone_row(void *ud, const csv_row *r, bogie_diag *diag)
{
    load_ctx *c = ud;
    world_zone z;
    memset(&z, 0, sizeof z);
    if (!code_ok(r->field[0]) || strcmp(r->field[0], "*") == 0)
        return bad(c, r, "country", "not an ISO 3166-1 alpha-2 code", diag);
    snprintf(z.country, sizeof z.country, "%s", r->field[0]);
    z.min_lon = -1000;
    z.max_lon = 1000;
    if (*r->field[1] && !parse_num(r->field[1], &z.min_lon))
        return bad(c, r, "min_lon", "not a longitude", diag);
    if (*r->field[2] && !parse_num(r->field[2], &z.max_lon))
        return bad(c, r, "max_lon", "not a longitude", diag);
    const tz_zone *zone;
    bogie_diag d2;
    if (tz_db_get(c->w->tz, r->field[3], &zone, &d2) != BOGIE_OK)
        return bad(c, r, "zone", d2.message, diag);
    util_strlcpy_utf8(z.zone, r->field[3], sizeof z.zone);
    if (strlen(r->field[4]) < 3)
        return bad(c, r, "source", "every row says where it comes from", diag);
    return VEC_PUSH(c->w->alloc, c->w->zones, z) == 0 ? BOGIE_OK : util_nomem(diag, "reading time zones");
}

static bogie_status speed_row(void *ud, const csv_row *r, bogie_diag *diag)
{
    load_ctx *c = ud;
    world_speed s;
    memset(&s, 0, sizeof s);
    if (!code_ok(r->field[0]))
        return bad(c, r, "country", "not an ISO 3166-1 alpha-2 code or *", diag);
    snprintf(s.country, sizeof s.country, "%s", r->field[0]);
    if (!*r->field[1] || strlen(r->field[1]) >= sizeof s.use)
        return bad(c, r, "use", "empty or too long", diag);
    snprintf(s.use, sizeof s.use, "%s", r->field[1]);
    if (!parse_num(r->field[2], &s.kmh) || s.kmh <= 0 || s.kmh > 600)
        return bad(c, r, "kmh", "not a speed in km/h", diag);
    if (strlen(r->field[3]) < 3)
        return bad(c, r, "source", "every row says where it comes from", diag);
    return VEC_PUSH(c->w->alloc, c->w->speeds, s) == 0 ? BOGIE_OK : util_nomem(diag, "reading default speeds");
}

bogie_status bogie_world_open(const char *dir, const bogie_allocator *alloc, bogie_world **out, bogie_diag *diag)
{
    *out = NULL;
    alloc = util_alloc_or_default(alloc);
    bogie_world *w = util_calloc(alloc, 1, sizeof *w);
    if (!w)
        return util_nomem(diag, "loading reference data");
    w->alloc = alloc;
    bogie_status rc = tz_db_open(NULL, alloc, &w->tz, diag);
    static const char *const fac_cols[] = {"name", "lat", "lon", "country", "methods", "gauges", "minutes",
                                           "source", NULL};
    static const char *const border_cols[] = {"from", "to", "minutes", "source", NULL};
    static const char *const zone_cols[] = {"country", "min_lon", "max_lon", "zone", "source", NULL};
    static const char *const speed_cols[] = {"country", "use", "kmh", "source", NULL};
    struct {
        const char *file;
        const char *const *cols;
        csv_row_fn fn;
    } tables[] = {{"gauge-changers.csv", fac_cols, facility_row},
                  {"borders.csv", border_cols, border_row},
                  {"timezones.csv", zone_cols, zone_row},
                  {"speed-defaults.csv", speed_cols, speed_row}};
    for (size_t i = 0; rc == BOGIE_OK && i < sizeof tables / sizeof tables[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, tables[i].file);
        load_ctx c = {w, path};
        rc = csv_read(path, tables[i].cols, tables[i].fn, &c, alloc, diag);
    }
    if (rc != BOGIE_OK) {
        bogie_world_close(w);
        return rc;
    }
    *out = w;
    return BOGIE_OK;
}

void bogie_world_close(bogie_world *w)
{
    if (!w)
        return;
    VEC_FREE(w->alloc, w->facilities);
    VEC_FREE(w->alloc, w->borders);
    VEC_FREE(w->alloc, w->zones);
    VEC_FREE(w->alloc, w->speeds);
    tz_db_close(w->tz);
    util_free(w->alloc, w, sizeof *w);
}

static bool code_match(const char *pattern, const char *code)
{
    return strcmp(pattern, "*") == 0 || strcasecmp(pattern, code) == 0;
}

double world_border_stop_s(const bogie_world *w, const char *a, const char *b)
{
    int best = -1;
    double stop = 0;
    for (size_t i = 0; i < w->borders.n; i++) {
        const world_border *r = &w->borders.v[i];
        bool fwd = code_match(r->a, a) && code_match(r->b, b), rev = code_match(r->a, b) && code_match(r->b, a);
        if (!fwd && !rev)
            continue;
        int score = (strcmp(r->a, "*") != 0) + (strcmp(r->b, "*") != 0);
        if (score > best) {
            best = score;
            stop = r->stop_s;
        }
    }
    return stop;
}

const char *world_zone_for(const bogie_world *w, const char *country, double lon)
{
    for (size_t i = 0; i < w->zones.n; i++) {
        const world_zone *z = &w->zones.v[i];
        if (strcasecmp(z->country, country) == 0 && lon >= z->min_lon && lon <= z->max_lon)
            return z->zone;
    }
    return NULL;
}

double world_default_speed_kmh(const bogie_world *w, const char *country, const char *use)
{
    double any = 0, exact = 0;
    for (size_t i = 0; i < w->speeds.n; i++) {
        const world_speed *s = &w->speeds.v[i];
        if (strcmp(s->use, use) != 0)
            continue;
        if (country && strcasecmp(s->country, country) == 0)
            exact = s->kmh;
        else if (strcmp(s->country, "*") == 0)
            any = s->kmh;
    }
    if (exact > 0)
        return exact;
    if (any > 0)
        return any;
    /* Tables without the use fall back to the unspecified row, then to 80 km/h (assumed). */
    return strcmp(use, "unspecified") != 0 ? world_default_speed_kmh(w, country, "unspecified") : 80.0;
}

const char *bogie_change_method_name(bogie_change_method m)
{
    static const char *const names[] = {"none", "bogie_exchange", "variable_gauge", "transshipment"};
    return (unsigned)m < sizeof names / sizeof names[0] ? names[m] : "?";
}
