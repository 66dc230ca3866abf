/* netstats.c: prints the figures that say how much a graph file looks like a real railway network (degrees, chains of
 * degree-2 nodes, segment and edge lengths, stations, electrification, speed tags, gauges and curves), as text or
 * JSON, so that synthetic networks (bench/gen.c) can be compared with real OpenStreetMap extracts.
 *
 * Usage: netstats [--json] NETWORK.bogie
 *
 * It reads the mapped file through network.h, the same validated view that the router uses. Every figure is
 * described in bench/GENERATOR.md. */
#include "bogie.h"
#include "base/geo.h"
#include "net/netfmt.h"
#include "net/network.h"
#include "net/tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Curve radius classes, in metres: track is counted in the first class whose bound it is under. */
static const double radius_bounds[] = {300, 600, 1200, 3000};
#define N_RADIUS_CLASSES (sizeof radius_bounds / sizeof radius_bounds[0] + 1)

/* Track length per gauge label; a network has a handful of gauge sets, so a short list searched linearly does. */
typedef struct gauge_row {
    char label[32];
    double km;
} gauge_row;

#define MAX_GAUGE_ROWS 64

/* Every figure netstats prints. */
typedef struct figures {
    uint64_t graph_nodes, edges, stations, ways;
    uint64_t countries, crossings, breaks, breaks_at_station; /* breaks: disjoint gauge sets meeting */
    uint64_t degree[5];          /* graph nodes of degree 0, 1, 2, 3, 4 or more */
    uint64_t osm_nodes;          /* graph nodes plus interior geometry points */
    uint64_t osm_degree2;        /* of which have exactly two track neighbours */
    uint64_t segments;           /* straight pieces between consecutive geometry points */
    double geo_m;                /* their summed great-circle length */
    double track_m;              /* the edges' lengths */
    double route_m;              /* of which track without service=* (sidings, yards, spurs, crossovers) */
    double elec_m, elec_unknown_m, maxspeed_m;
    double radius_m[N_RADIUS_CLASSES]; /* measured track by curve radius class */
    double radius_measured_m;
    gauge_row gauges[MAX_GAUGE_ROWS];
    size_t n_gauges;
} figures;

static void add_gauge(figures *f, const char *label, double km)
{
    for (size_t i = 0; i < f->n_gauges; i++)
        if (strcmp(f->gauges[i].label, label) == 0) {
            f->gauges[i].km += km;
            return;
        }
    if (f->n_gauges == MAX_GAUGE_ROWS)
        label = "(other)";
    for (size_t i = 0; i < f->n_gauges; i++)
        if (strcmp(f->gauges[i].label, label) == 0) {
            f->gauges[i].km += km;
            return;
        }
    if (f->n_gauges < MAX_GAUGE_ROWS) {
        snprintf(f->gauges[f->n_gauges].label, sizeof f->gauges[0].label, "%s", label);
        f->gauges[f->n_gauges++].km = km;
    }
}

static int cmp_gauge_desc(const void *pa, const void *pb)
{
    const gauge_row *a = pa, *b = pb;
    if (a->km != b->km)
        return a->km > b->km ? -1 : 1;
    return strcmp(a->label, b->label);
}

/* Adds the length of every geometry segment of edge e to its radius class. A segment takes the larger of its two
 * end points' radii (the gentler reading), and segments where neither end has a measured radius are left out. */
static void add_curves(figures *f, const bogie_network *net, const net_edge *e)
{
    for (uint32_t k = 0; k + 1 < e->geom_count; k++) {
        const net_point *p = &net->geom[e->geom_first + k], *q = p + 1;
        uint16_t ra = net->radius[e->geom_first + k], rb = net->radius[e->geom_first + k + 1];
        if (ra == NET_NO_RADIUS && rb == NET_NO_RADIUS)
            continue;
        double r = ra == NET_NO_RADIUS ? rb : rb == NET_NO_RADIUS ? ra : (ra > rb ? ra : rb);
        double len = geo_distance_e7(p->lat, p->lon, q->lat, q->lon);
        size_t c = 0;
        while (c < N_RADIUS_CLASSES - 1 && r >= radius_bounds[c])
            c++;
        f->radius_m[c] += len;
        f->radius_measured_m += len;
    }
}

static void measure(const bogie_network *net, figures *f)
{
    memset(f, 0, sizeof *f);
    f->graph_nodes = net->n_nodes;
    f->edges = net->n_edges;
    f->stations = net->n_stations;
    f->countries = net->n_countries;
    f->crossings = net->n_crossings;
    for (size_t i = 0; i < net->n_breaks; i++) {
        const net_break *b = &net->breaks[i];
        if (b->kind != NET_BREAK_GAUGE)
            continue;
        f->breaks++;
        f->breaks_at_station += b->station != BOGIE_NONE && net->stations[b->station].node == b->node;
    }
    for (size_t i = 0; i < net->n_stats; i++)
        if (strcmp(net_str(net, net->stats[i].name), "ways_kept") == 0)
            f->ways = net->stats[i].value;
    for (uint32_t v = 0; v < net->n_nodes; v++) {
        uint32_t d = net->node_adj[v + 1] - net->node_adj[v];
        f->degree[d < 4 ? d : 4]++;
        f->osm_degree2 += d == 2;
    }
    f->osm_nodes = net->n_nodes;
    for (uint32_t i = 0; i < net->n_edges; i++) {
        const net_edge *e = &net->edges[i];
        const net_class *c = &net->classes[e->cls];
        uint32_t interior = e->geom_count >= 2 ? e->geom_count - 2 : 0;
        f->osm_nodes += interior;
        f->osm_degree2 += interior;
        f->segments += e->geom_count >= 1 ? e->geom_count - 1 : 0;
        for (uint32_t k = 0; k + 1 < e->geom_count; k++) {
            const net_point *p = &net->geom[e->geom_first + k], *q = p + 1;
            f->geo_m += geo_distance_e7(p->lat, p->lon, q->lat, q->lon);
        }
        double len = e->length_m;
        f->track_m += len;
        if (c->service == NET_SERVICE_NONE)
            f->route_m += len;
        if (c->electrified == NET_ELEC_YES)
            f->elec_m += len;
        else if (c->electrified == NET_ELEC_UNKNOWN)
            f->elec_unknown_m += len;
        if (c->maxspeed_fwd > 0 || c->maxspeed_bwd > 0)
            f->maxspeed_m += len;
        char label[32];
        tags_gauge_label(c, label, sizeof label);
        add_gauge(f, label, len / 1000.0);
        add_curves(f, net, e);
    }
    qsort(f->gauges, f->n_gauges, sizeof f->gauges[0], cmp_gauge_desc);
}

static double share(double part, double whole)
{
    return whole > 0 ? 100.0 * part / whole : 0.0;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

static void print_text(const char *path, const figures *f)
{
    uint64_t n = f->graph_nodes;
    printf("network %s\n", path);
    printf("  graph nodes %llu, edges %llu, stations %llu, OSM ways %llu\n", (unsigned long long)n,
           (unsigned long long)f->edges, (unsigned long long)f->stations, (unsigned long long)f->ways);
    printf("  graph-node degree      1: %.1f %%  2: %.1f %%  3: %.1f %%  4+: %.1f %%\n",
           share((double)f->degree[1], (double)n), share((double)f->degree[2], (double)n),
           share((double)f->degree[3], (double)n), share((double)f->degree[4], (double)n));
    printf("  OSM nodes on track     %llu, of degree 2: %.2f %%\n", (unsigned long long)f->osm_nodes,
           share((double)f->osm_degree2, (double)f->osm_nodes));
    printf("  OSM nodes per way      %.1f\n", ratio((double)f->osm_nodes, (double)f->ways));
    printf("  mean OSM segment       %.1f m\n", ratio(f->geo_m, (double)f->segments));
    printf("  mean graph edge        %.1f m\n", ratio(f->track_m, (double)f->edges));
    printf("  track                  %.1f km, of which without service=*: %.1f km\n", f->track_m / 1000.0,
           f->route_m / 1000.0);
    printf("  stations per 100 km    %.2f (of track without service=*)\n", ratio(100.0 * (double)f->stations,
                                                                                 f->route_m / 1000.0));
    printf("  electrified            %.1f %% (unknown %.1f %%)\n", share(f->elec_m, f->track_m),
           share(f->elec_unknown_m, f->track_m));
    printf("  with a maxspeed tag    %.1f %%\n", share(f->maxspeed_m, f->track_m));
    printf("  curve radius           <300 m: %.1f %%  300-600: %.1f %%  600-1200: %.1f %%  1200-3000: %.1f %%  "
           ">=3000: %.1f %% (of %.1f km measured)\n",
           share(f->radius_m[0], f->radius_measured_m), share(f->radius_m[1], f->radius_measured_m),
           share(f->radius_m[2], f->radius_measured_m), share(f->radius_m[3], f->radius_measured_m),
           share(f->radius_m[4], f->radius_measured_m), f->radius_measured_m / 1000.0);
    printf("  countries              %llu, border crossings %llu, breaks of gauge %llu (%llu at a station)\n",
           (unsigned long long)f->countries, (unsigned long long)f->crossings, (unsigned long long)f->breaks,
           (unsigned long long)f->breaks_at_station);
    printf("  km per gauge          ");
    for (size_t i = 0; i < f->n_gauges; i++)
        printf(" %s: %.1f", f->gauges[i].label, f->gauges[i].km);
    printf("\n");
}

static void print_json(const char *path, const figures *f)
{
    double n = (double)f->graph_nodes;
    printf("{\"network\":\"");
    for (const char *p = path; *p; p++) {
        if (*p == '"' || *p == '\\')
            putchar('\\');
        if ((unsigned char)*p >= 0x20)
            putchar(*p);
    }
    printf("\",\"graph_nodes\":%llu,\"edges\":%llu,\"stations\":%llu,\"osm_ways\":%llu,",
           (unsigned long long)f->graph_nodes, (unsigned long long)f->edges, (unsigned long long)f->stations,
           (unsigned long long)f->ways);
    printf("\"degree_pct\":{\"1\":%.2f,\"2\":%.2f,\"3\":%.2f,\"4+\":%.2f},", share((double)f->degree[1], n),
           share((double)f->degree[2], n), share((double)f->degree[3], n), share((double)f->degree[4], n));
    printf("\"osm_nodes\":%llu,\"osm_degree2_pct\":%.3f,\"osm_nodes_per_way\":%.2f,", (unsigned long long)f->osm_nodes,
           share((double)f->osm_degree2, (double)f->osm_nodes), ratio((double)f->osm_nodes, (double)f->ways));
    printf("\"mean_segment_m\":%.2f,\"mean_edge_m\":%.2f,\"track_km\":%.3f,\"route_km\":%.3f,",
           ratio(f->geo_m, (double)f->segments), ratio(f->track_m, (double)f->edges), f->track_m / 1000.0,
           f->route_m / 1000.0);
    printf("\"stations_per_100km\":%.3f,\"electrified_pct\":%.2f,\"electrified_unknown_pct\":%.2f,"
           "\"maxspeed_pct\":%.2f,",
           ratio(100.0 * (double)f->stations, f->route_m / 1000.0), share(f->elec_m, f->track_m),
           share(f->elec_unknown_m, f->track_m), share(f->maxspeed_m, f->track_m));
    printf("\"radius_pct\":{\"<300\":%.2f,\"300-600\":%.2f,\"600-1200\":%.2f,\"1200-3000\":%.2f,\">=3000\":%.2f},"
           "\"radius_measured_km\":%.3f,",
           share(f->radius_m[0], f->radius_measured_m), share(f->radius_m[1], f->radius_measured_m),
           share(f->radius_m[2], f->radius_measured_m), share(f->radius_m[3], f->radius_measured_m),
           share(f->radius_m[4], f->radius_measured_m), f->radius_measured_m / 1000.0);
    printf("\"countries\":%llu,\"border_crossings\":%llu,\"breaks_of_gauge\":%llu,\"breaks_at_station\":%llu,",
           (unsigned long long)f->countries, (unsigned long long)f->crossings, (unsigned long long)f->breaks,
           (unsigned long long)f->breaks_at_station);
    printf("\"km_by_gauge\":{");
    for (size_t i = 0; i < f->n_gauges; i++)
        printf("%s\"%s\":%.3f", i ? "," : "", f->gauges[i].label, f->gauges[i].km);
    printf("}}\n");
}

int main(int argc, char **argv)
{
    bool json = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: netstats [--json] NETWORK.bogie\n");
            return 0;
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "usage: netstats [--json] NETWORK.bogie\n");
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, "usage: netstats [--json] NETWORK.bogie\n");
        return 2;
    }
    bogie_network *net;
    bogie_diag diag = {0};
    if (bogie_network_open(path, BOGIE_OPEN_SKIP_CHECKSUM, NULL, &net, &diag) != BOGIE_OK) {
        fprintf(stderr, "netstats: %s\n", diag.message);
        return 1;
    }
    figures f;
    measure(net, &f);
    if (json)
        print_json(path, &f);
    else
        print_text(path, &f);
    bogie_network_close(net);
    return 0;
}
