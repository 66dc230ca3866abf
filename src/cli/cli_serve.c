/* cli_serve.c: `bogie serve`: the HTTP API and the web page on a port, until SIGTERM or Ctrl-C, which let the requests
 * in flight finish. */
#include "cli/cli_int.h"
#include "bogie_server.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int parse_uint(const char *what, const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > max) {
        fprintf(stderr, "bogie serve: %s takes a whole number up to %lu, not \"%s\"\n", what, max, s);
        return 2;
    }
    *out = v;
    return 0;
}

int cli_serve(int argc, char **argv)
{
    bogie_service_options so;
    bogie_service_options_init(&so);
    so.network_path = cli_default_network();
    so.data_dir = cli_default_data();
    char page[4200];
    snprintf(page, sizeof page, "%s/index.html", cli_default_web());
    so.web_dir = access(page, R_OK) == 0 ? cli_default_web() : NULL;
    bogie_server_options ho;
    bogie_server_options_init(&ho);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    ho.threads = cores < 1 ? 1 : cores > 64 ? 64 : (unsigned)cores; /* one thread per core */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long n;
        int bad = 0;
        if (strcmp(a, "--no-cache") == 0) {
            so.cache_bytes = 0;
            continue;
        }
        if (strcmp(a, "--no-prepare") == 0) {
            so.prepare = false;
            continue;
        }
        if (!v)
            return cli_usage_error("serve", "%s needs a value", a);
        if (strcmp(a, "--network") == 0)
            so.network_path = v;
        else if (strcmp(a, "--data") == 0)
            so.data_dir = v;
        else if (strcmp(a, "--web") == 0)
            so.web_dir = v;
        else if (strcmp(a, "--host") == 0)
            ho.host = v;
        else if (strcmp(a, "--port") == 0) {
            bad = parse_uint("--port", v, 65535, &n);
            ho.port = (uint16_t)n;
        } else if (strcmp(a, "--threads") == 0) {
            bad = parse_uint("--threads", v, 256, &n);
            ho.threads = (unsigned)n;
        } else if (strcmp(a, "--max-connections") == 0) {
            bad = parse_uint("--max-connections", v, 100000, &n);
            ho.max_connections = (unsigned)n;
        } else if (strcmp(a, "--header-timeout") == 0) {
            bad = parse_uint("--header-timeout", v, 3600, &n);
            ho.header_timeout_s = (unsigned)n;
        } else if (strcmp(a, "--max-per-client") == 0) {
            bad = parse_uint("--max-per-client", v, 100000, &n);
            ho.max_per_client = (unsigned)n;
        } else if (strcmp(a, "--workers") == 0) {
            bad = parse_uint("--workers", v, 256, &n);
            ho.workers = (unsigned)n;
        } else if (strcmp(a, "--max-heavy-per-client") == 0) {
            bad = parse_uint("--max-heavy-per-client", v, 100000, &n);
            ho.max_heavy_per_client = (unsigned)n;
        } else if (strcmp(a, "--answer-memory") == 0) {
            bad = parse_uint("--answer-memory (MiB)", v, 1u << 20, &n);
            ho.max_answer_bytes = (size_t)n << 20;
            if (!bad && n == 0) {
                fprintf(stderr, "bogie serve: --answer-memory takes at least 1 MiB\n");
                return 2;
            }
        } else if (strcmp(a, "--allow-host") == 0) {
            ho.allow_hosts = v;
        } else if (strcmp(a, "--cors") == 0) {
            ho.cors_origin = strcmp(v, "none") == 0 ? NULL : v;
        } else if (strcmp(a, "--time-limit") == 0) {
            char *end;
            so.time_limit_s = strtod(v, &end);
            if (*end || !(so.time_limit_s > 0)) {
                fprintf(stderr, "bogie serve: --time-limit takes seconds\n");
                return 2;
            }
        } else {
            return cli_usage_error("serve", "unknown option %s", a);
        }
        if (bad)
            return bad;
        i++;
    }
    /* libmicrohttpd holds up to twice --max-connections plus 16 sockets (answering 503 beyond the first half); the
     * usual soft limit of 1024 open files is raised towards the hard limit so that they, and the files the server
     * opens itself, fit. */
    struct rlimit rl;
    rlim_t want = (rlim_t)ho.max_connections * 2 + 16 + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
            fprintf(stderr, "bogie serve: warning: the process may open %llu files, fewer than --max-connections %u "
                    "needs (%llu); raise `ulimit -n`\n", (unsigned long long)rl.rlim_cur, ho.max_connections,
                    (unsigned long long)want);
    }
    if (cli_need_data("serve", so.data_dir) != 0)
        return 1;
    /* Signals go to the main thread only, which waits for them; the server's threads never see them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    bogie_diag d = {0};
    bogie_service *svc;
    bogie_status st = bogie_service_open(&so, &svc, &d);
    if (st != BOGIE_OK)
        return cli_fail("serve", &d, st);
    bogie_server *srv;
    st = bogie_server_start(svc, &ho, &srv, &d);
    if (st != BOGIE_OK) {
        bogie_service_close(svc);
        return cli_fail("serve", &d, st);
    }
    fprintf(stderr, "bogie serve: http://%s:%u/ (%s, %u threads)\n", ho.host, (unsigned)bogie_server_port(srv),
            so.network_path, ho.threads);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "bogie serve: %s: finishing the requests in flight\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    bogie_server_quiesce(srv);
    for (int waited = 0; waited < 300 && bogie_server_active(srv) > 0; waited++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    bogie_server_stop(srv);
    uint64_t requests, hits;
    bogie_service_counters(svc, &requests, &hits);
    bogie_service_close(svc);
    fprintf(stderr, "bogie serve: stopped after %llu requests (%llu answered from the cache)\n",
            (unsigned long long)requests, (unsigned long long)hits);
    return 0;
}
