/* plan_loop.c: times bogie_plan() and the JSON writer in a loop, for profiling the journey pipeline.
 * Usage: plan_loop NETWORK DATA_DIR TRAIN_JSON FROM TO N [--avoid PLACE]... (bench/networks.py runs it) */
#include "bogie.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: plan_loop NETWORK DATA TRAIN.json FROM TO N [--avoid PLACE]...\n");
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
    for (int i = 7; i + 1 < argc && n_avoid < 8; i += 2)
        if (strcmp(argv[i], "--avoid") == 0)
            avoid[n_avoid++] = argv[i + 1];
    r.avoid = avoid;
    r.n_avoid = n_avoid;
    int n = atoi(argv[6]);
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
