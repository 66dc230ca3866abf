/* cli_info.c: the commands that describe what there is: `bogie info` (a graph file's sizes, track by gauge, use and
 * speed, breaks of gauge, suspicious values, edges), `bogie trains` (the train profiles) and `bogie stations` (a
 * search of the station names). */
#include "cli/cli_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void print_rows(const char *title, const bogie_km_row *rows, size_t n)
{
    printf("%s:\n", title);
    for (size_t i = 0; i < n; i++)
        printf("  %-28s %10.1f km  %6llu edges\n", rows[i].label, rows[i].km, (unsigned long long)rows[i].edges);
}

/* The per-country shares of schematic track and of track whose gauge, speed limit or electrification is assumed
 * (bogie_share_row says which), in km and percent of the country's track. */
static void print_shares(const bogie_summary *s)
{
    printf("schematic and assumed track by country (km, %% of the country's track):\n  %-22s %10s %18s %18s %18s "
           "%18s\n", "country", "track", "schematic", "gauge assumed", "speed assumed", "wires assumed");
    for (size_t i = 0; i < s->n_shares; i++) {
        const bogie_share_row *r = &s->shares[i];
        const double part[4] = {r->schematic_km, r->gauge_assumed_km, r->speed_assumed_km, r->power_assumed_km};
        printf("  %-22s %7.1f km", r->label, r->km);
        for (int k = 0; k < 4; k++)
            printf(" %8.1f km %5.1f %%", part[k], r->km > 0 ? 100 * part[k] / r->km : 0.0);
        putchar('\n');
    }
}

static void format_speed(double kmh, char *buf, size_t n)
{
    if (kmh > 0)
        snprintf(buf, n, "%.1f", kmh);
    else
        snprintf(buf, n, "-");
}

static void print_edges_text(const bogie_network *net)
{
    uint32_t n = bogie_network_edge_count(net);
    printf("edges: %u\n  %5s %12s %12s %12s %10s %-12s %7s %7s %-22s %-12s %6s %s\n", n, "#", "from", "to", "way",
           "metres", "gauge", "fwd", "bwd", "electrification", "use", "radius", "flags");
    for (uint32_t i = 0; i < n; i++) {
        bogie_edge_info e;
        bogie_network_edge(net, i, &e);
        char fwd[16], bwd[16], rad[16];
        format_speed(e.maxspeed_fwd_kmh, fwd, sizeof fwd);
        format_speed(e.maxspeed_bwd_kmh, bwd, sizeof bwd);
        if (e.min_radius_m >= BOGIE_RADIUS_STRAIGHT)
            snprintf(rad, sizeof rad, "straight");
        else if (e.min_radius_m >= 0)
            snprintf(rad, sizeof rad, "%.0f", e.min_radius_m);
        else
            snprintf(rad, sizeof rad, "-");
        printf("  %5u %12lld %12lld %12lld %10.1f %-12s %7s %7s %-22s %-12s %8s %s%s%s%s%s%s\n", i,
               (long long)e.from_osm, (long long)e.to_osm, (long long)e.osm_way, e.length_m, e.gauge, fwd, bwd,
               e.power, e.usage, rad, e.railway, e.schematic ? ",schematic" : "", e.distance_tagged ? ",distance" : "",
               e.speed_assumed ? ",speed-assumed" : "", e.tunnel ? ",tunnel" : "", e.bridge ? ",bridge" : "");
    }
}

static void print_edges_json(const bogie_network *net)
{
    uint32_t n = bogie_network_edge_count(net);
    fputs(",\"edge_list\":[", stdout);
    for (uint32_t i = 0; i < n; i++) {
        bogie_edge_info e;
        bogie_network_edge(net, i, &e);
        char rad[16];
        if (e.min_radius_m >= 0)
            snprintf(rad, sizeof rad, "%.0f", e.min_radius_m);
        else
            snprintf(rad, sizeof rad, "null");
        printf("%s{\"index\":%u,\"from\":%u,\"to\":%u,\"from_osm\":%lld,\"to_osm\":%lld,\"osm_way\":%lld,"
               "\"length_m\":%.3f,\"maxspeed_forward_kmh\":%.3f,\"maxspeed_backward_kmh\":%.3f,"
               "\"min_radius_m\":%s,\"points\":%u,\"gauge\":\"%s\",\"electrification\":\"%s\","
               "\"railway\":\"%s\",\"use\":\"%s\",\"schematic\":%s,\"distance_tagged\":%s,"
               "\"speed_assumed\":%s,\"name\":",
               i ? "," : "", i, e.from, e.to, (long long)e.from_osm, (long long)e.to_osm, (long long)e.osm_way,
               e.length_m, e.maxspeed_fwd_kmh, e.maxspeed_bwd_kmh, rad, e.points, e.gauge, e.power,
               e.railway, e.usage, e.schematic ? "true" : "false", e.distance_tagged ? "true" : "false",
               e.speed_assumed ? "true" : "false");
        cli_put_json_string(stdout, e.name);
        putchar('}');
    }
    putchar(']');
}

static const char *type_name(char t)
{
    return t == 'n' ? "node" : t == 'r' ? "relation" : "way";
}

/* Adds the report on the facilities of the reference data in data to s: a data directory given with --data must
 * open, the default one may be missing. Returns 0 or an exit status. */
static int add_facilities(const bogie_network *net, const char *data, bool given, bogie_summary *s)
{
    bogie_diag d = {0};
    bogie_world *w;
    bogie_status st = bogie_world_open(data, NULL, &w, &d);
    if (st != BOGIE_OK)
        return given ? cli_fail("info", &d, st) : 0;
    st = bogie_summary_add_facilities(net, w, s);
    bogie_world_close(w);
    if (st != BOGIE_OK) {
        fprintf(stderr, "bogie info: %s\n", bogie_strerror(st));
        return 1;
    }
    return 0;
}

static void print_facilities(const bogie_summary *s, const char *data)
{
    if (!s->has_facilities)
        return;
    printf("gauge-change facilities: %zu in %s/gauge-changers.csv", s->n_facilities, data);
    if (s->n_unplaced_facilities == 0) {
        printf(", all applying at stations of this network\n");
        return;
    }
    printf(", %zu applying to no station of this network (none within 5 km):\n", s->n_unplaced_facilities);
    for (size_t i = 0; i < s->n_unplaced_facilities; i++)
        printf("  %s\n", s->unplaced_facilities[i]);
}

int cli_info(int argc, char **argv)
{
    bool json = false, edges = false, data_given = false;
    const char *path = NULL, *data = cli_default_data();
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--edges") == 0)
            edges = true;
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
            data_given = true;
        }
        else if (argv[i][0] == '-')
            return cli_usage_error("info", "unknown option %s", argv[i]);
        else if (!path)
            path = argv[i];
        else
            return cli_usage_error("info", "one network at a time (\"%s\" and \"%s\")", path, argv[i]);
    }
    if (!path)
        return cli_usage_error("info", "no network: give NETWORK.bogie");
    bogie_diag d = {0};
    bogie_network *net;
    bogie_status st = bogie_network_open(path, 0, NULL, &net, &d);
    if (st != BOGIE_OK)
        return cli_fail("info", &d, st);
    bogie_summary *s;
    st = bogie_network_summary(net, &s);
    if (st != BOGIE_OK) {
        bogie_network_close(net);
        fprintf(stderr, "bogie info: %s\n", bogie_strerror(st));
        return 1;
    }
    int frc = add_facilities(net, data, data_given, s);
    if (frc != 0) {
        bogie_summary_free(net, s);
        bogie_network_close(net);
        return frc;
    }
    if (json) {
        char *text;
        st = bogie_summary_json(s, &text);
        if (st == BOGIE_OK) {
            size_t len = strlen(text);
            if (edges) {
                /* Splice the edge list in before the closing brace of the summary object. */
                while (len > 0 && text[len - 1] == '\n')
                    len--;
                if (len > 0 && text[len - 1] == '}')
                    len--;
                fwrite(text, 1, len, stdout);
                print_edges_json(net);
                fputs("}\n", stdout);
            } else {
                fputs(text, stdout);
            }
            free(text);
        }
    } else {
        printf("network %s (format %u.%u, %s)\n", path, s->format_major, s->format_minor, s->generator);
        printf("  nodes     %llu\n  edges     %llu\n  stations  %llu\n", (unsigned long long)s->nodes,
               (unsigned long long)s->edges, (unsigned long long)s->stations);
        printf("  track     %.1f km", s->track_km);
        if (s->schematic_km > 0)
            printf(" (%.1f km with schematic geometry)", s->schematic_km);
        printf("\n  extent    lat %.4f to %.4f, lon %.4f to %.4f\n", s->min_lat, s->max_lat, s->min_lon, s->max_lon);
        print_rows("track by gauge (mm)", s->by_gauge, s->n_by_gauge);
        print_rows("track by electrification", s->by_power, s->n_by_power);
        print_rows("track by use", s->by_usage, s->n_by_usage);
        print_rows("track by speed limit", s->by_speed, s->n_by_speed);
        print_rows("track by country", s->by_country, s->n_by_country);
        print_shares(s);
        printf("breaks of gauge: %zu\n", s->n_breaks);
        for (size_t i = 0; i < s->n_breaks; i++) {
            const bogie_gauge_break *b = &s->breaks[i];
            printf("  %.7f,%.7f  %-24s %s", b->lat, b->lon, b->gauges, b->kind);
            if (b->station_dist_m >= 0) {
                fputs(", nearest station ", stdout);
                cli_put_padded(stdout, b->station, 0); /* its control characters replaced */
                printf(" (%.0f m)", b->station_dist_m);
            }
            printf("\n");
        }
        uint64_t total = 0;
        for (size_t i = 0; i < s->n_suspicious; i++)
            total += s->suspicious[i].count;
        printf("suspicious values: %llu\n", (unsigned long long)total);
        for (size_t i = 0; i < s->n_suspicious; i++) {
            const bogie_suspicious_row *r = &s->suspicious[i];
            printf("  %s=%s: %s; %llu time%s, e.g. %s %lld\n", r->what, r->value, r->reason,
                   (unsigned long long)r->count, r->count == 1 ? "" : "s", type_name(r->example_type),
                   (long long)r->example_id);
        }
        printf("import:\n");
        for (size_t i = 0; i < s->n_stats; i++)
            printf("  %-32s %llu\n", s->stats[i].name, (unsigned long long)s->stats[i].value);
        print_facilities(s, data);
        if (edges)
            print_edges_text(net);
    }
    bogie_summary_free(net, s);
    bogie_network_close(net);
    if (st != BOGIE_OK) {
        fprintf(stderr, "bogie info: %s\n", bogie_strerror(st));
        return 1;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int cli_trains(int argc, char **argv)
{
    const char *data = cli_default_data();
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else
            return cli_usage_error("trains", "%s %s", argv[i][0] == '-' && i + 1 == argc && strcmp(argv[i], "--data") == 0
                                   ? "missing value for" : "unknown argument", argv[i]);
    }
    if (cli_need_data("trains", data) != 0)
        return 1;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/trains", data);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "bogie trains: %s: cannot open: %s\n", dir, strerror(errno));
        return 1;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    if (json)
        fputs("[", stdout);
    else
        printf("%-22s %-10s %-26s %-9s %5s  %s\n", "name", "gauges", "gauge change", "traction", "km/h", "title");
    for (size_t i = 0; i < n; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        bogie_train t;
        bogie_diag dg = {0};
        bogie_status st = bogie_train_load(path, &t, &dg);
        free(names[i]);
        if (st != BOGIE_OK) {
            fprintf(stderr, "bogie trains: %s\n", dg.message);
            rc = 1;
            continue;
        }
        char gauges[64] = "";
        for (size_t k = 0; k < t.n_gauges; k++)
            snprintf(gauges + strlen(gauges), sizeof gauges - strlen(gauges), "%s%u", k ? "," : "", t.gauges[k]);
        char change[64];
        if (t.change == BOGIE_CHANGE_NONE)
            snprintf(change, sizeof change, "none");
        else {
            snprintf(change, sizeof change, "%s ->", bogie_change_method_name(t.change));
            for (size_t k = 0; k < t.n_change_to; k++)
                snprintf(change + strlen(change), sizeof change - strlen(change), "%s%u", k ? "," : " ",
                         t.change_to[k]);
        }
        const char *traction = t.traction == BOGIE_TRACTION_DIESEL ? "diesel" : "electric";
        if (json) {
            printf("%s{\"name\":\"%s\",\"title\":", i ? "," : "", t.name);
            cli_put_json_string(stdout, t.title);
            printf(",\"gauges\":[%s],\"gauge_change\":\"%s\",\"traction\":\"%s\",\"max_speed_kmh\":%.1f,"
                   "\"mass_t\":%.0f,\"file\":",
                   gauges, bogie_change_method_name(t.change), traction, t.max_speed_ms * 3.6, t.mass_kg / 1000);
            cli_put_json_string(stdout, path);
            putchar('}');
        } else {
            printf("%-22s %-10s %-26s %-9s %5.0f  %s\n", t.name, gauges, change, traction, t.max_speed_ms * 3.6,
                   t.title);
        }
    }
    if (json)
        fputs("]\n", stdout);
    return rc;
}

int cli_stations(int argc, char **argv)
{
    const char *net_path = cli_default_network(), *data = cli_default_data(), *query = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--network") == 0 && i + 1 < argc)
            net_path = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (!query && argv[i][0] != '-')
            query = argv[i];
        else
            return cli_usage_error("stations", argv[i][0] == '-' ? "unknown option or missing value: %s"
                                                                  : "one query at a time (quote a name with spaces): %s",
                                   argv[i]);
    }
    if (!query)
        return cli_usage_error("stations", "no query: give a name, or part of one");
    cli_planner p;
    int rc = cli_open_planner("stations", net_path, data, &p);
    if (rc)
        return rc;
    bogie_station_match m[50];
    size_t n;
    bogie_diag d = {0};
    bogie_status st = bogie_stations_search(p.planner, query, m, 50, &n, &d);
    if (st != BOGIE_OK)
        rc = cli_fail("stations", &d, st);
    else if (n == 0) {
        fprintf(stderr, "bogie stations: no station matches \"%s\"\n", query);
        rc = 1;
    } else {
        if (m[0].quality == 0)
            printf("no station matches \"%s\"; similar names:\n", query);
        static const char *const q[] = {"similar", "contains", "prefix", "exact"};
        /* Names in columns by display width (as wide as the widest), their control characters replaced. */
        size_t w_name = 32, w_local = 24;
        for (size_t i = 0; i < n; i++) {
            w_name = cli_text_width(m[i].name) > w_name ? cli_text_width(m[i].name) : w_name;
            w_local = cli_text_width(m[i].local_name) > w_local ? cli_text_width(m[i].local_name) : w_local;
        }
        for (size_t i = 0; i < n; i++) {
            cli_put_padded(stdout, m[i].name, w_name);
            putchar(' ');
            cli_put_padded(stdout, m[i].local_name, w_local);
            printf(" %11.6f %11.6f  %-8s %s=", m[i].lat, m[i].lon, q[m[i].quality], m[i].matched_key);
            cli_put_padded(stdout, m[i].matched, 0);
            putchar('\n');
        }
    }
    cli_close_planner(&p);
    return rc;
}
