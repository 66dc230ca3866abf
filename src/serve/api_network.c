/* api_network.c: the HTTP API's /api/network: the track, breaks of gauge and stations as a GeoJSON FeatureCollection
 * for the map, simplified for a zoom level and cut to a bbox. The answer is made piece by piece (a few features at a
 * time) so that the server can stream it to a client without ever holding all of it (32 MB for a network of 54,000
 * nodes); the service's own answer drains the same stream into one body. */
#include "serve/api_int.h"

#include "net/network.h"
#include "net/tags.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this zoom the geometry is not simplified further: its tolerance (0.6 m at zoom 18) is already below the
 * precision of the coordinates written (five decimals, about a metre), so finer zooms would only add points that
 * cannot be told apart. */
#define NETWORK_MAX_DETAIL_ZOOM 18

/* How many bytes of features a stream makes at a time before handing them out. */
#define STREAM_PIECE_BYTES (32u * 1024)

enum { PHASE_HEAD, PHASE_TRACK, PHASE_BREAKS, PHASE_STATIONS, PHASE_TAIL, PHASE_DONE };

struct api_netstream {
    const bogie_network *net;
    double bb[4];           /* minlon, minlat, maxlon, maxlat */
    double tol;             /* the simplification's tolerance in metres */
    int phase;
    size_t next;            /* the next edge, break or station of the phase */
    bool first;             /* no feature written yet */
    bogie_summary *sum;     /* the breaks of gauge; owned */
    strbuf piece;           /* features made and not all handed out yet */
    size_t sent;            /* bytes of piece handed out */
    VEC(uint8_t) keep;      /* scratch for one edge's simplification */
    VEC(double) pts;
};

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

api_netstream *api_netstream_open(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    double bb[4] = {-180, -90, 180, 90};
    long z;
    if (!read_bbox(api_param_value(p, np, "bbox"), bb, r) ||
        !api_int_param(p, np, "zoom", 8, 0, 22, "InvalidValue", r, &z))
        return NULL;
    api_netstream *ns = calloc(1, sizeof *ns);
    if (!ns) {
        api_error_answer(r, 503, "Overloaded", "out of memory");
        return NULL;
    }
    ns->net = s->net;
    memcpy(ns->bb, bb, sizeof bb);
    if (z > NETWORK_MAX_DETAIL_ZOOM)
        z = NETWORK_MAX_DETAIL_ZOOM;
    /* About one pixel at the equator at this zoom: 256-pixel tiles over 40,075 km. */
    ns->tol = 40075016.7 / (256.0 * (double)(1u << z));
    ns->first = true;
    sb_init(&ns->piece, NULL);
    return ns;
}

void api_netstream_free(api_netstream *ns)
{
    if (!ns)
        return;
    bogie_summary_free(ns->net, ns->sum);
    sb_free(&ns->piece);
    VEC_FREE(NULL, ns->keep);
    VEC_FREE(NULL, ns->pts);
    free(ns);
}

static bool inside(const api_netstream *ns, double lat, double lon)
{
    return lon >= ns->bb[0] && lon <= ns->bb[2] && lat >= ns->bb[1] && lat <= ns->bb[3];
}

/* Appends edge e as a track feature, simplified, when its extent meets the bbox. */
static void write_track(api_netstream *ns, uint32_t e)
{
    const bogie_network *net = ns->net;
    strbuf *sb = &ns->piece;
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
    if (hi_lon < ns->bb[0] || lo_lon > ns->bb[2] || hi_lat < ns->bb[1] || lo_lat > ns->bb[3])
        return;
    if (VEC_RESERVE(NULL, ns->keep, ed->geom_count) != 0 || VEC_RESERVE(NULL, ns->pts, 2 * (size_t)ed->geom_count)) {
        sb->failed = true;
        return;
    }
    double *pts = ns->pts.v;
    for (uint32_t k = 0; k < ed->geom_count; k++) {
        pts[2 * k] = g[k].lat * 1e-7;
        pts[2 * k + 1] = g[k].lon * 1e-7;
        ns->keep.v[k] = 0;
    }
    api_simplify((const double (*)[2])pts, 0, ed->geom_count - 1, ns->tol, ns->keep.v);
    const net_class *c = &net->classes[ed->cls];
    char gauge[32], power[64];
    tags_gauge_label(c, gauge, sizeof gauge);
    tags_power_label(c, power, sizeof power);
    sb_printf(sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"track\",\"gauge\":\"%s\",\"electrification\":",
              ns->first ? "" : ",", gauge);
    sb_json_string(sb, power);
    sb_printf(sb, ",\"maxspeed_kmh\":%.0f,\"use\":\"%s\",\"schematic\":%s},\"geometry\":{\"type\":"
                  "\"LineString\",\"coordinates\":[",
              c->maxspeed_fwd, c->service ? tags_service_name(c->service) : c->usage ? tags_usage_name(c->usage)
                                                                                      : "unspecified",
              (c->flags & NET_CLASS_SCHEMATIC) ? "true" : "false");
    bool firstp = true;
    for (uint32_t k = 0; k < ed->geom_count; k++) {
        if (!ns->keep.v[k])
            continue;
        sb_puts(sb, firstp ? "[" : ",[");
        sb_fixed(sb, pts[2 * k + 1], 5);
        sb_puts(sb, ",");
        sb_fixed(sb, pts[2 * k], 5);
        sb_puts(sb, "]");
        firstp = false;
    }
    sb_puts(sb, "]}}");
    ns->first = false;
}

/* Appends break of gauge i as a point feature when it lies in the bbox. */
static void write_break(api_netstream *ns, size_t i)
{
    const bogie_gauge_break *b = &ns->sum->breaks[i];
    strbuf *sb = &ns->piece;
    if (!inside(ns, b->lat, b->lon))
        return;
    sb_printf(sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"break\",\"gauges\":", ns->first ? "" : ",");
    sb_json_string(sb, b->gauges);
    sb_puts(sb, ",\"break_kind\":");
    sb_json_string(sb, b->kind);
    sb_puts(sb, ",\"station\":");
    sb_json_string(sb, b->station);
    sb_puts(sb, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":");
    api_write_location(sb, b->lat, b->lon);
    sb_puts(sb, "}}");
    ns->first = false;
}

/* Appends station i as a point feature, with its English name when it has one, when it lies in the bbox. */
static void write_station(api_netstream *ns, uint32_t i)
{
    const bogie_network *net = ns->net;
    const net_station *st = &net->stations[i];
    strbuf *sb = &ns->piece;
    double la = st->lat * 1e-7, lo = st->lon * 1e-7;
    if (!inside(ns, la, lo))
        return;
    const char *en = NULL;
    for (uint32_t k = 0; k < st->names_count; k++)
        if (strcmp(net_str(net, net->names[st->names_first + k].key), "name:en") == 0)
            en = net_str(net, net->names[st->names_first + k].value);
    sb_printf(sb, "%s{\"type\":\"Feature\",\"properties\":{\"kind\":\"station\",\"name\":", ns->first ? "" : ",");
    sb_json_string(sb, en && *en ? en : net_str(net, st->name));
    sb_puts(sb, ",\"local_name\":");
    sb_json_string(sb, net_str(net, st->name));
    sb_puts(sb, "},\"geometry\":{\"type\":\"Point\",\"coordinates\":");
    api_write_location(sb, la, lo);
    sb_puts(sb, "}}");
    ns->first = false;
}

/* Makes features into ns->piece until it holds STREAM_PIECE_BYTES or the answer is complete. */
static void make_piece(api_netstream *ns)
{
    const bogie_network *net = ns->net;
    while (ns->piece.len < STREAM_PIECE_BYTES && ns->phase != PHASE_DONE && !ns->piece.failed) {
        switch (ns->phase) {
        case PHASE_HEAD:
            sb_puts(&ns->piece, "{\"type\":\"FeatureCollection\",\"features\":[");
            ns->phase = PHASE_TRACK;
            break;
        case PHASE_TRACK:
            if (ns->next < net->n_edges)
                write_track(ns, (uint32_t)ns->next++);
            else {
                ns->phase = PHASE_BREAKS;
                ns->next = 0;
                /* Without a summary (out of memory) the map shows no breaks, as before streaming. */
                if (bogie_network_summary(net, &ns->sum) != BOGIE_OK)
                    ns->sum = NULL;
            }
            break;
        case PHASE_BREAKS:
            if (ns->sum && ns->next < ns->sum->n_breaks)
                write_break(ns, ns->next++);
            else {
                ns->phase = PHASE_STATIONS;
                ns->next = 0;
            }
            break;
        case PHASE_STATIONS:
            if (ns->next < net->n_stations)
                write_station(ns, (uint32_t)ns->next++);
            else
                ns->phase = PHASE_TAIL;
            break;
        default:
            sb_puts(&ns->piece, "]}\n");
            ns->phase = PHASE_DONE;
        }
    }
}

long api_netstream_read(api_netstream *ns, char *buf, size_t max)
{
    if (ns->sent == ns->piece.len) {
        ns->piece.len = ns->sent = 0;
        make_piece(ns);
        if (ns->piece.failed)
            return -1;
    }
    size_t n = ns->piece.len - ns->sent;
    n = n < max ? n : max;
    if (n == 0)
        return 0;
    memcpy(buf, ns->piece.s + ns->sent, n);
    ns->sent += n;
    return (long)n;
}

void api_network(bogie_service *s, const api_param *p, size_t np, bogie_response *r)
{
    api_netstream *ns = api_netstream_open(s, p, np, r);
    if (!ns)
        return;
    strbuf sb;
    sb_init(&sb, NULL);
    char buf[16384];
    long n = 0;
    while (!sb.failed && (n = api_netstream_read(ns, buf, sizeof buf)) > 0)
        sb_append(&sb, buf, (size_t)n);
    if (n < 0)
        sb.failed = true;
    api_netstream_free(ns);
    api_set_body(r, 200, "application/geo+json", &sb);
}
