/* osm.h: the interface between the OpenStreetMap readers (PBF, XML, Overpass JSON, readosm) and their consumer.
 *
 * A reader walks one file and hands every object to an osm_sink. Strings and arrays passed to the sink are owned by
 * the reader and valid only during the call. Positions in error messages name the file first, then a byte offset,
 * a line and column, or an element index, then the object and the field, e.g.
 *   "roads.osm.pbf: byte 4096 (blob 3, OSMData): zlib data is corrupt". */
#ifndef BOGIE_OSM_H
#define BOGIE_OSM_H

#include "bogie.h"

#include <stddef.h>
#include <stdint.h>

/* Coordinates are fixed-point: degrees times 1e7, rounded to nearest. OSM_NO_COORD marks a missing one. */
#define OSM_COORD_SCALE 1e7
#define OSM_NO_COORD INT32_MIN

typedef struct osm_tag {
    const char *key;
    const char *value;
} osm_tag;

typedef struct osm_member {
    char type; /* 'n', 'w' or 'r' */
    int64_t ref;
    const char *role; /* "" when there is none */
} osm_member;

/* Each callback returns BOGIE_OK to go on. Any other status stops the reader, which returns that status at once and
 * leaves diag untouched: the sink reports its own failures. Any callback may be NULL, and the reader then skips the
 * objects of that kind as cheaply as it can. */
typedef struct osm_sink {
    void *ud;
    bogie_status (*node)(void *ud, int64_t id, int32_t lat_e7, int32_t lon_e7, const osm_tag *tags, size_t n_tags);
    /* coords is NULL, or holds n_refs (lat_e7, lon_e7) pairs taken from the way itself (Overpass "geometry", PBF
     * LocationsOnWays); a pair may be OSM_NO_COORD when the file lacks it. */
    bogie_status (*way)(void *ud, int64_t id, const int64_t *refs, size_t n_refs, const int32_t *coords,
                        const osm_tag *tags, size_t n_tags);
    bogie_status (*relation)(void *ud, int64_t id, const osm_member *members, size_t n_members, const osm_tag *tags,
                             size_t n_tags);
    /* Called every few thousand objects with the bytes of this file consumed so far and the objects read so far in
     * this file. A non-OK status cancels the read as above. */
    bogie_status (*progress)(void *ud, uint64_t bytes_done, uint64_t objects);
} osm_sink;

/* The format of an input, chosen from its name (and, for compression, its first bytes). */
typedef enum osm_format {
    OSM_FORMAT_UNKNOWN = 0,
    OSM_FORMAT_PBF,
    OSM_FORMAT_XML,          /* .osm, possibly .gz or .bz2 compressed */
    OSM_FORMAT_OVERPASS_JSON /* .json */
} osm_format;

/* Returns the format implied by path's extension: .osm.pbf/.pbf, .osm/.osm.gz/.osm.bz2/.xml(.gz/.bz2), .json. */
osm_format osm_format_from_path(const char *path);

/* Reads path with the reader its extension calls for and feeds sink. A readosm reader is used for PBF and plain
 * .osm when reader is BOGIE_READER_READOSM (other formats always use the native reader). */
bogie_status osm_read_file(const char *path, bogie_reader reader, const osm_sink *sink,
                           const bogie_allocator *alloc, bogie_diag *diag);

/* The readers themselves. Each reads the whole file at path; alloc may be NULL. */
bogie_status osm_read_pbf(const char *path, const osm_sink *sink, const bogie_allocator *alloc, bogie_diag *diag);
bogie_status osm_read_xml(const char *path, const osm_sink *sink, const bogie_allocator *alloc, bogie_diag *diag);
bogie_status osm_read_overpass_json(const char *path, const osm_sink *sink, const bogie_allocator *alloc,
                                    bogie_diag *diag);
bogie_status osm_read_readosm(const char *path, const osm_sink *sink, const bogie_allocator *alloc,
                              bogie_diag *diag);

/* Reads a PBF held in memory (len bytes at data); name is used in messages. The fuzzer and the file reader share
 * this. */
bogie_status osm_read_pbf_buffer(const char *name, const uint8_t *data, size_t len, const osm_sink *sink,
                                 const bogie_allocator *alloc, bogie_diag *diag);
/* Reads an OSM XML document held in memory (uncompressed). */
bogie_status osm_read_xml_buffer(const char *name, const char *data, size_t len, const osm_sink *sink,
                                 const bogie_allocator *alloc, bogie_diag *diag);
/* Reads an Overpass JSON document held in memory. */
bogie_status osm_read_overpass_json_buffer(const char *name, const char *data, size_t len, const osm_sink *sink,
                                           const bogie_allocator *alloc, bogie_diag *diag);

/* Converts decimal degrees to fixed point, rounding to nearest; returns OSM_NO_COORD when deg is not finite. */
int32_t osm_deg_to_e7(double deg);

#endif
