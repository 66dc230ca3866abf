/* cli_table.c: `bogie table`: the time and distance from every source to every destination, as a text grid, JSON or
 * CSV, measured as the search estimates them or (--measure timetable) as bogie route plans them; the places come from
 * the command line or from a file. */
#include "cli/cli_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Appends val to *list (*n entries, *cap capacity; grown with realloc); returns 0, or 1 without memory. */
static int push_place(const char ***list, size_t *n, size_t *cap, const char *val)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        const char **nl = realloc(*list, nc * sizeof *nl);
        if (!nl)
            return 1;
        *list = nl;
        *cap = nc;
    }
    (*list)[(*n)++] = val;
    return 0;
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
        if (push_place(list, n, cap, line) != 0)
            return 1;
    }
    return 0;
}

/* Writes duration s (seconds; negative: no route) as " h:mm", right-aligned in a column cols wide after its space. */
static void print_duration(FILE *f, double s, size_t cols)
{
    char cell[32];
    if (s < 0) {
        snprintf(cell, sizeof cell, "-");
    } else {
        long m = lround(s / 60);
        snprintf(cell, sizeof cell, "%ld:%02ld", m / 60, m % 60);
    }
    fprintf(f, " %*s", (int)cols, cell);
}

/* The arguments of `bogie table`. */
typedef struct table_args {
    const char *net_path, *data, *train_arg, *format, *out_path;
    bool timetable;          /* --measure timetable: each pair's journey planned, as bogie route plans it */
    const char **src, **dst; /* the sources and destinations: realloc'd lists pointing into argv or places */
    size_t ns, nd, cs, cd;   /* their counts and capacities */
    char *places;            /* the text of the --places file, malloc'd; NULL without one */
} table_args;

/* Reads the options into a (reading the --places file); returns 0, or 2 (1 when a file or memory failed) after
 * saying what is wrong. */
static int parse_table_args(int argc, char **argv, table_args *a)
{
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i += 2) { /* every option takes a value */
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) {
            rc = cli_usage_error("table", "%s %s", arg[0] == '-' ? "missing value for" : "unknown argument", arg);
            break;
        }
        const char ***list = NULL;
        size_t *n = NULL, *cap = NULL;
        if (strcmp(arg, "--network") == 0)
            a->net_path = val;
        else if (strcmp(arg, "--data") == 0)
            a->data = val;
        else if (strcmp(arg, "--train") == 0)
            a->train_arg = val;
        else if (strcmp(arg, "--format") == 0)
            a->format = val;
        else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0)
            a->out_path = val;
        else if (strcmp(arg, "--measure") == 0 && (strcmp(val, "estimate") == 0 || strcmp(val, "timetable") == 0))
            a->timetable = strcmp(val, "timetable") == 0;
        else if (strcmp(arg, "--measure") == 0) {
            fprintf(stderr, "bogie table: --measure must be estimate or timetable, not \"%s\"\n", val);
            rc = 2;
        } else if (strcmp(arg, "--from") == 0)
            list = &a->src, n = &a->ns, cap = &a->cs;
        else if (strcmp(arg, "--to") == 0)
            list = &a->dst, n = &a->nd, cap = &a->cd;
        else if (strcmp(arg, "--places") == 0) {
            if (a->places) {
                fprintf(stderr, "bogie table: --places may be given once\n");
                rc = 2;
            } else {
                rc = read_places(val, &a->places, &a->src, &a->ns, &a->cs);
            }
        } else {
            rc = cli_usage_error("table", "unknown argument %s", arg);
        }
        if (list && push_place(list, n, cap, val) != 0) {
            rc = 1;
            break;
        }
    }
    return rc;
}

/* With --places alone, every place is both a source and a destination. Returns 0, or 1 without memory. */
static int places_both_ways(table_args *a)
{
    if (!a->places || a->nd != 0)
        return 0;
    a->dst = malloc((a->ns ? a->ns : 1) * sizeof *a->dst);
    if (!a->dst)
        return 1;
    memcpy(a->dst, a->src, a->ns * sizeof *a->dst);
    a->nd = a->ns;
    return 0;
}

/* Returns 0 when a has a train, places and a known format, else 2 after saying what is missing. */
static int check_table_args(const table_args *a)
{
    if (a->ns == 0 || a->nd == 0 || !a->train_arg)
        return cli_usage_error("table", "--train and places are needed: --from PLACE... --to PLACE..., or --places FILE");
    if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0 && strcmp(a->format, "csv") != 0) {
        fprintf(stderr, "bogie table: --format must be text, json or csv, not \"%s\"\n", a->format);
        return 2;
    }
    return 0;
}

/* The names of a's places (bogie_place_name) into the arrays of *names: ns sources, then nd destinations, malloc'd
 * (the caller frees it). Returns 0, or an exit status after saying what is wrong. */
static int name_places(const table_args *a, const bogie_planner *p, const bogie_train *train, char (**names)[128])
{
    *names = malloc((a->ns + a->nd) * sizeof **names);
    if (!*names)
        return 1;
    bogie_diag d = {0};
    for (size_t i = 0; i < a->ns + a->nd; i++) {
        const char *place = i < a->ns ? a->src[i] : a->dst[i - a->ns];
        bogie_status st = bogie_place_name(p, train, place, (*names)[i], sizeof **names, &d);
        if (st != BOGIE_OK)
            return cli_fail("table", &d, st);
    }
    return 0;
}

/* Plans every pair's journey as bogie route does, its total time and length into dur and dist (ns x nd by rows;
 * 0 from a station to itself, -1 where there is no route). Returns 0, or an exit status after saying why. */
static int plan_pairs(const table_args *a, const bogie_planner *p, const bogie_train *train, char (*names)[128],
                      double *dur, double *dist)
{
    for (size_t i = 0; i < a->ns; i++)
        for (size_t k = 0; k < a->nd; k++) {
            double *t = &dur[i * a->nd + k], *m = &dist[i * a->nd + k];
            *t = *m = -1;
            if (names[i][0] && strcmp(names[i], names[a->ns + k]) == 0) {
                *t = *m = 0;
                continue;
            }
            bogie_journey_request req;
            bogie_journey_request_init(&req);
            req.from = a->src[i];
            req.to = a->dst[k];
            req.train = train;
            bogie_journey *j;
            bogie_diag d = {0};
            bogie_status st = bogie_plan(p, &req, &j, &d);
            if (st == BOGIE_ERR_NOT_FOUND)
                continue;
            if (st != BOGIE_OK)
                return cli_fail("table", &d, st);
            *t = j->total_s;
            *m = j->length_m;
            bogie_journey_free(j);
        }
    return 0;
}

/* Works out the times and distances from every source to every destination into *dur and *dist (ns x nd by rows,
 * malloc'd, the caller frees them; negative where there is no route), and the places' names into *names (as
 * name_places). Returns the exit status. */
static int compute_table(const table_args *a, const bogie_train *train, double **dur, double **dist,
                         char (**names)[128])
{
    cli_planner p;
    int rc = cli_open_planner("table", a->net_path, a->data, &p);
    if (rc != 0)
        return rc;
    *dur = malloc(a->ns * a->nd * sizeof **dur);
    *dist = malloc(a->ns * a->nd * sizeof **dist);
    rc = *dur && *dist ? name_places(a, p.planner, train, names) : 1;
    bogie_diag d = {0};
    bogie_status st = BOGIE_OK;
    if (rc == 0 && a->timetable)
        rc = plan_pairs(a, p.planner, train, *names, *dur, *dist);
    else if (rc == 0)
        st = bogie_table(p.planner, train, a->src, a->ns, a->dst, a->nd, 0, *dur, *dist, &d);
    if (st != BOGIE_OK)
        rc = cli_fail("table", &d, st);
    cli_close_planner(&p);
    return rc;
}

/* What the table's figures are, in words. */
static const char *measure_text(const table_args *a)
{
    return a->timetable ? "each pair's journey as bogie route plans it: its total, from the departure to the end of "
                          "the work at the destination"
                        : BOGIE_TABLE_MEASURE;
}

static void write_table_csv(FILE *f, const table_args *a, const double *dur, const double *dist)
{
    fputs("source,destination,duration_s,distance_m\n", f);
    for (size_t i = 0; i < a->ns; i++)
        for (size_t k = 0; k < a->nd; k++) {
            double t = dur[i * a->nd + k], m = dist[i * a->nd + k];
            fprintf(f, "\"%s\",\"%s\",", a->src[i], a->dst[k]);
            if (t < 0)
                fputs(",\n", f);
            else
                fprintf(f, "%.0f,%.0f\n", t, m);
        }
}

/* Writes the ns x nd matrix m as JSON rows, null where it is negative. */
static void write_json_matrix(FILE *f, const double *m, size_t ns, size_t nd)
{
    for (size_t i = 0; i < ns; i++) {
        fputs(i ? ",[" : "[", f);
        for (size_t k = 0; k < nd; k++) {
            double v = m[i * nd + k];
            fprintf(f, v < 0 ? "%snull" : "%s%.1f", k ? "," : "", v);
        }
        fputs("]", f);
    }
}

/* Writes the n places list[0 .. n) as JSON objects with the name each resolves to (names[0 .. n)). */
static void write_json_places(FILE *f, const char *const *list, char (*names)[128], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",{\"place\":" : "{\"place\":", f);
        cli_put_json_string(f, list[i]);
        fputs(",\"name\":", f);
        cli_put_json_string(f, names[i]);
        fputs("}", f);
    }
}

static void write_table_json(FILE *f, const table_args *a, const double *dur, const double *dist,
                             char (*names)[128])
{
    fprintf(f, "{\"measure\":\"%s\",\"measure_text\":", a->timetable ? "timetable" : "estimate");
    cli_put_json_string(f, measure_text(a));
    fputs(",\"sources\":[", f);
    write_json_places(f, a->src, names, a->ns);
    fputs("],\"destinations\":[", f);
    write_json_places(f, a->dst, names + a->ns, a->nd);
    fputs("],\"durations\":[", f);
    write_json_matrix(f, dur, a->ns, a->nd);
    fputs("],\"distances\":[", f);
    write_json_matrix(f, dist, a->ns, a->nd);
    fputs("]}\n", f);
}

/* The widest of the n places list[0 .. n) and at least least, in display columns. */
static size_t widest(const char *const *list, size_t n, size_t least)
{
    for (size_t i = 0; i < n; i++) {
        size_t w = cli_text_width(list[i]);
        if (w > least)
            least = w;
    }
    return least;
}

/* Writes the table as text: one row per source, one column per destination, each as wide as its name (in display
 * columns, so that Cyrillic, Hangul and Chinese names align) and at least "hhhh:mm"; names are never cut. */
static void write_table_text(FILE *f, const table_args *a, const bogie_train *train, const double *dur)
{
    const char *corner = "from \\ to";
    size_t src_w = widest(a->src, a->ns, cli_text_width(corner));
    fprintf(f, "hours:minutes by %s: %s%s\n", train->name, measure_text(a),
            a->timetable ? "" : " (--measure timetable gives that)");
    cli_put_padded(f, corner, src_w);
    for (size_t k = 0; k < a->nd; k++) {
        fputc(' ', f);
        size_t w = widest(&a->dst[k], 1, 7), name_w = cli_text_width(a->dst[k]);
        fprintf(f, "%*s", (int)(w - name_w), "");
        cli_put_padded(f, a->dst[k], name_w);
    }
    fputc('\n', f);
    for (size_t i = 0; i < a->ns; i++) {
        cli_put_padded(f, a->src[i], src_w);
        for (size_t k = 0; k < a->nd; k++)
            print_duration(f, dur[i * a->nd + k], widest(&a->dst[k], 1, 7));
        fputc('\n', f);
    }
}

/* Writes the table in a's format to -o or stdout, whole or not at all; returns the exit status. */
static int output_table(const table_args *a, const bogie_train *train, const double *dur, const double *dist,
                        char (*names)[128])
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return 1;
    if (strcmp(a->format, "csv") == 0)
        write_table_csv(f, a, dur, dist);
    else if (strcmp(a->format, "json") == 0)
        write_table_json(f, a, dur, dist, names);
    else
        write_table_text(f, a, train, dur);
    int rc = 0;
    if (fclose(f) == 0 && text) {
        if (a->out_path)
            rc = cli_write_file_atomic("table", a->out_path, text);
        else
            fputs(text, stdout);
    } else {
        rc = 1;
    }
    free(text);
    return rc;
}

int cli_table(int argc, char **argv)
{
    table_args a = {.net_path = cli_default_network(), .data = cli_default_data(), .format = "text"};
    int rc = parse_table_args(argc, argv, &a);
    if (rc == 0)
        rc = places_both_ways(&a);
    if (rc == 0)
        rc = check_table_args(&a);
    bogie_train train;
    if (rc == 0)
        rc = cli_load_train("table", a.data, a.train_arg, &train);
    double *dur = NULL, *dist = NULL;
    char (*names)[128] = NULL;
    if (rc == 0)
        rc = compute_table(&a, &train, &dur, &dist, &names);
    if (rc == 0)
        rc = output_table(&a, &train, dur, dist, names);
    free(names);
    free(dur);
    free(dist);
    free(a.src);
    free(a.dst);
    free(a.places);
    return rc;
}
