/* api_native.c: the HTTP API's native endpoints: /api/journey (a journey in any of bogie's formats), /api/where
 * (where its train is at a time), /api/stations,
 * /api/trains and /health (/api/network has a file of its own, api_network.c). */
#include "serve/api_int.h"

#include "net/network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* /api/journey, or with where /api/where (the journey and where its train is at the time at gives). */
static void journey_answer(bogie_service *s, const api_param *p, size_t np, bogie_response *r, bool where)
{
    const char *train = api_param_value(p, np, "train"), *format = api_param_value(p, np, "format");
    if (!train) {
        api_error_answer(r, 400, "InvalidQuery", "train is needed (GET /api/trains lists them)");
        return;
    }
    const bogie_train *t = api_train_or_answer(s, train, r);
    if (!t)
        return;
    bogie_format fmt = BOGIE_FORMAT_JSON;
    const char *type = "application/json";
    if (format && strcmp(format, "svg") == 0) {
        fmt = BOGIE_FORMAT_SVG;
        type = "image/svg+xml";
    } else if (format && strcmp(format, "geojson") == 0) {
        fmt = BOGIE_FORMAT_GEOJSON;
        type = "application/geo+json";
    } else if (format && strcmp(format, "gpx") == 0) {
        fmt = BOGIE_FORMAT_GPX;
        type = "application/gpx+xml";
    } else if (format && strcmp(format, "gtfs") == 0) {
        fmt = BOGIE_FORMAT_GTFS;
        type = "application/zip";
    } else if (format && strcmp(format, "json") != 0) {
        api_error_answer(r, 400, "InvalidOptions", "format must be json, geojson, gpx, svg or gtfs");
        return;
    }
    const char *vias[32], *avoid[32], *seen[16];
    bogie_journey_request req;
    bogie_journey_request_init(&req);
    for (size_t i = 0; i < np; i++) {
        if (strcmp(p[i].key, "via") == 0 && p[i].value[0]) {
            if (req.n_via >= s->opts.max_via || req.n_via >= 30) {
                api_error_answer(r, 400, "TooBig", "at most %zu via points", s->opts.max_via < 30 ? s->opts.max_via : 30);
                return;
            }
            vias[req.n_via++] = p[i].value;
        } else if (strcmp(p[i].key, "avoid") == 0 && p[i].value[0]) {
            if (req.n_avoid >= 32) {
                api_error_answer(r, 400, "TooBig", "at most 32 places to avoid");
                return;
            }
            avoid[req.n_avoid++] = p[i].value;
        } else if (strcmp(p[i].key, "seen") == 0 && p[i].value[0]) {
            if (req.n_seen >= 16) {
                api_error_answer(r, 400, "TooBig", "at most 16 sightings");
                return;
            }
            seen[req.n_seen++] = p[i].value;
        }
    }
    const char *at = api_param_value(p, np, "at");
    if (where && (!at || !*at)) {
        api_error_answer(r, 400, "InvalidQuery", "at is needed: a time, as depart takes it, or now");
        return;
    }
    if (where && fmt != BOGIE_FORMAT_JSON) {
        api_error_answer(r, 400, "InvalidOptions", "/api/where answers in json only");
        return;
    }
    req.from = api_param_value(p, np, "from");
    req.to = api_param_value(p, np, "to");
    if (!req.from || !req.to || !*req.from || !*req.to) {
        api_error_answer(r, 400, "InvalidQuery", "from and to are needed: station names or lat,lon");
        return;
    }
    req.via = vias;
    req.avoid = avoid;
    req.seen = seen;
    req.train = t;
    req.depart = api_param_value(p, np, "depart");
    if (req.depart && !*req.depart)
        req.depart = NULL;
    if (fmt == BOGIE_FORMAT_GTFS && !req.depart) {
        api_error_answer(r, 400, "InvalidQuery", "format=gtfs needs depart: a feed's stop times are times of day");
        return;
    }
    const char *dwell = api_param_value(p, np, "dwell");
    if (dwell && *dwell) {
        char *end;
        double m = strtod(dwell, &end);
        if (*end || !(m >= 0 && m <= 10080)) {
            api_error_answer(r, 400, "InvalidValue", "dwell must be a number of minutes");
            return;
        }
        req.via_dwell_s = m * 60;
    }
    long gauge;
    if (!api_int_param(p, np, "gauge", 0, 100, 3000, "InvalidValue", r, &gauge))
        return;
    req.start_gauge = (uint16_t)gauge;
    req.time_limit_s = s->opts.time_limit_s;
    req.field_prefix = "";
    bogie_journey *j;
    bogie_diag d = {0};
    bogie_status st = bogie_plan(s->planner, &req, &j, &d);
    if (st != BOGIE_OK) {
        api_status_answer(r, st, &d);
        return;
    }
    unsigned char *bytes = NULL;
    size_t len = 0;
    char *text = NULL;
    bogie_position pos;
    if (where && (st = bogie_where(s->planner, j, at, &pos, &d)) != BOGIE_OK) {
        bogie_journey_free(j);
        api_status_answer(r, st, &d);
        return;
    }
    if (where) {
        st = bogie_position_write(j, &pos, fmt, &text);
        bytes = (unsigned char *)text;
        len = text ? strlen(text) : 0;
    } else {
        st = bogie_journey_write_bytes(j, fmt, &bytes, &len, &d);
    }
    bogie_journey_free(j);
    if (st != BOGIE_OK) {
        api_error_answer(r, 503, "Overloaded", "%s", bogie_strerror(st));
        return;
    }
    r->status = 200;
    r->content_type = type;
    r->body = (char *)bytes;
    r->length = len;
    if (fmt == BOGIE_FORMAT_GTFS)
        r->disposition = "attachment; filename=\"bogie-journey-gtfs.zip\"";
}

void api_journey(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    journey_answer(s, p, np, r, false);
}

void api_where(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    journey_answer(s, p, np, r, true);
}

void api_stations(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    const char *q = api_param_value(p, np, "q");
    if (!q || !*q) {
        api_error_answer(r, 400, "InvalidQuery", "q is needed: part of a station name");
        return;
    }
    long limit;
    if (!api_int_param(p, np, "limit", 10, 1, 50, "InvalidOptions", r, &limit))
        return;
    bogie_station_match m[50];
    size_t n;
    bogie_diag d = {0};
    bogie_status st = bogie_stations_search(s->planner, q, m, (size_t)limit, &n, &d);
    if (st != BOGIE_OK) {
        api_status_answer(r, st, &d);
        return;
    }
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\",\"stations\":[");
    for (size_t i = 0; i < n; i++) {
        sb_printf(&sb, "%s{\"id\":%u,\"name\":", i ? "," : "", m[i].station);
        sb_json_string(&sb, m[i].name);
        sb_puts(&sb, ",\"local_name\":");
        sb_json_string(&sb, m[i].local_name);
        sb_puts(&sb, ",\"matched\":");
        sb_json_string(&sb, m[i].matched);
        sb_puts(&sb, ",\"matched_key\":");
        sb_json_string(&sb, m[i].matched_key);
        sb_puts(&sb, ",\"lat\":");
        sb_fixed(&sb, m[i].lat, 6);
        sb_puts(&sb, ",\"lon\":");
        sb_fixed(&sb, m[i].lon, 6);
        sb_printf(&sb, ",\"quality\":%d}", m[i].quality);
    }
    sb_puts(&sb, "]}\n");
    api_set_body(r, 200, "application/json", &sb);
}

void api_trains(bogie_service *s, bogie_response *r)
{
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"code\":\"Ok\",\"trains\":[");
    for (size_t i = 0; i < s->n_trains; i++) {
        const bogie_train *t = &s->trains[i];
        sb_puts(&sb, i ? ",{\"name\":" : "{\"name\":");
        sb_json_string(&sb, t->name);
        sb_puts(&sb, ",\"title\":");
        sb_json_string(&sb, t->title);
        sb_puts(&sb, ",\"gauges\":[");
        for (size_t k = 0; k < t->n_gauges; k++)
            sb_printf(&sb, "%s%u", k ? "," : "", t->gauges[k]);
        sb_printf(&sb, "],\"gauge_change\":\"%s\",\"change_to\":[", bogie_change_method_name(t->change));
        for (size_t k = 0; t->change != BOGIE_CHANGE_NONE && k < t->n_change_to; k++)
            sb_printf(&sb, "%s%u", k ? "," : "", t->change_to[k]);
        sb_printf(&sb, "],\"traction\":\"%s\",\"max_speed_kmh\":%.1f}",
                  t->traction == BOGIE_TRACTION_DIESEL ? "diesel" : "electric", t->max_speed_ms * 3.6);
    }
    sb_puts(&sb, "]}\n");
    api_set_body(r, 200, "application/json", &sb);
}

void api_health(bogie_service *s, bogie_response *r)
{
    strbuf sb;
    sb_init(&sb, NULL);
    sb_printf(&sb, "{\"status\":\"ok\",\"nodes\":%u,\"edges\":%u,\"stations\":%u,\"trains\":%zu,\"prepared\":%zu}\n",
              s->net->n_nodes, s->net->n_edges, s->net->n_stations, s->n_trains, atomic_load(&s->prepared));
    api_set_body(r, 200, "application/json", &sb);
}
