/* plan.c: the "20-line program" of tests/cli/test_install.sh, built against the installed libbogie.so with
 * pkg-config: plans argv[2] -> argv[3] for the train argv[4] on the network argv[1] with the installed data argv[5],
 * and prints the length and total time. */
#include <bogie.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    bogie_network *net = NULL;
    bogie_world *world = NULL;
    bogie_planner *planner = NULL;
    bogie_train train;
    bogie_journey *j = NULL;
    bogie_diag d = {0};
    char path[4096];
    if (argc != 6)
        return 2;
    snprintf(path, sizeof path, "%s/trains/%s.json", argv[5], argv[4]);
    bogie_journey_request req;
    bogie_journey_request_init(&req);
    req.from = argv[2];
    req.to = argv[3];
    req.train = &train;
    if (bogie_network_open(argv[1], 0, NULL, &net, &d) || bogie_world_open(argv[5], NULL, &world, &d) ||
        bogie_train_load(path, &train, &d) || bogie_planner_new(net, world, NULL, &planner, &d) ||
        bogie_plan(planner, &req, &j, &d)) {
        fprintf(stderr, "plan: %s\n", d.message);
        return 1;
    }
    printf("%.1f km %.0f s\n", j->length_m / 1000, j->total_s);
    bogie_journey_free(j);
    bogie_planner_free(planner);
    bogie_world_close(world);
    bogie_network_close(net);
    return 0;
}
