/* osm_read.c: picks the reader for an OpenStreetMap input from its name and hands the file to it. */
#include "osm/osm.h"
#include "base/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Suffixes are tested longest first so that ".osm.pbf" is never mistaken for anything else. */
static const struct {
    const char *suffix;
    osm_format format;
} format_suffixes[] = {
    {".osm.pbf", OSM_FORMAT_PBF}, {".pbf", OSM_FORMAT_PBF},       {".osm.bz2", OSM_FORMAT_XML},
    {".xml.bz2", OSM_FORMAT_XML}, {".osm.gz", OSM_FORMAT_XML},    {".xml.gz", OSM_FORMAT_XML},
    {".osm", OSM_FORMAT_XML},     {".xml", OSM_FORMAT_XML},       {".json", OSM_FORMAT_OVERPASS_JSON},
};

osm_format osm_format_from_path(const char *path)
{
    if (!path)
        return OSM_FORMAT_UNKNOWN;
    for (size_t i = 0; i < ARRAY_LEN(format_suffixes); i++)
        if (util_ends_with_ci(path, format_suffixes[i].suffix))
            return format_suffixes[i].format;
    return OSM_FORMAT_UNKNOWN;
}

bogie_status osm_read_file(const char *path, bogie_reader reader, const osm_sink *sink,
                           const bogie_allocator *alloc, bogie_diag *diag)
{
    if (!path || !sink)
        return util_fail(diag, BOGIE_ERR_ARG, "osm_read_file: path and sink must not be NULL");
    osm_format format = osm_format_from_path(path);
    if (format == OSM_FORMAT_UNKNOWN)
        return util_fail(diag, BOGIE_ERR_UNSUPPORTED,
                         "%s: unknown input format (expected .osm.pbf, .pbf, .osm, .osm.gz, .osm.bz2 or Overpass "
                         ".json)",
                         path);

    /* Checking here gives every reader, including ones that report it differently, the same message. Only regular
     * files have a meaningful size; pipes and devices go straight to the reader. */
    struct stat st;
    if (stat(path, &st) != 0)
        return util_io_fail(diag, path, "cannot open", errno);
    if (S_ISDIR(st.st_mode))
        return util_fail(diag, BOGIE_ERR_IO, "%s: cannot open: is a directory", path);
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: byte 0: empty file", path);

    switch (format) {
    case OSM_FORMAT_PBF:
        if (reader == BOGIE_READER_READOSM)
            return osm_read_readosm(path, sink, alloc, diag);
        return osm_read_pbf(path, sink, alloc, diag);
    case OSM_FORMAT_XML:
        /* readosm reads only uncompressed XML, and only from a name ending in .osm. */
        if (reader == BOGIE_READER_READOSM && util_ends_with_ci(path, ".osm"))
            return osm_read_readosm(path, sink, alloc, diag);
        return osm_read_xml(path, sink, alloc, diag);
    case OSM_FORMAT_OVERPASS_JSON:
        return osm_read_overpass_json(path, sink, alloc, diag);
    case OSM_FORMAT_UNKNOWN:
        break;
    }
    return util_fail(diag, BOGIE_ERR_UNSUPPORTED, "%s: unknown input format", path);
}
