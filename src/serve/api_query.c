/* api_query.c: the HTTP API's request parsing: percent-decoding, query strings, parameters, OSRM coordinate lists,
 * and the train a request names. */
#include "serve/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t api_decode(const char *s, size_t n, char *out, size_t out_size, bool plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < n && (!out || o + 1 < out_size); i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0')
            continue; /* a NUL cannot be part of a C string; it is dropped rather than cutting the value short */
        if (out)
            out[o] = c;
        o++;
    }
    if (out)
        out[o] = '\0';
    return o;
}

bool api_check_query(const char *q, bogie_response *r)
{
    const size_t key_max = sizeof ((api_param *)0)->key - 1, value_max = sizeof ((api_param *)0)->value - 1;
    size_t n = 0;
    while (q && *q) {
        size_t len = strcspn(q, "&");
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        if (klen > 0) {
            char key[sizeof ((api_param *)0)->key];
            size_t kdec = api_decode(q, klen, NULL, 0, true);
            api_decode(q, klen, key, sizeof key, true);
            if (++n > API_MAX_PARAMS) {
                api_error_answer(r, 414, "TooManyParameters",
                                 "parameter %zu (%s) is one too many: at most %d are read", n, key, API_MAX_PARAMS);
                return false;
            }
            if (kdec > key_max) {
                api_error_answer(r, 414, "TooLong", "the parameter name %s... is %zu bytes; at most %zu are read", key,
                                 kdec, key_max);
                return false;
            }
            size_t vdec = eq ? api_decode(eq + 1, len - klen - 1, NULL, 0, true) : 0;
            if (vdec > value_max) {
                api_error_answer(r, 414, "TooLong", "parameter %s is %zu bytes (decoded); at most %zu are read", key,
                                 vdec, value_max);
                return false;
            }
        }
        if (!q[len])
            break;
        q += len + 1;
    }
    return true;
}

size_t api_parse_query(const char *q, api_param *out, size_t max)
{
    const char *start = q;
    size_t n = 0;
    while (q && *q && n < max) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        if (klen > 0) {
            api_decode(q, klen, out[n].key, sizeof out[n].key, true);
            out[n].offset = (size_t)(q - start);
            if (eq)
                api_decode(eq + 1, len - klen - 1, out[n].value, sizeof out[n].value, true);
            else
                out[n].value[0] = '\0';
            n++;
        }
        if (!amp)
            break;
        q = amp + 1;
    }
    return n;
}

const char *api_param_value(const api_param *p, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].key, key) == 0)
            return p[i].value;
    return NULL;
}

bool api_int_param(const api_param *p, size_t n, const char *key, long def, long lo, long hi, const char *code,
                   bogie_response *r, long *out)
{
    const char *v = api_param_value(p, n, key);
    *out = def;
    if (!v)
        return true;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) {
        api_error_answer(r, 400, code, "%s must be %ld to %ld", key, lo, hi);
        return false;
    }
    *out = x;
    return true;
}

bool api_known_params(const api_param *p, size_t n, const char *const *known, const char *endpoint,
                      bogie_response *r)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (known[k] && strcmp(known[k], p[i].key) != 0)
            k++;
        if (known[k])
            continue;
        char list[400] = "";
        size_t len = 0;
        for (k = 0; known[k] && len < sizeof list; k++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", known[k]);
        api_error_answer(r, 400, "InvalidQuery",
                         "Query string malformed close to position %zu: unknown option \"%.63s\" (%s takes %s)",
                         p[i].offset, p[i].key, endpoint, list);
        return false;
    }
    return true;
}

/* Reads "lon,lat;lon,lat;..." (OSRM's order) into lat/lon arrays; returns the count, or -1 with *bad set to the
 * index of the first malformed pair. */
long api_parse_coords(const char *s, double *lat, double *lon, size_t max, size_t *bad)
{
    size_t n = 0;
    *bad = 0;
    while (*s) {
        if (n >= max) {
            *bad = n;
            return -2;
        }
        char *end;
        double x = strtod(s, &end);
        if (end == s || *end != ',') {
            *bad = n;
            return -1;
        }
        s = end + 1;
        double y = strtod(s, &end);
        if (end == s || (*end != ';' && *end != '\0') || !(x >= -180 && x <= 180) || !(y >= -90 && y <= 90)) {
            *bad = n;
            return -1;
        }
        lon[n] = x;
        lat[n] = y;
        n++;
        s = *end ? end + 1 : end;
        if (*end == ';' && !*s) {
            *bad = n;
            return -1;
        }
    }
    return (long)n;
}

static const bogie_train *find_train(const bogie_service *s, const char *name)
{
    for (size_t i = 0; i < s->n_trains; i++)
        if (strcmp(s->trains[i].name, name) == 0)
            return &s->trains[i];
    return NULL;
}

static void unknown_train(const bogie_service *s, bogie_response *r, const char *name)
{
    strbuf sb;
    sb_init(&sb, NULL);
    for (size_t i = 0; i < s->n_trains; i++)
        sb_printf(&sb, "%s%s", i ? ", " : "", s->trains[i].name);
    api_error_answer(r, 400, "InvalidValue", "unknown train \"%.80s\"; trains: %s", name, sb.failed ? "?" : sb.s);
    sb_free(&sb);
}

const bogie_train *api_train_or_answer(bogie_service *s, const char *name, bogie_response *r)
{
    const bogie_train *t = find_train(s, name);
    if (!t)
        unknown_train(s, r, name);
    return t;
}
