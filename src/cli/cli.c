/* cli.c: the bogie command-line tool, a thin layer over libbogie: it parses arguments, draws the import progress
 * bar and formats results for people. */
#include "bogie.h"
#include "bogie_server.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Set by SIGINT/SIGTERM; the import's progress callback turns it into a cancellation. The library itself keeps no
 * such state: this is the program's, not libbogie's. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void usage(FILE *f)
{
    fputs("usage:\n"
          "  bogie import [-q] [--include light_rail,tram,subway] [--light-rail] [--station-radius METRES]\n"
          "               [--reader native|readosm] [--passes 1|2] [--data DIR | --no-borders] INPUT... -o NETWORK.bogie\n"
          "      Reads OpenStreetMap data (.osm.pbf, .osm, .osm.gz, .osm.bz2, Overpass .json) into one graph file,\n"
          "      placing it in countries with the outlines in DIR/world (unless --no-borders).\n"
          "  bogie info [--json] [--edges] NETWORK.bogie\n"
          "      Sizes, km of track per gauge, electrification, use and speed limit, breaks of gauge, suspicious\n"
          "      values; --edges also lists every edge.\n"
          "  bogie route [--network FILE] [--data DIR] --from PLACE --to PLACE [--via PLACE]... --train NAME|FILE\n"
          "              [--depart \"YYYY-MM-DD HH:MM[+HH:MM]\"] [--avoid STATION|COUNTRY]... [--dwell MINUTES]\n"
          "              [--format text|json|geojson|gpx] [-o FILE] [--profile-csv FILE] [--plot FILE.svg]\n"
          "      The fastest route this train can run, with its gauge changes, border stops and timetable. A PLACE\n"
          "      is a station name in any language of the data, or lat,lon.\n"
          "  bogie table [--network FILE] [--data DIR] --train NAME|FILE (--from PLACE... --to PLACE... |\n"
          "              --places FILE) [--format text|json|csv] [-o FILE]\n"
          "      The time and distance from every source to every destination (with --places: every place to every\n"
          "      other, one place per line).\n"
          "  bogie trains [--data DIR] [--json]\n"
          "      The train profiles in DIR/trains.\n"
          "  bogie stations [--network FILE] [--data DIR] QUERY\n"
          "      Stations whose names match QUERY, ignoring case, accents and punctuation.\n"
          "  bogie serve [--network FILE] [--data DIR] [--web DIR] [--host 127.0.0.1] [--port 8080] [--threads N]\n"
          "              [--max-connections N] [--max-per-client N] [--header-timeout SECONDS] [--workers N]\n"
          "              [--max-heavy-per-client N] [--allow-host NAME,...] [--time-limit SECONDS] [--no-cache]\n"
          "              [--no-prepare]\n"
          "      The HTTP API (docs/API.md) and the web page. SIGTERM or Ctrl-C finishes the requests in flight\n"
          "      and exits 0.\n"
          "  bogie version\n"
          "Defaults: --network $BOGIE_NETWORK or build/corridor.bogie; --data $BOGIE_DATA or data.\n",
          f);
}

static int fail(const char *cmd, const bogie_diag *d, bogie_status st)
{
    fprintf(stderr, "bogie %s: %s\n", cmd, d->message[0] ? d->message : bogie_strerror(st));
    return st == BOGIE_ERR_ARG ? 2 : 1;
}

/* ----- progress bar ----- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct bar {
    bool show;
    double start, last;
    bool drawn;
} bar;

static void human_bytes(uint64_t b, char *buf, size_t n)
{
    if (b >= 10u << 20)
        snprintf(buf, n, "%.0f MB", b / 1048576.0);
    else if (b >= 1u << 20)
        snprintf(buf, n, "%.1f MB", b / 1048576.0);
    else
        snprintf(buf, n, "%.0f kB", b / 1024.0);
}

static int on_progress(void *ud, const bogie_progress *p)
{
    bar *b = ud;
    if (interrupted)
        return 1;
    if (!b->show)
        return 0;
    double now = now_s();
    if (b->drawn && now - b->last < 0.1 && strcmp(p->stage, "read") == 0)
        return 0;
    b->last = now;
    double frac = p->bytes_total ? (double)p->bytes_done / (double)p->bytes_total : 0;
    if (frac > 1)
        frac = 1;
    char done[32], total[32], eta[32] = "";
    human_bytes(p->bytes_done, done, sizeof done);
    human_bytes(p->bytes_total, total, sizeof total);
    double elapsed = now - b->start;
    if (strcmp(p->stage, "read") == 0 && frac > 0.02 && elapsed > 0.5) {
        double left = elapsed / frac - elapsed;
        snprintf(eta, sizeof eta, " ETA %d:%02d", (int)(left / 60), (int)left % 60);
    }
    int width = 30, filled = (int)(frac * width + 0.5);
    char line[64];
    for (int i = 0; i < width; i++)
        line[i] = i < filled ? '#' : '.';
    line[width] = '\0';
    fprintf(stderr, "\r%-5s [%s] %3.0f%% %llu objects, %s of %s%s   ", p->stage, line, frac * 100,
            (unsigned long long)p->objects, done, total, eta);
    fflush(stderr);
    b->drawn = true;
    return 0;
}

static void bar_end(bar *b)
{
    if (b->show && b->drawn)
        fputs("\r\033[K", stderr);
}

static const char *default_network(void)
{
    const char *e = getenv("BOGIE_NETWORK");
    return e && *e ? e : "build/corridor.bogie";
}

static const char *default_data(void)
{
    const char *e = getenv("BOGIE_DATA");
    return e && *e ? e : "data";
}

/* ----- import ----- */

static int parse_include(const char *s, unsigned *include)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (strcmp(tok, "light_rail") == 0)
            *include |= BOGIE_INCLUDE_LIGHT_RAIL;
        else if (strcmp(tok, "tram") == 0)
            *include |= BOGIE_INCLUDE_TRAM;
        else if (strcmp(tok, "subway") == 0)
            *include |= BOGIE_INCLUDE_SUBWAY;
        else
            return -1;
    }
    return 0;
}

static int cmd_import(int argc, char **argv)
{
    bogie_import_options opts;
    bogie_import_options_init(&opts);
    const char *out = NULL, *data = NULL;
    bool quiet = false, borders = true;
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    size_t n_inputs = 0;
    if (!inputs)
        return 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (++i >= argc)
                goto bad;
            out = argv[i];
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(a, "--no-borders") == 0) {
            borders = false;
        } else if (strcmp(a, "--passes") == 0) {
            if (++i >= argc || (strcmp(argv[i], "1") != 0 && strcmp(argv[i], "2") != 0)) {
                fprintf(stderr, "bogie import: --passes takes 1 or 2\n");
                free(inputs);
                return 2;
            }
            opts.passes = (unsigned)(argv[i][0] - '0');
        } else if (strcmp(a, "--data") == 0) {
            if (++i >= argc)
                goto bad;
            data = argv[i];
        } else if (strcmp(a, "--light-rail") == 0) {
            opts.include |= BOGIE_INCLUDE_LIGHT_RAIL;
        } else if (strcmp(a, "--include") == 0) {
            if (++i >= argc || parse_include(argv[i], &opts.include) != 0) {
                fprintf(stderr, "bogie import: --include takes a list of light_rail, tram, subway\n");
                free(inputs);
                return 2;
            }
        } else if (strcmp(a, "--station-radius") == 0) {
            char *end;
            if (++i >= argc)
                goto bad;
            opts.station_radius_m = strtod(argv[i], &end);
            if (*end || !(opts.station_radius_m >= 0)) {
                fprintf(stderr, "bogie import: --station-radius takes a number of metres, not \"%s\"\n", argv[i]);
                free(inputs);
                return 2;
            }
        } else if (strcmp(a, "--reader") == 0) {
            if (++i >= argc)
                goto bad;
            if (strcmp(argv[i], "native") == 0)
                opts.reader = BOGIE_READER_NATIVE;
            else if (strcmp(argv[i], "readosm") == 0)
                opts.reader = BOGIE_READER_READOSM;
            else
                goto bad;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "bogie import: unknown option %s\n", a);
            free(inputs);
            return 2;
        } else {
            inputs[n_inputs++] = a;
        }
    }
    if (!out || n_inputs == 0)
        goto bad;
    char topo[4200], csv[4200];
    if (borders) {
        const char *dir = data ? data : default_data();
        snprintf(topo, sizeof topo, "%s/world/countries-10m.json", dir);
        snprintf(csv, sizeof csv, "%s/world/countries.csv", dir);
        if (access(topo, R_OK) == 0 || data) {
            opts.borders_topojson = topo;
            opts.borders_csv = csv;
        } else if (!quiet) {
            fprintf(stderr, "bogie import: %s not found: nodes get no country (give --data DIR or --no-borders)\n",
                    topo);
        }
    }
    bar b = {!quiet && isatty(STDERR_FILENO), 0, 0, false};
    b.start = now_s();
    opts.progress = on_progress;
    opts.progress_ud = &b;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    bogie_diag d = {0};
    bogie_status st = bogie_import(inputs, n_inputs, out, &opts, &d);
    bar_end(&b);
    free(inputs);
    if (st != BOGIE_OK && interrupted) {
        fprintf(stderr, "bogie import: interrupted; %s was left as it was\n", out);
        return 1;
    }
    if (st != BOGIE_OK)
        return fail("import", &d, st);
    if (!quiet)
        fprintf(stderr, "bogie import: wrote %s\n", out);
    return 0;
bad:
    free(inputs);
    usage(stderr);
    return 2;
}

/* ----- info ----- */

static void print_rows(const char *title, const bogie_km_row *rows, size_t n)
{
    printf("%s:\n", title);
    for (size_t i = 0; i < n; i++)
        printf("  %-28s %10.1f km  %6llu edges\n", rows[i].label, rows[i].km, (unsigned long long)rows[i].edges);
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

static void print_json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_edges_json(const bogie_network *net)
{
    uint32_t n = bogie_network_edge_count(net);
    fputs(",\"edges\":[", stdout);
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
        print_json_string(e.name);
        putchar('}');
    }
    putchar(']');
}

static const char *type_name(char t)
{
    return t == 'n' ? "node" : t == 'r' ? "relation" : "way";
}

static int cmd_info(int argc, char **argv)
{
    bool json = false, edges = false;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--edges") == 0)
            edges = true;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "bogie info: unknown option %s\n", argv[i]);
            return 2;
        } else if (!path)
            path = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    bogie_diag d = {0};
    bogie_network *net;
    bogie_status st = bogie_network_open(path, 0, NULL, &net, &d);
    if (st != BOGIE_OK)
        return fail("info", &d, st);
    bogie_summary *s;
    st = bogie_network_summary(net, &s);
    if (st != BOGIE_OK) {
        bogie_network_close(net);
        fprintf(stderr, "bogie info: %s\n", bogie_strerror(st));
        return 1;
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
        printf("breaks of gauge: %zu\n", s->n_breaks);
        for (size_t i = 0; i < s->n_breaks; i++) {
            const bogie_gauge_break *b = &s->breaks[i];
            printf("  %.7f,%.7f  %-24s %s", b->lat, b->lon, b->gauges, b->kind);
            if (b->station_dist_m >= 0)
                printf(", nearest station %s (%.0f m)", b->station, b->station_dist_m);
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

/* ----- journeys ----- */

/* Writes text to path through a temporary file renamed into place, so that a failure leaves no partial file. */
static int write_file_atomic(const char *cmd, const char *path, const char *text)
{
    /* A device or a pipe (/dev/stdout, a FIFO) is written as it is: renaming a file over it would replace it. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        FILE *f = fopen(path, "w");
        size_t n = strlen(text);
        if (!f || fwrite(text, 1, n, f) != n || fclose(f) != 0) {
            fprintf(stderr, "bogie %s: %s: cannot write: %s\n", cmd, path, strerror(errno));
            return 1;
        }
        return 0;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "bogie %s: %s: cannot create: %s\n", cmd, tmp, strerror(errno));
        return 1;
    }
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "bogie %s: %s: cannot write: %s\n", cmd, path, strerror(errno));
        unlink(tmp);
        return 1;
    }
    return 0;
}

/* Loads a train by profile name (DATA/trains/NAME.json) or by path. */
static int load_train(const char *cmd, const char *data, const char *arg, bogie_train *t)
{
    char path[4200];
    if (strchr(arg, '/') || (strlen(arg) > 5 && strcmp(arg + strlen(arg) - 5, ".json") == 0))
        snprintf(path, sizeof path, "%s", arg);
    else
        snprintf(path, sizeof path, "%s/trains/%s.json", data, arg);
    if (access(path, R_OK) != 0 && !strchr(arg, '/')) {
        fprintf(stderr, "bogie %s: unknown train \"%s\" (no %s); `bogie trains` lists them\n", cmd, arg, path);
        return 1;
    }
    bogie_diag d = {0};
    bogie_status st = bogie_train_load(path, t, &d);
    if (st != BOGIE_OK)
        return fail(cmd, &d, st);
    return 0;
}

/* Opens the network, the reference data and a planner; returns 0 or an exit status. */
static int open_planner(const char *cmd, const char *net_path, const char *data, bogie_network **net,
                        bogie_world **world, bogie_planner **planner)
{
    bogie_diag d = {0};
    bogie_status st = bogie_network_open(net_path, 0, NULL, net, &d);
    if (st != BOGIE_OK)
        return fail(cmd, &d, st);
    st = bogie_world_open(data, NULL, world, &d);
    if (st == BOGIE_OK)
        st = bogie_planner_new(*net, *world, NULL, planner, &d);
    if (st != BOGIE_OK) {
        bogie_world_close(*world);
        bogie_network_close(*net);
        return fail(cmd, &d, st);
    }
    return 0;
}

static void close_planner(bogie_network *net, bogie_world *world, bogie_planner *planner)
{
    bogie_planner_free(planner);
    bogie_world_close(world);
    bogie_network_close(net);
}

static int cmd_route(int argc, char **argv)
{
    const char *net_path = default_network(), *data = default_data(), *train_arg = NULL, *format = "text";
    const char *out_path = NULL, *csv_path = NULL, *svg_path = NULL;
    bogie_journey_request req;
    bogie_journey_request_init(&req);
    const char **via = calloc((size_t)argc + 1, sizeof *via), **avoid = calloc((size_t)argc + 1, sizeof *avoid);
    if (!via || !avoid) {
        free(via);
        free(avoid);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(a, "--network") == 0 && val)
            net_path = val;
        else if (strcmp(a, "--data") == 0 && val)
            data = val;
        else if (strcmp(a, "--from") == 0 && val)
            req.from = val;
        else if (strcmp(a, "--to") == 0 && val)
            req.to = val;
        else if (strcmp(a, "--via") == 0 && val)
            via[req.n_via++] = val;
        else if (strcmp(a, "--avoid") == 0 && val)
            avoid[req.n_avoid++] = val;
        else if (strcmp(a, "--train") == 0 && val)
            train_arg = val;
        else if (strcmp(a, "--depart") == 0 && val)
            req.depart = val;
        else if (strcmp(a, "--format") == 0 && val)
            format = val;
        else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && val)
            out_path = val;
        else if (strcmp(a, "--profile-csv") == 0 && val)
            csv_path = val;
        else if (strcmp(a, "--plot") == 0 && val)
            svg_path = val;
        else if (strcmp(a, "--dwell") == 0 && val) {
            char *end;
            double m = strtod(val, &end);
            if (*end || !(m >= 0)) {
                fprintf(stderr, "bogie route: --dwell takes a number of minutes, not \"%s\"\n", val);
                rc = 2;
            }
            req.via_dwell_s = m * 60;
        } else {
            fprintf(stderr, "bogie route: %s %s\n", val || a[0] != '-' ? "unknown argument" : "missing value for", a);
            rc = 2;
            takes = false;
        }
        if (takes)
            i++;
    }
    req.via = via;
    req.avoid = avoid;
    bogie_format fmt = BOGIE_FORMAT_TEXT;
    if (rc == 0) {
        if (strcmp(format, "text") == 0)
            fmt = BOGIE_FORMAT_TEXT;
        else if (strcmp(format, "json") == 0)
            fmt = BOGIE_FORMAT_JSON;
        else if (strcmp(format, "geojson") == 0)
            fmt = BOGIE_FORMAT_GEOJSON;
        else if (strcmp(format, "gpx") == 0)
            fmt = BOGIE_FORMAT_GPX;
        else {
            fprintf(stderr, "bogie route: --format must be text, json, geojson or gpx, not \"%s\"\n", format);
            rc = 2;
        }
    }
    if (rc == 0 && (!req.from || !req.to || !train_arg)) {
        fprintf(stderr, "bogie route: --from, --to and --train are needed\n");
        rc = 2;
    }
    bogie_train train;
    if (rc == 0)
        rc = load_train("route", data, train_arg, &train);
    bogie_network *net = NULL;
    bogie_world *world = NULL;
    bogie_planner *planner = NULL;
    if (rc == 0)
        rc = open_planner("route", net_path, data, &net, &world, &planner);
    if (rc == 0) {
        req.train = &train;
        bogie_journey *j;
        bogie_diag d = {0};
        bogie_status st = bogie_plan(planner, &req, &j, &d);
        if (st != BOGIE_OK) {
            rc = fail("route", &d, st);
        } else {
            char *text = NULL;
            st = bogie_journey_write(j, fmt, &text);
            if (st == BOGIE_OK) {
                if (out_path)
                    rc = write_file_atomic("route", out_path, text);
                else
                    fputs(text, stdout);
            }
            free(text);
            if (rc == 0 && st == BOGIE_OK && csv_path) {
                st = bogie_journey_write(j, BOGIE_FORMAT_CSV, &text);
                if (st == BOGIE_OK)
                    rc = write_file_atomic("route", csv_path, text);
                free(text);
            }
            if (rc == 0 && st == BOGIE_OK && svg_path) {
                st = bogie_journey_write(j, BOGIE_FORMAT_SVG, &text);
                if (st == BOGIE_OK)
                    rc = write_file_atomic("route", svg_path, text);
                free(text);
            }
            if (st != BOGIE_OK) {
                fprintf(stderr, "bogie route: %s\n", bogie_strerror(st));
                rc = 1;
            }
            bogie_journey_free(j);
        }
        close_planner(net, world, planner);
    }
    free(via);
    free(avoid);
    return rc;
}

/* Reads a file of places, one per line (blank lines and lines starting with # skipped), appending them to *list
 * (*n entries, *cap capacity; grown with realloc). The strings point into *buf, which the caller frees. */
static int read_places(const char *path, char **buf, const char ***list, size_t *n, size_t *cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bogie table: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t len = 0, size = 4096;
    char *b = malloc(size);
    size_t got;
    while (b && (got = fread(b + len, 1, size - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == size) {
            char *nb = realloc(b, size *= 2);
            if (!nb)
                free(b);
            b = nb;
        }
    }
    fclose(f);
    if (!b)
        return 1;
    b[len] = '\0';
    *buf = b;
    for (char *line = strtok(b, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line || *line == '#')
            continue;
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            const char **nl = realloc(*list, nc * sizeof *nl);
            if (!nl)
                return 1;
            *list = nl;
            *cap = nc;
        }
        (*list)[(*n)++] = line;
    }
    return 0;
}

static void print_duration(FILE *f, double s)
{
    if (s < 0) {
        fputs("       -", f);
        return;
    }
    long m = lround(s / 60);
    fprintf(f, " %4ld:%02ld", m / 60, m % 60);
}

static int cmd_table(int argc, char **argv)
{
    const char *net_path = default_network(), *data = default_data(), *train_arg = NULL, *format = "text";
    const char *out_path = NULL;
    const char **src = NULL, **dst = NULL;
    size_t ns = 0, nd = 0, cs = 0, cd = 0;
    char *bufs[2] = {NULL, NULL};
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) {
            fprintf(stderr, "bogie table: %s\n", a[0] == '-' ? "missing value" : "unknown argument");
            rc = 2;
            break;
        }
        const char ***list = NULL;
        size_t *n = NULL, *cap = NULL;
        if (strcmp(a, "--network") == 0)
            net_path = val;
        else if (strcmp(a, "--data") == 0)
            data = val;
        else if (strcmp(a, "--train") == 0)
            train_arg = val;
        else if (strcmp(a, "--format") == 0)
            format = val;
        else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)
            out_path = val;
        else if (strcmp(a, "--from") == 0)
            list = &src, n = &ns, cap = &cs;
        else if (strcmp(a, "--to") == 0)
            list = &dst, n = &nd, cap = &cd;
        else if (strcmp(a, "--places") == 0) {
            if (bufs[0]) {
                fprintf(stderr, "bogie table: --places may be given once\n");
                rc = 2;
            } else {
                rc = read_places(val, &bufs[0], &src, &ns, &cs);
            }
        } else {
            fprintf(stderr, "bogie table: unknown argument %s\n", a);
            rc = 2;
        }
        if (list) {
            if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 16;
                const char **nl = realloc(*list, nc * sizeof *nl);
                if (!nl) {
                    rc = 1;
                    break;
                }
                *list = nl;
                *cap = nc;
            }
            (*list)[(*n)++] = val;
        }
        i++;
    }
    /* With --places alone, every place is both a source and a destination. */
    if (rc == 0 && bufs[0] && nd == 0) {
        dst = malloc((ns ? ns : 1) * sizeof *dst);
        if (!dst)
            rc = 1;
        else
            memcpy(dst, src, ns * sizeof *dst);
        nd = ns;
    }
    if (rc == 0 && (ns == 0 || nd == 0 || !train_arg)) {
        fprintf(stderr, "bogie table: --train and places are needed: --from PLACE... --to PLACE..., or --places FILE\n");
        rc = 2;
    }
    if (rc == 0 && strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        fprintf(stderr, "bogie table: --format must be text, json or csv, not \"%s\"\n", format);
        rc = 2;
    }
    bogie_train train;
    if (rc == 0)
        rc = load_train("table", data, train_arg, &train);
    bogie_network *net = NULL;
    bogie_world *world = NULL;
    bogie_planner *planner = NULL;
    if (rc == 0)
        rc = open_planner("table", net_path, data, &net, &world, &planner);
    double *dur = NULL, *dist = NULL;
    if (rc == 0) {
        dur = malloc(ns * nd * sizeof *dur);
        dist = malloc(ns * nd * sizeof *dist);
        bogie_diag d = {0};
        bogie_status st = dur && dist ? bogie_table(planner, &train, src, ns, dst, nd, 0, dur, dist, &d) : BOGIE_ERR_NOMEM;
        if (st != BOGIE_OK)
            rc = fail("table", &d, st);
    }
    if (rc == 0) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        if (!f) {
            rc = 1;
        } else if (strcmp(format, "csv") == 0) {
            fputs("source,destination,duration_s,distance_m\n", f);
            for (size_t i = 0; i < ns; i++)
                for (size_t k = 0; k < nd; k++) {
                    double t = dur[i * nd + k], m = dist[i * nd + k];
                    fprintf(f, "\"%s\",\"%s\",", src[i], dst[k]);
                    if (t < 0)
                        fputs(",\n", f);
                    else
                        fprintf(f, "%.0f,%.0f\n", t, m);
                }
        } else if (strcmp(format, "json") == 0) {
            fputs("{\"durations\":[", f);
            for (size_t i = 0; i < ns; i++) {
                fputs(i ? ",[" : "[", f);
                for (size_t k = 0; k < nd; k++) {
                    double t = dur[i * nd + k];
                    fprintf(f, t < 0 ? "%snull" : "%s%.1f", k ? "," : "", t);
                }
                fputs("]", f);
            }
            fputs("],\"distances\":[", f);
            for (size_t i = 0; i < ns; i++) {
                fputs(i ? ",[" : "[", f);
                for (size_t k = 0; k < nd; k++) {
                    double m = dist[i * nd + k];
                    fprintf(f, m < 0 ? "%snull" : "%s%.1f", k ? "," : "", m);
                }
                fputs("]", f);
            }
            fputs("]}\n", f);
        } else {
            fprintf(f, "hours:minutes by %s (the search's estimate: running at the limits, plus stops)\n%-24s", train.name,
                    "from \\ to");
            for (size_t k = 0; k < nd; k++)
                fprintf(f, " %8.8s", dst[k]);
            fputc('\n', f);
            for (size_t i = 0; i < ns; i++) {
                fprintf(f, "%-24.24s", src[i]);
                for (size_t k = 0; k < nd; k++)
                    print_duration(f, dur[i * nd + k]);
                fputc('\n', f);
            }
        }
        if (f && fclose(f) == 0 && text) {
            if (out_path)
                rc = write_file_atomic("table", out_path, text);
            else
                fputs(text, stdout);
        } else if (f) {
            rc = 1;
        }
        free(text);
    }
    if (planner)
        close_planner(net, world, planner);
    free(dur);
    free(dist);
    free(src);
    free(dst);
    free(bufs[0]);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmd_trains(int argc, char **argv)
{
    const char *data = default_data();
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else {
            usage(stderr);
            return 2;
        }
    }
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
            print_json_string(t.title);
            printf(",\"gauges\":[%s],\"gauge_change\":\"%s\",\"traction\":\"%s\",\"max_speed_kmh\":%.1f,"
                   "\"mass_t\":%.0f,\"file\":",
                   gauges, bogie_change_method_name(t.change), traction, t.max_speed_ms * 3.6, t.mass_kg / 1000);
            print_json_string(path);
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

static int cmd_stations(int argc, char **argv)
{
    const char *net_path = default_network(), *data = default_data(), *query = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--network") == 0 && i + 1 < argc)
            net_path = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (!query && argv[i][0] != '-')
            query = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!query) {
        usage(stderr);
        return 2;
    }
    bogie_network *net;
    bogie_world *world;
    bogie_planner *planner;
    int rc = open_planner("stations", net_path, data, &net, &world, &planner);
    if (rc)
        return rc;
    bogie_station_match m[50];
    size_t n;
    bogie_diag d = {0};
    bogie_status st = bogie_stations_search(planner, query, m, 50, &n, &d);
    if (st != BOGIE_OK)
        rc = fail("stations", &d, st);
    else if (n == 0) {
        fprintf(stderr, "bogie stations: no station matches \"%s\"\n", query);
        rc = 1;
    } else {
        if (m[0].quality == 0)
            printf("no station matches \"%s\"; similar names:\n", query);
        static const char *const q[] = {"similar", "contains", "prefix", "exact"};
        for (size_t i = 0; i < n; i++)
            printf("%-32s %-24s %11.6f %11.6f  %-8s %s=%s\n", m[i].name, m[i].local_name, m[i].lat, m[i].lon,
                   q[m[i].quality], m[i].matched_key, m[i].matched);
    }
    close_planner(net, world, planner);
    return rc;
}

/* ----- serve ----- */

static int parse_uint(const char *what, const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > max) {
        fprintf(stderr, "bogie serve: %s takes a whole number up to %lu, not \"%s\"\n", what, max, s);
        return 2;
    }
    *out = v;
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    bogie_service_options so;
    bogie_service_options_init(&so);
    so.network_path = default_network();
    so.data_dir = default_data();
    so.web_dir = access("build/web/index.html", R_OK) == 0 ? "build/web" : NULL;
    bogie_server_options ho;
    bogie_server_options_init(&ho);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    ho.threads = cores < 1 ? 1 : cores > 64 ? 64 : (unsigned)cores; /* one thread per core */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long n;
        int bad = 0;
        if (strcmp(a, "--no-cache") == 0) {
            so.cache_bytes = 0;
            continue;
        }
        if (strcmp(a, "--no-prepare") == 0) {
            so.prepare = false;
            continue;
        }
        if (!v) {
            fprintf(stderr, "bogie serve: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--network") == 0)
            so.network_path = v;
        else if (strcmp(a, "--data") == 0)
            so.data_dir = v;
        else if (strcmp(a, "--web") == 0)
            so.web_dir = v;
        else if (strcmp(a, "--host") == 0)
            ho.host = v;
        else if (strcmp(a, "--port") == 0) {
            bad = parse_uint("--port", v, 65535, &n);
            ho.port = (uint16_t)n;
        } else if (strcmp(a, "--threads") == 0) {
            bad = parse_uint("--threads", v, 256, &n);
            ho.threads = (unsigned)n;
        } else if (strcmp(a, "--max-connections") == 0) {
            bad = parse_uint("--max-connections", v, 100000, &n);
            ho.max_connections = (unsigned)n;
        } else if (strcmp(a, "--header-timeout") == 0) {
            bad = parse_uint("--header-timeout", v, 3600, &n);
            ho.header_timeout_s = (unsigned)n;
        } else if (strcmp(a, "--max-per-client") == 0) {
            bad = parse_uint("--max-per-client", v, 100000, &n);
            ho.max_per_client = (unsigned)n;
        } else if (strcmp(a, "--workers") == 0) {
            bad = parse_uint("--workers", v, 256, &n);
            ho.workers = (unsigned)n;
        } else if (strcmp(a, "--max-heavy-per-client") == 0) {
            bad = parse_uint("--max-heavy-per-client", v, 100000, &n);
            ho.max_heavy_per_client = (unsigned)n;
        } else if (strcmp(a, "--allow-host") == 0) {
            ho.allow_hosts = v;
        } else if (strcmp(a, "--time-limit") == 0) {
            char *end;
            so.time_limit_s = strtod(v, &end);
            if (*end || !(so.time_limit_s > 0)) {
                fprintf(stderr, "bogie serve: --time-limit takes seconds\n");
                return 2;
            }
        } else {
            fprintf(stderr, "bogie serve: unknown option %s\n", a);
            return 2;
        }
        if (bad)
            return bad;
        i++;
    }
    /* libmicrohttpd holds up to twice --max-connections plus 16 sockets (answering 503 beyond the first half); the
     * usual soft limit of 1024 open files is raised towards the hard limit so that they, and the files the server
     * opens itself, fit. */
    struct rlimit rl;
    rlim_t want = (rlim_t)ho.max_connections * 2 + 16 + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
            fprintf(stderr, "bogie serve: warning: the process may open %llu files, fewer than --max-connections %u "
                    "needs (%llu); raise `ulimit -n`\n", (unsigned long long)rl.rlim_cur, ho.max_connections,
                    (unsigned long long)want);
    }
    /* Signals go to the main thread only, which waits for them; the server's threads never see them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    bogie_diag d = {0};
    bogie_service *svc;
    bogie_status st = bogie_service_open(&so, &svc, &d);
    if (st != BOGIE_OK)
        return fail("serve", &d, st);
    bogie_server *srv;
    st = bogie_server_start(svc, &ho, &srv, &d);
    if (st != BOGIE_OK) {
        bogie_service_close(svc);
        return fail("serve", &d, st);
    }
    fprintf(stderr, "bogie serve: http://%s:%u/ (%s, %u threads)\n", ho.host, (unsigned)bogie_server_port(srv),
            so.network_path, ho.threads);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "bogie serve: %s: finishing the requests in flight\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    bogie_server_quiesce(srv);
    for (int waited = 0; waited < 300 && bogie_server_active(srv) > 0; waited++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    bogie_server_stop(srv);
    uint64_t requests, hits;
    bogie_service_counters(svc, &requests, &hits);
    bogie_service_close(svc);
    fprintf(stderr, "bogie serve: stopped after %llu requests (%llu answered from the cache)\n",
            (unsigned long long)requests, (unsigned long long)hits);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc - 2, argv + 2);
    if (strcmp(cmd, "info") == 0)
        return cmd_info(argc - 2, argv + 2);
    if (strcmp(cmd, "route") == 0)
        return cmd_route(argc - 2, argv + 2);
    if (strcmp(cmd, "trains") == 0)
        return cmd_trains(argc - 2, argv + 2);
    if (strcmp(cmd, "table") == 0)
        return cmd_table(argc - 2, argv + 2);
    if (strcmp(cmd, "stations") == 0)
        return cmd_stations(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("bogie %s\n", BOGIE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "bogie: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return 2;
}
