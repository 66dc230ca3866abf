// routingkit.cpp: RoutingKit's side of the side-by-side (bench/route.py): reads the graph bogie contracts and the
// queries bogie answered (bench/ch_compare writes them), builds RoutingKit's contraction hierarchy on the same states,
// arcs and weights, and answers the same queries with the same source and target states, timed one query after
// another, with the path and for the distance alone; checks every distance against bogie's cost; then the same on
// the plain node graph between the queries' two nodes, for reference. A benchmark baseline only: bogie's build and
// tests never need it (bench/route.py builds RoutingKit from ../shared/anchors/routingkit in the build folder).
//
// Usage: routingkit DIR   (DIR/states.bin, DIR/queries.bin, DIR/nodes.bin); prints one JSON line.
#include <routingkit/contraction_hierarchy.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

using namespace RoutingKit;

namespace {

struct Graph {
    unsigned n = 0;
    std::vector<unsigned> tail, head, weight;
};

struct Query {
    unsigned s = 0, t = 0;
    std::vector<std::pair<unsigned, unsigned>> src, dst;
    double cost = 0;
};

unsigned get_u32(FILE *f)
{
    uint32_t x = 0;
    if (fread(&x, sizeof x, 1, f) != 1)
        throw std::runtime_error("short read");
    return x;
}

std::vector<unsigned> get_vec(FILE *f, unsigned m)
{
    std::vector<unsigned> v(m);
    if (m && fread(v.data(), sizeof(unsigned), m, f) != m)
        throw std::runtime_error("short read");
    return v;
}

Graph read_graph(const std::string &path)
{
    FILE *f = fopen(path.c_str(), "rb");
    if (!f)
        throw std::runtime_error("cannot open " + path);
    Graph g;
    g.n = get_u32(f);
    unsigned m = get_u32(f);
    g.tail = get_vec(f, m);
    g.head = get_vec(f, m);
    g.weight = get_vec(f, m);
    fclose(f);
    return g;
}

std::vector<Query> read_queries(const std::string &path)
{
    FILE *f = fopen(path.c_str(), "rb");
    if (!f)
        throw std::runtime_error("cannot open " + path);
    std::vector<Query> qs(get_u32(f));
    for (auto &q : qs) {
        q.s = get_u32(f);
        q.t = get_u32(f);
        for (auto *side : {&q.src, &q.dst}) {
            unsigned k = get_u32(f);
            for (unsigned i = 0; i < k; i++) {
                unsigned node = get_u32(f);
                side->push_back({node, get_u32(f)});
            }
        }
        if (fread(&q.cost, sizeof q.cost, 1, f) != 1)
            throw std::runtime_error("short read");
    }
    fclose(f);
    return qs;
}

double seconds_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Times {
    double p50 = 0, p99 = 0, mean = 0;
};

Times summarise(std::vector<double> v)
{
    Times t;
    if (v.empty())
        return t;
    std::sort(v.begin(), v.end());
    auto at = [&](double p) {
        size_t i = (size_t)std::ceil(p * v.size()) - 1;
        return v[std::min(i, v.size() - 1)];
    };
    t.p50 = at(0.5) * 1e3;
    t.p99 = at(0.99) * 1e3;
    for (double x : v)
        t.mean += x;
    t.mean = t.mean / v.size() * 1e3;
    return t;
}

std::string times_json(const Times &t)
{
    char b[160];
    snprintf(b, sizeof b, "{\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"mean_ms\":%.4f}", t.p50, t.p99, t.mean);
    return b;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: routingkit DIR\n");
        return 2;
    }
    std::string dir = argv[1];
    try {
        Graph g = read_graph(dir + "/states.bin");
        std::vector<Query> qs = read_queries(dir + "/queries.bin");
        auto t0 = std::chrono::steady_clock::now();
        ContractionHierarchy ch = ContractionHierarchy::build(g.n, g.tail, g.head, g.weight);
        double build_s = seconds_since(t0);
        ContractionHierarchyQuery query(ch);
        // The distance alone, then with the path (in that order, as bench/ch_compare times bogie).
        std::vector<double> with_path, cost_only;
        std::vector<unsigned> dist[2];
        std::vector<size_t> arcs;
        for (int pass = 0; pass < 2; pass++) {
            bool path = pass == 1;
            for (const Query &q : qs) {
                auto a = std::chrono::steady_clock::now();
                query.reset();
                for (auto &s : q.src)
                    query.add_source(s.first, s.second);
                for (auto &t : q.dst)
                    query.add_target(t.first, t.second);
                query.run();
                dist[pass].push_back(query.get_distance());
                if (path)
                    arcs.push_back(query.get_node_path().size());
                (path ? with_path : cost_only).push_back(seconds_since(a));
            }
        }
        // Weights are bogie's costs rounded to the millisecond: each arc of a path (and each seed) may be off by half
        // a millisecond.
        size_t mismatches = 0;
        for (size_t i = 0; i < qs.size(); i++) {
            double tol = 0.0005 * ((double)arcs[i] + 2) + 1e-6;
            for (int pass = 0; pass < 2; pass++)
                if (dist[pass][i] == inf_weight || std::fabs(dist[pass][i] / 1000.0 - qs[i].cost) > tol) {
                    mismatches++;
                    fprintf(stderr, "routingkit: query %zu: %u ms against bogie's %.3f s\n", i, dist[pass][i],
                            qs[i].cost);
                    break;
                }
        }
        // The plain node graph, for reference: RoutingKit between the two nodes of each query.
        Graph ng = read_graph(dir + "/nodes.bin");
        t0 = std::chrono::steady_clock::now();
        ContractionHierarchy nch = ContractionHierarchy::build(ng.n, ng.tail, ng.head, ng.weight);
        double node_build_s = seconds_since(t0);
        ContractionHierarchyQuery nq(nch);
        std::vector<double> node_path, node_cost;
        for (int pass = 0; pass < 2; pass++)
            for (const Query &q : qs) {
                auto a = std::chrono::steady_clock::now();
                nq.reset().add_source(q.s).add_target(q.t).run();
                volatile unsigned d = nq.get_distance();
                (void)d;
                if (pass == 1)
                    (void)nq.get_node_path();
                (pass == 1 ? node_path : node_cost).push_back(seconds_since(a));
            }
        printf("{\"queries\":%zu,\"states\":%u,\"arcs\":%zu,\"build_s\":%.3f,\"mismatches\":%zu,\"path\":%s,"
               "\"cost\":%s,\"node_graph\":{\"nodes\":%u,\"arcs\":%zu,\"build_s\":%.3f,\"path\":%s,\"cost\":%s}}\n",
               qs.size(), g.n, g.tail.size(), build_s, mismatches, times_json(summarise(with_path)).c_str(),
               times_json(summarise(cost_only)).c_str(), ng.n, ng.tail.size(), node_build_s,
               times_json(summarise(node_path)).c_str(), times_json(summarise(node_cost)).c_str());
        return mismatches ? 1 : 0;
    } catch (const std::exception &e) {
        fprintf(stderr, "routingkit: %s\n", e.what());
        return 1;
    }
}
