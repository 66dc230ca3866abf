/* train.c: reads and checks train profiles (JSON), where every figure carries the source it comes from. */
#include "journey/train.h"

#include "base/util.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A profile without wrong_track_percent pays this much more for running against the preferred direction
 * (docs/trains.md). */
#define TRAIN_DEFAULT_WRONG_TRACK_PCT 25.0

/* Reading context: the file for messages, the first failure. */
typedef struct tctx {
    const char *path;
    bogie_diag *diag;
    bogie_status st;
} tctx;

static bool failf(tctx *c, const char *field, const char *fmt, ...) PRINTF_LIKE(3, 4);

static bool failf(tctx *c, const char *field, const char *fmt, ...)
{
    if (c->st != BOGIE_OK)
        return false;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    c->st = util_fail(c->diag, BOGIE_ERR_INPUT, "%s: field \"%s\": %s", c->path, field, what);
    return false;
}

/* Finds field in obj as a figure {"value": ..., "source": "..."}; returns its value, or NULL after recording a
 * failure (when required) or when it is absent (when optional). */
static json_t *figure(tctx *c, json_t *obj, const char *field, const char *label, bool required)
{
    json_t *f = json_object_get(obj, field);
    if (!f) {
        if (required)
            failf(c, label, "missing");
        return NULL;
    }
    if (!json_is_object(f)) {
        failf(c, label, "must be an object {\"value\": ..., \"source\": \"...\"}");
        return NULL;
    }
    json_t *src = json_object_get(f, "source");
    if (!json_is_string(src) || json_string_length(src) < 3) {
        failf(c, label, "has no \"source\": every figure says where it comes from, or says \"assumed\"");
        return NULL;
    }
    json_t *v = json_object_get(f, "value");
    if (!v) {
        failf(c, label, "has no \"value\"");
        return NULL;
    }
    return v;
}

/* Reads a numeric figure in [lo, hi]; returns false on failure or absence (then *out keeps dflt). */
static bool number(tctx *c, json_t *obj, const char *field, const char *label, double lo, double hi, bool required,
                   double *out)
{
    json_t *v = figure(c, obj, field, label, required);
    if (!v)
        return false;
    if (!json_is_number(v))
        return failf(c, label, "\"value\" must be a number");
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi) || !isfinite(x))
        return failf(c, label, "%g is out of range (%g to %g)", x, lo, hi);
    *out = x;
    return true;
}

static bool gauge_list(tctx *c, json_t *v, const char *label, uint16_t *out, size_t *n)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return failf(c, label, "\"value\" must be a non-empty list of gauges in millimetres");
    if (json_array_size(v) > BOGIE_MAX_TRAIN_GAUGES)
        return failf(c, label, "at most %d gauges", BOGIE_MAX_TRAIN_GAUGES);
    *n = 0;
    size_t i;
    json_t *g;
    json_array_foreach(v, i, g) {
        if (!json_is_integer(g) || json_integer_value(g) < 380 || json_integer_value(g) > 1700)
            return failf(c, label, "item %zu is not a gauge in millimetres (380 to 1700)", i);
        out[(*n)++] = (uint16_t)json_integer_value(g);
    }
    return true;
}

static bool string_field(tctx *c, json_t *obj, const char *field, char *out, size_t size, bool required)
{
    json_t *v = json_object_get(obj, field);
    if (!v) {
        if (required)
            return failf(c, field, "missing");
        out[0] = '\0';
        return true;
    }
    if (!json_is_string(v))
        return failf(c, field, "must be a string");
    util_strlcpy_utf8(out, json_string_value(v), size);
    return true;
}

static bool check_keys(tctx *c, json_t *obj, const char *where, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known) {
            char label[128];
            snprintf(label, sizeof label, "%s%s", where, key);
            return failf(c, label, "unknown field");
        }
    }
    return true;
}

static void read_change(tctx *c, json_t *root, bogie_train *t)
{
    json_t *gc = json_object_get(root, "gauge_change");
    if (!json_is_object(gc)) {
        failf(c, "gauge_change", "must be an object with a \"method\"");
        return;
    }
    static const char *const keys[] = {"method", "to", "minutes", "source", "note", NULL};
    if (!check_keys(c, gc, "gauge_change.", keys))
        return;
    json_t *m = json_object_get(gc, "method");
    const char *ms = json_string_value(m);
    t->change = BOGIE_CHANGE_NONE;
    bool found = false;
    for (int i = 0; i <= BOGIE_CHANGE_TRANSSHIPMENT && ms; i++)
        if (strcmp(ms, bogie_change_method_name((bogie_change_method)i)) == 0) {
            t->change = (bogie_change_method)i;
            found = true;
        }
    if (!found) {
        failf(c, "gauge_change.method", "must be none, bogie_exchange, variable_gauge or transshipment");
        return;
    }
    if (t->change == BOGIE_CHANGE_NONE)
        return;
    json_t *to = figure(c, gc, "to", "gauge_change.to", true);
    if (!to || !gauge_list(c, to, "gauge_change.to", t->change_to, &t->n_change_to))
        return;
    double minutes = 0;
    if (number(c, gc, "minutes", "gauge_change.minutes", 0, 10080, true, &minutes))
        t->change_s = minutes * 60;
}

static void read_traction(tctx *c, json_t *root, bogie_train *t)
{
    json_t *tr = json_object_get(root, "traction");
    if (!json_is_object(tr)) {
        failf(c, "traction", "must be an object with a \"kind\"");
        return;
    }
    static const char *const keys[] = {"kind", "systems", "max_gap_m", "source", "note", NULL};
    if (!check_keys(c, tr, "traction.", keys))
        return;
    const char *kind = json_string_value(json_object_get(tr, "kind"));
    if (kind && strcmp(kind, "diesel") == 0) {
        t->traction = BOGIE_TRACTION_DIESEL;
        return;
    }
    if (!kind || strcmp(kind, "electric") != 0) {
        failf(c, "traction.kind", "must be \"diesel\" or \"electric\"");
        return;
    }
    t->traction = BOGIE_TRACTION_ELECTRIC;
    json_t *sys = figure(c, tr, "systems", "traction.systems", true);
    if (!sys)
        return;
    if (!json_is_array(sys) || json_array_size(sys) == 0 || json_array_size(sys) > BOGIE_MAX_TRAIN_SYSTEMS) {
        failf(c, "traction.systems", "\"value\" must list 1 to %d systems {\"voltage\": V, \"frequency\": Hz}",
              BOGIE_MAX_TRAIN_SYSTEMS);
        return;
    }
    size_t i;
    json_t *s;
    json_array_foreach(sys, i, s) {
        json_t *v = json_object_get(s, "voltage"), *f = json_object_get(s, "frequency");
        if (!json_is_integer(v) || json_integer_value(v) < 100 || json_integer_value(v) > 50000 ||
            !json_is_number(f) || json_number_value(f) < 0 || json_number_value(f) > 100) {
            failf(c, "traction.systems", "item %zu needs a voltage (100 to 50000 V) and a frequency (0 for DC)", i);
            return;
        }
        t->systems[i].voltage = (uint32_t)json_integer_value(v);
        t->systems[i].frequency_hz = json_number_value(f);
    }
    t->n_systems = json_array_size(sys);
    number(c, tr, "max_gap_m", "traction.max_gap_m", 0, 100000, true, &t->max_gap_m);
}

static void read_effort(tctx *c, json_t *root, bogie_train *t)
{
    double kn = 0;
    bool has_max = number(c, root, "max_tractive_effort_kn", "max_tractive_effort_kn", 1, 10000, false, &kn);
    if (has_max)
        t->max_effort_n = kn * 1000;
    json_t *curve = figure(c, root, "effort_curve", "effort_curve", false);
    if (c->st != BOGIE_OK)
        return;
    if (curve) {
        if (!json_is_array(curve) || json_array_size(curve) < 2 || json_array_size(curve) > BOGIE_MAX_EFFORT_POINTS) {
            failf(c, "effort_curve", "\"value\" must list 2 to %d points [km/h, kN]", BOGIE_MAX_EFFORT_POINTS);
            return;
        }
        size_t i;
        json_t *pt;
        double last = -1;
        json_array_foreach(curve, i, pt) {
            json_t *v = json_array_get(pt, 0), *f = json_array_get(pt, 1);
            /* The same bounds as max_speed_kmh and max_tractive_effort_kn: a point such as [100, 1e308] would
             * otherwise become an infinite effort in newtons. */
            if (json_array_size(pt) != 2 || !json_is_number(v) || !json_is_number(f) || json_number_value(v) <= last ||
                json_number_value(v) < 0 || json_number_value(v) > 600 || json_number_value(f) < 0 ||
                json_number_value(f) > 10000) {
                failf(c, "effort_curve",
                      "point %zu must be [km/h, kN] with rising speeds from 0 to 600 km/h and an effort from 0 to "
                      "10000 kN", i);
                return;
            }
            last = json_number_value(v);
            t->effort_curve[i][0] = last / 3.6;
            t->effort_curve[i][1] = json_number_value(f) * 1000;
        }
        t->n_effort_points = json_array_size(curve);
    } else if (!has_max && c->st == BOGIE_OK) {
        failf(c, "max_tractive_effort_kn", "missing: give it, or an effort_curve");
    }
}

bogie_status train_parse(const char *path, const char *text, size_t len, bogie_train *t, bogie_diag *diag)
{
    memset(t, 0, sizeof *t);
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %d, column %d: %s", path, err.line, err.column, err.text);
    tctx c = {path, diag, BOGIE_OK};
    if (!json_is_object(root)) {
        json_decref(root);
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: a train profile must be a JSON object", path);
    }
    static const char *const keys[] = {
        "name", "title", "description", "notes", "gauges", "gauge_change", "traction", "max_speed_kmh", "mass_t",
        "length_m", "power_kw", "efficiency", "max_tractive_effort_kn", "effort_curve", "adhesive_mass_t", "adhesion",
        "davis", "rotating_mass_factor", "braking_ms2", "startup_s", "reversal_minutes", "dwell_minutes",
        "curve_lateral_ms2", "allowance_percent", "wrong_track_percent", NULL};
    check_keys(&c, root, "", keys);
    string_field(&c, root, "name", t->name, sizeof t->name, true);
    string_field(&c, root, "title", t->title, sizeof t->title, false);
    json_t *g = figure(&c, root, "gauges", "gauges", true);
    if (g)
        gauge_list(&c, g, "gauges", t->gauges, &t->n_gauges);
    if (c.st == BOGIE_OK)
        read_change(&c, root, t);
    if (c.st == BOGIE_OK)
        read_traction(&c, root, t);
    double kmh = 0, tonnes = 0, kw = 0, mins = 0, adh_t = 0;
    if (number(&c, root, "max_speed_kmh", "max_speed_kmh", 1, 600, true, &kmh))
        t->max_speed_ms = kmh / 3.6;
    if (number(&c, root, "mass_t", "mass_t", 0.1, 100000, true, &tonnes))
        t->mass_kg = tonnes * 1000;
    number(&c, root, "length_m", "length_m", 1, 5000, true, &t->length_m);
    if (number(&c, root, "power_kw", "power_kw", 1, 100000, true, &kw))
        t->power_w = kw * 1000;
    number(&c, root, "efficiency", "efficiency", 0.05, 1, true, &t->efficiency);
    if (c.st == BOGIE_OK)
        read_effort(&c, root, t);
    if (number(&c, root, "adhesive_mass_t", "adhesive_mass_t", 0.1, 100000, true, &adh_t))
        t->adhesive_mass_kg = adh_t * 1000;
    number(&c, root, "adhesion", "adhesion", 0.01, 0.6, true, &t->adhesion);
    json_t *davis = json_object_get(root, "davis");
    if (!json_is_object(davis)) {
        failf(&c, "davis", "must be an object with a_kn, b_kn_per_kmh and c_kn_per_kmh2");
    } else {
        static const char *const dkeys[] = {"a_kn", "b_kn_per_kmh", "c_kn_per_kmh2", "note", NULL};
        double a = 0, b = 0, cc = 0;
        check_keys(&c, davis, "davis.", dkeys);
        number(&c, davis, "a_kn", "davis.a_kn", 0, 1000, true, &a);
        number(&c, davis, "b_kn_per_kmh", "davis.b_kn_per_kmh", 0, 100, true, &b);
        number(&c, davis, "c_kn_per_kmh2", "davis.c_kn_per_kmh2", 0, 10, true, &cc);
        t->davis_a_n = a * 1000;
        t->davis_b_n_s_m = b * 1000 * 3.6;
        t->davis_c_n_s2_m2 = cc * 1000 * 3.6 * 3.6;
    }
    number(&c, root, "rotating_mass_factor", "rotating_mass_factor", 1, 2, true, &t->rotating_factor);
    number(&c, root, "braking_ms2", "braking_ms2", 0.05, 3, true, &t->brake_ms2);
    number(&c, root, "startup_s", "startup_s", 0, 3600, true, &t->startup_s);
    if (number(&c, root, "reversal_minutes", "reversal_minutes", 0, 1440, true, &mins))
        t->reversal_s = mins * 60;
    if (number(&c, root, "dwell_minutes", "dwell_minutes", 0, 1440, true, &mins))
        t->dwell_s = mins * 60;
    number(&c, root, "curve_lateral_ms2", "curve_lateral_ms2", 0.1, 3, true, &t->curve_lateral_ms2);
    number(&c, root, "allowance_percent", "allowance_percent", 0, 100, true, &t->allowance_pct);
    t->wrong_track_pct = TRAIN_DEFAULT_WRONG_TRACK_PCT;
    number(&c, root, "wrong_track_percent", "wrong_track_percent", 0, 1000, false, &t->wrong_track_pct);
    if (c.st == BOGIE_OK && t->adhesive_mass_kg > t->mass_kg)
        failf(&c, "adhesive_mass_t", "is more than the train's mass");
    json_decref(root);
    return c.st;
}

/* Profiles are a few kilobytes; anything beyond this is not one. */
#define TRAIN_MAX_BYTES (1u << 20)

bogie_status bogie_train_load(const char *path, bogie_train *t, bogie_diag *diag)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f)
        return util_io_fail(diag, path, "cannot open", errno);
    char *text = malloc(TRAIN_MAX_BYTES + 1);
    if (!text) {
        fclose(f);
        return util_nomem(diag, "reading a train profile");
    }
    size_t len = fread(text, 1, TRAIN_MAX_BYTES + 1, f);
    int failed = ferror(f), e = errno;
    fclose(f);
    bogie_status rc;
    if (failed)
        rc = util_io_fail(diag, path, "cannot read", e);
    else if (len > TRAIN_MAX_BYTES)
        rc = util_fail(diag, BOGIE_ERR_INPUT, "%s: more than %u bytes: not a train profile", path, TRAIN_MAX_BYTES);
    else
        rc = train_parse(path, text, len, t, diag);
    free(text);
    return rc;
}
