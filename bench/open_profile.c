/* open_profile.c: where the time of bogie_network_open() goes on one graph file: mapping it with and without
 * populating the pages, hashing its sections (XXH3-64, as the open does), the structure checks alone
 * (BOGIE_OPEN_SKIP_CHECKSUM on an already mapped file), and the whole open; each the median of RUNS tries.
 *
 * Usage: open_profile NETWORK.bogie [RUNS]
 *
 * The file is read from the page cache: run it once first, or after the import that wrote it. */
#include "bogie.h"
#include "benchutil.h"
#include "net/netfmt.h"
#include "net/network.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define MAX_RUNS 101

/* Maps the len bytes of fd read-only (populated when populate), touches one byte per page, and returns the seconds
 * the mapping and the touching took; *map gets the mapping, which the caller unmaps. */
static double map_and_touch(int fd, size_t len, bool populate, const uint8_t **map)
{
    double t0 = bench_now();
    void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
    if (m == MAP_FAILED) {
        perror("open_profile: mmap");
        exit(1);
    }
    volatile uint8_t sink = 0;
    long page = sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < len; i += (size_t)page)
        sink ^= ((const uint8_t *)m)[i];
    (void)sink;
    *map = m;
    return bench_now() - t0;
}

/* The seconds hashing every section of the mapped file at base takes, and its sections' total bytes in *bytes. */
static double hash_sections(const uint8_t *base, size_t *bytes)
{
    const netfmt_header *h = (const netfmt_header *)base;
    const netfmt_section *table = (const netfmt_section *)(base + sizeof *h);
    volatile uint64_t sink = 0;
    *bytes = 0;
    double t0 = bench_now();
    for (uint32_t i = 0; i < h->section_count; i++) {
        sink ^= XXH3_64bits(base + table[i].offset, (size_t)(table[i].count * table[i].elem_size));
        *bytes += (size_t)(table[i].count * table[i].elem_size);
    }
    (void)sink;
    return bench_now() - t0;
}

/* Prints each section's size and the time hashing it once takes. */
static void print_sections(const uint8_t *base)
{
    const netfmt_header *h = (const netfmt_header *)base;
    const netfmt_section *table = (const netfmt_section *)(base + sizeof *h);
    for (uint32_t i = 0; i < h->section_count; i++) {
        size_t n = (size_t)(table[i].count * table[i].elem_size);
        double t0 = bench_now();
        volatile uint64_t sink = XXH3_64bits(base + table[i].offset, n);
        (void)sink;
        printf("  section %2u: %10.1f MB, hashed in %7.2f ms\n", table[i].id, n / 1e6, (bench_now() - t0) * 1e3);
    }
}

/* Prints the median and the least of the n timings of v (seconds), in milliseconds. */
static void print_times(const char *what, double *v, int n)
{
    double least = v[0];
    for (int i = 1; i < n; i++)
        least = v[i] < least ? v[i] : least;
    printf("  %-30s %8.2f %8.2f\n", what, bench_quantile(v, (size_t)n, 0.5) * 1e3, least * 1e3);
}

/* The seconds one open with these flags takes, or exits when it fails. */
static double time_open(const char *path, unsigned flags)
{
    bogie_network *net;
    bogie_diag d = {0};
    double t0 = bench_now();
    if (bogie_network_open(path, flags, NULL, &net, &d) != BOGIE_OK) {
        fprintf(stderr, "open_profile: %s\n", d.message);
        exit(1);
    }
    double t = bench_now() - t0;
    bogie_network_close(net);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: open_profile NETWORK.bogie [RUNS]\n");
        return 2;
    }
    int runs = argc == 3 ? atoi(argv[2]) : 7;
    if (runs < 1 || runs > MAX_RUNS)
        runs = 7;
    int fd = open(argv[1], O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        perror("open_profile");
        return 1;
    }
    size_t len = (size_t)sb.st_size, bytes = 0;
    double fault[MAX_RUNS], pop[MAX_RUNS], hash[MAX_RUNS], check[MAX_RUNS], full[MAX_RUNS], skip[MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        const uint8_t *m;
        fault[r] = map_and_touch(fd, len, false, &m);
        munmap((void *)m, len);
        pop[r] = map_and_touch(fd, len, true, &m);
        hash[r] = hash_sections(m, &bytes);
        bogie_network *net;
        bogie_diag d = {0};
        double t0 = bench_now();
        if (net_open_buffer(argv[1], m, len, BOGIE_OPEN_SKIP_CHECKSUM, NULL, &net, &d) != BOGIE_OK) {
            fprintf(stderr, "open_profile: %s\n", d.message);
            return 1;
        }
        check[r] = bench_now() - t0;
        net_close_buffer(net);
        if (r == 0)
            print_sections(m);
        munmap((void *)m, len);
        full[r] = time_open(argv[1], 0);
        skip[r] = time_open(argv[1], BOGIE_OPEN_SKIP_CHECKSUM);
    }
    close(fd);
    printf("%s: %.1f MB, %d runs (ms): median, least\n", argv[1], len / 1e6, runs);
    print_times("map, a fault per page", fault, runs);
    print_times("map with MAP_POPULATE", pop, runs);
    print_times("hash every section", hash, runs);
    print_times("structure checks alone", check, runs);
    print_times("bogie_network_open", full, runs);
    print_times("... with SKIP_CHECKSUM", skip, runs);
    printf("  (%.1f MB of sections)\n", bytes / 1e6);
    return 0;
}
