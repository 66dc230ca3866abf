/* plan_loop.c: times bogie_plan() and the JSON writer in a loop, for profiling the journey pipeline, with the plan's
 * time by stage; with ALTERNATIVES (> 1), bogie_plan_alternatives() for up to that many routes instead, the train's
 * hierarchy built first (as bogie serve does), with the median time and the number of routes.
 * Usage: plan_loop NETWORK DATA_DIR TRAIN_JSON FROM TO N [ALTERNATIVES] [--avoid PLACE]...
 * (bench/networks.py and bench/route.py run it) */
#include "bogie.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Times bogie_plan_alternatives for up to max routes, n times; prints the median and mean. */
static int time_alternatives(const bogie_planner *p, const bogie_journey_request *r, size_t max, int n);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: plan_loop NETWORK DATA TRAIN.json FROM TO N [ALTERNATIVES] [--avoid PLACE]...\n");
        return 2;
    }
    bogie_diag d = {0};
    bogie_network *net;
    bogie_world *w;
    bogie_planner *p;
    bogie_train t;
    if (bogie_network_open(argv[1], 0, NULL, &net, &d) || bogie_world_open(argv[2], NULL, &w, &d) ||
        bogie_planner_new(net, w, NULL, &p, &d) || bogie_train_load(argv[3], &t, &d)) {
        fprintf(stderr, "%s\n", d.message);
        return 1;
    }
    bogie_journey_request r;
    bogie_journey_request_init(&r);
    r.from = argv[4];
    r.to = argv[5];
    r.train = &t;
    r.depart = "2023-09-10 15:00";
    /* argv outlives the loop: the avoided places point into it. */
    const char *avoid[8];
    size_t n_avoid = 0;
    for (int i = 7; i + 1 < argc && n_avoid < 8; i++)
        if (strcmp(argv[i], "--avoid") == 0)
            avoid[n_avoid++] = argv[++i];
    r.avoid = avoid;
    r.n_avoid = n_avoid;
    int n = atoi(argv[6]);
    size_t alternatives = 0;
    for (int i = 7; i < argc; i++)
        if (strcmp(argv[i], "--avoid") != 0 && (i == 7 || strcmp(argv[i - 1], "--avoid") != 0))
            alternatives = (size_t)atoi(argv[i]);
    if (alternatives > 1) {
        if (bogie_planner_prepare(p, &t, &d) != BOGIE_OK) {
            fprintf(stderr, "%s\n", d.message);
            return 1;
        }
        int rc = time_alternatives(p, &r, alternatives, n);
        bogie_planner_free(p);
        bogie_world_close(w);
        bogie_network_close(net);
        return rc;
    }
    double t_plan = 0, t_json = 0, stages[BOGIE_N_STAGES] = {0};
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        double a = now();
        bogie_journey *j;
        if (bogie_plan(p, &r, &j, &d) != BOGIE_OK) {
            fprintf(stderr, "%s\n", d.message);
            return 1;
        }
        double b = now();
        char *json;
        bogie_journey_write(j, BOGIE_FORMAT_JSON, &json);
        double c = now();
        bytes = strlen(json);
        for (int k = 0; k < BOGIE_N_STAGES; k++)
            stages[k] += j->stage_s[k];
        free(json);
        bogie_journey_free(j);
        t_plan += b - a;
        t_json += c - b;
    }
    /* The stages in the order of bogie.h's BOGIE_STAGE_*. */
    static const char *const names[BOGIE_N_STAGES] = {"places", "search", "layout", "stops", "run", "timetable",
                                                      "clock", "result", "retime"};
    printf("plan %.3f ms, json %.3f ms, %zu bytes; stages (ms):", t_plan / n * 1e3, t_json / n * 1e3, bytes);
    for (int k = 0; k < BOGIE_N_STAGES; k++)
        printf(" %s %.3f", names[k], stages[k] / n * 1e3);
    printf("\n");
    bogie_planner_free(p);
    bogie_world_close(w);
    bogie_network_close(net);
    return 0;
}

static int time_alternatives(const bogie_planner *p, const bogie_journey_request *r, size_t max, int n)
{
    double *tm = malloc((n > 0 ? (size_t)n : 1) * sizeof *tm), sum = 0;
    size_t routes = 0;
    bogie_diag d = {0};
    for (int i = 0; i < n; i++) {
        double a = now();
        bogie_journey **js;
        if (bogie_plan_alternatives(p, r, max, &js, &routes, &d) != BOGIE_OK) {
            fprintf(stderr, "%s\n", d.message);
            free(tm);
            return 1;
        }
        tm[i] = now() - a;
        sum += tm[i];
        bogie_journeys_free(js, routes);
    }
    qsort(tm, (size_t)n, sizeof *tm, cmp_double);
    printf("alternatives %.3f ms median, %.3f ms mean, %zu routes\n", n > 0 ? tm[n / 2] * 1e3 : 0,
           n > 0 ? sum / n * 1e3 : 0, routes);
    free(tm);
    return 0;
}
