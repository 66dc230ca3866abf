/* cli_match.c: `bogie match`: reads a recorded trace (GPX), matches it to the track a train can run and writes the
 * matched journey with the observed against the predicted running time per section, as text, JSON or GeoJSON. */
#include "cli/cli_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct match_args {
    const char *net_path, *data, *train_arg, *format, *out_path, *trace_path;
    bogie_match_request req;
} match_args;

/* Reads a number of metres above 0 (at most max) for opt into *out; returns 0, or 2 after saying what is wrong. */
static int read_metres(const char *opt, const char *val, double max, double *out)
{
    char *end;
    double m = strtod(val, &end);
    if (*end || end == val || !(m > 0 && m <= max)) {
        fprintf(stderr, "bogie match: %s takes a number of metres above 0 and up to %g, not \"%s\"\n", opt, max, val);
        return 2;
    }
    *out = m;
    return 0;
}

static int parse_match_args(int argc, char **argv, match_args *a)
{
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(arg, "--network") == 0 && val)
            a->net_path = val;
        else if (strcmp(arg, "--data") == 0 && val)
            a->data = val;
        else if (strcmp(arg, "--train") == 0 && val)
            a->train_arg = val;
        else if (strcmp(arg, "--format") == 0 && val)
            a->format = val;
        else if ((strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) && val)
            a->out_path = val;
        else if (strcmp(arg, "--radius") == 0 && val)
            rc = read_metres(arg, val, 5000, &a->req.radius_m);
        else if (strcmp(arg, "--sigma") == 0 && val)
            rc = read_metres(arg, val, 5000, &a->req.sigma_m);
        else if (strcmp(arg, "--beta") == 0 && val)
            rc = read_metres(arg, val, 1e6, &a->req.beta_m);
        else if (strcmp(arg, "--gaps") == 0 && val) {
            if (strcmp(val, "split") != 0 && strcmp(val, "ignore") != 0) {
                fprintf(stderr, "bogie match: --gaps takes split or ignore, not \"%s\"\n", val);
                rc = 2;
            }
            a->req.split_gaps = strcmp(val, "split") == 0;
        } else if (arg[0] != '-' && !a->trace_path) {
            a->trace_path = arg;
            takes = false;
        } else {
            rc = cli_usage_error("match", "%s %s", val || arg[0] != '-' ? "unknown argument" : "missing value for",
                                 arg);
            takes = false;
        }
        if (takes)
            i++;
    }
    if (rc == 0 && !a->trace_path)
        rc = cli_usage_error("match", "no trace: give a GPX file");
    else if (rc == 0 && !a->train_arg)
        rc = cli_usage_error("match", "no train: give --train NAME");
    return rc;
}

/* The format --format names, else the one -o's extension names, else text; returns 0, or 2 after saying why. */
static int match_format(const match_args *a, bogie_format *fmt)
{
    const char *name = a->format;
    if (!name && a->out_path) {
        const char *dot = strrchr(a->out_path, '.');
        name = dot && (strcasecmp(dot, ".json") == 0 || strcasecmp(dot, ".geojson") == 0) ? dot + 1 : "text";
    }
    if (!name || strcasecmp(name, "text") == 0)
        *fmt = BOGIE_FORMAT_TEXT;
    else if (strcasecmp(name, "json") == 0)
        *fmt = BOGIE_FORMAT_JSON;
    else if (strcasecmp(name, "geojson") == 0)
        *fmt = BOGIE_FORMAT_GEOJSON;
    else {
        fprintf(stderr, "bogie match: --format must be text, json or geojson, not \"%s\"\n", name);
        return 2;
    }
    return 0;
}

/* Matches the trace with planner p and writes the answer; returns the exit status. */
static int match_and_write(match_args *a, cli_planner *p, const bogie_trace *trace, bogie_format fmt)
{
    a->req.points = trace->points;
    a->req.n_points = trace->n_points;
    bogie_diag d = {0};
    bogie_match_result *m = NULL;
    bogie_status st = bogie_match(p->planner, &a->req, &m, &d);
    if (st != BOGIE_OK)
        return cli_fail("match", &d, st);
    char *text = NULL;
    int rc = 0;
    st = bogie_match_write(m, fmt, &text);
    if (st != BOGIE_OK)
        rc = cli_fail("match", NULL, st);
    else if (a->out_path)
        rc = cli_write_file_atomic("match", a->out_path, text);
    else
        fputs(text, stdout);
    free(text);
    bogie_match_free(m);
    return rc;
}

int cli_match(int argc, char **argv)
{
    match_args a;
    memset(&a, 0, sizeof a);
    a.net_path = cli_default_network();
    a.data = cli_default_data();
    bogie_match_request_init(&a.req);
    int rc = parse_match_args(argc, argv, &a);
    bogie_format fmt = BOGIE_FORMAT_TEXT;
    if (rc == 0)
        rc = match_format(&a, &fmt);
    if (rc != 0)
        return rc;
    if (cli_need_data("match", a.data))
        return 1;
    bogie_train train;
    rc = cli_load_train("match", a.data, a.train_arg, &train);
    if (rc != 0)
        return rc;
    a.req.train = &train;
    bogie_diag d = {0};
    bogie_trace *trace = NULL;
    bogie_status st = bogie_trace_read_gpx(a.trace_path, NULL, &trace, &d);
    if (st != BOGIE_OK)
        return cli_fail("match", &d, st);
    cli_planner p;
    rc = cli_open_planner("match", a.net_path, a.data, &p);
    if (rc == 0) {
        rc = match_and_write(&a, &p, trace, fmt);
        cli_close_planner(&p);
    }
    bogie_trace_free(trace);
    return rc;
}
