/* cli_import.c: `bogie import`: reads OpenStreetMap files into a graph file, drawing a progress bar on a terminal and
 * stopping cleanly on Ctrl-C or SIGTERM. */
#include "cli/cli_int.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <errno.h>
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

/* Returns the import counter called name among the summary's, or 0. */
static uint64_t stat_value(const bogie_summary *s, const char *name)
{
    for (size_t i = 0; i < s->n_stats; i++)
        if (strcmp(s->stats[i].name, name) == 0)
            return s->stats[i].value;
    return 0;
}

/* Says on stderr how many stations the network summarised in s holds and from which kind of OpenStreetMap object
 * each was built (its primary object, the others being merged into it). */
static void report_stations(const bogie_summary *s)
{
    fprintf(stderr,
            "bogie import: %llu stations: %llu from station nodes, %llu from station areas, %llu from stop "
            "areas, %llu from stop positions, %llu from platforms (%llu more objects merged into them)\n",
            (unsigned long long)s->stations, (unsigned long long)stat_value(s, "stations_from_station_nodes"),
            (unsigned long long)stat_value(s, "stations_from_station_areas"),
            (unsigned long long)stat_value(s, "stations_from_stop_areas"),
            (unsigned long long)stat_value(s, "stations_from_stop_positions"),
            (unsigned long long)stat_value(s, "stations_from_platforms"),
            (unsigned long long)stat_value(s, "stations_merged"));
}

/* After the import wrote path: its control-character warnings (always) and, unless quiet, where it wrote and its
 * stations, from one opening and one summary of the file; only "wrote" when the file cannot be read back. */
static void report_import(const char *path, bool quiet)
{
    bogie_network *net = NULL;
    bogie_summary *s = NULL;
    if (bogie_network_open(path, BOGIE_OPEN_SKIP_CHECKSUM, NULL, &net, NULL) == BOGIE_OK &&
        bogie_network_summary(net, &s) != BOGIE_OK)
        s = NULL;
    if (s)
        cli_warn_controls("import", s);
    if (!quiet) {
        fprintf(stderr, "bogie import: wrote %s\n", path);
        if (s)
            report_stations(s);
    }
    if (s)
        bogie_summary_free(net, s);
    if (net)
        bogie_network_close(net);
}

int cli_import(int argc, char **argv)
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
            else {
                free(inputs);
                return cli_usage_error("import", "--reader takes native or readosm, not \"%s\"", argv[i]);
            }
        } else if (a[0] == '-' && a[1]) {
            free(inputs);
            return cli_usage_error("import", "unknown option %s", a);
        } else {
            inputs[n_inputs++] = a;
        }
    }
    if (!out || n_inputs == 0) {
        free(inputs);
        return cli_usage_error("import", !out ? "no output: give -o FILE" : "no input: give one or more OSM files");
    }
    char topo[4200], csv[4200];
    if (borders) {
        const char *dir = data ? data : cli_default_data();
        snprintf(topo, sizeof topo, "%s/world/countries-10m.json", dir);
        snprintf(csv, sizeof csv, "%s/world/countries.csv", dir);
        /* Without outlines every node would be in no country: a missing default is an error as a missing --data is
         * (the library names the file), not a silent import without borders. */
        if (!data && access(topo, R_OK) != 0) {
            fprintf(stderr, "bogie import: %s: cannot open: %s (the country outlines, in the default data directory "
                    "%s); give --data DIR, or --no-borders to import without countries\n", topo, strerror(errno), dir);
            return 1;
        }
        opts.borders_topojson = topo;
        opts.borders_csv = csv;
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
        return cli_fail("import", &d, st);
    report_import(out, quiet);
    return 0;
bad:
    free(inputs);
    return cli_usage_error("import", "%s needs a value", argv[argc - 1]);
}
