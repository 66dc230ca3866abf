/* api_native.c: the HTTP API's native endpoints: /api/journey (a journey in any of bogie's formats), /api/stations,
 * /api/trains, /api/network (the track, breaks of gauge and stations as GeoJSON, for the map) and /health. */
#include "serve/api_int.h"

#include "net/network.h"
#include "net/tags.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_journey(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
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
    } else if (format && strcmp(format, "json") != 0) {
        api_error_answer(r, 400, "InvalidOptions", "format must be json, geojson, gpx or svg");
        return;
    }
    const char *vias[32], *avoid[32];
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
        }
    }
    req.from = api_param_value(p, np, "from");
    req.to = api_param_value(p, np, "to");
    if (!req.from || !req.to || !*req.from || !*req.to) {
        api_error_answer(r, 400, "InvalidQuery", "from and to are needed: station names or lat,lon");
        return;
    }
    req.via = vias;
    req.avoid = avoid;
    req.train = t;
    req.depart = api_param_value(p, np, "depart");
    if (req.depart && !*req.depart)
        req.depart = NULL;
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
    req.time_limit_s = s->opts.time_limit_s;
    req.field_prefix = "";
    bogie_journey *j;
    bogie_diag d = {0};
    bogie_status st = bogie_plan(s->planner, &req, &j, &d);
    if (st != BOGIE_OK) {
        api_status_answer(r, st, &d);
        return;
    }
    char *text = NULL;
    st = bogie_journey_write(j, fmt, &text);
    bogie_journey_free(j);
    if (st != BOGIE_OK) {
        api_error_answer(r, 503, "Overloaded", "%s", bogie_strerror(st));
        return;
    }
    r->status = 200;
    r->content_type = type;
    r->body = text;
    r->length = strlen(text);
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

/* Reads bbox ("minlon,minlat,maxlon,maxlat": four finite numbers, longitudes within -180..180, latitudes within
 * -90..90, each minimum at most its maximum) into bb; NULL leaves bb as it is. false after answering 400. */
static bool read_bbox(const char *bbox, double bb[4], bogie_response *r)
{
    static const char *const names[4] = {"minlon", "minlat", "maxlon", "maxlat"};
    if (!bbox)
        return true;
    const char *s = bbox;
    for (int i = 0; i < 4; i++) {
        char *end;
        double v = strtod(s, &end);
        double lim = i % 2 ? 90 : 180;
        if (end == s || (i < 3 ? *end != ',' : *end != '\0') || !isfinite(v)) {
            api_error_answer(r, 400, "InvalidValue", "bbox must be four numbers, minlon,minlat,maxlon,maxlat (got "
                             "\"%.100s\")", bbox);
            return false;
        }
        if (!(v >= -lim && v <= lim)) {
            api_error_answer(r, 400, "InvalidValue", "bbox: %s %g is outside -%g..%g", names[i], v, lim, lim);
            return false;
        }
        bb[i] = v;
        s = end + 1;
    }
    if (bb[0] > bb[2] || bb[1] > bb[3]) {
        api_error_answer(r, 400, "InvalidValue", "bbox: %s is greater than %s", bb[0] > bb[2] ? "minlon" : "minlat",
                         bb[0] > bb[2] ? "maxlon" : "maxlat");
        return false;
    }
    return true;
}

void api_network(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    const bogie_network *net = s->net;
    double bb[4] = {-180, -90, 180, 90};
    if (!read_bbox(api_param_value(p, np, "bbox"), bb, r))
        return;
    long z;
    if (!api_int_param(p, np, "zoom", 8, 0, 22, "InvalidValue", r, &z))
        return;
    /* About one pixel at the equator at this zoom: 256-pixel tiles over 40,075 km. */
    double tol = 40075016.7 / (256.0 * (double)(1u << z));
    strbuf sb;
    sb_init(&sb, NULL);
    sb_puts(&sb, "{\"type\":\"FeatureCollection\",\"features\":[");
    bool first = true;
    VEC(uint8_t) keep = {0};
    VEC(double) pts = {0};
    for (uint32_t e = 0; e < net->n_edges && !sb.failed; e++) {
        const net_edge *ed = &net->edges[e];
        const net_point *g = net->geom + ed->geom_first;
        double lo_lat = 90, hi_lat = -90, lo_lon = 180, hi_lon = -180;
        for (uint32_t k = 0; k < ed->geom_count; k++) {
            double la = g[k].lat * 1e-7, lo = g[k].lon * 1e-7;
            lo_lat = la < lo_lat ? la : lo_lat;
            hi_lat = la > hi_lat ? la : hi_lat;
            lo_lon = lo < lo_lon ? lo : lo_lon;
            hi_lon = lo > hi_lon ? lo : hi_lon;
        }
        if (hi_lon < bb[0] || lo_lon > bb[2] || hi_lat < bb[1] || lo_lat > bb[3])
            continue;
        keep.n = pts.n = 0;
        if (VEC_RESERVE(NULL, keep, ed->geom_count) != 0 || VEC_RESERVE(NULL, pts, 2 * (size_t)ed->geom_count) != 0) {
            sb.failed = true;
            break;
        }
        for (uint32_t k = 0; k < ed->geom_count; k++) {
            pts.v[2 * k] = g[k].lat * 1e-7;
            pts.v[2 * k + 1] = g[k].lon * 1e-7;
            keep.v[k] = 0;
        }
        api_simplify((const double (*)[2])pts.v, 0, ed->geom_count - 1, tol, keep.v);
        const net_class *c = &net->classes[ed->cls];
        char gauge[32], power[64];
        tags_gauge_label(c, gauge, sizeof gauge);
        tags_power_label(c, power, sizeof power);
        sb_printf(&sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"track\",\"gauge\":\"%s\",\"electrification\":",
                  first ? "" : ",", gauge);
        sb_json_string(&sb, power);
        sb_printf(&sb, ",\"maxspeed_kmh\":%.0f,\"use\":\"%s\",\"schematic\":%s},\"geometry\":{\"type\":"
                       "\"LineString\",\"coordinates\":[",
                  c->maxspeed_fwd, c->service ? tags_service_name(c->service) : c->usage ? tags_usage_name(c->usage)
                                                                                          : "unspecified",
                  (c->flags & NET_CLASS_SCHEMATIC) ? "true" : "false");
        bool firstp = true;
        for (uint32_t k = 0; k < ed->geom_count; k++) {
            if (!keep.v[k])
                continue;
            sb_puts(&sb, firstp ? "[" : ",[");
            sb_fixed(&sb, pts.v[2 * k + 1], 5);
            sb_puts(&sb, ",");
            sb_fixed(&sb, pts.v[2 * k], 5);
            sb_puts(&sb, "]");
            firstp = false;
        }
        sb_puts(&sb, "]}}");
        first = false;
    }
    VEC_FREE(NULL, keep);
    VEC_FREE(NULL, pts);
    bogie_summary *sum = NULL;
    if (bogie_network_summary(net, &sum) == BOGIE_OK) {
        for (size_t i = 0; i < sum->n_breaks; i++) {
            const bogie_gauge_break *b = &sum->breaks[i];
            if (b->lon < bb[0] || b->lon > bb[2] || b->lat < bb[1] || b->lat > bb[3])
                continue;
            sb_printf(&sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"break\",\"gauges\":", first ? "" : ",");
            sb_json_string(&sb, b->gauges);
            sb_puts(&sb, ",\"break_kind\":");
            sb_json_string(&sb, b->kind);
            sb_puts(&sb, ",\"station\":");
            sb_json_string(&sb, b->station);
            sb_puts(&sb, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":");
            api_write_location(&sb, b->lat, b->lon);
            sb_puts(&sb, "}}");
            first = false;
        }
        bogie_summary_free(net, sum);
    }
    for (uint32_t i = 0; i < net->n_stations; i++) {
        const net_station *st = &net->stations[i];
        double la = st->lat * 1e-7, lo = st->lon * 1e-7;
        if (lo < bb[0] || lo > bb[2] || la < bb[1] || la > bb[3])
            continue;
        const char *en = NULL;
        for (uint32_t k = 0; k < st->names_count; k++)
            if (strcmp(net_str(net, net->names[st->names_first + k].key), "name:en") == 0)
                en = net_str(net, net->names[st->names_first + k].value);
        sb_printf(&sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"station\",\"name\":", first ? "" : ",");
        sb_json_string(&sb, en && *en ? en : net_str(net, st->name));
        sb_puts(&sb, ",\"local_name\":");
        sb_json_string(&sb, net_str(net, st->name));
        sb_puts(&sb, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":");
        api_write_location(&sb, la, lo);
        sb_puts(&sb, "}}");
        first = false;
    }
    sb_puts(&sb, "]}\n");
    api_set_body(r, 200, "application/geo+json", &sb);
}

void api_health(bogie_service *s, bogie_response *r)
{
    strbuf sb;
    sb_init(&sb, NULL);
    sb_printf(&sb, "{\"status\":\"ok\",\"nodes\":%u,\"edges\":%u,\"stations\":%u,\"trains\":%zu}\n", s->net->n_nodes,
              s->net->n_edges, s->net->n_stations, s->n_trains);
    api_set_body(r, 200, "application/json", &sb);
}
