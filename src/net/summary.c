/* summary.c: what `bogie info` reports about a network: sizes, track length per gauge, electrification and use,
 * suspicious values, breaks of gauge, and the reference data's gauge-change facilities that apply to no station,
 * as a struct and as JSON. */
#include "net/network.h"
#include "net/facilities.h"
#include "net/tags.h"
#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef VEC(bogie_km_row) km_rows;
typedef VEC(bogie_share_row) share_rows;

/* Adds km to the row labelled label, creating it if needed. Returns -1 when memory runs out. */
static int add_km(const bogie_allocator *a, km_rows *rows, const char *label, double km)
{
    for (size_t i = 0; i < rows->n; i++)
        if (strcmp(rows->v[i].label, label) == 0) {
            rows->v[i].km += km;
            rows->v[i].edges++;
            return 0;
        }
    bogie_km_row r;
    memset(&r, 0, sizeof r);
    util_strlcpy_utf8(r.label, label, sizeof r.label);
    r.km = km;
    r.edges = 1;
    return VEC_PUSH(a, *rows, r);
}

static int cmp_km_desc(const void *pa, const void *pb)
{
    const bogie_km_row *a = pa, *b = pb;
    if (a->km != b->km)
        return a->km > b->km ? -1 : 1;
    return strcmp(a->label, b->label);
}

static const char *usage_label(const net_class *c)
{
    if (c->service)
        return tags_service_name(c->service);
    if (c->usage)
        return tags_usage_name(c->usage);
    return "unspecified";
}

static void country_label(const bogie_network *net, uint16_t code, char *buf, size_t n)
{
    if (code == 0)
        snprintf(buf, n, "unknown");
    else
        snprintf(buf, n, "%s %s", net->countries[code - 1].alpha2, net_str(net, net->countries[code - 1].name));
}

static double round1(double v)
{
    return floor(v * 10 + 0.5) / 10;
}

/* Writes "80 km/h", or "64.4/80 km/h" when the directions differ, or "unknown". */
static void speed_label(const net_class *c, char *buf, size_t n)
{
    if (c->maxspeed_fwd == 0 && c->maxspeed_bwd == 0)
        snprintf(buf, n, "unknown");
    else if (c->maxspeed_fwd == c->maxspeed_bwd)
        snprintf(buf, n, "%g km/h", round1(c->maxspeed_fwd));
    else
        snprintf(buf, n, "%g/%g km/h", round1(c->maxspeed_fwd), round1(c->maxspeed_bwd));
}

/* Copies the rows into a new array owned by the summary; sorts them by length. */
static int finish_rows(const bogie_allocator *a, km_rows *rows, bogie_km_row **out, size_t *n)
{
    util_sort(rows->v, rows->n, sizeof *rows->v, cmp_km_desc);
    *out = NULL;
    *n = rows->n;
    if (rows->n) {
        *out = util_malloc(a, rows->n * sizeof **out);
        if (!*out) {
            *n = 0;
            VEC_FREE(a, *rows);
            return -1;
        }
        memcpy(*out, rows->v, rows->n * sizeof **out);
    }
    VEC_FREE(a, *rows);
    return 0;
}

static int cmp_label(const void *pa, const void *pb)
{
    return strcmp((const char *)pa, (const char *)pb);
}

/* Fills br's text fields for the break at node v. */
static void describe_break(const bogie_network *net, const net_break *nb, bogie_gauge_break *br)
{
    char labels[16][32];
    size_t nl = 0;
    uint32_t v = nb->node;
    for (uint32_t h = net->node_adj[v]; h < net->node_adj[v + 1] && nl < 16; h++) {
        const net_class *c = &net->classes[net->edges[net->adj[h] >> 1].cls];
        if (!c->n_gauge)
            continue;
        char l[32];
        tags_gauge_label(c, l, sizeof l);
        bool dup = false;
        for (size_t i = 0; i < nl && !dup; i++)
            dup = strcmp(labels[i], l) == 0;
        if (!dup)
            memcpy(labels[nl++], l, sizeof l);
    }
    util_sort(labels, nl, sizeof labels[0], cmp_label);
    br->gauges[0] = '\0';
    for (size_t i = 0; i < nl; i++) {
        size_t used = strlen(br->gauges);
        snprintf(br->gauges + used, sizeof br->gauges - used, "%s%s", i ? " | " : "", labels[i]);
    }
    br->node = v;
    br->lat = net->nodes[v].lat * 1e-7;
    br->lon = net->nodes[v].lon * 1e-7;
    snprintf(br->kind, sizeof br->kind, "%s",
             nb->kind == NET_BREAK_GAUGE ? "break of gauge" : "dual gauge begins/ends");
    br->station[0] = '\0';
    br->station_dist_m = -1;
    if (nb->station != BOGIE_NONE) {
        const net_station *st = &net->stations[nb->station];
        const char *name = net_str(net, st->name), *en = NULL;
        for (uint32_t k = 0; k < st->names_count; k++) {
            const net_name *nm = &net->names[st->names_first + k];
            if (strcmp(net_str(net, nm->key), "name:en") == 0)
                en = net_str(net, nm->value);
        }
        if (en && strcmp(en, name) != 0)
            snprintf(br->station, sizeof br->station, "%s (%s)", name, en);
        else
            util_strlcpy_utf8(br->station, name, sizeof br->station);
        br->station_dist_m = nb->station_dist_m;
    }
}

/* The bounding box of the nodes (all 0 for an empty network). */
static void summarize_bounds(const bogie_network *net, bogie_summary *s)
{
    s->min_lat = s->min_lon = 1e9;
    s->max_lat = s->max_lon = -1e9;
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        double lat = net->nodes[v].lat * 1e-7, lon = net->nodes[v].lon * 1e-7;
        if (lat < s->min_lat) s->min_lat = lat;
        if (lat > s->max_lat) s->max_lat = lat;
        if (lon < s->min_lon) s->min_lon = lon;
        if (lon > s->max_lon) s->max_lon = lon;
    }
    if (net->n_nodes == 0)
        s->min_lat = s->min_lon = s->max_lat = s->max_lon = 0;
}

/* The share row labelled label in shares, created (all zero) if needed; NULL when memory runs out. */
static bogie_share_row *share_row(const bogie_allocator *a, share_rows *shares, const char *label)
{
    for (size_t i = 0; i < shares->n; i++)
        if (strcmp(shares->v[i].label, label) == 0)
            return &shares->v[i];
    bogie_share_row r;
    memset(&r, 0, sizeof r);
    util_strlcpy_utf8(r.label, label, sizeof r.label);
    return VEC_PUSH(a, *shares, r) == 0 ? &shares->v[shares->n - 1] : NULL;
}

/* Adds km of track of class c to its country's share row (bogie_share_row says what counts as assumed). Returns
 * true when memory runs out. */
static bool add_share_km(const bogie_allocator *a, share_rows *shares, const char *label, const net_class *c,
                         double km)
{
    bogie_share_row *r = share_row(a, shares, label);
    if (!r)
        return true;
    r->km += km;
    if (c->flags & NET_CLASS_SCHEMATIC)
        r->schematic_km += km;
    if (c->n_gauge == 0 || (c->flags & NET_CLASS_GAUGE_ASSUMED))
        r->gauge_assumed_km += km;
    if (!(c->maxspeed_fwd > 0 && c->maxspeed_bwd > 0) || (c->flags & NET_CLASS_SPEED_ASSUMED))
        r->speed_assumed_km += km;
    bool no_voltage = c->electrified == NET_ELEC_YES && c->n_power == 0;
    for (unsigned i = 0; i < c->n_power; i++)
        no_voltage |= c->power[i].voltage == 0;
    if (c->electrified == NET_ELEC_UNKNOWN || no_voltage || (c->flags & NET_CLASS_ELEC_ASSUMED))
        r->power_assumed_km += km;
    return false;
}

/* Adds edge e's length, in stretches between its border crossings, to the rows of the countries it runs in, and to
 * their share rows. Returns true when memory runs out. */
static bool add_country_km(const bogie_network *net, uint32_t e, km_rows *country, share_rows *shares)
{
    const bogie_allocator *a = net->alloc;
    const net_edge *ed = &net->edges[e];
    const net_class *c = &net->classes[ed->cls];
    char label[64];
    bool failed = false;
    uint16_t cur = net->node_country[ed->from];
    double at = 0;
    for (uint32_t k = net->edge_cross[e]; k <= net->edge_cross[e + 1] && !failed; k++) {
        double upto = k < net->edge_cross[e + 1] ? net->crossings[k].pos_m : ed->length_m;
        country_label(net, cur, label, sizeof label);
        if (upto > at) {
            failed |= add_km(a, country, label, (upto - at) / 1000.0) != 0;
            failed |= add_share_km(a, shares, label, c, (upto - at) / 1000.0);
        }
        at = upto;
        if (k < net->edge_cross[e + 1])
            cur = net->crossings[k].to;
    }
    return failed;
}

/* Copies the share rows into a new array owned by the summary, in the order of its by_country rows (which are
 * sorted already). Returns true when memory runs out. */
static bool finish_shares(const bogie_allocator *a, share_rows *shares, bogie_summary *s)
{
    s->shares = NULL;
    s->n_shares = 0;
    if (shares->n) {
        s->shares = util_calloc(a, shares->n, sizeof *s->shares);
        for (size_t i = 0; s->shares && i < s->n_by_country; i++)
            for (size_t k = 0; k < shares->n; k++)
                if (strcmp(shares->v[k].label, s->by_country[i].label) == 0)
                    s->shares[s->n_shares++] = shares->v[k];
    }
    bool failed = shares->n && (!s->shares || s->n_shares != shares->n);
    if (failed && s->shares) {
        util_free(a, s->shares, shares->n * sizeof *s->shares);
        s->shares = NULL;
        s->n_shares = 0;
    }
    VEC_FREE(a, *shares);
    return failed;
}

/* The km of track in all, schematic, and per gauge, power, use, speed limit and country, each list sorted by
 * length, and each country's schematic and assumed shares. Returns true when memory runs out. */
static bool summarize_km(const bogie_network *net, bogie_summary *s)
{
    const bogie_allocator *a = net->alloc;
    km_rows gauge = {0}, power = {0}, usage = {0}, speed = {0}, country = {0};
    share_rows shares = {0};
    bool failed = false;
    for (uint32_t e = 0; e < net->n_edges && !failed; e++) {
        const net_edge *ed = &net->edges[e];
        const net_class *c = &net->classes[ed->cls];
        double km = ed->length_m / 1000.0;
        char label[64];
        s->track_km += km;
        if (c->flags & NET_CLASS_SCHEMATIC)
            s->schematic_km += km;
        tags_gauge_label(c, label, sizeof label);
        failed |= add_km(a, &gauge, label, km) != 0;
        tags_power_label(c, label, sizeof label);
        failed |= add_km(a, &power, label, km) != 0;
        failed |= add_km(a, &usage, usage_label(c), km) != 0;
        speed_label(c, label, sizeof label);
        failed |= add_km(a, &speed, label, km) != 0;
        /* By country: the edge's stretches between its border crossings. */
        if (!failed)
            failed |= add_country_km(net, e, &country, &shares);
    }
    failed |= finish_rows(a, &gauge, &s->by_gauge, &s->n_by_gauge) != 0;
    failed |= finish_rows(a, &power, &s->by_power, &s->n_by_power) != 0;
    failed |= finish_rows(a, &usage, &s->by_usage, &s->n_by_usage) != 0;
    failed |= finish_rows(a, &speed, &s->by_speed, &s->n_by_speed) != 0;
    failed |= finish_rows(a, &country, &s->by_country, &s->n_by_country) != 0;
    if (failed)
        VEC_FREE(a, shares);
    else
        failed = finish_shares(a, &shares, s);
    return failed;
}

/* Copies the import's issues, breaks of gauge and counters into s. Returns true when memory runs out. */
static bool copy_reports(const bogie_network *net, bogie_summary *s)
{
    const bogie_allocator *a = net->alloc;
    bool failed = false;
    if (net->n_issues) {
        s->suspicious = util_calloc(a, net->n_issues, sizeof *s->suspicious);
        failed = !s->suspicious;
        for (size_t i = 0; !failed && i < net->n_issues; i++) {
            const net_issue *is = &net->issues[i];
            bogie_suspicious_row *r = &s->suspicious[i];
            util_strlcpy_utf8(r->what, net_str(net, is->what), sizeof r->what);
            util_strlcpy_utf8(r->value, net_str(net, is->value), sizeof r->value);
            util_strlcpy_utf8(r->reason, net_str(net, is->reason), sizeof r->reason);
            r->count = is->count;
            r->example_type = (char)is->example_type;
            r->example_id = is->example_id;
        }
        s->n_suspicious = failed ? 0 : net->n_issues;
    }
    if (!failed && net->n_breaks) {
        s->breaks = util_calloc(a, net->n_breaks, sizeof *s->breaks);
        failed = !s->breaks;
        for (size_t i = 0; !failed && i < net->n_breaks; i++)
            describe_break(net, &net->breaks[i], &s->breaks[i]);
        s->n_breaks = failed ? 0 : net->n_breaks;
    }
    if (!failed && net->n_stats) {
        s->stats = util_calloc(a, net->n_stats, sizeof *s->stats);
        failed = !s->stats;
        for (size_t i = 0; !failed && i < net->n_stats; i++) {
            util_strlcpy_utf8(s->stats[i].name, net_str(net, net->stats[i].name), sizeof s->stats[i].name);
            s->stats[i].value = net->stats[i].value;
        }
        s->n_stats = failed ? 0 : net->n_stats;
    }
    return failed;
}

/* Copies the generator line of the metadata into s->generator. */
static void read_generator(const bogie_network *net, bogie_summary *s)
{
    const char *g = net->meta;
    size_t left = net->meta_size;
    while (left > 10) {
        const char *nl = memchr(g, '\n', left);
        size_t line = nl ? (size_t)(nl - g) : left;
        if (line > 10 && memcmp(g, "generator=", 10) == 0) {
            size_t n = line - 10 < sizeof s->generator - 1 ? line - 10 : sizeof s->generator - 1;
            memcpy(s->generator, g + 10, n);
            s->generator[n] = '\0';
            break;
        }
        if (!nl)
            break;
        left -= line + 1;
        g = nl + 1;
    }
}

bogie_status bogie_network_summary(const bogie_network *net, bogie_summary **out)
{
    const bogie_allocator *a = net->alloc;
    *out = NULL;
    bogie_summary *s = util_calloc(a, 1, sizeof *s);
    if (!s)
        return BOGIE_ERR_NOMEM;
    s->nodes = net->n_nodes;
    s->edges = net->n_edges;
    s->stations = net->n_stations;
    s->geometry_points = net->n_geom;
    s->format_major = net->header->major;
    s->format_minor = net->header->minor;
    summarize_bounds(net, s);
    bool failed = summarize_km(net, s);
    if (!failed)
        failed = copy_reports(net, s);
    read_generator(net, s);
    if (failed) {
        bogie_summary_free(net, s);
        return BOGIE_ERR_NOMEM;
    }
    *out = s;
    return BOGIE_OK;
}

void bogie_summary_free(const bogie_network *net, bogie_summary *s)
{
    if (!s)
        return;
    const bogie_allocator *a = net->alloc;
    util_free(a, s->by_gauge, s->n_by_gauge * sizeof *s->by_gauge);
    util_free(a, s->by_power, s->n_by_power * sizeof *s->by_power);
    util_free(a, s->by_usage, s->n_by_usage * sizeof *s->by_usage);
    util_free(a, s->by_speed, s->n_by_speed * sizeof *s->by_speed);
    util_free(a, s->by_country, s->n_by_country * sizeof *s->by_country);
    util_free(a, s->shares, s->n_shares * sizeof *s->shares);
    util_free(a, s->suspicious, net->n_issues * sizeof *s->suspicious);
    util_free(a, s->breaks, net->n_breaks * sizeof *s->breaks);
    util_free(a, s->stats, net->n_stats * sizeof *s->stats);
    util_free(a, s->unplaced_facilities, s->n_unplaced_facilities * sizeof *s->unplaced_facilities);
    util_free(a, s, sizeof *s);
}

bogie_status bogie_summary_add_facilities(const bogie_network *net, const bogie_world *world, bogie_summary *s)
{
    size_t listed, n = bogie_unplaced_facilities(net, world, NULL, 0, &listed);
    const char **names = n ? util_calloc(net->alloc, n, sizeof *names) : NULL;
    s->unplaced_facilities = n ? util_calloc(net->alloc, n, sizeof *s->unplaced_facilities) : NULL;
    if (n && (!names || !s->unplaced_facilities)) {
        util_free(net->alloc, names, n * sizeof *names);
        util_free(net->alloc, s->unplaced_facilities, n * sizeof *s->unplaced_facilities);
        s->unplaced_facilities = NULL;
        return BOGIE_ERR_NOMEM;
    }
    bogie_unplaced_facilities(net, world, names, n, &listed);
    for (size_t i = 0; i < n; i++)
        snprintf(s->unplaced_facilities[i], sizeof s->unplaced_facilities[i], "%s", names[i]);
    util_free(net->alloc, names, n * sizeof *names);
    s->n_unplaced_facilities = n;
    s->n_facilities = listed;
    s->has_facilities = true;
    return BOGIE_OK;
}

static void json_rows(strbuf *sb, const char *key, const bogie_km_row *rows, size_t n)
{
    sb_printf(sb, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        sb_puts(sb, i ? ",{\"label\":" : "{\"label\":");
        sb_json_string(sb, rows[i].label);
        sb_printf(sb, ",\"km\":%.3f,\"edges\":%llu}", rows[i].km, (unsigned long long)rows[i].edges);
    }
    sb_puts(sb, "]");
}

/* Appends the per-country schematic and assumed shares: km of each and its percentage of the country's track. */
static void json_shares(strbuf *sb, const bogie_summary *s)
{
    sb_puts(sb, ",\"shares_by_country\":[");
    for (size_t i = 0; i < s->n_shares; i++) {
        const bogie_share_row *r = &s->shares[i];
        const double part[4] = {r->schematic_km, r->gauge_assumed_km, r->speed_assumed_km, r->power_assumed_km};
        static const char *const key[4] = {"schematic", "gauge_assumed", "speed_assumed", "electrification_assumed"};
        sb_puts(sb, i ? ",{\"label\":" : "{\"label\":");
        sb_json_string(sb, r->label);
        sb_printf(sb, ",\"km\":%.3f", r->km);
        for (int k = 0; k < 4; k++)
            sb_printf(sb, ",\"%s_km\":%.3f,\"%s_pct\":%.1f", key[k], part[k], key[k],
                      r->km > 0 ? 100 * part[k] / r->km : 0.0);
        sb_puts(sb, "}");
    }
    sb_puts(sb, "]");
}

/* Appends the report on the reference data's facilities, when the summary has one. */
static void json_facilities(strbuf *sb, const bogie_summary *s)
{
    if (!s->has_facilities)
        return;
    sb_printf(sb, ",\"facilities\":{\"listed\":%zu,\"applying_to_no_station\":[", s->n_facilities);
    for (size_t i = 0; i < s->n_unplaced_facilities; i++) {
        sb_puts(sb, i ? "," : "");
        sb_json_string(sb, s->unplaced_facilities[i]);
    }
    sb_puts(sb, "]}");
}

bogie_status bogie_summary_json(const bogie_summary *s, char **json_out)
{
    strbuf sb;
    sb_init(&sb, NULL);
    sb_printf(&sb, "{\"format_version\":\"%u.%u\",\"generator\":", s->format_major, s->format_minor);
    sb_json_string(&sb, s->generator);
    sb_printf(&sb,
              ",\"nodes\":%llu,\"edges\":%llu,\"stations\":%llu,\"geometry_points\":%llu,\"track_km\":%.3f,"
              "\"schematic_km\":%.3f,\"bbox\":[%.7f,%.7f,%.7f,%.7f]",
              (unsigned long long)s->nodes, (unsigned long long)s->edges, (unsigned long long)s->stations,
              (unsigned long long)s->geometry_points, s->track_km, s->schematic_km, s->min_lon, s->min_lat,
              s->max_lon, s->max_lat);
    json_rows(&sb, "km_by_gauge", s->by_gauge, s->n_by_gauge);
    json_rows(&sb, "km_by_electrification", s->by_power, s->n_by_power);
    json_rows(&sb, "km_by_usage", s->by_usage, s->n_by_usage);
    json_rows(&sb, "km_by_speed_limit", s->by_speed, s->n_by_speed);
    json_rows(&sb, "km_by_country", s->by_country, s->n_by_country);
    json_shares(&sb, s);
    sb_puts(&sb, ",\"suspicious\":[");
    for (size_t i = 0; i < s->n_suspicious; i++) {
        const bogie_suspicious_row *r = &s->suspicious[i];
        sb_puts(&sb, i ? ",{\"what\":" : "{\"what\":");
        sb_json_string(&sb, r->what);
        sb_puts(&sb, ",\"value\":");
        sb_json_string(&sb, r->value);
        sb_puts(&sb, ",\"reason\":");
        sb_json_string(&sb, r->reason);
        const char *type = r->example_type == 'n' ? "node" : r->example_type == 'r' ? "relation" : "way";
        sb_printf(&sb, ",\"count\":%llu,\"example\":{\"type\":\"%s\",\"id\":%lld}}", (unsigned long long)r->count,
                  type, (long long)r->example_id);
    }
    sb_puts(&sb, "],\"breaks_of_gauge\":[");
    for (size_t i = 0; i < s->n_breaks; i++) {
        const bogie_gauge_break *b = &s->breaks[i];
        sb_printf(&sb, "%s{\"node\":%u,\"lat\":%.7f,\"lon\":%.7f,\"kind\":", i ? "," : "", b->node, b->lat, b->lon);
        sb_json_string(&sb, b->kind);
        sb_puts(&sb, ",\"gauges\":");
        sb_json_string(&sb, b->gauges);
        sb_puts(&sb, ",\"nearest_station\":");
        if (b->station_dist_m >= 0) {
            sb_json_string(&sb, b->station);
            sb_printf(&sb, ",\"station_distance_m\":%.0f}", b->station_dist_m);
        } else {
            sb_puts(&sb, "null,\"station_distance_m\":null}");
        }
    }
    sb_puts(&sb, "],\"import\":{");
    for (size_t i = 0; i < s->n_stats; i++) {
        sb_puts(&sb, i ? "," : "");
        sb_json_string(&sb, s->stats[i].name);
        sb_printf(&sb, ":%llu", (unsigned long long)s->stats[i].value);
    }
    sb_puts(&sb, "}");
    json_facilities(&sb, s);
    sb_puts(&sb, "}\n");
    if (sb.failed) {
        sb_free(&sb);
        return BOGIE_ERR_NOMEM;
    }
    *json_out = sb.s;
    return BOGIE_OK;
}

uint32_t bogie_network_edge_count(const bogie_network *net)
{
    return net->n_edges;
}

bogie_status bogie_network_edge(const bogie_network *net, uint32_t index, bogie_edge_info *out)
{
    if (index >= net->n_edges)
        return BOGIE_ERR_ARG;
    const net_edge *e = &net->edges[index];
    const net_class *c = &net->classes[e->cls];
    memset(out, 0, sizeof *out);
    out->from = e->from;
    out->to = e->to;
    out->from_osm = net->node_osm[e->from];
    out->to_osm = net->node_osm[e->to];
    out->osm_way = e->osm_way;
    out->length_m = e->length_m;
    out->maxspeed_fwd_kmh = c->maxspeed_fwd;
    out->maxspeed_bwd_kmh = c->maxspeed_bwd;
    out->min_radius_m = e->min_radius_m == NET_NO_RADIUS ? -1 : e->min_radius_m;
    out->points = e->geom_count;
    tags_gauge_label(c, out->gauge, sizeof out->gauge);
    tags_power_label(c, out->power, sizeof out->power);
    out->railway = tags_railway_name(c->railway);
    out->usage = usage_label(c);
    out->name = net_str(net, c->name);
    out->schematic = (c->flags & NET_CLASS_SCHEMATIC) != 0;
    out->speed_assumed = (c->flags & NET_CLASS_SPEED_ASSUMED) != 0;
    out->distance_tagged = (e->flags & NET_EDGE_DISTANCE_TAG) != 0;
    out->tunnel = (c->flags & NET_CLASS_TUNNEL) != 0;
    out->bridge = (c->flags & NET_CLASS_BRIDGE) != 0;
    return BOGIE_OK;
}
