/* cli.c: the bogie command-line tool, a thin layer over libbogie: it parses arguments, draws the import progress
 * bar and formats results for people. */
#include "bogie.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
          "               [--reader native|readosm] INPUT... -o NETWORK.bogie\n"
          "      Reads OpenStreetMap data (.osm.pbf, .osm, .osm.gz, .osm.bz2, Overpass .json) into one graph file.\n"
          "  bogie info [--json] [--edges] NETWORK.bogie\n"
          "      Sizes, km of track per gauge, electrification, use and speed limit, breaks of gauge, suspicious\n"
          "      values; --edges also lists every edge.\n"
          "  bogie version\n",
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
    const char *out = NULL;
    bool quiet = false;
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
