/* fuzz_pbf.c: a libFuzzer harness for the PBF reader (src/osm/osm_pbf.c): blobs, zlib, and the protobuf of header and data
 * blocks. Every object the reader hands on is read in full, and way tags go through the tag parsers (src/net/tags.c) as the
 * import's would; a failure must come with a message. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_tally t = {0};
    osm_sink sink = fuzz_sink(&t);
    bogie_diag d = {0};
    bogie_status st = osm_read_pbf_buffer("fuzz.osm.pbf", data, size, &sink, NULL, &d);
    if (st != BOGIE_OK)
        fuzz_check_diag(&d);
    return 0;
}
