/* fuzz_service.c: a libFuzzer harness for the HTTP API's request routing (bogie_service_handle() in src/serve/api.c): the
 * input is the target of a GET request to a service opened once on a small network, so that paths, parameters and
 * coordinates reach the endpoints they name. The network is $BOGIE_FUZZ_NETWORK (default build-fuzz/corridor.bogie),
 * the reference data and trains $BOGIE_FUZZ_DATA (default "data"); the cache is off so that every request is worked
 * out, and each search may take at most a quarter of a second. */
#include "fuzz.h"

static bogie_service *service;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *net = getenv("BOGIE_FUZZ_NETWORK"), *dir = getenv("BOGIE_FUZZ_DATA");
    bogie_service_options o;
    bogie_service_options_init(&o);
    o.network_path = net ? net : "build-fuzz/corridor.bogie";
    o.data_dir = dir ? dir : "data";
    o.web_dir = getenv("BOGIE_FUZZ_WEB");
    o.time_limit_s = 0.25;
    o.cache_bytes = 0;
    o.prepare = false;
    bogie_diag d = {0};
    if (bogie_service_open(&o, &service, &d) != BOGIE_OK) {
        fprintf(stderr, "fuzz_service: cannot open the service: %s\n", d.message);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *target = fuzz_cstring(data, size);
    bogie_response r;
    bogie_service_handle(service, "GET", target, &r);
    FUZZ_CHECK(r.status >= 200 && r.status <= 599 && r.content_type != NULL);
    FUZZ_CHECK(r.body != NULL || r.length == 0);
    if (r.status >= 400 && r.status != 503)
        FUZZ_CHECK(r.length > 0 && memchr(r.body, '{', r.length) == r.body);
    free(r.body);
    free(target);
    return 0;
}
