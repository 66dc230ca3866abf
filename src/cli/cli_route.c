/* cli_route.c: `bogie route`: plans the fastest journey a train can run between places and writes it as a timetable,
 * JSON, GeoJSON, GPX or a GTFS feed, with its speed profile as CSV and a plot as SVG when asked. */
#include "cli/cli_int.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The arguments of `bogie route`. */
typedef struct route_args {
    const char *net_path, *data, *train_arg, *format;
    const char *out_path, *csv_path, *svg_path; /* NULL when not asked for */
    bogie_journey_request req;                  /* its via and avoid lists are the arrays below */
    const char **via, **avoid;                  /* calloc'd, room for every argument; point into argv */
    bool verbose;                               /* --verbose: report reference data that applies to nothing */
    const char **seen;                          /* --seen PLACE@TIME, calloc'd as via */
    const char *at;                             /* bogie where --at TIME|now, else NULL */
    const char *cmd;                            /* "route" or "where", for messages */
} route_args;

/* Sets the defaults and makes room for the via and avoid lists (free() them); returns 0, or 1 without memory. */
static int route_args_init(route_args *a, int argc)
{
    memset(a, 0, sizeof *a);
    a->net_path = cli_default_network();
    a->data = cli_default_data();
    a->format = NULL; /* text, unless -o names another format */
    bogie_journey_request_init(&a->req);
    a->via = calloc((size_t)argc + 1, sizeof *a->via);
    a->avoid = calloc((size_t)argc + 1, sizeof *a->avoid);
    a->seen = calloc((size_t)argc + 1, sizeof *a->seen);
    if (!a->via || !a->avoid || !a->seen) {
        free(a->via);
        free(a->avoid);
        free(a->seen);
        return 1;
    }
    a->req.via = a->via;
    a->req.avoid = a->avoid;
    a->req.seen = a->seen;
    return 0;
}

/* Reads the options into a; returns 0, or 2 after saying what is wrong. */
static int parse_route_args(int argc, char **argv, route_args *a)
{
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(arg, "--network") == 0 && val)
            a->net_path = val;
        else if (strcmp(arg, "--data") == 0 && val)
            a->data = val;
        else if (strcmp(arg, "--from") == 0 && val)
            a->req.from = val;
        else if (strcmp(arg, "--to") == 0 && val)
            a->req.to = val;
        else if (strcmp(arg, "--via") == 0 && val)
            a->via[a->req.n_via++] = val;
        else if (strcmp(arg, "--avoid") == 0 && val)
            a->avoid[a->req.n_avoid++] = val;
        else if (strcmp(arg, "--seen") == 0 && val)
            a->seen[a->req.n_seen++] = val;
        else if (strcmp(arg, "--at") == 0 && val)
            a->at = val;
        else if (strcmp(arg, "--train") == 0 && val)
            a->train_arg = val;
        else if (strcmp(arg, "--verbose") == 0) {
            a->verbose = true;
            takes = false;
        } else if (strcmp(arg, "--depart") == 0 && val)
            a->req.depart = val;
        else if (strcmp(arg, "--format") == 0 && val)
            a->format = val;
        else if ((strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) && val)
            a->out_path = val;
        else if (strcmp(arg, "--profile-csv") == 0 && val)
            a->csv_path = val;
        else if (strcmp(arg, "--plot") == 0 && val)
            a->svg_path = val;
        else if (strcmp(arg, "--gauge") == 0 && val) {
            char *end;
            long mm = strtol(val, &end, 10);
            if (*end || end == val || mm < 100 || mm > 3000) {
                fprintf(stderr, "bogie route: --gauge takes the gauge of the train's wheels in mm, not \"%s\"\n", val);
                rc = 2;
            }
            a->req.start_gauge = (uint16_t)(rc == 0 ? mm : 0);
        } else if (strcmp(arg, "--dwell") == 0 && val) {
            char *end;
            double m = strtod(val, &end);
            if (*end || !(m >= 0)) {
                fprintf(stderr, "bogie route: --dwell takes a number of minutes, not \"%s\"\n", val);
                rc = 2;
            }
            a->req.via_dwell_s = m * 60;
        } else {
            rc = cli_usage_error(a->cmd, "%s %s", val || arg[0] != '-' ? "unknown argument" : "missing value for",
                                 arg);
            takes = false;
        }
        if (takes)
            i++;
    }
    return rc;
}

/* The formats of `bogie route`, with the extensions of the file names that name them. */
static const struct route_format_name {
    const char *name, *title;
    bogie_format fmt;
    const char *ext, *ext2; /* ext2 may be NULL */
} route_formats[] = {{"text", "a timetable", BOGIE_FORMAT_TEXT, "txt", "text"},
                     {"json", "JSON", BOGIE_FORMAT_JSON, "json", NULL},
                     {"geojson", "GeoJSON", BOGIE_FORMAT_GEOJSON, "geojson", NULL},
                     {"gpx", "GPX", BOGIE_FORMAT_GPX, "gpx", NULL},
                     {"gtfs", "a GTFS feed (a zip)", BOGIE_FORMAT_GTFS, "zip", NULL},
                     {"csv", "CSV", BOGIE_FORMAT_CSV, "csv", NULL},
                     {"svg", "SVG", BOGIE_FORMAT_SVG, "svg", NULL}};

#define N_JOURNEY_FORMATS 5 /* the first five can be asked for with --format; csv and svg have options of their own */
#define FORMAT_CSV 5
#define FORMAT_SVG 6

/* The extension of path's file name ("png" for "out/plot.png"), or "" when it has none (a string in path). */
static const char *file_extension(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

/* Whether ext is an extension of format f. */
static bool names_format(const char *ext, const struct route_format_name *f)
{
    return strcasecmp(ext, f->ext) == 0 || (f->ext2 && strcasecmp(ext, f->ext2) == 0);
}

/* The format of the first n of route_formats that ext names, or NULL. */
static const struct route_format_name *format_of_extension(const char *ext, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (names_format(ext, &route_formats[i]))
            return &route_formats[i];
    return NULL;
}

/* Refuses a file name given to opt whose extension names something else than the format f writes ("--plot out.png"
 * would get SVG); a name without an extension (a pipe, a device) is written as it is. Returns 0, or 2 after saying
 * why. */
static int check_extension(const char *opt, const char *path, const struct route_format_name *f)
{
    const char *ext = file_extension(path);
    if (!*ext || names_format(ext, f))
        return 0;
    fprintf(stderr, "bogie route: %s writes %s, but \"%s\" names a .%s file; give a name ending in .%s%s\n", opt,
            f->title, path, ext, f->ext,
            f->fmt == BOGIE_FORMAT_SVG ? " (bogie draws the plot as SVG only)"
            : strcmp(opt, "-o") == 0 ? ", or one whose extension names the format (.json, .geojson, .gpx, and .zip "
                                       "for a GTFS feed)"
                                     : "");
    return 2;
}

/* Reads --format into *fmt, or when it is not given the format -o's extension names, else text; checks the
 * extensions of -o, --profile-csv and --plot. Returns 0, or 2 after saying what is wrong. */
static int route_format(const route_args *a, bogie_format *fmt)
{
    const struct route_format_name *f = &route_formats[0];
    if (a->format) {
        size_t i = 0;
        while (i < N_JOURNEY_FORMATS && strcmp(a->format, route_formats[i].name) != 0)
            i++;
        if (i == N_JOURNEY_FORMATS) {
            fprintf(stderr, "bogie route: --format must be text, json, geojson, gpx or gtfs, not \"%s\"\n", a->format);
            return 2;
        }
        f = &route_formats[i];
    } else if (a->out_path && format_of_extension(file_extension(a->out_path), N_JOURNEY_FORMATS)) {
        f = format_of_extension(file_extension(a->out_path), N_JOURNEY_FORMATS);
    }
    *fmt = f->fmt;
    /* A zip is no text for a terminal or a pipe that expects one: the feed goes to a file (or -o /dev/stdout). */
    if (f->fmt == BOGIE_FORMAT_GTFS && !a->out_path)
        return cli_usage_error(a->cmd, "--format gtfs writes a zip: give -o FEED.zip");
    if (f->fmt == BOGIE_FORMAT_GTFS && !a->req.depart)
        return cli_usage_error(a->cmd, "--format gtfs needs --depart TIME: a feed's stop times are times of day");
    int rc = a->out_path ? check_extension("-o", a->out_path, f) : 0;
    if (rc == 0 && a->csv_path)
        rc = check_extension("--profile-csv", a->csv_path, &route_formats[FORMAT_CSV]);
    if (rc == 0 && a->svg_path)
        rc = check_extension("--plot", a->svg_path, &route_formats[FORMAT_SVG]);
    return rc;
}

/* Writes the journey in fmt to path, or to stdout when path is NULL; returns 0 or 1, with *st the library's status
 * and d its diagnostic (nothing is written unless it is BOGIE_OK). */
static int write_format(const bogie_journey *j, bogie_format fmt, const char *path, bogie_status *st, bogie_diag *d)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    int rc = 0;
    *st = bogie_journey_write_bytes(j, fmt, &bytes, &len, d);
    if (*st == BOGIE_OK) {
        if (path)
            rc = cli_write_bytes_atomic("route", path, bytes, len);
        else
            fwrite(bytes, 1, len, stdout);
    }
    free(bytes);
    return rc;
}

/* Writes the journey as a asks: in fmt to -o or stdout, then the profile and the plot; returns the exit status. */
static int write_journey(const route_args *a, const bogie_journey *j, bogie_format fmt)
{
    bogie_status st;
    bogie_diag d = {0};
    int rc = write_format(j, fmt, a->out_path, &st, &d);
    if (rc == 0 && st == BOGIE_OK && a->csv_path)
        rc = write_format(j, BOGIE_FORMAT_CSV, a->csv_path, &st, &d);
    if (rc == 0 && st == BOGIE_OK && a->svg_path)
        rc = write_format(j, BOGIE_FORMAT_SVG, a->svg_path, &st, &d);
    if (st != BOGIE_OK)
        rc = cli_fail("route", &d, st);
    return rc;
}

/* bogie where: writes where j's train is at a->at, as text or JSON to -o or stdout; returns the exit status. */
static int write_position(const cli_planner *p, const route_args *a, const bogie_journey *j, bogie_format fmt)
{
    bogie_position pos;
    bogie_diag d = {0};
    bogie_status st = bogie_where(p->planner, j, a->at, &pos, &d);
    if (st != BOGIE_OK)
        return cli_fail("where", &d, st);
    if (fmt != BOGIE_FORMAT_TEXT && fmt != BOGIE_FORMAT_JSON) {
        fprintf(stderr, "bogie where: --format must be text or json\n");
        return 2;
    }
    char *text = NULL;
    int rc = 0;
    st = bogie_position_write(j, &pos, fmt, &text);
    if (st != BOGIE_OK) {
        fprintf(stderr, "bogie where: %s\n", bogie_strerror(st));
        rc = 1;
    } else if (a->out_path) {
        rc = cli_write_file_atomic("where", a->out_path, text);
    } else {
        fputs(text, stdout);
    }
    free(text);
    return rc;
}

/* Says on stderr which gauge-change facilities of the reference data in data apply to no station of p's network. */
static void report_unplaced(const cli_planner *p, const char *data)
{
    const char *names[16];
    size_t listed, n = bogie_unplaced_facilities(p->net, p->world, names, 16, &listed);
    if (n == 0)
        return;
    fprintf(stderr, "bogie route: %zu of the %zu gauge-change facilities in %s/gauge-changers.csv apply to no station "
                    "of this network (none within 5 km):", n, listed, data);
    for (size_t i = 0; i < n && i < 16; i++)
        fprintf(stderr, "%s %s", i ? "," : "", names[i]);
    fprintf(stderr, n > 16 ? " and %zu more\n" : "\n", n - 16);
}

/* Plans the journey a asks for with train and writes it; returns the exit status. */
static int plan_and_write(route_args *a, const bogie_train *train, bogie_format fmt)
{
    cli_planner p;
    int rc = cli_open_planner("route", a->net_path, a->data, &p);
    if (rc != 0)
        return rc;
    a->req.train = train;
    if (a->verbose)
        report_unplaced(&p, a->data);
    bogie_journey *j;
    bogie_diag d = {0};
    bogie_status st = bogie_plan(p.planner, &a->req, &j, &d);
    if (st != BOGIE_OK) {
        rc = cli_fail(a->at ? "where" : "route", &d, st);
    } else {
        rc = a->at ? write_position(&p, a, j, fmt) : write_journey(a, j, fmt);
        bogie_journey_free(j);
    }
    cli_close_planner(&p);
    return rc;
}

/* bogie route, or with where bogie where (which needs --at); returns the exit status. */
static int route_or_where(int argc, char **argv, bool where)
{
    route_args a;
    if (route_args_init(&a, argc) != 0)
        return 1;
    a.cmd = where ? "where" : "route";
    bogie_format fmt = BOGIE_FORMAT_TEXT;
    int rc = parse_route_args(argc, argv, &a);
    if (rc == 0 && where != (a.at != NULL))
        rc = cli_usage_error(a.cmd, where ? "--at TIME|now is needed" : "--at is for bogie where");
    if (rc == 0)
        rc = route_format(&a, &fmt);
    if (rc == 0 && (!a.req.from || !a.req.to || !a.train_arg))
        rc = cli_usage_error(a.cmd, "--from, --to and --train are needed (missing: %s%s%s)", a.req.from ? "" : "--from ",
                             a.req.to ? "" : "--to ", a.train_arg ? "" : "--train");
    bogie_train train;
    if (rc == 0)
        rc = cli_load_train("route", a.data, a.train_arg, &train);
    if (rc == 0)
        rc = plan_and_write(&a, &train, fmt);
    free(a.via);
    free(a.avoid);
    free(a.seen);
    return rc;
}

int cli_route(int argc, char **argv)
{
    return route_or_where(argc, argv, false);
}

int cli_where(int argc, char **argv)
{
    return route_or_where(argc, argv, true);
}
