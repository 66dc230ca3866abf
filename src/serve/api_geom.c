/* api_geom.c: geometry in the HTTP API's answers: Google's encoded polylines, Douglas-Peucker simplification, GeoJSON
 * lines and locations, and the bearings and points of a journey's line. */
#include "serve/api_int.h"

#include "base/geo.h"

#include <math.h>
#include <stdlib.h>

/* Appends Google's encoded polyline of the points (lat, lon) with 10^precision, escaped for a JSON string. */
static void polyline(strbuf *sb, const double (*pts)[2], const size_t *idx, size_t n, int precision)
{
    double f = precision == 6 ? 1e6 : 1e5;
    long long plat = 0, plon = 0;
    for (size_t i = 0; i < n; i++) {
        long long vals[2] = {llround(pts[idx[i]][0] * f), llround(pts[idx[i]][1] * f)};
        long long deltas[2] = {vals[0] - plat, vals[1] - plon};
        plat = vals[0];
        plon = vals[1];
        for (int k = 0; k < 2; k++) {
            unsigned long long v = deltas[k] < 0 ? ~((unsigned long long)deltas[k] << 1)
                                                 : (unsigned long long)deltas[k] << 1;
            char buf[16];
            size_t m = 0;
            while (v >= 0x20) {
                buf[m++] = (char)((0x20 | (v & 0x1f)) + 63);
                v >>= 5;
            }
            buf[m++] = (char)(v + 63);
            /* The alphabet is '?' to '~'; only the backslash needs escaping inside a JSON string. */
            for (size_t c = 0; c < m; c++)
                sb_append(sb, buf[c] == '\\' ? "\\\\" : &buf[c], buf[c] == '\\' ? 2 : 1);
        }
    }
}

void api_simplify(const double (*pts)[2], size_t a, size_t b, double tol, uint8_t *keep)
{
    size_t stack[128][2];
    size_t top = 0;
    stack[top][0] = a;
    stack[top][1] = b;
    top++;
    keep[a] = keep[b] = 1;
    while (top > 0) {
        top--;
        size_t i0 = stack[top][0], i1 = stack[top][1];
        if (i1 <= i0 + 1)
            continue;
        double lat0 = pts[i0][0], kx = GEO_EARTH_RADIUS_M * 0.017453292519943295 * cos(lat0 * 0.017453292519943295);
        double ky = GEO_EARTH_RADIUS_M * 0.017453292519943295;
        double ax = 0, ay = 0, bx = (pts[i1][1] - pts[i0][1]) * kx, by = (pts[i1][0] - pts[i0][0]) * ky;
        double len2 = bx * bx + by * by, worst = -1;
        size_t at = i0;
        for (size_t k = i0 + 1; k < i1; k++) {
            double px = (pts[k][1] - pts[i0][1]) * kx, py = (pts[k][0] - pts[i0][0]) * ky;
            double t = len2 > 0 ? ((px - ax) * bx + (py - ay) * by) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double dx = px - t * bx, dy = py - t * by, d = dx * dx + dy * dy;
            if (d > worst) {
                worst = d;
                at = k;
            }
        }
        if (worst > tol * tol) {
            keep[at] = 1;
            if (top + 2 <= sizeof stack / sizeof stack[0]) {
                stack[top][0] = i0;
                stack[top][1] = at;
                top++;
                stack[top][0] = at;
                stack[top][1] = i1;
                top++;
            } else {
                /* Deep recursion is only possible on pathological lines: keep everything in the span then. */
                for (size_t k = i0; k <= i1; k++)
                    keep[k] = 1;
            }
        }
    }
}

void api_write_geometry(strbuf *sb, const bogie_journey *j, size_t a, size_t b, api_geom_format fmt, double tol)
{
    size_t n = b >= a ? b - a + 1 : 0;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    uint8_t *keep = calloc(j->n_line ? j->n_line : 1, 1);
    if (!idx || !keep) {
        free(idx);
        free(keep);
        sb->failed = true;
        return;
    }
    size_t m = 0;
    if (n > 0) {
        if (tol > 0)
            api_simplify((const double (*)[2])j->line, a, b, tol, keep);
        for (size_t i = a; i <= b; i++)
            if (tol <= 0 || keep[i])
                idx[m++] = i;
    }
    if (fmt == API_GEOM_GEOJSON) {
        sb_puts(sb, "{\"type\":\"LineString\",\"coordinates\":[");
        for (size_t i = 0; i < m; i++) {
            sb_puts(sb, i ? ",[" : "[");
            sb_fixed(sb, j->line[idx[i]][1], 6);
            sb_puts(sb, ",");
            sb_fixed(sb, j->line[idx[i]][0], 6);
            sb_puts(sb, "]");
        }
        sb_puts(sb, "]}");
    } else {
        sb_puts(sb, "\"");
        polyline(sb, (const double (*)[2])j->line, idx, m, fmt == API_GEOM_POLYLINE6 ? 6 : 5);
        sb_puts(sb, "\"");
    }
    free(idx);
    free(keep);
}

size_t api_line_index(const bogie_journey *j, double km)
{
    size_t lo = 0, hi = j->n_line;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (j->line_km[mid] < km - 1e-9)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < j->n_line ? lo : j->n_line - 1;
}

double api_line_bearing(const bogie_journey *j, size_t i, bool after)
{
    if (j->n_line < 2)
        return 0;
    size_t a = after ? i : (i > 0 ? i - 1 : 0), b = after ? (i + 1 < j->n_line ? i + 1 : i) : i;
    if (a == b)
        return 0;
    return round(geo_bearing_deg(j->line[a][0], j->line[a][1], j->line[b][0], j->line[b][1]));
}

void api_write_location(strbuf *sb, double lat, double lon)
{
    sb_puts(sb, "[");
    sb_fixed(sb, lon, 6);
    sb_puts(sb, ",");
    sb_fixed(sb, lat, 6);
    sb_puts(sb, "]");
}

void api_write_route_totals(strbuf *sb, const bogie_journey *j, api_geom_format fmt, double tol)
{
    sb_puts(sb, "\"distance\":");
    sb_fixed(sb, j->length_m, 1);
    sb_puts(sb, ",\"duration\":");
    sb_fixed(sb, j->total_s, 1);
    sb_puts(sb, ",\"weight\":");
    sb_fixed(sb, j->weight_s, 1);
    sb_puts(sb, ",\"weight_name\":\"duration\"");
    if (tol >= 0) {
        sb_puts(sb, ",\"geometry\":");
        api_write_geometry(sb, j, 0, j->n_line ? j->n_line - 1 : 0, fmt, tol);
    }
}
