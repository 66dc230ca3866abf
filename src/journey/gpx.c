/* gpx.c: reads a recorded trace from GPX 1.0 or 1.1 on expat: the track points (<trkpt>, else the route points
 * <rtept>) with their times, for map matching (bogie_match). Errors name the file, the line and the field. */
#include "bogie.h"

#include "base/util.h"
#include "ref/tz.h"

#include <errno.h>
#include <stdarg.h>
#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A trace holds at most this many points (a day at one point a second is 86,400). */
#define GPX_MAX_POINTS 1000000
/* The file is read at most this large, in bytes. */
#define GPX_MAX_BYTES (256u << 20)

typedef VEC(bogie_trace_point) gpx_points;

typedef struct gpx_reader {
    const char *name;
    const bogie_allocator *a;
    bogie_diag *diag;
    bogie_status status;
    XML_Parser parser;
    gpx_points pts;
    gpx_points rte;             /* <rtept>s, used when there is no <trkpt> */
    int depth, point_depth;     /* element depth, and that of the open point (0: none) */
    bool in_time, root_seen, any_time;
    char time[64];
    size_t time_len;
    bogie_trace_point cur;
    unsigned long cur_line;
} gpx_reader;

/* Fails the read with a sentence naming the file and the current line; stops expat. */
static void PRINTF_LIKE(2, 3) gpx_fail(gpx_reader *r, const char *fmt, ...)
{
    if (r->status != BOGIE_OK)
        return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->status = util_fail(r->diag, BOGIE_ERR_INPUT, "%s: line %lu: %s", r->name,
                          (unsigned long)XML_GetCurrentLineNumber(r->parser), msg);
    XML_StopParser(r->parser, XML_FALSE);
}

/* The local name of an element (after any namespace prefix). */
static const char *local_name(const XML_Char *el)
{
    const char *c = strrchr(el, ':');
    return c ? c + 1 : el;
}

/* Reads attribute name of atts as a number within [-limit, limit] into *out; fails the read when it is missing or
 * is not one. */
static bool read_degrees(gpx_reader *r, const XML_Char **atts, const char *el, const char *name, double limit,
                         double *out)
{
    const char *v = NULL;
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            v = atts[i + 1];
    if (!v) {
        gpx_fail(r, "<%s>: attribute %s is missing", el, name);
        return false;
    }
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !(fabs(d) <= limit)) {
        gpx_fail(r, "<%s>: attribute %s=\"%.40s\" is not a number of degrees within -%g..%g", el, name, v, limit,
                 limit);
        return false;
    }
    *out = d;
    return true;
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    gpx_reader *r = ud;
    const char *n = local_name(el);
    r->depth++;
    if (!r->root_seen) {
        r->root_seen = true;
        if (strcmp(n, "gpx") != 0)
            gpx_fail(r, "the root element is <%.40s>, not <gpx>", n);
        return;
    }
    if (r->point_depth == 0 && (strcmp(n, "trkpt") == 0 || strcmp(n, "rtept") == 0)) {
        memset(&r->cur, 0, sizeof r->cur);
        r->cur_line = (unsigned long)XML_GetCurrentLineNumber(r->parser);
        if (read_degrees(r, atts, n, "lat", 90, &r->cur.lat) && read_degrees(r, atts, n, "lon", 180, &r->cur.lon))
            r->point_depth = r->depth;
        r->cur.time_utc = n[0] == 't'; /* which kind, until the point ends */
        return;
    }
    if (r->point_depth && r->depth == r->point_depth + 1 && strcmp(n, "time") == 0) {
        r->in_time = true;
        r->time_len = 0;
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    gpx_reader *r = ud;
    if (!r->in_time)
        return;
    for (int i = 0; i < len; i++) {
        if (r->time_len + 1 >= sizeof r->time) {
            gpx_fail(r, "<time>: longer than a time");
            return;
        }
        r->time[r->time_len++] = s[i];
    }
}

/* Reads the point's <time> text: ISO 8601 as GPX writes it, "2019-04-23T21:00:00Z", fractions of a second dropped,
 * an offset allowed and no offset read as UTC (as GPX defines its times). */
static void read_time(gpx_reader *r)
{
    r->in_time = false;
    r->time[r->time_len] = 0;
    char text[64];
    size_t k = 0;
    const char *s = r->time;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    for (; *s && k + 1 < sizeof text; s++) {
        if (*s == '.' && k >= 19) { /* a fraction of a second */
            while (s[1] >= '0' && s[1] <= '9')
                s++;
            continue;
        }
        text[k++] = *s;
    }
    while (k && (text[k - 1] == ' ' || text[k - 1] == '\t' || text[k - 1] == '\n' || text[k - 1] == '\r'))
        k--;
    text[k] = 0;
    tz_civil c;
    int has_offset = 0, offset = 0;
    bogie_diag d;
    if (tz_parse_datetime(text, &c, &has_offset, &offset, &d) != BOGIE_OK) {
        gpx_fail(r, "<time>: %s", d.message);
        return;
    }
    r->cur.time_utc = tz_days_from_civil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second -
                      offset;
    r->cur.has_time = true;
}

/* Ends the open point: checks its time against the points before it and keeps it. */
static void end_point(gpx_reader *r, bool track)
{
    r->point_depth = 0;
    bogie_trace_point p = r->cur;
    if (!p.has_time)
        p.time_utc = 0;
    gpx_points *v = track ? &r->pts : &r->rte;
    if (v->n && v->v[0].has_time != p.has_time) {
        gpx_fail(r, "<%s> at line %lu %s a <time>, but the first point %s", track ? "trkpt" : "rtept", r->cur_line,
                 p.has_time ? "has" : "has no", p.has_time ? "has none" : "has one");
        return;
    }
    if (v->n && p.has_time && p.time_utc < v->v[v->n - 1].time_utc) {
        gpx_fail(r, "<%s> at line %lu: its <time> is earlier than the point's before it (times must not go back)",
                 track ? "trkpt" : "rtept", r->cur_line);
        return;
    }
    if (v->n >= GPX_MAX_POINTS) {
        gpx_fail(r, "more than %d points", GPX_MAX_POINTS);
        return;
    }
    if (VEC_PUSH(r->a, *v, p) != 0) {
        r->status = util_nomem(r->diag, "reading a GPX trace");
        XML_StopParser(r->parser, XML_FALSE);
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
    gpx_reader *r = ud;
    const char *n = local_name(el);
    if (r->in_time && strcmp(n, "time") == 0)
        read_time(r);
    else if (r->point_depth && r->depth == r->point_depth)
        end_point(r, strcmp(n, "trkpt") == 0);
    r->depth--;
}

/* A DTD could declare entities that expand without bound: GPX needs none, so a document that has one is refused. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    gpx_fail(ud, "a document type declaration (<!DOCTYPE>): GPX has none");
}

/* Parses data[0 .. len) into r's points. Expat allocates with malloc here (a trace is read once, small beside the
 * network; the points themselves go through r->a). */
static void parse(gpx_reader *r, const char *data, size_t len)
{
    r->parser = XML_ParserCreate(NULL);
    if (!r->parser) {
        r->status = util_nomem(r->diag, "reading a GPX trace");
        return;
    }
    XML_SetUserData(r->parser, r);
    XML_SetElementHandler(r->parser, on_start, on_end);
    XML_SetCharacterDataHandler(r->parser, on_text);
    XML_SetStartDoctypeDeclHandler(r->parser, on_doctype);
    if (len > GPX_MAX_BYTES)
        r->status = util_fail(r->diag, BOGIE_ERR_INPUT, "%s: larger than %u MB", r->name, GPX_MAX_BYTES >> 20);
    else if (XML_Parse(r->parser, data, (int)len, XML_TRUE) == XML_STATUS_ERROR && r->status == BOGIE_OK)
        r->status = util_fail(r->diag, BOGIE_ERR_INPUT, "%s: line %lu, column %lu: not well-formed XML: %s", r->name,
                              (unsigned long)XML_GetCurrentLineNumber(r->parser),
                              (unsigned long)XML_GetCurrentColumnNumber(r->parser) + 1,
                              XML_ErrorString(XML_GetErrorCode(r->parser)));
    XML_ParserFree(r->parser);
}

bogie_status bogie_trace_parse_gpx(const char *data, size_t len, const char *name, const bogie_allocator *alloc,
                                   bogie_trace **out, bogie_diag *diag)
{
    *out = NULL;
    gpx_reader r;
    memset(&r, 0, sizeof r);
    r.name = name ? name : "trace";
    r.a = util_alloc_or_default(alloc);
    r.diag = diag;
    parse(&r, data, len);
    if (r.status == BOGIE_OK && !r.root_seen)
        r.status = util_fail(diag, BOGIE_ERR_INPUT, "%s: empty: not a GPX document", r.name);
    if (r.status == BOGIE_OK && r.pts.n == 0 && r.rte.n == 0)
        r.status = util_fail(diag, BOGIE_ERR_INPUT, "%s: no <trkpt> or <rtept>: the trace has no points", r.name);
    bogie_trace *t = r.status == BOGIE_OK ? util_calloc(r.a, 1, sizeof *t) : NULL;
    if (r.status == BOGIE_OK && !t)
        r.status = util_nomem(diag, "reading a GPX trace");
    if (r.status != BOGIE_OK) {
        VEC_FREE(r.a, r.pts);
        VEC_FREE(r.a, r.rte);
        return r.status;
    }
    bool track = r.pts.n > 0;
    t->alloc = r.a;
    t->points = track ? r.pts.v : r.rte.v;
    t->n_points = track ? r.pts.n : r.rte.n;
    t->cap_points = track ? r.pts.cap : r.rte.cap;
    t->has_times = t->points[0].has_time;
    if (track)
        VEC_FREE(r.a, r.rte);
    else
        VEC_FREE(r.a, r.pts);
    *out = t;
    return BOGIE_OK;
}

bogie_status bogie_trace_read_gpx(const char *path, const bogie_allocator *alloc, bogie_trace **out,
                                  bogie_diag *diag)
{
    *out = NULL;
    alloc = util_alloc_or_default(alloc);
    FILE *f = fopen(path, "rb");
    if (!f)
        return util_io_fail(diag, path, "cannot open", errno);
    strbuf sb;
    sb_init(&sb, alloc);
    char buf[1 << 15];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && sb.len <= GPX_MAX_BYTES)
        sb_append(&sb, buf, n);
    int err = ferror(f) ? errno : 0;
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        sb_free(&sb);
        return util_io_fail(diag, path, "cannot read", err);
    }
    if (sb.failed) {
        sb_free(&sb);
        return util_nomem(diag, "reading a GPX trace");
    }
    bogie_status rc = bogie_trace_parse_gpx(sb.s ? sb.s : "", sb.len, path, alloc, out, diag);
    sb_free(&sb);
    return rc;
}

void bogie_trace_free(bogie_trace *t)
{
    if (!t)
        return;
    util_free(t->alloc, t->points, t->cap_points * sizeof *t->points);
    util_free(t->alloc, t, sizeof *t);
}
