/* gen.c: generates a synthetic railway network of any size as OpenStreetMap XML, for benchmarks and tests of bogie.
 *
 * The network lies on the real land of Europe and Asia (Natural Earth outlines from data/world/, read through
 * borders.h), so that bogie's own country detection, border crossings and time zones apply to it. Cities are random
 * points on land, weighted by a density per country; main lines join neighbouring cities (a relative-neighbourhood
 * graph, some extra Gabriel-graph edges, and a spanning tree so that every landmass is connected); branch lines run
 * from stations and junctions to towns. Each line takes the gauge, electrification and speeds of the country it runs
 * through, so breaks of gauge fall at real gauge borders (PL/BY, CN/KZ, CN/MN, FR/ES...), each at a station, with
 * border stations on both sides of every crossing. Lines are straights joined by circular curves, with OSM-like node
 * spacing, way splitting, station track layouts (passing loops, sidings, crossovers, yards) and double track.
 *
 * The same arguments give byte-identical output: all randomness comes from xoshiro256** streams seeded with
 * splitmix64 from the seed and the object being built. The output is streamed in three passes over the plan (count,
 * nodes, ways), regenerating each line's geometry from its own stream, so memory grows with the number of lines,
 * not with the number of nodes. bench/GENERATOR.md documents the model and compares it with real extracts. */
#include "bogie.h"
#include "ref/borders.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>
#include <zlib.h>

#define PI 3.14159265358979323846
#define DEG (PI / 180.0)
#define EARTH_M 6371008.8
#define NONE UINT32_MAX

/* ---------------------------------------------------------------------------------------------------------------
 * Model parameters. GENERATOR.md explains each; they were tuned against the real fixtures in tests/data/osm/.
 * ------------------------------------------------------------------------------------------------------------- */

/* The largest extent: Europe, North Africa, the Middle East and Asia up to Japan. */
static const double FULL_BOX[4] = {-10.0, 20.0, 140.0, 65.0}; /* min lon, min lat, max lon, max lat */
/* The default centre: between Brest and the Polish-Belarusian-Ukrainian tripoint, so that even small networks
 * cross the 1435/1520 mm border. */
#define DEFAULT_CENTRE_LAT 51.75
#define DEFAULT_CENTRE_LON 23.65
/* The extent is centre +- s * (EXTENT_HALF_LON, EXTENT_HALF_LAT) degrees, clipped to FULL_BOX, with s chosen so that
 * the network has CITY_SPACING_KM between cities on land of density 1 (GENERATOR.md). */
#define EXTENT_HALF_LON 75.0
#define EXTENT_HALF_LAT 22.5
#define CITY_SPACING_KM 35.0
/* Nodes per km of main line (both tracks, stations and sidings), for the first estimate; the plan then corrects
 * the number of cities to the nodes it actually counts. */
#define NODES_PER_MAIN_KM 95.0
/* Share of the node budget that main lines and cities should take; branch lines take the rest. */
#define MAIN_SHARE 0.62
/* Track centre distances, metres. */
#define TRACK_SPACING 4.5
/* Where double track converges into one node (line ends, breaks of gauge), over this length. */
#define CONVERGE_M 180.0
/* Sidings diverge from their parent track over this length. */
#define DIVERGE_M 70.0
/* The sagitta, in metres, that a chord between two OSM nodes may cut off a curve: nodes on a curve of radius R are
 * about sqrt(8 R e) apart, as a mapper tracing imagery would place them. */
#define CHORD_SAGITTA_M 0.12
/* Node spacing on straight track, metres (uniform between the two). */
#define STRAIGHT_MIN_M 20.0
#define STRAIGHT_MAX_M 110.0
/* Standard deviation of the lateral error of an ordinary node, metres. */
#define NODE_NOISE_M 0.15

/* ---------------------------------------------------------------------------------------------------------------
 * Small utilities.
 * ------------------------------------------------------------------------------------------------------------- */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* Reports a usage error and exits with status 2, as bogie does. */
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(gen --help shows the options)\n", stderr);
    va_end(ap);
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory (%zu bytes)", n);
    return q;
}

/* A growable array of T. ARR_PUSH appends; the generator gives up with a message when memory runs out. */
#define ARR(T) struct { T *v; size_t n, cap; }
#define ARR_GROW(a, need)                                                                                        \
    do {                                                                                                         \
        if ((need) > (a).cap) {                                                                                  \
            size_t c_ = (a).cap ? (a).cap : 8;                                                                   \
            while (c_ < (need))                                                                                  \
                c_ *= 2;                                                                                         \
            (a).v = xrealloc((a).v, c_ * sizeof *(a).v);                                                         \
            (a).cap = c_;                                                                                        \
        }                                                                                                        \
    } while (0)
#define ARR_PUSH(a, x)                                                                                           \
    do {                                                                                                         \
        ARR_GROW(a, (a).n + 1);                                                                                  \
        (a).v[(a).n++] = (x);                                                                                    \
    } while (0)
#define ARR_FREE(a) (free((a).v), (a).v = NULL, (a).n = (a).cap = 0)

typedef ARR(uint32_t) u32_vec;
typedef ARR(char *) str_vec;

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static double smoothstep(double t)
{
    t = clampd(t, 0.0, 1.0);
    return t * t * (3.0 - 2.0 * t);
}

/* Wraps an angle in radians to (-pi, pi]. */
static double wrap_pi(double a)
{
    while (a > PI)
        a -= 2 * PI;
    while (a <= -PI)
        a += 2 * PI;
    return a;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Randomness: splitmix64 seeds xoshiro256** streams, one per object, so that every line's geometry can be rebuilt
 * identically in each pass.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Streams: what a generator is for, so that two purposes never share numbers. */
enum { ST_CITIES = 1, ST_EDGES, ST_CITY, ST_MAIN, ST_BRANCH, ST_LAYOUT, ST_NAMES, ST_NOISE, ST_POWER, ST_PICK };

static void rng_init(rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = seed * 0x2545F4914F6CDD1Dull ^ stream * 0xD1B54A32D192ED03ull ^ index * 0x8CB92BA72F3D8DD7ull;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_u64(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_u(rng *r)
{
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

static double rng_range(rng *r, double a, double b)
{
    return a + (b - a) * rng_u(r);
}

/* Log-uniform between a and b (both positive). */
static double rng_logrange(rng *r, double a, double b)
{
    return a * exp(log(b / a) * rng_u(r));
}

static bool rng_p(rng *r, double p)
{
    return rng_u(r) < p;
}

static uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_u64(r) >> 32) * (uint64_t)n) >> 32);
}

static double rng_normal(rng *r)
{
    double u1 = 1.0 - rng_u(r), u2 = rng_u(r);
    return sqrt(-2.0 * log(u1)) * cos(2 * PI * u2);
}

/* Smooth value noise in [0, 1]: bilinear interpolation of hashed lattice values, with a smoothstep between. */
static double lattice(uint64_t seed, int64_t ix, int64_t iy)
{
    uint64_t x = seed ^ (uint64_t)ix * 0x9E3779B97F4A7C15ull ^ (uint64_t)iy * 0xC2B2AE3D27D4EB4Full;
    return (double)(splitmix(&x) >> 11) * 0x1.0p-53;
}

static double vnoise(uint64_t seed, double x, double y)
{
    double fx = floor(x), fy = floor(y);
    int64_t ix = (int64_t)fx, iy = (int64_t)fy;
    double tx = smoothstep(x - fx), ty = smoothstep(y - fy);
    double a = lattice(seed, ix, iy), b = lattice(seed, ix + 1, iy);
    double c = lattice(seed, ix, iy + 1), d = lattice(seed, ix + 1, iy + 1);
    return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Geometry: points on the sphere, and a gnomonic frame in metres around each line, in which straights stay straight
 * and a few hundred kilometres from the centre lengths are off by well under one percent.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct vec3 {
    double x, y, z;
} vec3;

static vec3 v_of(double lat, double lon)
{
    vec3 v = {cos(lat * DEG) * cos(lon * DEG), cos(lat * DEG) * sin(lon * DEG), sin(lat * DEG)};
    return v;
}

static vec3 v_norm(vec3 v)
{
    double l = sqrt(v.x * v.x + v.y * v.y + v.z * v.z);
    vec3 r = {v.x / l, v.y / l, v.z / l};
    return r;
}

static vec3 v_cross(vec3 a, vec3 b)
{
    vec3 r = {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
    return r;
}

static double v_dot(vec3 a, vec3 b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}

static void ll_of(vec3 v, double *lat, double *lon)
{
    *lat = asin(clampd(v.z, -1.0, 1.0)) / DEG;
    *lon = atan2(v.y, v.x) / DEG;
}

typedef struct frame {
    vec3 o, e, n; /* centre, east and north unit vectors */
} frame;

static frame frame_at(double lat, double lon)
{
    frame f;
    f.o = v_of(lat, lon);
    vec3 z = {0, 0, 1};
    f.e = v_norm(v_cross(z, f.o));
    f.n = v_cross(f.o, f.e);
    return f;
}

/* Projects a point to x (east) and y (north) in metres. */
static void fr_fwd(const frame *f, double lat, double lon, double *x, double *y)
{
    vec3 v = v_of(lat, lon);
    double t = 1.0 / v_dot(v, f->o);
    *x = EARTH_M * t * v_dot(v, f->e);
    *y = EARTH_M * t * v_dot(v, f->n);
}

static void fr_inv(const frame *f, double x, double y, double *lat, double *lon)
{
    double a = x / EARTH_M, b = y / EARTH_M;
    vec3 v = {f->o.x + a * f->e.x + b * f->n.x, f->o.y + a * f->e.y + b * f->n.y, f->o.z + a * f->e.z + b * f->n.z};
    ll_of(v_norm(v), lat, lon);
}

static double gc_dist_m(double lat1, double lon1, double lat2, double lon2)
{
    double dlat = (lat2 - lat1) * DEG, dlon = (lon2 - lon1) * DEG;
    double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * DEG) * cos(lat2 * DEG) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_M * asin(sqrt(clampd(a, 0.0, 1.0)));
}

/* Azimuth from point 1 to point 2, radians clockwise from north. */
static double azimuth(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG, p2 = lat2 * DEG, dl = (lon2 - lon1) * DEG;
    return atan2(sin(dl) * cos(p2), cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl));
}

/* The point d metres from (lat, lon) along azimuth az (radians). */
static void destination(double lat, double lon, double az, double d, double *lat2, double *lon2)
{
    double p1 = lat * DEG, l1 = lon * DEG, dr = d / EARTH_M;
    double p2 = asin(sin(p1) * cos(dr) + cos(p1) * sin(dr) * cos(az));
    double l2 = l1 + atan2(sin(az) * sin(dr) * cos(p1), cos(dr) - sin(p1) * sin(p2));
    *lat2 = p2 / DEG;
    *lon2 = wrap_pi(l2) / DEG;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Countries: gauge, electrification, speeds, density and naming by ISO code. The figures are rough portraits of each
 * country's network (GENERATOR.md), not data: they make regions differ as real ones do.
 * ------------------------------------------------------------------------------------------------------------- */

/* Electrification systems, as tagged. */
typedef struct power_system {
    const char *voltage, *frequency;
} power_system;

enum { P_25K50, P_3KDC, P_15K, P_1K5DC, P_11K, P_25K60, P_20K50, N_POWER };
static const power_system POWER[N_POWER] = {{"25000", "50"}, {"3000", "0"},  {"15000", "16.7"}, {"1500", "0"},
                                            {"11000", "16.7"}, {"25000", "60"}, {"20000", "50"}};

/* Naming styles. */
enum { NS_GERMANIC, NS_NORDIC, NS_FINNIC, NS_ROMANCE, NS_SLAVIC, NS_CYRILLIC, NS_CHINESE, NS_EASTASIA, NS_ENGLISH,
       NS_TURKIC, NS_INDIC, N_STYLES };

typedef struct profile {
    const char *codes;     /* ISO 3166-1 alpha-2 codes, separated by spaces; "*" is the default */
    uint16_t gauge;        /* main gauge in mm; 0 where there is no railway */
    uint16_t narrow;       /* narrow gauge of some branch lines, mm; 0 for none */
    float narrow_share;    /* share of branch lines built to it */
    int8_t sys1, sys2;     /* electrification systems; sys2 = -1 when there is one */
    float sys2_share;      /* share of the country (by region) on sys2 */
    float elec_main, elec_branch;
    uint16_t vmain, vbranch; /* typical line speeds, km/h */
    float speed_tagged;    /* share of lines with maxspeed tags */
    float density;         /* relative density of cities */
    float double_share;    /* share of main lines with double track */
    uint8_t style;         /* naming style */
    const char *lang;      /* the language of name:xx, or NULL */
} profile;

static const profile PROFILES[] = {
    {"DE", 1435, 1000, .03f, P_15K, -1, 0, .85f, .45f, 160, 80, .8f, 1.f, .7f, NS_GERMANIC, "de"},
    {"AT", 1435, 760, .08f, P_15K, -1, 0, .8f, .4f, 140, 80, .8f, .8f, .5f, NS_GERMANIC, "de"},
    {"CH LI", 1435, 1000, .3f, P_15K, -1, 0, 1.f, .9f, 140, 80, .8f, 1.f, .6f, NS_GERMANIC, "de"},
    {"NL LU", 1435, 0, 0, P_1K5DC, -1, 0, .85f, .4f, 140, 100, .8f, 1.f, .7f, NS_GERMANIC, "nl"},
    {"BE", 1435, 0, 0, P_3KDC, P_25K50, .15f, .85f, .4f, 140, 100, .7f, 1.f, .7f, NS_ROMANCE, "fr"},
    {"DK", 1435, 0, 0, P_25K50, -1, 0, .5f, .1f, 140, 100, .7f, .6f, .5f, NS_NORDIC, "da"},
    {"SE NO", 1435, 0, 0, P_15K, -1, 0, .85f, .6f, 140, 90, .7f, .45f, .25f, NS_NORDIC, NULL},
    {"FI", 1524, 0, 0, P_25K50, -1, 0, .6f, .2f, 140, 80, .7f, .35f, .25f, NS_FINNIC, "fi"},
    {"FR", 1435, 1000, .03f, P_25K50, P_1K5DC, .35f, .7f, .25f, 160, 90, .7f, .8f, .6f, NS_ROMANCE, "fr"},
    {"ES", 1668, 1000, .2f, P_3KDC, -1, 0, .65f, .3f, 160, 90, .7f, .6f, .4f, NS_ROMANCE, "es"},
    {"PT", 1668, 1000, .05f, P_25K50, -1, 0, .6f, .2f, 140, 80, .6f, .6f, .3f, NS_ROMANCE, "pt"},
    {"IT SM VA", 1435, 950, .05f, P_3KDC, -1, 0, .8f, .5f, 150, 90, .7f, .9f, .5f, NS_ROMANCE, "it"},
    {"GB", 1435, 0, 0, P_25K50, -1, 0, .55f, .15f, 160, 90, .6f, .9f, .8f, NS_ENGLISH, NULL},
    {"IE", 1600, 0, 0, P_25K50, -1, 0, .02f, 0, 140, 80, .5f, .5f, .3f, NS_ENGLISH, "ga"},
    {"PL", 1435, 750, .06f, P_3KDC, -1, 0, .8f, .35f, 120, 80, .7f, .9f, .5f, NS_SLAVIC, "pl"},
    {"CZ SK", 1435, 760, .03f, P_3KDC, P_25K50, .4f, .6f, .2f, 120, 80, .75f, .9f, .4f, NS_SLAVIC, "cs"},
    {"HU", 1435, 760, .03f, P_25K50, -1, 0, .6f, .2f, 120, 80, .6f, .8f, .3f, NS_FINNIC, "hu"},
    {"SI HR BA RS ME MK XK AL", 1435, 760, .02f, P_25K50, P_3KDC, .3f, .5f, .1f, 100, 70, .5f, .5f, .15f,
     NS_SLAVIC, NULL},
    {"RO", 1435, 760, .03f, P_25K50, -1, 0, .4f, .1f, 120, 70, .5f, .7f, .3f, NS_ROMANCE, "ro"},
    {"BG", 1435, 760, .04f, P_25K50, -1, 0, .6f, .2f, 110, 70, .5f, .6f, .25f, NS_CYRILLIC, "bg"},
    {"GR", 1435, 1000, .1f, P_25K50, -1, 0, .3f, 0, 140, 80, .5f, .4f, .3f, NS_ROMANCE, "el"},
    {"TR", 1435, 0, 0, P_25K50, -1, 0, .4f, .1f, 120, 80, .4f, .4f, .2f, NS_TURKIC, "tr"},
    {"RU", 1520, 750, .02f, P_3KDC, P_25K50, .5f, .55f, .15f, 120, 80, .45f, .5f, .45f, NS_CYRILLIC, "ru"},
    {"BY", 1520, 750, .01f, P_25K50, -1, 0, .3f, .05f, 120, 80, .45f, .6f, .35f, NS_CYRILLIC, "be"},
    {"UA", 1520, 750, .02f, P_3KDC, P_25K50, .5f, .5f, .15f, 120, 80, .45f, .7f, .45f, NS_CYRILLIC, "uk"},
    {"MD", 1520, 0, 0, P_25K50, -1, 0, 0, 0, 80, 60, .3f, .6f, .1f, NS_ROMANCE, "ro"},
    {"LT", 1520, 0, 0, P_25K50, -1, 0, .1f, 0, 120, 80, .6f, .5f, .2f, NS_SLAVIC, "lt"},
    {"LV EE", 1520, 0, 0, P_3KDC, -1, 0, .15f, 0, 120, 80, .6f, .45f, .2f, NS_FINNIC, NULL},
    {"KZ", 1520, 0, 0, P_25K50, -1, 0, .3f, .03f, 100, 70, .35f, .15f, .3f, NS_CYRILLIC, "kk"},
    {"UZ TM KG TJ", 1520, 0, 0, P_25K50, -1, 0, .25f, 0, 100, 70, .3f, .3f, .2f, NS_TURKIC, NULL},
    {"GE AM AZ", 1520, 0, 0, P_3KDC, -1, 0, .85f, .3f, 80, 60, .3f, .5f, .3f, NS_TURKIC, NULL},
    {"MN", 1520, 0, 0, P_25K50, -1, 0, 0, 0, 80, 60, .3f, .05f, .05f, NS_CYRILLIC, "mn"},
    {"CN HK MO", 1435, 1000, .015f, P_25K50, -1, 0, .75f, .3f, 160, 90, .4f, .9f, .6f, NS_CHINESE, "zh"},
    {"KP", 1435, 762, .03f, P_3KDC, -1, 0, .8f, .5f, 60, 40, .2f, .5f, .1f, NS_EASTASIA, "ko"},
    {"KR", 1435, 0, 0, P_25K60, -1, 0, .75f, .3f, 150, 90, .6f, 1.f, .6f, NS_EASTASIA, "ko"},
    {"TW", 1067, 0, 0, P_25K60, -1, 0, .8f, .1f, 130, 80, .6f, 1.f, .5f, NS_CHINESE, "zh"},
    {"JP", 1067, 0, 0, P_1K5DC, P_20K50, .2f, .7f, .3f, 120, 85, .6f, 1.f, .5f, NS_EASTASIA, "ja"},
    {"VN LA KH", 1000, 0, 0, P_25K50, -1, 0, 0, 0, 80, 60, .4f, .5f, .02f, NS_EASTASIA, "vi"},
    {"TH MM", 1000, 0, 0, P_25K50, -1, 0, .02f, 0, 90, 60, .4f, .5f, .1f, NS_EASTASIA, NULL},
    {"MY", 1000, 0, 0, P_25K50, -1, 0, .3f, 0, 120, 70, .5f, .6f, .3f, NS_EASTASIA, "ms"},
    {"IN", 1676, 1000, .08f, P_25K50, -1, 0, .8f, .3f, 110, 80, .5f, 1.f, .5f, NS_INDIC, "hi"},
    {"BD", 1676, 1000, .4f, P_25K50, -1, 0, 0, 0, 90, 60, .4f, 1.f, .1f, NS_INDIC, "bn"},
    {"PK LK", 1676, 0, 0, P_25K50, -1, 0, .02f, 0, 100, 70, .4f, .6f, .15f, NS_INDIC, NULL},
    {"IR", 1435, 0, 0, P_25K50, -1, 0, .02f, 0, 120, 80, .4f, .3f, .2f, NS_TURKIC, "fa"},
    {"IQ SY JO IL SA EG", 1435, 0, 0, P_25K50, -1, 0, .03f, 0, 120, 80, .4f, .15f, .1f, NS_TURKIC, "ar"},
    {"MA DZ TN", 1435, 1000, .25f, P_3KDC, P_25K50, .3f, .3f, .05f, 120, 80, .4f, .3f, .1f, NS_TURKIC, "ar"},
    {"AF NP BT LY YE OM AE QA KW BH LB CY PS ML NE TD SD MR EH ER DJ", 0, 0, 0, P_25K50, -1, 0, 0, 0, 80, 60, .3f,
     0, 0, NS_TURKIC, NULL},
    {"*", 1435, 0, 0, P_25K50, -1, 0, .05f, 0, 100, 70, .4f, .2f, .1f, NS_TURKIC, NULL},
};

/* ---------------------------------------------------------------------------------------------------------------
 * Names: pronounceable invented names assembled from tokens of each style. A token is "ascii" or "ascii:native";
 * the native form (with diacritics, Cyrillic or Chinese characters) becomes name=*, the ASCII form name:en=*.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct style_src {
    const char *first;   /* capitalised onsets of the first syllable */
    const char *mid;     /* onsets of later syllables */
    const char *vowels;
    const char *codas;   /* "-" stands for no coda */
    const char *endings; /* "-" stands for no ending */
    const char *prefixes; /* whole words that may precede the name, with "_" for the space; may be "" */
    int syllables_max;
} style_src;

static const style_src STYLE_SRC[N_STYLES] = {
    [NS_GERMANIC] = {"B D F G H K L M N R S W Br Gr Kr St Sch Tr Fr Pf",
                     "b d g k l m n r s t w",
                     "a e i o u ei au ie oe:ö ue:ü ae:ä",
                     "- - - l n r rn ll ck ng nd lm",
                     "bach berg burg dorf feld hausen heim ingen stadt au rode hagen kirchen brueck:brück furt "
                     "stein tal hofen",
                     "Neu_ Alt_ Ober_ Unter_ Bad_ Klein_", 2},
    [NS_NORDIC] = {"B D F G H K L M N R S T V Sk St Tr Br",
                   "b d g k l m n r s t v",
                   "a e i o u y aa:å oe:ø ae:æ",
                   "- - l n r s rk ng nd",
                   "by sund vik holm stad berg dal fors torp havn lund rud",
                   "", 2},
    [NS_FINNIC] = {"H J K L M N P R S T V",
                   "h j k l m n p r s t v",
                   "a e i o u aa ii uu a:ä o:ö",
                   "- - - l n r s t",
                   "la nen koski jarvi:järvi joki salmi maki:mäki lahti vaara kyla:kylä mae:mäe",
                   "", 2},
    [NS_ROMANCE] = {"B C D F G L M N P R S T V Ch Br Tr Gr Pr",
                    "b c d g l m n r s t v",
                    "a e i o u e:é a:à",
                    "- - - - l n r s",
                    "ville court ac ano ena ara illa eira ello esti ona ieres ano ino ago",
                    "San_ Santa_ Saint- Villa_ Castel_", 3},
    [NS_SLAVIC] = {"B D G H J K L M N P R S T W Z Ch Kr Pr St Gr Br Dl:Dł L:Ł S:Ś Z:Ż C:Č R:Ř Sz Wr",
                   "b d g k l m n p r s t w z cz sz rz l:ł",
                   "a e i o u y o:ó e:ę a:á",
                   "- - - l n r s w k",
                   "ow:ów owo ice no sko in:ín any ec ka ov nik ovice:ovice ovo",
                   "Nowy_ Stary_ Wielki_", 2},
    [NS_CYRILLIC] = {"B:Б V:В G:Г D:Д Z:З K:К L:Л M:М N:Н P:П R:Р S:С T:Т Kh:Х Ch:Ч Sh:Ш Zh:Ж Kr:Кр Pr:Пр St:Ст "
                     "Gr:Гр Br:Бр Sv:Св Dv:Дв Tr:Тр Sl:Сл",
                     "b:б v:в g:г d:д z:з k:к l:л m:м n:н p:п r:р s:с t:т kh:х ch:ч sh:ш zh:ж",
                     "a:а o:о e:е i:и u:у ya:я",
                     "-:- -:- l:л n:н r:р s:с v:в",
                     "ovo:ово evo:ево ino:ино sk:ск insk:инск ovka:овка evka:евка grad:град gorsk:горск ets:ец "
                     "ichi:ичи any:аны ovsk:овск no:но ovichi:овичи",
                     "Novo-:Ново- Staro-:Старо- Verkhne-:Верхне- Nizhne-:Нижне-", 2},
    [NS_CHINESE] = {"Bao:宝 Shan:山 He:河 Jiang:江 An:安 Ping:平 Yang:阳 Zhou:州 Dong:东 Xi:西 Nan:南 Bei:北 Hai:海 "
                    "Lin:林 Tai:台 Kang:康 Ning:宁 Hua:华 Chang:长 Feng:丰 Shi:石 Quan:泉 Xin:新 Cheng:城 Long:龙 "
                    "Yuan:源 Tian:天 Jin:金 Ma:马 Hu:湖 Gang:港 Qing:青 Fu:福 De:德 Guang:广 Song:松 Mei:梅 "
                    "Yun:云 Wu:武 Zhang:张",
                    "bao:宝 shan:山 he:河 jiang:江 an:安 ping:平 yang:阳 zhou:州 dong:东 xi:西 nan:南 bei:北 hai:海 "
                    "lin:林 tai:台 kang:康 ning:宁 hua:华 chang:长 feng:丰 shi:石 quan:泉 xin:新 cheng:城 long:龙 "
                    "yuan:源 tian:天 jin:金 ma:马 hu:湖 gang:港 qing:青 fu:福 de:德 guang:广 song:松 mei:梅 "
                    "yun:云 wu:武 zhang:张",
                    "", "", "", "", 3},
    [NS_EASTASIA] = {"K S T N H M Y R W Ch J D B P G",
                     "k s t n h m y r w ch j d b g",
                     "a i u e o ae eo",
                     "- - - n ng m k",
                     "- - - - dong gang ri ju san chon mura gawa yama saki",
                     "", 3},
    [NS_ENGLISH] = {"B C D F G H K L M N P R S T W Br Ch St Th Wh",
                    "b c d g l m n r s t w",
                    "a e i o u ea oo",
                    "- - - l n r s ck",
                    "ton ham ford bury ley field wick worth by mouth bridge minster combe",
                    "Great_ Little_ North_ East_ Upper_", 2},
    [NS_TURKIC] = {"A B D G K M N S T Y Z Ch Sh Kh Al Er",
                   "b d g k l m n r s t y z sh",
                   "a e i o u a:â i:ı o:ö u:ü",
                   "- - - l n r s k z",
                   "abad li kent shahr iye ar an lar dere pinar:pınar su",
                   "Kara_ Yeni_ Eski_", 2},
    [NS_INDIC] = {"B D G K M N P R S T V Ch Bh Sh Kh Jh",
                  "b d g k l m n r s t v h",
                  "a i u e o aa",
                  "- - - n r m",
                  "pur abad nagar garh ganj pet pura wadi kot",
                  "", 2},
};

typedef struct token {
    const char *ascii, *native;
} token;

typedef struct style {
    ARR(token) first, mid, vowels, codas, endings, prefixes;
    int syllables_max;
} style;

/* Splits a space-separated token list into s; "_" in a token becomes a space and "-" is the empty token. The strings
 * are carved out of one copy of src that the style owns through *store. */
static void parse_tokens(const char *src, void *arr, str_vec *store)
{
    ARR(token) *out = arr;
    char *copy = xrealloc(NULL, strlen(src) + 1);
    strcpy(copy, src);
    ARR_PUSH(*store, copy);
    for (char *save = NULL, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        for (char *p = t; *p; p++)
            if (*p == '_')
                *p = ' ';
        char *colon = strchr(t, ':');
        token tk;
        if (colon) {
            *colon = '\0';
            tk.ascii = t;
            tk.native = colon + 1;
        } else {
            tk.ascii = tk.native = t;
        }
        if (strcmp(tk.ascii, "-") == 0)
            tk.ascii = "";
        if (strcmp(tk.native, "-") == 0)
            tk.native = "";
        ARR_PUSH(*out, tk);
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * The plan: cities, lines, their features and attribute sections, and the special nodes that lines share.
 * ------------------------------------------------------------------------------------------------------------- */

enum { SK_STATION = 0, SK_HALT };

typedef struct station {
    uint32_t native, ascii;  /* offsets into the string pool */
    uint8_t kind;            /* SK_* */
    uint8_t with_en, with_lang;
    const char *lang;
    double lat, lon;
} station;

/* A node that more than one line uses: a station throat, a city station, a junction. Its id is its index + 1. */
enum { SP_SWITCH = 0, SP_STATION };
typedef struct special {
    double lat, lon;
    uint32_t station; /* for SP_STATION */
    uint8_t tag;
} special;

typedef struct city {
    double lat, lon;
    int country;
    uint8_t rank;     /* 1 small, 2 medium, 3 major */
    double axis;      /* azimuth of the station's tracks, radians */
    double half;      /* distance from the station to each throat, metres */
    uint32_t station;
    uint32_t sp_s, sp_w, sp_e; /* specials: station, west (axis + pi) throat, east (axis) throat */
    uint32_t line;    /* its station line */
    u32_vec edges; /* main edges at this city */
} city;

/* A straight (k = 0) or circular arc of a line's centreline, in the line's frame. */
typedef struct elem {
    double s;      /* distance along the line where it starts */
    double x, y;   /* start point, metres */
    double h;      /* start heading, radians counter-clockwise from east */
    double len;
    double k;      /* signed curvature, 1/m, positive to the left */
} elem;

enum { LK_CITY = 0, LK_MAIN, LK_BRANCH };
enum { FK_STATION = 0, FK_JUNCTION };
enum { LAY_HALT = 0, LAY_SMALL, LAY_BIG, LAY_TERMINUS, LAY_CITY };

typedef struct feature {
    double s;
    uint8_t kind;     /* FK_* */
    uint8_t track;    /* main track carrying it */
    uint8_t layout;   /* LAY_*: how many tracks the station has */
    bool converge;    /* double track converges into one node here */
    uint32_t station; /* or NONE */
    uint32_t special; /* special index + 1 when other lines share the node, else 0 */
} feature;

enum { STRUCT_NONE = 0, STRUCT_BRIDGE, STRUCT_TUNNEL };
enum { PW_UNTAGGED = -2, PW_NO = -1 };

typedef struct attrs {
    uint16_t gauge[2];
    uint8_t n_gauge;
    uint8_t narrow;    /* railway=narrow_gauge */
    uint8_t usage;     /* LK_MAIN (usage=main) or LK_BRANCH (usage=branch) */
    int8_t power;      /* index into POWER, or PW_NO, PW_UNTAGGED */
    uint16_t maxspeed; /* km/h; 0 when untagged */
    uint8_t structure; /* STRUCT_* */
    uint32_t name, ref; /* pool offsets, 0 for none */
} attrs;

typedef struct section {
    double s; /* the attributes hold from here to the next section */
    attrs a;
} section;

typedef struct line {
    uint8_t kind;       /* LK_* */
    uint8_t n_tracks;   /* 1 or 2 */
    frame fr;
    double len;
    uint32_t anchor0, anchor1; /* special index + 1 at each end; 0 is a free end (buffer stop) */
    uint64_t seed;
    int64_t first_id;   /* the first node id of its own nodes, set in the nodes pass */
    uint32_t n_nodes;   /* its own nodes, from the count pass */
    uint32_t city0, city1; /* cities at its ends, or NONE */
    int country;        /* where it starts */
    ARR(elem) el;
    ARR(feature) ft;
    ARR(section) sec;
} line;

/* A break of gauge, for the manifest. */
typedef struct gauge_break {
    uint32_t station;
    uint16_t gauge_a, gauge_b; /* before and after, along the line */
    uint32_t city_a, city_b;   /* the line's end cities on each side, or NONE */
    bool dual;
} gauge_break;

/* An open-addressing set of names (pool offsets), for uniqueness. */
typedef struct nameset {
    uint32_t *slots;
    size_t n_slots, n_used;
} nameset;

typedef struct gen {
    /* Options. */
    uint64_t seed;
    double target_nodes;
    const char *data_dir, *out_path, *manifest_path;
    double box[4];
    double centre[2];   /* lat, lon */
    bool have_bbox;
    int gz_level;
    bool quiet;
    /* Geography. */
    borders *bd;
    const profile **prof; /* per borders country index */
    size_t n_countries;
    const profile *default_prof;
    style styles[N_STYLES];
    str_vec style_store;
    /* The plan. */
    ARR(char) pool;
    nameset names;
    ARR(station) stations;
    ARR(special) specials;
    ARR(city) cities;
    ARR(line) lines;
    ARR(gauge_break) breaks;
    double land_km2;
    uint32_t n_main_edges, n_branches, n_crossings;
    bool have_narrow;   /* a narrow-gauge branch has been built */
    /* Output statistics. */
    uint64_t nodes_out, ways_out;
} gen;

static const profile *profile_of(const gen *g, int country)
{
    if (country < 0 || (size_t)country >= g->n_countries)
        return NULL;
    return g->prof[country];
}

static int country_at(const gen *g, double lat, double lon)
{
    return borders_country_at(g->bd, lat, lon);
}

/* ----- the string pool and unique names ----- */

static uint32_t pool_add(gen *g, const char *s)
{
    size_t n = strlen(s);
    if (g->pool.n == 0)
        ARR_PUSH(g->pool, '\0');
    uint32_t off = (uint32_t)g->pool.n;
    ARR_GROW(g->pool, g->pool.n + n + 1);
    memcpy(g->pool.v + g->pool.n, s, n + 1);
    g->pool.n += n + 1;
    return off;
}

static const char *pool_str(const gen *g, uint32_t off)
{
    return off ? g->pool.v + off : "";
}

/* Reduces a name to the key bogie matches on, roughly: ASCII letters and digits, lower case. */
static void match_key(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            out[n++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

static bool nameset_has_or_add(gen *g, const char *key, bool add)
{
    nameset *ns = &g->names;
    if ((ns->n_used + 1) * 2 > ns->n_slots) {
        size_t n = ns->n_slots ? ns->n_slots * 2 : 1024;
        uint32_t *slots = xrealloc(NULL, n * sizeof *slots);
        memset(slots, 0, n * sizeof *slots);
        for (size_t i = 0; i < ns->n_slots; i++) {
            uint32_t v = ns->slots[i];
            if (!v)
                continue;
            const char *s = g->pool.v + v;
            size_t h = (size_t)XXH3_64bits(s, strlen(s)) & (n - 1);
            while (slots[h])
                h = (h + 1) & (n - 1);
            slots[h] = v;
        }
        free(ns->slots);
        ns->slots = slots;
        ns->n_slots = n;
    }
    size_t mask = ns->n_slots - 1, h = (size_t)XXH3_64bits(key, strlen(key)) & mask;
    while (ns->slots[h]) {
        if (strcmp(g->pool.v + ns->slots[h], key) == 0)
            return true;
        h = (h + 1) & mask;
    }
    if (add) {
        ns->slots[h] = pool_add(g, key);
        ns->n_used++;
    }
    return false;
}

static const token *pick(rng *r, const void *arr)
{
    const ARR(token) *a = arr;
    return &a->v[rng_below(r, (uint32_t)a->n)];
}

/* Appends a token to both forms of a name being built. */
static void name_cat(char *ascii, char *native, size_t size, const token *t)
{
    strncat(ascii, t->ascii, size - strlen(ascii) - 1);
    strncat(native, t->native, size - strlen(native) - 1);
}

/* Makes a new station with a unique name in the style of the country at (lat, lon). */
static uint32_t new_station(gen *g, rng *r, double lat, double lon, int country, uint8_t kind)
{
    const profile *p = profile_of(g, country);
    if (!p || p->gauge == 0)
        p = g->default_prof;
    const style *st = &g->styles[p->style];
    char ascii[128], native[256], key[128];
    for (int attempt = 0;; attempt++) {
        ascii[0] = native[0] = '\0';
        if (st->prefixes.n && rng_p(r, 0.07))
            name_cat(ascii, native, sizeof ascii, pick(r, &st->prefixes));
        int syl = 1 + (int)rng_below(r, (uint32_t)st->syllables_max);
        if (p->style == NS_CHINESE)
            syl = 2 + (rng_p(r, 0.15) ? 1 : 0);
        if (attempt > 20)
            syl++; /* the short names are running out: go longer */
        for (int k = 0; k < syl; k++) {
            name_cat(ascii, native, sizeof ascii, pick(r, k == 0 ? (const void *)&st->first : (const void *)&st->mid));
            if (st->vowels.n)
                name_cat(ascii, native, sizeof ascii, pick(r, &st->vowels));
            if (st->codas.n && k + 1 == syl)
                name_cat(ascii, native, sizeof ascii, pick(r, &st->codas));
        }
        if (st->endings.n && rng_p(r, 0.8))
            name_cat(ascii, native, sizeof ascii, pick(r, &st->endings));
        if (attempt > 60) {
            char num[16];
            snprintf(num, sizeof num, " %d", attempt - 59);
            token t = {num, num};
            name_cat(ascii, native, sizeof ascii, &t);
        }
        match_key(ascii, key, sizeof key);
        char nkey[300];
        match_key(native, nkey, sizeof nkey);
        if (strlen(key) < 3 || nameset_has_or_add(g, key, false) || nameset_has_or_add(g, nkey, false))
            continue;
        nameset_has_or_add(g, key, true);
        if (strcmp(key, nkey) != 0)
            nameset_has_or_add(g, nkey, true);
        break;
    }
    station s;
    memset(&s, 0, sizeof s);
    s.native = pool_add(g, native);
    s.ascii = pool_add(g, ascii);
    s.kind = kind;
    bool latin = p->style != NS_CYRILLIC && p->style != NS_CHINESE;
    s.with_en = !latin || (strcmp(ascii, native) != 0 && rng_p(r, 0.5)) || rng_p(r, 0.1);
    s.lang = p->lang;
    s.with_lang = p->lang && (!latin || rng_p(r, 0.25));
    s.lat = lat;
    s.lon = lon;
    ARR_PUSH(g->stations, s);
    return (uint32_t)(g->stations.n - 1);
}

static uint32_t new_special(gen *g, double lat, double lon, uint8_t tag, uint32_t station)
{
    special sp = {lat, lon, station, tag};
    ARR_PUSH(g->specials, sp);
    return (uint32_t)g->specials.n; /* index + 1 */
}

/* ---------------------------------------------------------------------------------------------------------------
 * Paths: the centreline of a line as straights and circular curves, the way railways are designed: a polygon of
 * intersection points (a random walk towards the far end), with a circular curve fitted into each corner.
 * ------------------------------------------------------------------------------------------------------------- */

typedef struct pt {
    double x, y;
} pt;

/* Position, heading and curvature at distance s along the line (clamped to its ends). cursor speeds up sequential
 * lookups; it may be NULL. */
static void path_at(const line *ln, double s, size_t *cursor, double *x, double *y, double *h, double *k)
{
    size_t i = cursor ? *cursor : 0;
    if (i >= ln->el.n || ln->el.v[i].s > s)
        i = 0;
    if (!cursor || i == 0) {
        size_t lo = 0, hi = ln->el.n;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (ln->el.v[mid].s <= s)
                lo = mid;
            else
                hi = mid;
        }
        i = lo;
    }
    while (i + 1 < ln->el.n && ln->el.v[i + 1].s <= s)
        i++;
    if (cursor)
        *cursor = i;
    const elem *e = &ln->el.v[i];
    double t = clampd(s - e->s, 0.0, e->len);
    if (e->k == 0) {
        *x = e->x + t * cos(e->h);
        *y = e->y + t * sin(e->h);
        *h = e->h;
    } else {
        double h2 = e->h + e->k * t;
        *x = e->x + (sin(h2) - sin(e->h)) / e->k;
        *y = e->y - (cos(h2) - cos(e->h)) / e->k;
        *h = h2;
    }
    *k = e->k;
}

static void push_elem(line *ln, double x, double y, double h, double len, double k)
{
    elem e = {ln->len, x, y, h, len, k};
    ARR_PUSH(ln->el, e);
    ln->len += len;
}

/* Kinds of path, for radii and wandering. */
typedef struct path_style {
    double leg_min, leg_max;   /* distance between intersection points, m */
    double wander_deg;         /* standard deviation of the heading's random walk */
    double r_min, r_max;       /* curve radii, log-uniform, m */
} path_style;

static const path_style PS_MAIN = {800, 3500, 18, 600, 3500};
static const path_style PS_BRANCH = {400, 2000, 25, 300, 1500};
static const path_style PS_NARROW = {200, 900, 30, 100, 500};

/* Builds the elements of ln from p0 leaving with heading h0 to p1, arriving with heading h1 (when has_h1) or in
 * whatever direction the last leg has. rough in [0, 1] scales the wandering (terrain). */
static void build_path(line *ln, rng *r, pt p0, double h0, pt p1, bool has_h1, double h1, const path_style *ps,
                       double rough)
{
    ARR(pt) pis = {0};
    double D = hypot(p1.x - p0.x, p1.y - p0.y);
    double a0 = clampd(0.06 * D, 250, 2000) * rng_range(r, 0.8, 1.2);
    double a1 = clampd(0.06 * D, 250, 2000) * rng_range(r, 0.8, 1.2);
    pt q = {p0.x + a0 * cos(h0), p0.y + a0 * sin(h0)};
    pt z = p1;
    if (has_h1) {
        z.x = p1.x - a1 * cos(h1);
        z.y = p1.y - a1 * sin(h1);
    }
    ARR_PUSH(pis, p0);
    ARR_PUSH(pis, q);
    double wander = 0, sigma = ps->wander_deg * DEG * (0.4 + 1.2 * rough);
    for (int guard = 0; guard < 100000; guard++) {
        double leg = rng_range(r, ps->leg_min, ps->leg_max) * (1.3 - 0.6 * rough);
        double dz = hypot(z.x - q.x, z.y - q.y);
        if (dz < 1.4 * leg)
            break;
        wander = 0.6 * wander + sigma * rng_normal(r);
        wander = clampd(wander, -50 * DEG, 50 * DEG);
        double h = atan2(z.y - q.y, z.x - q.x) + wander;
        q.x += leg * cos(h);
        q.y += leg * sin(h);
        ARR_PUSH(pis, q);
    }
    if (has_h1)
        ARR_PUSH(pis, z);
    ARR_PUSH(pis, p1);
    /* Drop intersection points that make degenerate legs. */
    size_t m = 1;
    for (size_t i = 1; i + 1 < pis.n; i++)
        if (hypot(pis.v[i].x - pis.v[m - 1].x, pis.v[i].y - pis.v[m - 1].y) > 60)
            pis.v[m++] = pis.v[i];
    if (m >= 2 && hypot(pis.v[pis.n - 1].x - pis.v[m - 1].x, pis.v[pis.n - 1].y - pis.v[m - 1].y) < 60)
        m--;
    pis.v[m++] = pis.v[pis.n - 1];
    pis.n = m;
    /* Corner i (1 .. n-2) gets a curve of radius R[i], whose tangent length T[i] = R tan(|delta| / 2) must fit. */
    size_t n = pis.n;
    double *T = xrealloc(NULL, n * sizeof *T), *R = xrealloc(NULL, n * sizeof *R), *dl = xrealloc(NULL, n * sizeof *dl);
    double *leg = xrealloc(NULL, n * sizeof *leg), *hd = xrealloc(NULL, n * sizeof *hd);
    for (size_t i = 0; i + 1 < n; i++) {
        leg[i] = hypot(pis.v[i + 1].x - pis.v[i].x, pis.v[i + 1].y - pis.v[i].y);
        hd[i] = atan2(pis.v[i + 1].y - pis.v[i].y, pis.v[i + 1].x - pis.v[i].x);
    }
    for (size_t i = 0; i < n; i++) {
        T[i] = R[i] = dl[i] = 0;
        if (i == 0 || i + 1 == n)
            continue;
        dl[i] = wrap_pi(hd[i] - hd[i - 1]);
        R[i] = rng_logrange(r, ps->r_min, ps->r_max) * (1.25 - 0.5 * rough);
        T[i] = fabs(dl[i]) < 1e-4 ? 0 : R[i] * tan(fabs(dl[i]) / 2);
    }
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i + 1 < n; i++) {
            double need = T[i] + T[i + 1], room = 0.98 * leg[i];
            if (need > room && need > 0) {
                double f = room / need;
                T[i] *= f;
                T[i + 1] *= f;
            }
        }
    ln->len = 0;
    ln->el.n = 0;
    pt cur = pis.v[0];
    for (size_t i = 0; i + 1 < n; i++) {
        /* The straight from the end of corner i's curve to the start of corner i+1's. */
        double h = hd[i];
        double straight = hypot(pis.v[i + 1].x - cur.x, pis.v[i + 1].y - cur.y) - T[i + 1];
        if (straight > 0.01) {
            push_elem(ln, cur.x, cur.y, h, straight, 0);
            cur.x += straight * cos(h);
            cur.y += straight * sin(h);
        }
        if (i + 2 < n && T[i + 1] > 0.01) {
            double d = dl[i + 1], rad = T[i + 1] / tan(fabs(d) / 2), k = (d > 0 ? 1 : -1) / rad;
            push_elem(ln, cur.x, cur.y, h, rad * fabs(d), k);
            double h2 = h + d;
            cur.x += (sin(h2) - sin(h)) / k;
            cur.y -= (cos(h2) - cos(h)) / k;
        }
    }
    if (ln->el.n == 0)
        push_elem(ln, p0.x, p0.y, h0, fmax(1.0, D), 0);
    free(T);
    free(R);
    free(dl);
    free(leg);
    free(hd);
    ARR_FREE(pis);
}

/* Lateral offset of main track t (0 left, 1 right of the direction of travel) at s: half the track spacing, pinched
 * to zero where double track converges. Single track lies on the centreline. */
static double main_offset(const line *ln, int t, double s)
{
    if (ln->n_tracks < 2)
        return 0;
    double d = fmin(s, ln->len - s);
    for (size_t i = 0; i < ln->ft.n; i++)
        if (ln->ft.v[i].converge)
            d = fmin(d, fabs(s - ln->ft.v[i].s));
    double f = smoothstep(d / CONVERGE_M);
    return (t == 0 ? 0.5 : -0.5) * TRACK_SPACING * f;
}

/* Latitude and longitude of the point at s on the centreline, moved off sideways by off metres. */
static void line_point(const line *ln, double s, double off, double *lat, double *lon)
{
    double x, y, h, k;
    path_at(ln, s, NULL, &x, &y, &h, &k);
    fr_inv(&ln->fr, x - off * sin(h), y + off * cos(h), lat, lon);
}

/* Heading of the line at s as an azimuth (radians clockwise from north), measured on the ground. */
static double line_azimuth(const line *ln, double s)
{
    double a0, o0, a1, o1;
    double s0 = clampd(s - 20, 0, ln->len), s1 = clampd(s + 20, 0, ln->len);
    line_point(ln, s0, 0, &a0, &o0);
    line_point(ln, s1, 0, &a1, &o1);
    return azimuth(a0, o0, a1, o1);
}

/* Turns an azimuth at a point into a heading in the line's frame. */
static double frame_heading(const line *ln, double lat, double lon, double az)
{
    double lat2, lon2, x0, y0, x1, y1;
    destination(lat, lon, az, 100.0, &lat2, &lon2);
    fr_fwd(&ln->fr, lat, lon, &x0, &y0);
    fr_fwd(&ln->fr, lat2, lon2, &x1, &y1);
    return atan2(y1 - y0, x1 - x0);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Attributes along a line: country runs, border stations, breaks of gauge, electrification, speeds and structures,
 * combined into sections.
 * ------------------------------------------------------------------------------------------------------------- */

/* A stretch of a line in one country (runs shorter than RUN_MIN_M are absorbed by their neighbours). */
typedef struct run {
    double s0, s1;
    int country;
} run;

typedef ARR(run) run_vec;

#define RUN_MIN_M 5000.0

static void country_runs(const gen *g, const line *ln, run_vec *runs)
{
    runs->n = 0;
    const double step = 1000.0;
    int prev = -2;
    double lat, lon;
    for (double s = 0;; s += step) {
        if (s > ln->len)
            s = ln->len;
        line_point(ln, s, 0, &lat, &lon);
        int c = country_at(g, lat, lon);
        const profile *p = profile_of(g, c);
        if (!p || p->gauge == 0)
            c = -1; /* sea, or a country without railways: it continues whatever surrounds it */
        if (c != prev && c >= 0) {
            double cut = s;
            if (runs->n > 0 && s > 0) {
                /* Find the change to within 25 m by bisection. */
                double lo = s - step, hi = s;
                while (hi - lo > 25) {
                    double mid = (lo + hi) / 2, la, lo2;
                    line_point(ln, mid, 0, &la, &lo2);
                    if (country_at(g, la, lo2) == c)
                        hi = mid;
                    else
                        lo = mid;
                }
                cut = hi;
            }
            if (runs->n > 0 && runs->v[runs->n - 1].country == c) {
                /* Back into the same country after sea or a gap: the run goes on. */
            } else {
                if (runs->n > 0)
                    runs->v[runs->n - 1].s1 = cut;
                run rn = {runs->n ? cut : 0, ln->len, c};
                ARR_PUSH(*runs, rn);
            }
        }
        if (c >= 0)
            prev = c;
        if (s >= ln->len)
            break;
    }
    if (runs->n == 0) {
        run rn = {0, ln->len, ln->country};
        ARR_PUSH(*runs, rn);
    }
    /* Absorb short interior runs into the previous one; the runs at the ends stay, as they hold the cities. */
    for (size_t i = 1; i + 1 < runs->n;) {
        run *rn = &runs->v[i];
        if (rn->s1 - rn->s0 >= RUN_MIN_M) {
            i++;
            continue;
        }
        runs->v[i - 1].s1 = rn->s1;
        memmove(&runs->v[i], &runs->v[i + 1], (runs->n - i - 1) * sizeof *rn);
        runs->n--;
    }
    /* Merge neighbours that became the same country. */
    for (size_t i = 1; i < runs->n;) {
        if (runs->v[i].country == runs->v[i - 1].country) {
            runs->v[i - 1].s1 = runs->v[i].s1;
            memmove(&runs->v[i], &runs->v[i + 1], (runs->n - i - 1) * sizeof runs->v[0]);
            runs->n--;
        } else {
            i++;
        }
    }
    runs->v[0].s0 = 0;
    runs->v[runs->n - 1].s1 = ln->len;
}

/* The electrification system used at a point of a country with two systems: regions, by a noise field. */
static int power_at(const gen *g, const profile *p, double lat, double lon)
{
    if (p->sys2 < 0)
        return p->sys1;
    double v = vnoise(g->seed * 31 + ST_POWER, lon / 6.0, lat / 6.0);
    return v < p->sys2_share ? p->sys2 : p->sys1;
}

/* One stretch of constant base attributes before speed zones and structures are laid over it. */
typedef struct span {
    double s0, s1;
    attrs a;
} span;

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

static int cmp_feature(const void *pa, const void *pb)
{
    const feature *a = pa, *b = pb;
    return a->s < b->s ? -1 : a->s > b->s;
}

static bool attrs_equal(const attrs *a, const attrs *b)
{
    return a->n_gauge == b->n_gauge && a->gauge[0] == b->gauge[0] && a->gauge[1] == b->gauge[1] &&
           a->narrow == b->narrow && a->usage == b->usage && a->power == b->power && a->maxspeed == b->maxspeed &&
           a->structure == b->structure && a->name == b->name && a->ref == b->ref;
}

/* The curve speed limit for radius R, km/h, rounded down to 10: v = sqrt(a R) with a = 0.8 m/s^2, cant included. */
static double curve_kmh(double R)
{
    return floor(sqrt(0.8 * R) * 3.6 / 10) * 10;
}

/* Builds ln->sec from spans of base attributes: the line speed steps up and down every few kilometres, limits drop
 * in sharp curves and near line ends that meet stations, bridges and tunnels are laid over, and each boundary
 * becomes a section start. */
static void build_sections(line *ln, rng *r, const span *sp, size_t n_sp, double rough, bool slow_ends)
{
    ARR(double) cuts = {0};
    typedef struct zone {
        double s0, s1;
        double v;
    } zone;
    ARR(zone) slow = {0};
    ARR(zone) structs = {0};
    ARR(zone) steps = {0};
    for (size_t i = 0; i < n_sp; i++) {
        ARR_PUSH(cuts, sp[i].s0);
    }
    /* Steps of the line speed, as a factor of the span's. */
    for (double s = 0; s < ln->len;) {
        static const double factor[] = {1.0, 1.0, 0.85, 0.75, 1.15};
        double len = rng_logrange(r, 2500, 25000);
        zone z = {s, fmin(ln->len, s + len), factor[rng_below(r, 5)]};
        ARR_PUSH(steps, z);
        if (s > 0)
            ARR_PUSH(cuts, s);
        s += len;
    }
    /* Speed zones in curves. */
    double vmax = 0;
    for (size_t i = 0; i < n_sp; i++)
        vmax = fmax(vmax, sp[i].a.maxspeed);
    for (size_t i = 0; i < ln->el.n; i++) {
        const elem *e = &ln->el.v[i];
        if (e->k == 0)
            continue;
        double v = fmax(30, curve_kmh(1.0 / fabs(e->k)));
        if (v > vmax - 30)
            continue;
        zone z = {fmax(0, e->s - 150), fmin(ln->len, e->s + e->len + 150), v};
        if (slow.n && z.s0 < slow.v[slow.n - 1].s1 + 2000) {
            slow.v[slow.n - 1].s1 = z.s1;
            slow.v[slow.n - 1].v = fmin(slow.v[slow.n - 1].v, v);
        } else {
            ARR_PUSH(slow, z);
        }
    }
    if (slow_ends) {
        zone a = {0, fmin(ln->len, rng_range(r, 800, 2000)), 60 + 20 * rng_below(r, 2)};
        zone b = {fmax(0, ln->len - rng_range(r, 800, 2000)), ln->len, 60 + 20 * rng_below(r, 2)};
        ARR_PUSH(slow, a);
        ARR_PUSH(slow, b);
    }
    /* Bridges and tunnels, kept away from stations. */
    double s = rng_range(r, 0, 6000);
    while (s < ln->len - 500) {
        bool tunnel = rng_p(r, 0.05 + 0.25 * rough);
        double len = tunnel ? rng_logrange(r, 150, 3000) : rng_logrange(r, 25, 800);
        bool clear = s > 300 && s + len < ln->len - 300;
        for (size_t i = 0; i < ln->ft.n && clear; i++)
            if (ln->ft.v[i].s > s - 500 && ln->ft.v[i].s < s + len + 500)
                clear = false;
        if (clear) {
            zone z = {s, s + len, tunnel ? STRUCT_TUNNEL : STRUCT_BRIDGE};
            ARR_PUSH(structs, z);
        }
        s += len + rng_logrange(r, 2000, 20000);
    }
    for (size_t i = 0; i < slow.n; i++) {
        ARR_PUSH(cuts, slow.v[i].s0);
        ARR_PUSH(cuts, slow.v[i].s1);
    }
    for (size_t i = 0; i < structs.n; i++) {
        ARR_PUSH(cuts, structs.v[i].s0);
        ARR_PUSH(cuts, structs.v[i].s1);
    }
    if (cuts.n > 1)
        qsort(cuts.v, cuts.n, sizeof *cuts.v, cmp_double);
    ln->sec.n = 0;
    size_t isp = 0;
    for (size_t i = 0; i < cuts.n; i++) {
        double a = cuts.v[i], b = i + 1 < cuts.n ? cuts.v[i + 1] : ln->len;
        if (a >= ln->len - 1 || b - a < 1)
            continue;
        double mid = (a + b) / 2;
        while (isp + 1 < n_sp && sp[isp + 1].s0 <= mid)
            isp++;
        section sc;
        sc.s = a;
        sc.a = sp[isp].a;
        for (size_t k = 0; k < steps.n && sc.a.maxspeed; k++)
            if (mid >= steps.v[k].s0 && mid < steps.v[k].s1)
                sc.a.maxspeed = (uint16_t)fmax(20, floor(sc.a.maxspeed * steps.v[k].v / 10) * 10);
        for (size_t k = 0; k < slow.n; k++)
            if (mid >= slow.v[k].s0 && mid < slow.v[k].s1 && sc.a.maxspeed > slow.v[k].v)
                sc.a.maxspeed = (uint16_t)slow.v[k].v;
        for (size_t k = 0; k < structs.n; k++)
            if (mid >= structs.v[k].s0 && mid < structs.v[k].s1)
                sc.a.structure = (uint8_t)structs.v[k].v;
        if (ln->sec.n && attrs_equal(&ln->sec.v[ln->sec.n - 1].a, &sc.a))
            continue;
        if (ln->sec.n == 0)
            sc.s = 0;
        ARR_PUSH(ln->sec, sc);
    }
    if (ln->sec.n == 0) {
        section sc = {0, sp[0].a};
        ARR_PUSH(ln->sec, sc);
    }
    ARR_FREE(cuts);
    ARR_FREE(slow);
    ARR_FREE(structs);
    ARR_FREE(steps);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Cities and the main network.
 * ------------------------------------------------------------------------------------------------------------- */

/* Relative density of cities at a point of a country: the country's figure, a noise field for regional variety,
 * and thinner settlement in the far north, in Asian Russia and in western China. */
static double density_at(const gen *g, const profile *p, int country, double lat, double lon)
{
    if (!p || p->gauge == 0)
        return 0;
    double d = p->density;
    const char *a2 = borders_alpha2(g->bd, country);
    if (strcmp(a2, "RU") == 0 && lon > 60)
        d *= 0.25;
    if (strcmp(a2, "CN") == 0 && lon < 102)
        d *= 0.2;
    if (lat > 61)
        d *= 0.35;
    double n = 0.65 * vnoise(g->seed * 7 + ST_NOISE, lon / 3.0, lat / 3.0) +
               0.35 * vnoise(g->seed * 13 + ST_NOISE, lon / 0.8, lat / 0.8);
    return d * (0.15 + 1.7 * n * n);
}

/* Estimates the land of the extent weighted by city density, km^2, on a grid. */
static double weighted_land_km2(const gen *g)
{
    const int N = 80;
    double sum = 0;
    double dlon = (g->box[2] - g->box[0]) / N, dlat = (g->box[3] - g->box[1]) / N;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double lat = g->box[1] + (j + 0.5) * dlat, lon = g->box[0] + (i + 0.5) * dlon;
            int c = country_at(g, lat, lon);
            double w = density_at(g, profile_of(g, c), c, lat, lon);
            sum += w * (dlat * 111.195) * (dlon * 111.195 * cos(lat * DEG));
        }
    return sum;
}

/* A grid over cities (and towns) for neighbour queries. */
typedef struct grid {
    double lon0, lat0, cell; /* degrees */
    int nx, ny;
    u32_vec *cells;
} grid;

static void grid_init(grid *gr, const double box[4], double cell_deg)
{
    gr->lon0 = box[0];
    gr->lat0 = box[1];
    gr->cell = cell_deg;
    gr->nx = (int)ceil((box[2] - box[0]) / cell_deg) + 1;
    gr->ny = (int)ceil((box[3] - box[1]) / cell_deg) + 1;
    size_t n = (size_t)gr->nx * (size_t)gr->ny;
    gr->cells = xrealloc(NULL, n * sizeof *gr->cells);
    memset(gr->cells, 0, n * sizeof *gr->cells);
}

static void grid_free(grid *gr)
{
    for (size_t i = 0; i < (size_t)gr->nx * (size_t)gr->ny; i++)
        ARR_FREE(gr->cells[i]);
    free(gr->cells);
}

static void grid_cell(const grid *gr, double lat, double lon, int *cx, int *cy)
{
    *cx = (int)clampd(floor((lon - gr->lon0) / gr->cell), 0, gr->nx - 1);
    *cy = (int)clampd(floor((lat - gr->lat0) / gr->cell), 0, gr->ny - 1);
}

static void grid_add(grid *gr, double lat, double lon, uint32_t id)
{
    int cx, cy;
    grid_cell(gr, lat, lon, &cx, &cy);
    ARR_PUSH(gr->cells[(size_t)cy * gr->nx + cx], id);
}

/* A point in degrees. */
typedef struct pos {
    double lat, lon;
} pos;

typedef ARR(pos) pos_vec;

/* Finds the ids whose points (pts[id]) lie within radius_m of (lat, lon). Writes up to max of them to out and returns
 * how many there are, which may exceed max. */
static size_t grid_near(const grid *gr, double lat, double lon, double radius_m, const pos *pts, uint32_t *out,
                        size_t max)
{
    double rdeg = radius_m / 111195.0;
    double rlon = rdeg / fmax(0.1, cos(fmin(80.0, fabs(lat) + rdeg) * DEG));
    int x0, y0, x1, y1;
    grid_cell(gr, lat - rdeg, lon - rlon, &x0, &y0);
    grid_cell(gr, lat + rdeg, lon + rlon, &x1, &y1);
    size_t n = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            const u32_vec *c = &gr->cells[(size_t)y * gr->nx + x];
            for (size_t i = 0; i < c->n; i++) {
                const pos *p = &pts[c->v[i]];
                if (gc_dist_m(lat, lon, p->lat, p->lon) <= radius_m) {
                    if (n < max)
                        out[n] = c->v[i];
                    n++;
                }
            }
        }
    return n;
}

/* Picks a random point on land in the box with probability proportional to the density there. */
static bool random_land_point(const gen *g, rng *r, double *lat, double *lon, int *country)
{
    double s0 = sin(g->box[1] * DEG), s1 = sin(g->box[3] * DEG);
    for (int tries = 0; tries < 4000; tries++) {
        double la = asin(rng_range(r, s0, s1)) / DEG, lo = rng_range(r, g->box[0], g->box[2]);
        int c = country_at(g, la, lo);
        double w = density_at(g, profile_of(g, c), c, la, lo);
        if (w > 0 && rng_u(r) * 1.9 < w) {
            *lat = la;
            *lon = lo;
            *country = c;
            return true;
        }
    }
    return false;
}

/* Samples the great circle between two points every step metres; returns the length at sea (or in countries
 * without railways) and tells whether it crosses a border and a gauge border. */
static double chord_check(const gen *g, double la1, double lo1, double la2, double lo2, double step, bool *border,
                          bool *gauge_border, int *single_country)
{
    vec3 a = v_of(la1, lo1), b = v_of(la2, lo2);
    double d = gc_dist_m(la1, lo1, la2, lo2);
    int n = (int)ceil(d / step);
    if (n < 2)
        n = 2;
    double sea = 0;
    int first = -1;
    uint16_t gauge0 = 0;
    *border = *gauge_border = false;
    for (int i = 0; i <= n; i++) {
        double t = (double)i / n;
        vec3 v = {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t};
        double lat, lon;
        ll_of(v_norm(v), &lat, &lon);
        int c = country_at(g, lat, lon);
        const profile *p = profile_of(g, c);
        if (!p || p->gauge == 0) {
            sea += d / n;
            continue;
        }
        if (first < 0) {
            first = c;
            gauge0 = p->gauge;
        } else if (c != first) {
            *border = true;
            if (p->gauge != gauge0)
                *gauge_border = true;
        }
    }
    if (single_country)
        *single_country = *border ? -1 : first;
    return sea;
}

typedef struct cand {
    uint32_t a, b;
    double d;      /* metres */
    double w;      /* weight for the spanning tree */
    bool rng_edge; /* in the relative-neighbourhood graph */
    bool border, gauge_border;
} cand;

typedef ARR(cand) cand_vec;

static int cmp_cand(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->w != b->w)
        return a->w < b->w ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Places n_cities cities on land by density, at least 45 % of the mean spacing apart, with their rank. Fewer are
 * placed when the land is full. */
static void place_cities(gen *g, size_t n_cities)
{
    rng r;
    rng_init(&r, g->seed, ST_CITIES, 0);
    double spacing = sqrt(g->land_km2 / (double)(n_cities ? n_cities : 1)) * 1000.0;
    double min_d = 0.45 * spacing;
    grid gr;
    grid_init(&gr, g->box, fmax(0.05, min_d / 111195.0 * 2));
    pos_vec pts = {0};
    uint32_t near[8];
    for (size_t tries = 0; g->cities.n < n_cities && tries < n_cities * 60 + 100; tries++) {
        double lat, lon;
        int c;
        if (!random_land_point(g, &r, &lat, &lon, &c))
            break;
        if (grid_near(&gr, lat, lon, min_d, pts.v, near, 8) > 0)
            continue;
        city ct;
        memset(&ct, 0, sizeof ct);
        ct.lat = lat;
        ct.lon = lon;
        ct.country = c;
        double u = rng_u(&r);
        ct.rank = u < 0.1 ? 3 : u < 0.4 ? 2 : 1;
        ct.line = NONE;
        ARR_PUSH(g->cities, ct);
        pos p = {lat, lon};
        ARR_PUSH(pts, p);
        grid_add(&gr, lat, lon, (uint32_t)(g->cities.n - 1));
    }
    grid_free(&gr);
    ARR_FREE(pts);
}

/* Chooses the main edges between cities: the relative-neighbourhood graph, some further Gabriel edges, thinned
 * across borders, plus a minimum spanning tree of all candidate edges over land so that each landmass is one
 * network. Fills each city's edges and returns the edges as pairs. */
static void choose_edges(gen *g, cand_vec *chosen)
{
    rng r;
    rng_init(&r, g->seed, ST_EDGES, 0);
    size_t nc = g->cities.n;
    pos_vec pts = {0};
    for (size_t i = 0; i < nc; i++) {
        pos p = {g->cities.v[i].lat, g->cities.v[i].lon};
        ARR_PUSH(pts, p);
    }
    double spacing = sqrt(g->land_km2 / (double)(nc ? nc : 1)) * 1000.0;
    grid gr;
    grid_init(&gr, g->box, fmax(0.05, spacing / 111195.0));
    for (size_t i = 0; i < nc; i++)
        grid_add(&gr, pts.v[i].lat, pts.v[i].lon, (uint32_t)i);
    enum { K = 10 };
    ARR(cand) cands = {0};
    uint32_t *near = xrealloc(NULL, 4096 * sizeof *near);
    for (size_t i = 0; i < nc; i++) {
        /* The K nearest cities, from a growing search radius. */
        size_t n = 0;
        double rad = spacing * 1.5;
        for (int grow = 0; grow < 8; grow++, rad *= 2) {
            n = grid_near(&gr, pts.v[i].lat, pts.v[i].lon, rad, pts.v, near, 4096);
            if (n > K || n == nc)
                break;
        }
        if (n > 4096)
            n = 4096;
        /* Sort by distance (insertion sort: n is small). */
        double *dist = xrealloc(NULL, (n ? n : 1) * sizeof *dist);
        for (size_t k = 0; k < n; k++)
            dist[k] = gc_dist_m(pts.v[i].lat, pts.v[i].lon, pts.v[near[k]].lat, pts.v[near[k]].lon);
        for (size_t k = 1; k < n; k++)
            for (size_t m = k; m > 0 && (dist[m] < dist[m - 1] || (dist[m] == dist[m - 1] && near[m] < near[m - 1]));
                 m--) {
                double td = dist[m];
                dist[m] = dist[m - 1];
                dist[m - 1] = td;
                uint32_t tn = near[m];
                near[m] = near[m - 1];
                near[m - 1] = tn;
            }
        for (size_t k = 0; k < n && k <= K; k++) {
            uint32_t j = near[k];
            if (j <= i)
                continue;
            double dij = dist[k];
            /* Gabriel: no city inside the circle on ij as diameter; relative neighbourhood: none in the lune. Any such
             * city is nearer to i than j is, so it is among the sorted neighbours before k. */
            bool gabriel = true, rngok = true;
            for (size_t m = 0; m < k; m++) {
                uint32_t q = near[m];
                if (q == i)
                    continue;
                double diq = dist[m], djq = gc_dist_m(pts.v[j].lat, pts.v[j].lon, pts.v[q].lat, pts.v[q].lon);
                if (diq * diq + djq * djq < dij * dij)
                    gabriel = false;
                if (fmax(diq, djq) < dij)
                    rngok = false;
            }
            if (!gabriel)
                continue;
            cand c = {(uint32_t)i, j, dij, dij, rngok, false, false};
            double sea = chord_check(g, pts.v[i].lat, pts.v[i].lon, pts.v[j].lat, pts.v[j].lon, 2500.0, &c.border,
                                     &c.gauge_border, NULL);
            if (sea > 4000.0 || sea > 0.08 * dij)
                continue;
            c.w = dij * (c.gauge_border ? 1.6 : c.border ? 1.2 : 1.0);
            ARR_PUSH(cands, c);
        }
        free(dist);
    }
    free(near);
    if (cands.n > 1)
        qsort(cands.v, cands.n, sizeof *cands.v, cmp_cand);
    uint32_t *parent = xrealloc(NULL, (nc ? nc : 1) * sizeof *parent);
    for (size_t i = 0; i < nc; i++)
        parent[i] = (uint32_t)i;
    chosen->n = 0;
    for (size_t i = 0; i < cands.n; i++) {
        cand *c = &cands.v[i];
        uint32_t ra = uf_find(parent, c->a), rb = uf_find(parent, c->b);
        bool tree = ra != rb;
        if (tree)
            parent[ra] = rb;
        double keep = c->rng_edge ? (c->gauge_border ? 0.3 : c->border ? 0.6 : 0.92)
                                  : (c->gauge_border ? 0.05 : c->border ? 0.1 : 0.22);
        if (tree || rng_p(&r, keep))
            ARR_PUSH(*chosen, *c);
    }
    free(parent);
    ARR_FREE(cands);
    grid_free(&gr);
    ARR_FREE(pts);
}

/* Sets each city's station axis along its main lines, and its station, throats and station line. */
static void make_city_lines(gen *g, const cand_vec *edges)
{
    for (size_t e = 0; e < edges->n; e++) {
        ARR_PUSH(g->cities.v[edges->v[e].a].edges, (uint32_t)e);
        ARR_PUSH(g->cities.v[edges->v[e].b].edges, (uint32_t)e);
    }
    for (size_t i = 0; i < g->cities.n; i++) {
        city *ct = &g->cities.v[i];
        rng r;
        rng_init(&r, g->seed, ST_CITY, i);
        /* The axis that best fits the directions of its lines (doubled angles average out opposite ones). */
        double sx = 0, sy = 0;
        for (size_t k = 0; k < ct->edges.n; k++) {
            const cand *c = &edges->v[ct->edges.v[k]];
            const city *o = &g->cities.v[c->a == i ? c->b : c->a];
            double az = azimuth(ct->lat, ct->lon, o->lat, o->lon);
            sx += cos(2 * az);
            sy += sin(2 * az);
        }
        ct->axis = (sx == 0 && sy == 0) ? rng_range(&r, 0, PI) : 0.5 * atan2(sy, sx);
        ct->axis += rng_range(&r, -8, 8) * DEG;
        ct->half = 450 + 250 * ct->rank + rng_range(&r, 0, 300);
        ct->station = new_station(g, &r, ct->lat, ct->lon, ct->country, SK_STATION);
        ct->sp_s = new_special(g, ct->lat, ct->lon, SP_STATION, ct->station);
        double la, lo;
        destination(ct->lat, ct->lon, ct->axis + PI, ct->half, &la, &lo);
        ct->sp_w = new_special(g, la, lo, SP_SWITCH, NONE);
        destination(ct->lat, ct->lon, ct->axis, ct->half, &la, &lo);
        ct->sp_e = new_special(g, la, lo, SP_SWITCH, NONE);
        /* The station line runs from the west throat through the station to the east throat. */
        line ln;
        memset(&ln, 0, sizeof ln);
        ln.kind = LK_CITY;
        ln.n_tracks = 1;
        ln.fr = frame_at(ct->lat, ct->lon);
        ln.anchor0 = ct->sp_w;
        ln.anchor1 = ct->sp_e;
        ln.seed = rng_u64(&r);
        ln.city0 = ln.city1 = (uint32_t)i;
        ln.country = ct->country;
        double x0, y0, x1, y1;
        fr_fwd(&ln.fr, g->specials.v[ct->sp_w - 1].lat, g->specials.v[ct->sp_w - 1].lon, &x0, &y0);
        fr_fwd(&ln.fr, g->specials.v[ct->sp_e - 1].lat, g->specials.v[ct->sp_e - 1].lon, &x1, &y1);
        push_elem(&ln, x0, y0, atan2(y1 - y0, x1 - x0), hypot(x1 - x0, y1 - y0), 0);
        feature f = {ln.len / 2, FK_STATION, 0, LAY_CITY, false, ct->station, ct->sp_s};
        ARR_PUSH(ln.ft, f);
        ct->line = (uint32_t)g->lines.n;
        ARR_PUSH(g->lines, ln);
    }
}

/* The heading at which a main line leaves city ci towards city cj, spread so that lines sharing a throat diverge
 * like the tracks of a turnout: within 7 degrees of the station axis on the side facing cj. Returns the azimuth and
 * the throat special. */
static double throat_heading(const gen *g, const cand_vec *edges, uint32_t ci, uint32_t cj, uint32_t *sp)
{
    const city *ct = &g->cities.v[ci];
    const city *o = &g->cities.v[cj];
    double az = azimuth(ct->lat, ct->lon, o->lat, o->lon);
    bool east = cos(az - ct->axis) >= 0;
    double side = east ? ct->axis : ct->axis + PI;
    *sp = east ? ct->sp_e : ct->sp_w;
    /* Rank this line among the lines on the same side by their relative angle, and spread them evenly. */
    double rel = wrap_pi(az - side);
    int n = 0, before = 0;
    for (size_t k = 0; k < ct->edges.n; k++) {
        const cand *c = &edges->v[ct->edges.v[k]];
        const city *q = &g->cities.v[c->a == ci ? c->b : c->a];
        double a2 = azimuth(ct->lat, ct->lon, q->lat, q->lon);
        if ((cos(a2 - ct->axis) >= 0) != east)
            continue;
        double r2 = wrap_pi(a2 - side);
        n++;
        if (r2 < rel || (r2 == rel && (c->a == ci ? c->b : c->a) < cj))
            before++;
    }
    double spread = n <= 1 ? clampd(rel, -3 * DEG, 3 * DEG) : (-7 + 14.0 * before / (n - 1)) * DEG;
    return side + spread;
}

/* Adds the base spans and features of a main line from its country runs: border stations on both sides of each
 * crossing, a break of gauge at one of them (with a dual-gauge stretch between them sometimes), and intermediate
 * stations. */
static void plan_main_line(gen *g, uint32_t li, rng *r, const cand *c)
{
    line *ln = &g->lines.v[li];
    run_vec runs = {0};
    country_runs(g, ln, &runs);
    /* The ends belong to the cities' countries, so that the station lines and the main line agree on the gauge: a
     * city within a throat's length of a border gets a run of no length, and its gauge reaches the first station
     * across the border. */
    int ca = g->cities.v[c->a].country, cb = g->cities.v[c->b].country;
    if (runs.v[0].country != ca) {
        run rn = {0, 0, ca};
        ARR_GROW(runs, runs.n + 1);
        memmove(&runs.v[1], &runs.v[0], runs.n * sizeof runs.v[0]);
        runs.v[0] = rn;
        runs.n++;
    }
    if (runs.v[runs.n - 1].country != cb) {
        run rn = {ln->len, ln->len, cb};
        ARR_PUSH(runs, rn);
    }
    ARR(span) spans = {0};
    double rough = vnoise(g->seed * 17 + ST_NOISE, g->cities.v[c->a].lon / 4.0, g->cities.v[c->a].lat / 4.0);
    bool tagged = rng_p(r, profile_of(g, runs.v[0].country) ? profile_of(g, runs.v[0].country)->speed_tagged : 0.5);
    uint32_t name = 0, ref = 0;
    if (rng_p(r, 0.35)) {
        char buf[300];
        snprintf(buf, sizeof buf, "%s\xE2\x80\x93%s", pool_str(g, g->stations.v[g->cities.v[ln->city0].station].native),
                 pool_str(g, g->stations.v[g->cities.v[ln->city1].station].native));
        name = pool_add(g, buf);
    }
    if (rng_p(r, 0.3)) {
        char buf[16];
        snprintf(buf, sizeof buf, "%u", 1 + rng_below(r, 999));
        ref = pool_add(g, buf);
    }
    /* Base attributes per run. */
    ARR(attrs) ra = {0};
    for (size_t i = 0; i < runs.n; i++) {
        const profile *p = profile_of(g, runs.v[i].country);
        if (!p || p->gauge == 0)
            p = g->default_prof;
        attrs a;
        memset(&a, 0, sizeof a);
        a.gauge[0] = p->gauge;
        a.n_gauge = 1;
        a.usage = LK_MAIN;
        double mlat, mlon;
        line_point(ln, (runs.v[i].s0 + runs.v[i].s1) / 2, 0, &mlat, &mlon);
        if (rng_p(r, p->elec_main))
            a.power = (int8_t)power_at(g, p, mlat, mlon);
        else
            a.power = rng_p(r, 0.75) ? PW_NO : PW_UNTAGGED;
        if (a.power >= 0 && rng_p(r, 0.03))
            a.power = PW_UNTAGGED;
        double v = p->vmain * rng_range(r, 0.75, 1.15);
        a.maxspeed = (uint16_t)(tagged ? fmax(40, floor(v / 10) * 10) : 0);
        a.name = name;
        a.ref = ref;
        ARR_PUSH(ra, a);
    }
    /* Border stations and where each run's attributes begin. A run at either end too short to hold a border
     * station uses the other side's station for the break. Stations go in the gaps between border zones. */
    ARR(double) gaps = {0};
    double gap_start = 0, start = 0;
    for (size_t i = 0; i + 1 < runs.n; i++) {
        double x = runs.v[i].s1;
        double len_a = runs.v[i].s1 - fmax(runs.v[i].s0, gap_start), len_b = runs.v[i + 1].s1 - x;
        bool has_a = len_a >= 2500, has_b = len_b >= 2500;
        double da = clampd(rng_range(r, 1500, 7000), 800, fmax(800, 0.45 * len_a));
        double db = clampd(rng_range(r, 1500, 7000), 800, fmax(800, 0.45 * len_b));
        double sa = x - da, sb = x + db;
        bool gauge_change = ra.v[i].gauge[0] != ra.v[i + 1].gauge[0];
        bool at_b = has_b && (!has_a || rng_p(r, 0.5));
        bool dual = gauge_change && has_a && has_b && rng_p(r, 0.25);
        uint32_t st_a = NONE, st_b = NONE;
        double la, lo;
        if (has_a) {
            line_point(ln, sa, 0, &la, &lo);
            st_a = new_station(g, r, la, lo, runs.v[i].country, SK_STATION);
            feature fa = {sa, FK_STATION, 0, LAY_BIG, ln->n_tracks == 2 && gauge_change && (dual || !at_b), st_a, 0};
            ARR_PUSH(ln->ft, fa);
        }
        if (has_b) {
            line_point(ln, sb, 0, &la, &lo);
            st_b = new_station(g, r, la, lo, runs.v[i + 1].country, SK_STATION);
            feature fb = {sb, FK_STATION, 0, LAY_BIG, ln->n_tracks == 2 && gauge_change && (dual || at_b), st_b, 0};
            ARR_PUSH(ln->ft, fb);
        }
        ARR_PUSH(gaps, gap_start);
        ARR_PUSH(gaps, has_a ? sa : x - 2500);
        gap_start = has_b ? sb : x + 2500;
        g->n_crossings++;
        /* Without a station on either side the attributes change at the border itself (both runs are short: a
         * line that only clips a country); gauges then break at no station, as happens in real data too. */
        double change = at_b ? sb : has_a ? sa : x;
        if (dual) {
            span sp = {start, sa, ra.v[i]};
            ARR_PUSH(spans, sp);
            span d = {sa, sb, ra.v[i]};
            d.a.n_gauge = 2;
            d.a.gauge[0] = (uint16_t)fmin(ra.v[i].gauge[0], ra.v[i + 1].gauge[0]);
            d.a.gauge[1] = (uint16_t)fmax(ra.v[i].gauge[0], ra.v[i + 1].gauge[0]);
            ARR_PUSH(spans, d);
            start = sb;
        } else {
            span sp = {start, change, ra.v[i]};
            ARR_PUSH(spans, sp);
            start = change;
        }
        if (gauge_change && (has_a || has_b)) {
            gauge_break b = {at_b ? st_b : st_a, ra.v[i].gauge[0], ra.v[i + 1].gauge[0], c->a, c->b, dual};
            if (dual)
                b.station = st_a;
            ARR_PUSH(g->breaks, b);
            if (dual) {
                b.station = st_b;
                ARR_PUSH(g->breaks, b);
            }
        }
    }
    span last = {start, ln->len, ra.v[runs.n - 1]};
    ARR_PUSH(spans, last);
    ARR_PUSH(gaps, gap_start);
    ARR_PUSH(gaps, ln->len);
    /* Intermediate stations between the fixed points. */
    const profile *p0 = profile_of(g, runs.v[0].country);
    double sparse = (p0 && p0->density < 0.4) ? 1.8 : 1.0;
    for (size_t i = 0; i + 1 < gaps.n; i += 2) {
        double a = gaps.v[i], b = gaps.v[i + 1];
        double s = a + rng_range(r, 2500, 8000) * sparse;
        while (s < b - 2500) {
            double la, lo;
            line_point(ln, s, 0, &la, &lo);
            int cc = country_at(g, la, lo);
            if (cc < 0)
                cc = runs.v[0].country;
            bool halt = rng_p(r, 0.35);
            uint32_t st = new_station(g, r, la, lo, cc, halt ? SK_HALT : SK_STATION);
            feature f = {s, FK_STATION, 0, (uint8_t)(halt ? LAY_HALT : LAY_SMALL), false, st, 0};
            ARR_PUSH(ln->ft, f);
            s += rng_range(r, 2500, 10000) * sparse;
        }
    }
    if (ln->ft.n > 1)
        qsort(ln->ft.v, ln->ft.n, sizeof *ln->ft.v, cmp_feature);
    build_sections(ln, r, spans.v, spans.n, rough, true);
    ARR_FREE(runs);
    ARR_FREE(spans);
    ARR_FREE(ra);
    ARR_FREE(gaps);
}

/* Builds the main lines along the chosen edges. */
static void make_main_lines(gen *g, const cand_vec *edges)
{
    for (size_t e = 0; e < edges->n; e++) {
        const cand *c = &edges->v[e];
        rng r;
        rng_init(&r, g->seed, ST_MAIN, e);
        uint32_t sp0, sp1;
        double az0 = throat_heading(g, edges, c->a, c->b, &sp0);
        double az1 = throat_heading(g, edges, c->b, c->a, &sp1);
        const special *s0 = &g->specials.v[sp0 - 1], *s1 = &g->specials.v[sp1 - 1];
        line ln;
        memset(&ln, 0, sizeof ln);
        ln.kind = LK_MAIN;
        vec3 mid = v_norm((vec3){v_of(s0->lat, s0->lon).x + v_of(s1->lat, s1->lon).x,
                                 v_of(s0->lat, s0->lon).y + v_of(s1->lat, s1->lon).y,
                                 v_of(s0->lat, s0->lon).z + v_of(s1->lat, s1->lon).z});
        double mlat, mlon;
        ll_of(mid, &mlat, &mlon);
        ln.fr = frame_at(mlat, mlon);
        ln.anchor0 = sp0;
        ln.anchor1 = sp1;
        ln.city0 = c->a;
        ln.city1 = c->b;
        ln.country = g->cities.v[c->a].country;
        ln.seed = rng_u64(&r);
        const profile *p = profile_of(g, ln.country);
        /* Double track is likelier between bigger cities. */
        double ranks = (g->cities.v[c->a].rank + g->cities.v[c->b].rank) / 2.0;
        ln.n_tracks = (p && rng_p(&r, p->double_share * (0.6 + 0.25 * ranks))) ? 2 : 1;
        pt p0, p1;
        fr_fwd(&ln.fr, s0->lat, s0->lon, &p0.x, &p0.y);
        fr_fwd(&ln.fr, s1->lat, s1->lon, &p1.x, &p1.y);
        double h0 = frame_heading(&ln, s0->lat, s0->lon, az0);
        double h1 = frame_heading(&ln, s1->lat, s1->lon, az1) + PI; /* arriving against the throat's direction */
        double rough = vnoise(g->seed * 17 + ST_NOISE, g->cities.v[c->a].lon / 4.0, g->cities.v[c->a].lat / 4.0);
        build_path(&ln, &r, p0, h0, p1, true, h1, &PS_MAIN, rough);
        ARR_PUSH(g->lines, ln);
        plan_main_line(g, (uint32_t)(g->lines.n - 1), &r, c);
    }
    g->n_main_edges = (uint32_t)edges->n;
}

/* Attributes of a line at s. */
static const attrs *attrs_at(const line *ln, double s)
{
    size_t lo = 0, hi = ln->sec.n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (ln->sec.v[mid].s <= s)
            lo = mid;
        else
            hi = mid;
    }
    return &ln->sec.v[lo].a;
}

/* City lines take the gauge of their country, the electrification of the first electrified main line that meets
 * them (main lines take the system of the place they start or end at, so neighbours agree), and station-area
 * speeds of 40 to 80 km/h. */
static void plan_city_sections(gen *g)
{
    for (size_t i = 0; i < g->cities.n; i++) {
        city *ct = &g->cities.v[i];
        line *ln = &g->lines.v[ct->line];
        rng r;
        rng_init(&r, ln->seed, ST_CITY, 1);
        const profile *p = profile_of(g, ct->country);
        if (!p || p->gauge == 0)
            p = g->default_prof;
        attrs a;
        memset(&a, 0, sizeof a);
        a.gauge[0] = p->gauge;
        a.n_gauge = 1;
        a.usage = LK_MAIN;
        a.power = PW_NO;
        a.maxspeed = rng_p(&r, p->speed_tagged) ? (uint16_t)(40 + 20 * rng_below(&r, 3)) : 0;
        for (size_t k = 0; k < ct->edges.n; k++) {
            const line *m = &g->lines.v[g->cities.n + ct->edges.v[k]];
            const attrs *ma = attrs_at(m, m->city0 == i ? 0 : m->len - 1);
            if (ma->power >= 0) {
                a.power = ma->power;
                break;
            }
        }
        ln->sec.n = 0;
        section sc = {0, a};
        ARR_PUSH(ln->sec, sc);
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * Branch lines: from a station or a point of an existing line, a line to a town, often a dead end; branch lines
 * grow further branches.
 * ------------------------------------------------------------------------------------------------------------- */

/* Finds where on line pl a branch can start near s: an existing station within 2.5 km (made a junction), else a
 * new junction point clear of other features. Returns the feature index, or -1. */
static int junction_on(gen *g, uint32_t pli, double s, int track, bool need_station, rng *r)
{
    line *pl = &g->lines.v[pli];
    int best = -1;
    double bd = 2500;
    for (size_t i = 0; i < pl->ft.n; i++) {
        const feature *f = &pl->ft.v[i];
        double d = fabs(f->s - s);
        if (d < bd && f->kind == FK_STATION && f->track == track && !(f->converge && pl->n_tracks == 2 && track == 1)) {
            bd = d;
            best = (int)i;
        }
    }
    if (best >= 0) {
        feature *f = &pl->ft.v[best];
        if (f->layout == LAY_HALT) {
            f->layout = LAY_SMALL;
            g->stations.v[f->station].kind = SK_STATION;
        }
        if (!f->special) {
            double la, lo;
            line_point(pl, f->s, main_offset(pl, f->track, f->s), &la, &lo);
            f->special = new_special(g, la, lo, SP_STATION, f->station);
        }
        return best;
    }
    for (size_t i = 0; i < pl->ft.n; i++)
        if (fabs(pl->ft.v[i].s - s) < 1200)
            return -1;
    if (s < 1500 || s > pl->len - 1500)
        return -1;
    /* Structures (bridges, tunnels) are no place for a junction. */
    const attrs *a = attrs_at(pl, s);
    if (a->structure)
        return -1;
    double la, lo;
    line_point(pl, s, main_offset(pl, track, s), &la, &lo);
    feature f = {s, FK_JUNCTION, (uint8_t)track, LAY_HALT, false, NONE, 0};
    if (need_station || rng_p(r, 0.55)) {
        f.kind = FK_STATION;
        f.layout = LAY_BIG;
        f.station = new_station(g, r, la, lo, country_at(g, la, lo), SK_STATION);
        f.special = new_special(g, la, lo, SP_STATION, f.station);
    } else {
        f.special = new_special(g, la, lo, SP_SWITCH, NONE);
    }
    ARR_PUSH(pl->ft, f);
    if (pl->ft.n > 1)
        qsort(pl->ft.v, pl->ft.n, sizeof *pl->ft.v, cmp_feature);
    for (size_t i = 0; i < pl->ft.n; i++)
        if (pl->ft.v[i].special == f.special)
            return (int)i;
    return -1;
}

/* Tries to add one branch line from a random point of the network (cum holds the cumulative lengths of the lines,
 * for picking one by length) to a new town; returns its line index, or NONE when the place drawn does not suit. */
static uint32_t try_branch(gen *g, rng *r, const double *cum, size_t n_cum, grid *towns, pos_vec *town_pts)
{
    /* A parent: a point of the network, weighted by length (branch lines count half), or a city's station. */
    uint32_t pli;
    double s;
    if (rng_p(r, 0.25) && g->cities.n) {
        uint32_t ci = rng_below(r, (uint32_t)g->cities.n);
        if (!rng_p(r, g->cities.v[ci].rank / 3.0))
            return NONE;
        pli = g->cities.v[ci].line;
        s = g->lines.v[pli].len / 2;
    } else {
        double x = rng_u(r) * cum[n_cum - 1];
        size_t lo = 0, hi = n_cum;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cum[mid] <= x)
                lo = mid + 1;
            else
                hi = mid;
        }
        pli = (uint32_t)(lo < n_cum ? lo : n_cum - 1);
        const line *pl = &g->lines.v[pli];
        if (pl->kind == LK_CITY)
            return NONE;
        if (pl->kind == LK_BRANCH && !rng_p(r, 0.5))
            return NONE;
        s = x - (pli ? cum[pli - 1] : 0);
        s = clampd(s, 0, pl->len);
    }
    line *pl = &g->lines.v[pli];
    const attrs *pa = attrs_at(pl, s);
    double plat, plon;
    line_point(pl, s, 0, &plat, &plon);
    int country = country_at(g, plat, plon);
    const profile *p = profile_of(g, country);
    if (!p || p->gauge == 0 || pa->n_gauge != 1)
        return NONE;
    /* Narrow gauge by the country's share; the first branch where there is any is narrow, so that every network
     * that can have narrow gauge has some. */
    bool narrow = pa->narrow || (p->narrow && pa->gauge[0] == p->gauge && (rng_p(r, p->narrow_share) ||
                                                                          !g->have_narrow));
    /* A target town off to one side, in the same country, over land, away from cities and towns. */
    int side = rng_p(r, 0.5) ? 1 : -1;
    double paz = line_azimuth(pl, s);
    bool from_city = pl->kind == LK_CITY;
    double taz = paz + side * (from_city ? rng_range(r, 5, 70) : rng_range(r, 35, 100)) * DEG;
    if (from_city && rng_p(r, 0.5))
        taz += PI;
    double dist = exp(log(narrow ? 12000.0 : 20000.0) + 0.55 * rng_normal(r));
    if (p->density < 0.4)
        dist *= 1.6;
    dist = clampd(dist, 5000, 90000);
    double tlat, tlon;
    destination(plat, plon, taz, dist, &tlat, &tlon);
    if (tlat < g->box[1] || tlat > g->box[3] || tlon < g->box[0] || tlon > g->box[2])
        return NONE;
    bool border, gb;
    int single;
    double sea = chord_check(g, plat, plon, tlat, tlon, 2000, &border, &gb, &single);
    if (sea > 0 || border || single != country)
        return NONE;
    uint32_t near[4];
    if (grid_near(towns, tlat, tlon, 7000, town_pts->v, near, 4) > 0)
        return NONE;
    uint32_t anchor;
    double jlat, jlon, az0;
    if (from_city && !narrow) {
        /* From a throat of the city's station, outside the fan of main lines there. */
        const city *ct = &g->cities.v[pl->city0];
        double toward = azimuth(ct->lat, ct->lon, tlat, tlon);
        bool east = cos(toward - ct->axis) >= 0;
        double side_az = east ? ct->axis : ct->axis + PI;
        anchor = east ? ct->sp_e : ct->sp_w;
        az0 = side_az + (wrap_pi(toward - side_az) >= 0 ? 1 : -1) * rng_range(r, 9, 13) * DEG;
    } else {
        /* A junction on the parent, on the track on the branch's side of a double line; it leaves along the parent,
         * turned 5 to 10 degrees towards the town. */
        int track = (pl->n_tracks == 2 && side < 0) ? 1 : 0;
        int fi = junction_on(g, pli, s, track, narrow, r);
        if (fi < 0)
            return NONE;
        pl = &g->lines.v[pli];
        const feature *jf = &pl->ft.v[fi];
        if (narrow && jf->kind != FK_STATION)
            return NONE;
        anchor = jf->special;
        const special *js = &g->specials.v[anchor - 1];
        double jaz = line_azimuth(pl, jf->s);
        double toward = azimuth(js->lat, js->lon, tlat, tlon);
        double dir = cos(toward - jaz) >= 0 ? jaz : jaz + PI;
        az0 = dir + (wrap_pi(toward - dir) >= 0 ? 1 : -1) * rng_range(r, 5, 10) * DEG;
    }
    jlat = g->specials.v[anchor - 1].lat;
    jlon = g->specials.v[anchor - 1].lon;
    line ln;
    memset(&ln, 0, sizeof ln);
    ln.kind = LK_BRANCH;
    ln.n_tracks = 1;
    double mlat, mlon;
    ll_of(v_norm((vec3){v_of(jlat, jlon).x + v_of(tlat, tlon).x, v_of(jlat, jlon).y + v_of(tlat, tlon).y,
                        v_of(jlat, jlon).z + v_of(tlat, tlon).z}),
          &mlat, &mlon);
    ln.fr = frame_at(mlat, mlon);
    ln.anchor0 = anchor;
    ln.anchor1 = 0;
    ln.city0 = pl->city0;
    ln.city1 = NONE;
    ln.country = country;
    ln.seed = rng_u64(r);
    pt p0, p1;
    fr_fwd(&ln.fr, jlat, jlon, &p0.x, &p0.y);
    fr_fwd(&ln.fr, tlat, tlon, &p1.x, &p1.y);
    double rough = vnoise(g->seed * 17 + ST_NOISE, tlon / 4.0, tlat / 4.0);
    rng pr;
    rng_init(&pr, ln.seed, ST_BRANCH, 0);
    build_path(&ln, &pr, p0, frame_heading(&ln, jlat, jlon, az0), p1, false, 0, narrow ? &PS_NARROW : &PS_BRANCH,
               rough);
    /* Attributes: the parent's, adapted. */
    attrs a = *pa;
    a.usage = LK_BRANCH;
    a.structure = STRUCT_NONE;
    a.name = a.ref = 0;
    if (narrow && !pa->narrow) {
        a.narrow = 1;
        a.gauge[0] = p->narrow;
        a.power = (strcmp(borders_alpha2(g->bd, country), "CH") == 0 && rng_p(r, 0.8)) ? P_11K : PW_NO;
    }
    if (a.power >= 0 && !rng_p(r, p->elec_branch / fmax(0.05f, p->elec_main)))
        a.power = rng_p(r, 0.75) ? PW_NO : PW_UNTAGGED;
    double v = (a.narrow ? 40 : p->vbranch) * rng_range(r, 0.75, 1.2);
    a.maxspeed = rng_p(r, p->speed_tagged) ? (uint16_t)fmax(20, floor(v / 10) * 10) : 0;
    if (rng_p(r, 0.15)) {
        char buf[16];
        snprintf(buf, sizeof buf, "%u", 1 + rng_below(r, 999));
        a.ref = pool_add(g, buf);
    }
    /* Stations along it, and the terminus near its end. */
    double sp = (p->density < 0.4 ? 1.6 : 1.0);
    double st_s = rng_range(&pr, 2500, 8000) * sp;
    ARR_PUSH(g->lines, ln);
    line *bl = &g->lines.v[g->lines.n - 1];
    double term = bl->len - rng_range(&pr, 120, 300);
    while (st_s < term - 2000) {
        double la, lo;
        line_point(bl, st_s, 0, &la, &lo);
        bool halt = rng_p(&pr, 0.5);
        uint32_t st = new_station(g, &pr, la, lo, country, halt ? SK_HALT : SK_STATION);
        feature f = {st_s, FK_STATION, 0, (uint8_t)(halt ? LAY_HALT : LAY_SMALL), false, st, 0};
        ARR_PUSH(bl->ft, f);
        st_s += rng_range(&pr, 3000, 10000) * sp;
    }
    if (term > 500) {
        double la, lo;
        line_point(bl, term, 0, &la, &lo);
        uint32_t st = new_station(g, &pr, la, lo, country, SK_STATION);
        feature f = {term, FK_STATION, 0, LAY_TERMINUS, false, st, 0};
        ARR_PUSH(bl->ft, f);
        pos tp = {la, lo};
        ARR_PUSH(*town_pts, tp);
        grid_add(towns, la, lo, (uint32_t)(town_pts->n - 1));
    }
    span spn = {0, bl->len, a};
    build_sections(bl, &pr, &spn, 1, rough, false);
    g->n_branches++;
    g->have_narrow |= a.narrow;
    return (uint32_t)(g->lines.n - 1);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Emitting a line: its tracks (main tracks, passing loops, sidings, yards, crossovers), their nodes and ways.
 * ------------------------------------------------------------------------------------------------------------- */

enum { TK_MAIN = 0, TK_LOOP, TK_SPUR, TK_YARD, TK_CROSSOVER, TK_STATION };
enum { E_SPECIAL = 0, E_JOIN, E_BUFFER };
enum { FT_NONE = 0, FT_SWITCH, FT_STATION, FT_BUFFER };

typedef struct trk {
    double s0, s1;
    int parent;         /* track the offset is measured from, or -1 for main tracks */
    double d;           /* lateral offset from the parent (or, for main tracks, which side: +1 or -1) */
    uint8_t kind;       /* TK_* */
    uint8_t end0, end1; /* E_* */
    uint32_t ref0, ref1; /* E_SPECIAL: special index + 1; E_JOIN: forced-node index on the parent */
    bool stub;          /* joined at one end only, with a buffer stop at the other */
    bool spur_at_end;   /* a stub's free end is s1 (else s0) */
} trk;

typedef struct fnode {
    uint32_t track;
    double s;
    uint8_t tag;       /* FT_* */
    bool split;        /* a way ends here */
    uint32_t station;
    uint32_t special;  /* nonzero: the node is this special node */
    int64_t id;
} fnode;

typedef struct layout {
    ARR(trk) t;
    ARR(fnode) f;
    ARR(uint32_t) order;  /* forced nodes by track, then s */
    ARR(uint32_t) first;  /* per track: start of its forced nodes in order; one more entry at the end */
    ARR(int64_t) refs;    /* the way being written */
} layout;

/* Lateral offset of track ti at s. Sidings diverge from their parent over DIVERGE_M at each joined end. */
static double track_offset(const line *ln, const layout *lay, uint32_t ti, double s)
{
    const trk *t = &lay->t.v[ti];
    if (t->parent < 0)
        return main_offset(ln, t->d > 0 ? 0 : 1, s);
    double base = track_offset(ln, lay, (uint32_t)t->parent, s);
    if (t->kind == TK_CROSSOVER)
        return base;
    double f0 = (t->stub && !t->spur_at_end) ? 1 : smoothstep((s - t->s0) / DIVERGE_M);
    double f1 = (t->stub && t->spur_at_end) ? 1 : smoothstep((t->s1 - s) / DIVERGE_M);
    return base + t->d * fmin(f0, f1);
}

/* Adds a forced node on track ti at s, merging with one already within a metre. Returns its index. */
static uint32_t add_fnode(layout *lay, uint32_t ti, double s, uint8_t tag, bool split, uint32_t station,
                          uint32_t special)
{
    for (size_t i = 0; i < lay->f.n; i++) {
        fnode *f = &lay->f.v[i];
        if (f->track == ti && fabs(f->s - s) < 1.0) {
            if (tag > f->tag && f->tag != FT_STATION)
                f->tag = tag;
            f->split |= split;
            if (station != NONE)
                f->station = station;
            if (special)
                f->special = special;
            return (uint32_t)i;
        }
    }
    fnode f = {ti, s, tag, split, station, special, 0};
    ARR_PUSH(lay->f, f);
    return (uint32_t)(lay->f.n - 1);
}

/* True when track ti has no forced node within gap metres of s. */
static bool clear_on(const layout *lay, uint32_t ti, double s, double gap)
{
    for (size_t i = 0; i < lay->f.n; i++)
        if (lay->f.v[i].track == ti && fabs(lay->f.v[i].s - s) < gap)
            return false;
    return true;
}

/* The main track carrying s for side t (0 or 1): track 0, or the piece of track 1 that spans s. */
static int main_track_at(const layout *lay, int t, double s)
{
    if (t == 0)
        return 0;
    for (size_t i = 1; i < lay->t.n; i++) {
        const trk *k = &lay->t.v[i];
        if (k->kind == TK_MAIN && k->d < 0 && s >= k->s0 && s <= k->s1)
            return (int)i;
    }
    return -1;
}

/* Adds a siding of kind on parent track pi over [s0, s1] at lateral offset d from it, joined at both ends (loops,
 * yard tracks) or at one (spurs). Returns the new track's index, or -1 when the switches would collide with other
 * forced nodes or the parent does not span the stretch. */
static int add_siding(const line *ln, layout *lay, uint32_t pi, double s0, double s1, double d, uint8_t kind,
                      bool stub, bool free_end_at_s1)
{
    const trk *p = &lay->t.v[pi];
    bool j0 = !stub || free_end_at_s1, j1 = !stub || !free_end_at_s1;
    /* Switches sit at least 60 m inside the parent; a free end need only stay beside it. */
    if (s0 < p->s0 + (j0 ? 60 : 0) || s1 > p->s1 - (j1 ? 60 : 0) || s1 - s0 < 2.5 * DIVERGE_M || s0 < 30 ||
        s1 > ln->len - 30)
        return -1;
    /* A siding has one gauge, so it must not reach across a break of gauge (or where a dual-gauge stretch ends). */
    const attrs *a0 = attrs_at(ln, s0), *a1 = attrs_at(ln, s1);
    if (a0->n_gauge != a1->n_gauge || a0->gauge[0] != a1->gauge[0] || a0->gauge[1] != a1->gauge[1])
        return -1;
    if ((j0 && !clear_on(lay, pi, s0, 12)) || (j1 && !clear_on(lay, pi, s1, 12)))
        return -1;
    trk t = {s0, s1, (int)pi, d, kind, E_BUFFER, E_BUFFER, 0, 0, stub, free_end_at_s1};
    uint32_t ti = (uint32_t)lay->t.n;
    /* Mappers split ways at switches. */
    if (j0) {
        t.end0 = E_JOIN;
        t.ref0 = add_fnode(lay, pi, s0, FT_SWITCH, true, NONE, 0);
    }
    if (j1) {
        t.end1 = E_JOIN;
        t.ref1 = add_fnode(lay, pi, s1, FT_SWITCH, true, NONE, 0);
    }
    ARR_PUSH(lay->t, t);
    return (int)ti;
}

/* Adds a pair of crossovers between the two main tracks, from lo to hi metres either side of s. */
static void crossover_pair(const line *ln, layout *lay, rng *r, double s, double lo, double hi)
{
    for (int side = -1; side <= 1; side += 2) {
        double x0 = s + side * rng_range(r, lo, hi), x1 = x0 + side * 60;
        int a = main_track_at(lay, 0, x0), b = main_track_at(lay, 1, x1);
        if (a < 0 || b < 0 || !clear_on(lay, (uint32_t)a, x0, 12) || !clear_on(lay, (uint32_t)b, x1, 12))
            continue;
        if (main_offset(ln, 0, x0) < 0.49 * TRACK_SPACING || main_offset(ln, 1, x1) > -0.49 * TRACK_SPACING)
            continue;
        trk c = {fmin(x0, x1), fmax(x0, x1), a, 0, TK_CROSSOVER, E_JOIN, E_JOIN, 0, 0, false, false};
        uint32_t fa = add_fnode(lay, (uint32_t)a, x0, FT_SWITCH, rng_p(r, 0.5), NONE, 0);
        uint32_t fb = add_fnode(lay, (uint32_t)b, x1, FT_SWITCH, rng_p(r, 0.5), NONE, 0);
        c.ref0 = x0 < x1 ? fa : fb;
        c.ref1 = x0 < x1 ? fb : fa;
        ARR_PUSH(lay->t, c);
    }
}

/* Adds a dead-end siding group: a spur from main track mt at sw running len metres forwards or backwards, with up
 * to extra further tracks fanning off it. */
static void spur_group(const line *ln, layout *lay, rng *r, uint32_t mt, double sw, double len, double side, int extra,
                       uint8_t kind)
{
    bool fwd = rng_p(r, 0.5);
    double s0 = fwd ? sw : sw - len, s1 = fwd ? sw + len : sw;
    int ti = add_siding(ln, lay, mt, s0, s1, side * TRACK_SPACING, kind, true, fwd);
    for (int k = 0; k < extra && ti >= 0; k++) {
        /* Each further track leaves the one before 70 m further along and stops 30 m short of its end. */
        s0 += fwd ? 70 : 30;
        s1 -= fwd ? 30 : 70;
        double a = s0, b = s1;
        if (b - a < 3 * DIVERGE_M)
            break;
        int tj = add_siding(ln, lay, (uint32_t)ti, a, b, side * TRACK_SPACING, kind, true, fwd);
        if (tj < 0)
            break;
        ti = tj;
    }
}

/* The track layout of station f on its main track: passing loops on the outer side, dead-end sidings and a goods
 * yard on the other, and crossovers on double track. */
static void station_layout(const line *ln, layout *lay, rng *r, const feature *f)
{
    int t = f->track;
    int mt = main_track_at(lay, t, f->s);
    if (mt < 0)
        return;
    double out = ln->n_tracks == 2 ? (t == 0 ? 1 : -1) : (rng_p(r, 0.5) ? 1 : -1);
    int loops = 0, spurs = 0;
    switch (f->layout) {
    case LAY_HALT:
        break;
    case LAY_SMALL:
        loops = rng_p(r, 0.85) + rng_p(r, 0.3);
        spurs = rng_p(r, 0.5) + rng_p(r, 0.25);
        break;
    case LAY_BIG:
        loops = 2 + rng_p(r, 0.5);
        spurs = 1 + rng_below(r, 3);
        break;
    case LAY_TERMINUS:
        loops = rng_p(r, 0.6);
        spurs = 1 + rng_below(r, 3);
        break;
    default:
        break;
    }
    int parent = mt;
    for (int k = 0; k < loops; k++) {
        double a = rng_range(r, 250, 450) - 40 * k, b = rng_range(r, 250, 450) - 40 * k;
        double s0 = f->s - a, s1 = f->s + b;
        if (f->layout == LAY_TERMINUS) {
            s1 = fmin(s1, ln->len - 40);
        }
        int ti = add_siding(ln, lay, (uint32_t)parent, s0, s1, out * TRACK_SPACING, TK_LOOP, false, false);
        if (ti >= 0)
            parent = ti;
    }
    for (int k = 0; k < spurs; k++) {
        double sw = f->s + (rng_p(r, 0.5) ? 1 : -1) * rng_range(r, 150, 600);
        spur_group(ln, lay, r, (uint32_t)mt, sw, rng_range(r, 150, 500), -out, (int)rng_below(r, 3), TK_SPUR);
    }
    if ((f->layout == LAY_BIG && rng_p(r, 0.8)) || (f->layout == LAY_SMALL && rng_p(r, 0.3))) {
        /* A goods yard beside the station: stub tracks off a ladder. */
        bool big = f->layout == LAY_BIG;
        double sw = f->s + (rng_p(r, 0.5) ? 1 : -1) * rng_range(r, 500, 700);
        spur_group(ln, lay, r, (uint32_t)mt, sw, rng_range(r, big ? 600 : 300, big ? 1200 : 700), -out,
                   (big ? 3 : 2) + (int)rng_below(r, big ? 6 : 3), TK_YARD);
    }
    if (ln->n_tracks == 2 && f->layout != LAY_HALT && rng_p(r, 0.85))
        crossover_pair(ln, lay, r, f->s, 450, 700);
}

/* The layout of a city station: station tracks either side of the through track, a yard and industrial spurs. */
static void city_layout(const line *ln, layout *lay, rng *r, const feature *f, int rank)
{
    /* Station tracks nest outwards on both sides, each a little shorter than the one it leaves. */
    int parent[2] = {0, 0};
    double reach[2][2] = {{380, 380}, {380, 380}};
    int n_st = rank + 2;
    for (int k = 0; k < n_st; k++) {
        int sd = k % 2;
        double a = reach[sd][0] - rng_range(r, 70, 130), b = reach[sd][1] - rng_range(r, 70, 130);
        if (a < 150 || b < 150)
            break;
        int ti = add_siding(ln, lay, (uint32_t)parent[sd], f->s - a, f->s + b, (sd ? -1 : 1) * TRACK_SPACING,
                            TK_STATION, false, false);
        if (ti >= 0) {
            parent[sd] = ti;
            reach[sd][0] = a;
            reach[sd][1] = b;
        }
    }
    double half = ln->len / 2;
    bool yard_east = rng_p(r, 0.5);
    int yard_side = rng_p(r, 0.5) ? 1 : -1;
    if (rank >= 2 || rng_p(r, 0.3)) {
        int m = 3 + 3 * rank + (int)rng_below(r, 3);
        double room = half - 450 - 120;
        double len = fmin(room, rng_range(r, 500, 1100));
        if (len > 300) {
            double s0 = yard_east ? half + 420 : half - 420 - len, s1 = s0 + len;
            int p = 0;
            /* A ladder: each yard track leaves the one before it 70 m further in. */
            for (int k = 0; k < m; k++) {
                if (s1 - s0 - 140 * k < 3 * DIVERGE_M)
                    break;
                int ti = add_siding(ln, lay, (uint32_t)p, s0 + 70 * k, s1 - 70 * k, yard_side * TRACK_SPACING, TK_YARD,
                                    false, false);
                if (ti < 0)
                    break;
                p = ti;
            }
        }
    }
    /* A depot and industrial spurs in the other half: stub tracks fanning off the through track. */
    int spurs = 1 + (int)rng_below(r, (uint32_t)rank + 1);
    for (int k = 0; k < spurs; k++) {
        double len = rng_range(r, 150, 450);
        double lo = yard_east ? 120 : half + 420, hi = yard_east ? half - 420 : ln->len - 120;
        if (hi - lo < 2 * len + 100)
            break;
        spur_group(ln, lay, r, 0, rng_range(r, lo + len, hi - len), len, -yard_side * (1 + k % 2),
                   (int)rng_below(r, 2 + (uint32_t)rank), k == 0 ? TK_YARD : TK_SPUR);
    }
}

/* Sorting forced nodes by (track, s) needs the nodes; a small insertion sort per track keeps it simple and stable. */
static void sort_order(layout *lay)
{
    lay->order.n = 0;
    lay->first.n = 0;
    for (uint32_t ti = 0; ti < lay->t.n; ti++) {
        ARR_PUSH(lay->first, (uint32_t)lay->order.n);
        size_t start = lay->order.n;
        for (size_t i = 0; i < lay->f.n; i++)
            if (lay->f.v[i].track == ti) {
                ARR_PUSH(lay->order, (uint32_t)i);
                for (size_t m = lay->order.n - 1;
                     m > start && lay->f.v[lay->order.v[m]].s < lay->f.v[lay->order.v[m - 1]].s; m--) {
                    uint32_t tmp = lay->order.v[m];
                    lay->order.v[m] = lay->order.v[m - 1];
                    lay->order.v[m - 1] = tmp;
                }
            }
    }
    ARR_PUSH(lay->first, (uint32_t)lay->order.n);
}

/* Builds the layout of line li: its main tracks and their forced nodes (features, section boundaries), then station
 * track layouts. Deterministic: it draws only from a stream seeded by the line. */
static void build_layout(const gen *g, uint32_t li, layout *lay)
{
    const line *ln = &g->lines.v[li];
    lay->t.n = lay->f.n = 0;
    rng r;
    rng_init(&r, ln->seed, ST_LAYOUT, 0);
    trk t0 = {0, ln->len, -1, 1, TK_MAIN, ln->anchor0 ? E_SPECIAL : E_BUFFER, ln->anchor1 ? E_SPECIAL : E_BUFFER,
              ln->anchor0, ln->anchor1, false, false};
    ARR_PUSH(lay->t, t0);
    /* Features on track 0 first, so that track 1 can join the convergence nodes. */
    for (size_t i = 0; i < ln->ft.n; i++) {
        const feature *f = &ln->ft.v[i];
        if (f->track != 0)
            continue;
        add_fnode(lay, 0, f->s, f->station != NONE ? FT_STATION : FT_SWITCH, rng_p(&r, 0.6), f->station, f->special);
    }
    if (ln->n_tracks == 2) {
        double s0 = 0;
        uint8_t e0 = E_SPECIAL;
        uint32_t ref0 = ln->anchor0;
        for (size_t i = 0; i <= ln->ft.n; i++) {
            bool end = i == ln->ft.n;
            if (!end && !ln->ft.v[i].converge)
                continue;
            double s1 = end ? ln->len : ln->ft.v[i].s;
            trk t1 = {s0, s1, -1, -1, TK_MAIN, e0, E_SPECIAL, ref0, ln->anchor1, false, false};
            if (!end) {
                t1.end1 = E_JOIN;
                t1.ref1 = add_fnode(lay, 0, s1, FT_STATION, true, ln->ft.v[i].station, ln->ft.v[i].special);
            }
            ARR_PUSH(lay->t, t1);
            s0 = s1;
            e0 = E_JOIN;
            ref0 = t1.ref1;
        }
        for (size_t i = 0; i < ln->ft.n; i++) {
            const feature *f = &ln->ft.v[i];
            if (f->track != 1)
                continue;
            int mt = main_track_at(lay, 1, f->s);
            if (mt > 0)
                add_fnode(lay, (uint32_t)mt, f->s, f->station != NONE ? FT_STATION : FT_SWITCH, false, f->station,
                          f->special);
        }
    }
    /* Section boundaries split every main track. */
    for (size_t i = 1; i < ln->sec.n; i++) {
        double s = ln->sec.v[i].s;
        add_fnode(lay, 0, s, FT_NONE, true, NONE, 0);
        if (ln->n_tracks == 2) {
            int mt = main_track_at(lay, 1, s);
            const trk *k = mt > 0 ? &lay->t.v[mt] : NULL;
            if (k && s > k->s0 + 1 && s < k->s1 - 1)
                add_fnode(lay, (uint32_t)mt, s, FT_NONE, true, NONE, 0);
        }
    }
    /* Industrial sidings on the open line, clear of stations, and crossovers at block posts on double track. */
    if (ln->kind != LK_CITY) {
        for (double s = rng_range(&r, 1500, 6000); s < ln->len - 2000; s += rng_range(&r, 2000, 9000)) {
            double near = 1e9;
            for (size_t i = 0; i < ln->ft.n; i++)
                near = fmin(near, fabs(ln->ft.v[i].s - s));
            bool clear = near > 1600;
            int t = ln->n_tracks == 2 && rng_p(&r, 0.5) ? 1 : 0;
            int mt = main_track_at(lay, t, s);
            double side = ln->n_tracks == 2 ? (t == 0 ? 1 : -1) : (rng_p(&r, 0.5) ? 1 : -1);
            /* Long enough to serve a works, short enough to end before the next station or junction. */
            double len = fmin(rng_logrange(&r, 250, 2000), near - 400);
            int extra = (int)rng_below(&r, 3);
            bool full = ln->n_tracks < 2 || fabs(main_offset(ln, t, s)) > 0.49 * TRACK_SPACING;
            if (clear && mt >= 0 && full)
                spur_group(ln, lay, &r, (uint32_t)mt, s, len, side, extra, TK_SPUR);
        }
        if (ln->n_tracks == 2)
            for (double s = rng_range(&r, 3000, 9000); s < ln->len - 3000; s += rng_range(&r, 5000, 15000)) {
                bool clear = true;
                for (size_t i = 0; i < ln->ft.n && clear; i++)
                    clear = fabs(ln->ft.v[i].s - s) > 1500;
                if (clear)
                    crossover_pair(ln, lay, &r, s, 100, 300);
            }
    }
    /* Station track layouts. */
    for (size_t i = 0; i < ln->ft.n; i++) {
        const feature *f = &ln->ft.v[i];
        if (f->kind != FK_STATION)
            continue;
        if (f->layout == LAY_CITY)
            city_layout(ln, lay, &r, f, g->cities.v[ln->city0].rank);
        else
            station_layout(ln, lay, &r, f);
    }
    sort_order(lay);
}

/* ----- the output ----- */

typedef struct writer {
    FILE *f;
    gzFile gz;
    char *buf;
    size_t n, cap;
    const char *path;
} writer;

static void w_flush(writer *w)
{
    if (w->n == 0)
        return;
    if (w->gz) {
        if (gzwrite(w->gz, w->buf, (unsigned)w->n) != (int)w->n) {
            int err;
            const char *msg = gzerror(w->gz, &err);
            die("%s: cannot write: %s", w->path, err == Z_ERRNO ? strerror(errno) : msg);
        }
    } else if (fwrite(w->buf, 1, w->n, w->f) != w->n) {
        die("%s: cannot write: %s", w->path, strerror(errno));
    }
    w->n = 0;
}

static void w_put(writer *w, const char *s, size_t n)
{
    if (w->n + n > w->cap)
        w_flush(w);
    if (n > w->cap) {
        w->cap = n;
        w->buf = xrealloc(w->buf, n);
    }
    memcpy(w->buf + w->n, s, n);
    w->n += n;
}

static void w_str(writer *w, const char *s)
{
    w_put(w, s, strlen(s));
}

static void w_i64(writer *w, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    char out[24];
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    w_put(w, out, (size_t)n);
}

/* Writes a coordinate in degrees * 1e7 with exactly 7 decimals. */
static void w_e7(writer *w, int32_t v)
{
    char out[16];
    int n = 0;
    int64_t a = v;
    if (a < 0) {
        out[n++] = '-';
        a = -a;
    }
    char tmp[16];
    int m = 0;
    int64_t ip = a / 10000000, fp = a % 10000000;
    do {
        tmp[m++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    while (m)
        out[n++] = tmp[--m];
    out[n++] = '.';
    for (int d = 6; d >= 0; d--) {
        out[n + d] = (char)('0' + fp % 10);
        fp /= 10;
    }
    n += 7;
    w_put(w, out, (size_t)n);
}

static void w_xml(writer *w, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': w_str(w, "&amp;"); break;
        case '<': w_str(w, "&lt;"); break;
        case '>': w_str(w, "&gt;"); break;
        case '"': w_str(w, "&quot;"); break;
        case '\'': w_str(w, "&apos;"); break;
        default: w_put(w, s, 1);
        }
    }
}

static void w_tag(writer *w, const char *k, const char *v)
{
    w_str(w, "  <tag k=\"");
    w_xml(w, k);
    w_str(w, "\" v=\"");
    w_xml(w, v);
    w_str(w, "\"/>\n");
}

static int32_t e7(double deg)
{
    return (int32_t)lround(deg * 1e7);
}

static void write_station_tags(gen *g, writer *w, uint32_t si)
{
    const station *s = &g->stations.v[si];
    w_tag(w, "railway", s->kind == SK_HALT ? "halt" : "station");
    w_tag(w, "name", pool_str(g, s->native));
    if (s->with_en)
        w_tag(w, "name:en", pool_str(g, s->ascii));
    if (s->with_lang && s->lang) {
        char key[16];
        snprintf(key, sizeof key, "name:%s", s->lang);
        w_tag(w, key, pool_str(g, s->native));
    }
}

/* Writes one node; tag is FT_* and station applies to FT_STATION. */
static void write_node(gen *g, writer *w, int64_t id, double lat, double lon, uint8_t tag, uint32_t station)
{
    w_str(w, " <node id=\"");
    w_i64(w, id);
    w_str(w, "\" version=\"1\" lat=\"");
    w_e7(w, e7(lat));
    w_str(w, "\" lon=\"");
    w_e7(w, e7(lon));
    g->nodes_out++;
    if (tag == FT_NONE || (tag == FT_STATION && station == NONE)) {
        w_str(w, "\"/>\n");
        return;
    }
    w_str(w, "\">\n");
    if (tag == FT_SWITCH)
        w_tag(w, "railway", "switch");
    else if (tag == FT_BUFFER)
        w_tag(w, "railway", "buffer_stop");
    else
        write_station_tags(g, w, station);
    w_str(w, " </node>\n");
}

/* Writes the tags of a way of track kind tk with the main line's attributes a. */
static void write_way_tags(gen *g, writer *w, const attrs *a, uint8_t tk, bool drop_gauge)
{
    w_tag(w, "railway", a->narrow ? "narrow_gauge" : "rail");
    if (tk == TK_MAIN) {
        w_tag(w, "usage", a->usage == LK_BRANCH ? "branch" : "main");
    } else {
        static const char *const service[] = {"", "siding", "spur", "yard", "crossover", "siding"};
        w_tag(w, "service", service[tk]);
        if (tk == TK_SPUR)
            w_tag(w, "usage", "industrial");
    }
    if (!drop_gauge) {
        char buf[24];
        if (a->n_gauge == 2)
            snprintf(buf, sizeof buf, "%u;%u", a->gauge[0], a->gauge[1]);
        else
            snprintf(buf, sizeof buf, "%u", a->gauge[0]);
        w_tag(w, "gauge", buf);
    }
    if (a->power >= 0) {
        w_tag(w, "electrified", "contact_line");
        w_tag(w, "voltage", POWER[a->power].voltage);
        w_tag(w, "frequency", POWER[a->power].frequency);
    } else if (a->power == PW_NO) {
        w_tag(w, "electrified", "no");
    }
    if (tk == TK_MAIN && a->maxspeed) {
        char buf[16];
        snprintf(buf, sizeof buf, "%u", a->maxspeed);
        w_tag(w, "maxspeed", buf);
    }
    if (tk == TK_MAIN && a->structure == STRUCT_BRIDGE) {
        w_tag(w, "bridge", "yes");
        w_tag(w, "layer", "1");
    } else if (tk == TK_MAIN && a->structure == STRUCT_TUNNEL) {
        w_tag(w, "tunnel", "yes");
        w_tag(w, "layer", "-1");
    }
    if (tk == TK_MAIN && a->name)
        w_tag(w, "name", pool_str(g, a->name));
    if (tk == TK_MAIN && a->ref)
        w_tag(w, "ref", pool_str(g, a->ref));
}

enum { M_COUNT = 0, M_NODES, M_WAYS };

typedef struct emit_ctx {
    gen *g;
    writer *w;
    int mode;
    int64_t next_id;
    int64_t next_way;
    uint32_t count;
} emit_ctx;

/* Ends the way being built on track ti (attributes taken at s_mid) and starts the next at its last node. */
static void flush_way(emit_ctx *ec, const line *ln, layout *lay, uint32_t ti, double s_mid, bool drop_gauge)
{
    if (lay->refs.n >= 2 && ec->mode == M_WAYS) {
        writer *w = ec->w;
        const trk *t = &lay->t.v[ti];
        w_str(w, " <way id=\"");
        w_i64(w, ec->next_way);
        w_str(w, "\" version=\"1\">\n");
        for (size_t i = 0; i < lay->refs.n; i++) {
            w_str(w, "  <nd ref=\"");
            w_i64(w, lay->refs.v[i]);
            w_str(w, "\"/>\n");
        }
        write_way_tags(ec->g, w, attrs_at(ln, s_mid), t->kind, drop_gauge);
        w_str(w, " </way>\n");
    }
    if (lay->refs.n >= 2) {
        ec->next_way++;
        ec->g->ways_out += ec->mode == M_WAYS;
    }
    if (lay->refs.n) {
        int64_t last = lay->refs.v[lay->refs.n - 1];
        lay->refs.n = 0;
        ARR_PUSH(lay->refs, last);
    }
}

/* Emits one node of track ti: an existing one (special or joined) by id, or a new one. */
static int64_t emit_node(emit_ctx *ec, const line *ln, const layout *lay, uint32_t ti, double s, rng *r,
                         size_t *cursor, uint8_t tag, uint32_t station, bool noise)
{
    double x, y, h, k;
    path_at(ln, s, cursor, &x, &y, &h, &k);
    double off = track_offset(ln, lay, ti, s);
    double jitter = noise ? NODE_NOISE_M * rng_normal(r) : 0;
    int64_t id = ec->next_id++;
    ec->count++;
    if (ec->mode == M_NODES) {
        double lat, lon;
        fr_inv(&ln->fr, x - (off + jitter) * sin(h), y + (off + jitter) * cos(h), &lat, &lon);
        write_node(ec->g, ec->w, id, lat, lon, tag, station);
    }
    return id;
}

/* Emits track ti: walks from s0 to s1 placing nodes by curvature, forced nodes exactly, and splits ways. */
static void emit_track(emit_ctx *ec, const line *ln, layout *lay, uint32_t ti, rng *r)
{
    trk *t = &lay->t.v[ti];
    size_t cursor = 0;
    lay->refs.n = 0;
    bool drop_gauge = t->kind != TK_MAIN && rng_p(r, 0.08);
    /* The first node. */
    int64_t id;
    if (t->end0 == E_SPECIAL)
        id = t->ref0;
    else if (t->end0 == E_JOIN)
        id = lay->f.v[t->ref0].id;
    else
        id = emit_node(ec, ln, lay, ti, t->s0, r, &cursor, FT_BUFFER, NONE, false);
    ARR_PUSH(lay->refs, id);
    if (t->kind == TK_CROSSOVER) {
        ARR_PUSH(lay->refs, lay->f.v[t->ref1].id);
        flush_way(ec, ln, lay, ti, t->s0, drop_gauge);
        return;
    }
    const uint32_t *fo = lay->order.v + lay->first.v[ti];
    size_t nf = lay->first.v[ti + 1] - lay->first.v[ti], fi = 0;
    double s = t->s0, way_start = t->s0;
    int way_max = 5 + (int)rng_below(r, 60), way_nodes = 1;
    while (true) {
        double x, y, h, k;
        path_at(ln, s, &cursor, &x, &y, &h, &k);
        double step;
        bool diverging = t->parent >= 0 && (s - t->s0 < DIVERGE_M + 10 || t->s1 - s < DIVERGE_M + 10);
        if (diverging)
            step = rng_range(r, 12, 25);
        else if (k != 0)
            step = clampd(sqrt(8.0 / fabs(k) * CHORD_SAGITTA_M), 6, 90) * rng_range(r, 0.75, 1.25);
        else
            step = rng_range(r, STRAIGHT_MIN_M, STRAIGHT_MAX_M);
        double next = s + step;
        /* Forced nodes before the next regular one come first. */
        while (fi < nf && lay->f.v[fo[fi]].s <= s + 0.5)
            fi++;
        if (fi < nf && lay->f.v[fo[fi]].s < next + 3) {
            fnode *f = &lay->f.v[fo[fi]];
            if (f->s >= t->s1 - 0.5) {
                fi = nf;
                continue;
            }
            if (f->special)
                f->id = f->special;
            else
                f->id = emit_node(ec, ln, lay, ti, f->s, r, &cursor, f->tag, f->station, false);
            ARR_PUSH(lay->refs, f->id);
            way_nodes++;
            s = f->s;
            fi++;
            if (f->split || way_nodes >= way_max) {
                flush_way(ec, ln, lay, ti, (way_start + s) / 2, drop_gauge);
                way_start = s;
                way_nodes = 1;
                way_max = 5 + (int)rng_below(r, 60);
            }
            continue;
        }
        if (next >= t->s1 - 3)
            break;
        id = emit_node(ec, ln, lay, ti, next, r, &cursor, FT_NONE, NONE, !diverging);
        ARR_PUSH(lay->refs, id);
        way_nodes++;
        s = next;
        if (way_nodes >= way_max) {
            flush_way(ec, ln, lay, ti, (way_start + s) / 2, drop_gauge);
            way_start = s;
            way_nodes = 1;
            way_max = 5 + (int)rng_below(r, 60);
        }
    }
    /* The last node. */
    if (t->end1 == E_SPECIAL)
        id = t->ref1;
    else if (t->end1 == E_JOIN)
        id = lay->f.v[t->ref1].id;
    else
        id = emit_node(ec, ln, lay, ti, t->s1, r, &cursor, FT_BUFFER, NONE, false);
    ARR_PUSH(lay->refs, id);
    flush_way(ec, ln, lay, ti, (way_start + t->s1) / 2, drop_gauge);
}

/* Emits every track of line li in the given mode. */
static void emit_line(emit_ctx *ec, uint32_t li, layout *lay)
{
    build_layout(ec->g, li, lay);
    const line *ln = &ec->g->lines.v[li];
    rng r;
    rng_init(&r, ln->seed, ST_LAYOUT, 1);
    for (uint32_t ti = 0; ti < lay->t.n; ti++)
        emit_track(ec, ln, lay, ti, &r);
}

static void layout_free(layout *lay)
{
    ARR_FREE(lay->t);
    ARR_FREE(lay->f);
    ARR_FREE(lay->order);
    ARR_FREE(lay->first);
    ARR_FREE(lay->refs);
}

static uint32_t line_count(gen *g, uint32_t li)
{
    layout lay;
    memset(&lay, 0, sizeof lay);
    emit_ctx ec = {g, NULL, M_COUNT, 1, 1, 0};
    emit_line(&ec, li, &lay);
    layout_free(&lay);
    return ec.count;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Planning the whole network for a node budget, and writing it.
 * ------------------------------------------------------------------------------------------------------------- */

static void plan_reset(gen *g)
{
    for (size_t i = 0; i < g->lines.n; i++) {
        ARR_FREE(g->lines.v[i].el);
        ARR_FREE(g->lines.v[i].ft);
        ARR_FREE(g->lines.v[i].sec);
    }
    for (size_t i = 0; i < g->cities.n; i++)
        ARR_FREE(g->cities.v[i].edges);
    g->lines.n = g->cities.n = g->stations.n = g->specials.n = g->breaks.n = 0;
    g->pool.n = 0;
    free(g->names.slots);
    memset(&g->names, 0, sizeof g->names);
    g->n_main_edges = g->n_branches = g->n_crossings = 0;
    g->have_narrow = false;
}

/* Plans cities and main lines for n_cities; returns the nodes they take. */
static double plan_main(gen *g, size_t n_cities)
{
    plan_reset(g);
    place_cities(g, n_cities);
    cand_vec edges = {0};
    choose_edges(g, &edges);
    make_city_lines(g, &edges);
    make_main_lines(g, &edges);
    plan_city_sections(g);
    ARR_FREE(edges);
    double total = 0;
    for (uint32_t i = 0; i < g->lines.n; i++) {
        g->lines.v[i].n_nodes = line_count(g, i);
        total += g->lines.v[i].n_nodes;
    }
    return total + (double)g->specials.n;
}

/* The extent of scale s around the centre, clipped to FULL_BOX. */
static void box_for(gen *g, double s)
{
    g->box[0] = fmax(FULL_BOX[0], g->centre[1] - s * EXTENT_HALF_LON);
    g->box[2] = fmin(FULL_BOX[2], g->centre[1] + s * EXTENT_HALF_LON);
    g->box[1] = fmax(FULL_BOX[1], g->centre[0] - s * EXTENT_HALF_LAT);
    g->box[3] = fmin(FULL_BOX[3], g->centre[0] + s * EXTENT_HALF_LAT);
}

static void plan(gen *g)
{
    double main_target = MAIN_SHARE * g->target_nodes;
    if (!g->have_bbox) {
        /* The smallest extent whose land holds the main lines at CITY_SPACING_KM: a relative-neighbourhood network
         * with spacing S on weighted land A has about 1.4 A / S km of lines. */
        double lo = 0.001, hi = 3.0;
        for (int i = 0; i < 36; i++) {
            double mid = 0.5 * (lo + hi);
            box_for(g, mid);
            double km = 1.4 * weighted_land_km2(g) / CITY_SPACING_KM;
            if (km * NODES_PER_MAIN_KM < main_target)
                lo = mid;
            else
                hi = mid;
        }
        box_for(g, hi);
    }
    g->land_km2 = weighted_land_km2(g);
    if (g->land_km2 <= 0)
        die("the extent %.3f,%.3f,%.3f,%.3f holds no land with railways", g->box[0], g->box[1], g->box[2], g->box[3]);
    /* C cities on weighted land A make about 1.4 sqrt(A C) km of lines; in a box that is already the largest,
     * this packs the cities closer than CITY_SPACING_KM. */
    double km = main_target / NODES_PER_MAIN_KM;
    double c = fmax(2, (km / 1.4) * (km / 1.4) / g->land_km2);
    double got = 0;
    /* Correct the number of cities to the nodes counted: proportionally at first, then by bisection (in log space)
     * between counts that gave too few and too many nodes, keeping the closest plan. */
    double lo = 0, hi = 0, best_c = c, best_err = HUGE_VAL;
    for (int iter = 0; iter < 8; iter++) {
        got = plan_main(g, (size_t)llround(c));
        double ratio = got / main_target, err = fabs(log(fmax(ratio, 1e-9)));
        if (!g->quiet)
            fprintf(stderr, "gen: %zu cities, %u main lines: %.0f nodes (aim %.0f)\n", g->cities.n, g->n_main_edges,
                    got, main_target);
        if (err < best_err) {
            best_err = err;
            best_c = c;
        }
        if ((ratio > 0.85 && ratio < 1.15) || (g->cities.n < 3 && ratio > 0.5))
            break;
        if (ratio < 1)
            lo = c;
        else
            hi = c;
        double next = fmax(2, c * clampd(1.0 / (ratio * ratio), 0.25, 16.0));
        if (lo > 0 && hi > 0)
            next = sqrt(lo * hi);
        if (llround(next) == llround(c) || iter == 7) {
            if (llround(best_c) != llround(c))
                got = plan_main(g, (size_t)llround(best_c));
            break;
        }
        c = next;
    }
    /* Branch lines until the budget is spent. */
    rng r;
    rng_init(&r, g->seed, ST_BRANCH, 1);
    ARR(double) cum = {0};
    grid towns;
    grid_init(&towns, g->box, 0.1);
    pos_vec town_pts = {0};
    for (size_t i = 0; i < g->cities.n; i++) {
        pos p = {g->cities.v[i].lat, g->cities.v[i].lon};
        ARR_PUSH(town_pts, p);
        grid_add(&towns, p.lat, p.lon, (uint32_t)(town_pts.n - 1));
    }
    double total = got;
    size_t fails = 0;
    while (total < g->target_nodes && fails < 20000) {
        cum.n = 0;
        double acc = 0;
        for (size_t i = 0; i < g->lines.n; i++) {
            acc += g->lines.v[i].kind == LK_CITY ? 0 : g->lines.v[i].len;
            ARR_PUSH(cum, acc);
        }
        size_t batch = 0;
        while (batch < 64 && total < g->target_nodes && fails < 20000) {
            uint32_t bi = try_branch(g, &r, cum.v, cum.n, &towns, &town_pts);
            if (bi == NONE) {
                fails++;
                continue;
            }
            g->lines.v[bi].n_nodes = line_count(g, bi);
            total += g->lines.v[bi].n_nodes + 1;
            batch++;
        }
        if (batch == 0)
            break;
    }
    ARR_FREE(cum);
    ARR_FREE(town_pts);
    grid_free(&towns);
}

static void write_manifest(gen *g)
{
    FILE *f = fopen(g->manifest_path, "w");
    if (!f)
        die("%s: cannot create: %s", g->manifest_path, strerror(errno));
    fprintf(f, "# bogie gen manifest: seed %llu, nodes %.0f\n", (unsigned long long)g->seed, g->target_nodes);
    fprintf(f, "# city<TAB>name<TAB>name:en<TAB>lat<TAB>lon<TAB>country<TAB>gauge<TAB>rank\n");
    fprintf(f, "# break<TAB>station<TAB>name:en<TAB>lat<TAB>lon<TAB>gauge before<TAB>gauge after<TAB>city before"
               "<TAB>city after<TAB>dual\n");
    for (size_t i = 0; i < g->cities.n; i++) {
        const city *c = &g->cities.v[i];
        const station *s = &g->stations.v[c->station];
        const profile *p = profile_of(g, c->country);
        fprintf(f, "city\t%s\t%s\t%.7f\t%.7f\t%s\t%u\t%u\n", pool_str(g, s->native), pool_str(g, s->ascii), c->lat,
                c->lon, borders_alpha2(g->bd, c->country), p ? p->gauge : 0, c->rank);
    }
    for (size_t i = 0; i < g->breaks.n; i++) {
        const gauge_break *b = &g->breaks.v[i];
        const station *s = &g->stations.v[b->station];
        fprintf(f, "break\t%s\t%s\t%.7f\t%.7f\t%u\t%u\t%s\t%s\t%s\n", pool_str(g, s->native), pool_str(g, s->ascii),
                s->lat, s->lon, b->gauge_a, b->gauge_b,
                b->city_a == NONE ? "-" : pool_str(g, g->stations.v[g->cities.v[b->city_a].station].native),
                b->city_b == NONE ? "-" : pool_str(g, g->stations.v[g->cities.v[b->city_b].station].native),
                b->dual ? "dual" : "-");
    }
    if (fclose(f) != 0)
        die("%s: cannot write: %s", g->manifest_path, strerror(errno));
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Opens the output under a temporary name beside it (OUT.tmp), so that a failure leaves any earlier OUT as it was;
 * finish_osm() renames it into place. Done before planning, so that an unwritable path fails at once. */
static void open_osm(gen *g, writer *w, char *tmp, size_t tmp_size)
{
    memset(w, 0, sizeof *w);
    if ((size_t)snprintf(tmp, tmp_size, "%s.tmp", g->out_path) >= tmp_size)
        usage_error("-o: path too long");
    w->path = tmp;
    w->cap = 1 << 18;
    w->buf = xrealloc(NULL, w->cap);
    if (ends_with(g->out_path, ".gz")) {
        char mode[8];
        snprintf(mode, sizeof mode, "wb%d", g->gz_level);
        w->gz = gzopen(tmp, mode);
        if (!w->gz)
            die("%s: cannot create: %s", tmp, strerror(errno));
        gzbuffer(w->gz, 1 << 18);
    } else {
        w->f = fopen(tmp, "wb");
        if (!w->f)
            die("%s: cannot create: %s", tmp, strerror(errno));
    }
}

static void write_osm(gen *g, writer *wp)
{
    writer w = *wp;
    w_str(&w, "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"bogie gen\">\n");
    char buf[200];
    snprintf(buf, sizeof buf, " <bounds minlat=\"%.7f\" minlon=\"%.7f\" maxlat=\"%.7f\" maxlon=\"%.7f\"/>\n", g->box[1],
             g->box[0], g->box[3], g->box[2]);
    w_str(&w, buf);
    /* Special nodes first: their ids are 1 .. K. */
    for (size_t i = 0; i < g->specials.n; i++) {
        const special *sp = &g->specials.v[i];
        write_node(g, &w, (int64_t)i + 1, sp->lat, sp->lon, sp->tag == SP_STATION ? FT_STATION : FT_SWITCH,
                   sp->station);
    }
    layout lay;
    memset(&lay, 0, sizeof lay);
    emit_ctx ec = {g, &w, M_NODES, (int64_t)g->specials.n + 1, 1, 0};
    for (uint32_t li = 0; li < g->lines.n; li++) {
        g->lines.v[li].first_id = ec.next_id;
        emit_line(&ec, li, &lay);
    }
    ec.mode = M_WAYS;
    for (uint32_t li = 0; li < g->lines.n; li++) {
        ec.next_id = g->lines.v[li].first_id;
        emit_line(&ec, li, &lay);
    }
    layout_free(&lay);
    w_str(&w, "</osm>\n");
    w_flush(&w);
    if (w.gz) {
        if (gzclose(w.gz) != Z_OK)
            die("%s: cannot finish the gzip stream", w.path);
    } else if (fclose(w.f) != 0) {
        die("%s: cannot write: %s", w.path, strerror(errno));
    }
    if (rename(w.path, g->out_path) != 0)
        die("%s: cannot rename to %s: %s", w.path, g->out_path, strerror(errno));
    free(w.buf);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Setup and the command line.
 * ------------------------------------------------------------------------------------------------------------- */

static void load_geography(gen *g)
{
    char topo[4096], csv[4096];
    snprintf(topo, sizeof topo, "%s/world/countries-10m.json", g->data_dir);
    snprintf(csv, sizeof csv, "%s/world/countries.csv", g->data_dir);
    bogie_diag diag = {0};
    if (borders_load(topo, csv, NULL, &g->bd, &diag) != BOGIE_OK)
        die("%s%s", diag.message,
            diag.status == BOGIE_ERR_IO ? " (--data DIR names bogie's data directory, which holds world/)" : "");
    g->n_countries = borders_count(g->bd);
    g->prof = xrealloc(NULL, g->n_countries * sizeof *g->prof);
    size_t n_prof = sizeof PROFILES / sizeof PROFILES[0];
    g->default_prof = &PROFILES[n_prof - 1];
    for (size_t c = 0; c < g->n_countries; c++) {
        const char *a2 = borders_alpha2(g->bd, (int)c);
        g->prof[c] = g->default_prof;
        for (size_t i = 0; i + 1 < n_prof && *a2; i++) {
            const char *codes = PROFILES[i].codes;
            for (const char *p = codes; *p;) {
                if (strncmp(p, a2, 2) == 0 && (p[2] == ' ' || p[2] == '\0')) {
                    g->prof[c] = &PROFILES[i];
                    break;
                }
                p += 2;
                while (*p == ' ')
                    p++;
            }
            if (g->prof[c] != g->default_prof)
                break;
        }
    }
    for (int s = 0; s < N_STYLES; s++) {
        const style_src *src = &STYLE_SRC[s];
        style *st = &g->styles[s];
        parse_tokens(src->first, &st->first, &g->style_store);
        parse_tokens(src->mid, &st->mid, &g->style_store);
        parse_tokens(src->vowels, &st->vowels, &g->style_store);
        parse_tokens(src->codas, &st->codas, &g->style_store);
        parse_tokens(src->endings, &st->endings, &g->style_store);
        parse_tokens(src->prefixes, &st->prefixes, &g->style_store);
        st->syllables_max = src->syllables_max;
    }
}

static void free_all(gen *g)
{
    plan_reset(g);
    ARR_FREE(g->lines);
    ARR_FREE(g->cities);
    ARR_FREE(g->stations);
    ARR_FREE(g->specials);
    ARR_FREE(g->breaks);
    ARR_FREE(g->pool);
    for (int s = 0; s < N_STYLES; s++) {
        style *st = &g->styles[s];
        ARR_FREE(st->first);
        ARR_FREE(st->mid);
        ARR_FREE(st->vowels);
        ARR_FREE(st->codas);
        ARR_FREE(st->endings);
        ARR_FREE(st->prefixes);
    }
    for (size_t i = 0; i < g->style_store.n; i++)
        free(g->style_store.v[i]);
    ARR_FREE(g->style_store);
    free(g->prof);
    borders_free(g->bd);
}

static const char USAGE[] =
    "usage: gen --nodes N [--seed S] [--data DIR] [--centre LAT,LON | --bbox MINLON,MINLAT,MAXLON,MAXLAT]\n"
    "           [--gzip-level 1-9] [--manifest FILE] [-q] -o OUT.osm[.gz]\n"
    "Writes a synthetic railway network of about N OpenStreetMap nodes (N >= 1000) as OSM XML, gzip-compressed when\n"
    "OUT ends in .gz, for `bogie import --data DIR OUT -o NET.bogie`. It lies on real land (DIR/world/, default\n"
    "data) around the centre (default 51.75,23.65, by Brest); its extent grows with N at a fixed density of cities\n"
    "until it covers lon -10..140, lat 20..65 (about 65 million nodes), or is the --bbox given. The same arguments\n"
    "give the same bytes; --seed picks another network. --manifest writes the cities and breaks of gauge.\n"
    "For PBF: osmium cat OUT.osm -o OUT.osm.pbf (osmium-tool). See bench/GENERATOR.md.\n";

/* Parses a number for option opt, or fails naming it. */
static double parse_num(const char *opt, const char *v, double lo, double hi)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !(d >= lo && d <= hi))
        usage_error("%s: expected a number from %g to %g, got \"%s\"", opt, lo, hi, v);
    return d;
}

static void parse_list(const char *opt, const char *v, double *out, int n, const double *lo, const double *hi)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL, *t = strtok_r(buf, ",", &save);
    for (int i = 0; i < n; i++) {
        if (!t)
            usage_error("%s: expected %d numbers separated by commas, got \"%s\"", opt, n, v);
        out[i] = parse_num(opt, t, lo[i], hi[i]);
        t = strtok_r(NULL, ",", &save);
    }
    if (t)
        usage_error("%s: expected %d numbers separated by commas, got \"%s\"", opt, n, v);
}

int main(int argc, char **argv)
{
    gen g;
    memset(&g, 0, sizeof g);
    g.seed = 1;
    g.data_dir = "data";
    g.gz_level = 4;
    g.centre[0] = DEFAULT_CENTRE_LAT;
    g.centre[1] = DEFAULT_CENTRE_LON;
    bool have_nodes = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (strcmp(a, "-q") == 0) {
            g.quiet = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "gen: %s: unknown option or missing value\n%s", a, USAGE);
            return 2;
        }
        i++;
        if (strcmp(a, "--nodes") == 0) {
            g.target_nodes = parse_num(a, v, 1000, 1e9);
            have_nodes = true;
        } else if (strcmp(a, "--seed") == 0) {
            g.seed = (uint64_t)parse_num(a, v, 0, 9007199254740992.0);
        } else if (strcmp(a, "--data") == 0) {
            g.data_dir = v;
        } else if (strcmp(a, "-o") == 0) {
            g.out_path = v;
        } else if (strcmp(a, "--manifest") == 0) {
            g.manifest_path = v;
        } else if (strcmp(a, "--gzip-level") == 0) {
            g.gz_level = (int)parse_num(a, v, 1, 9);
        } else if (strcmp(a, "--centre") == 0 || strcmp(a, "--center") == 0) {
            static const double lo[2] = {-80, -180}, hi[2] = {80, 180};
            parse_list(a, v, g.centre, 2, lo, hi);
        } else if (strcmp(a, "--bbox") == 0) {
            static const double lo[4] = {-180, -80, -180, -80}, hi[4] = {180, 80, 180, 80};
            parse_list(a, v, g.box, 4, lo, hi);
            if (g.box[2] <= g.box[0] || g.box[3] <= g.box[1])
                usage_error("--bbox: the maximum must exceed the minimum in \"%s\"", v);
            g.have_bbox = true;
        } else {
            fprintf(stderr, "gen: %s: unknown option\n%s", a, USAGE);
            return 2;
        }
    }
    if (!have_nodes || !g.out_path) {
        fprintf(stderr, "gen: --nodes and -o are required\n%s", USAGE);
        return 2;
    }
    writer w;
    char tmp[4200];
    open_osm(&g, &w, tmp, sizeof tmp);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    load_geography(&g);
    plan(&g);
    if (g.manifest_path)
        write_manifest(&g);
    write_osm(&g, &w);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!g.quiet)
        fprintf(stderr,
                "gen: wrote %s: %llu nodes, %llu ways; %zu cities, %u main lines, %u branch lines, %zu stations, %u "
                "border crossings, %zu breaks of gauge; box %.2f,%.2f,%.2f,%.2f; %.1f s\n",
                g.out_path, (unsigned long long)g.nodes_out, (unsigned long long)g.ways_out, g.cities.n,
                g.n_main_edges, g.n_branches, g.stations.n, g.n_crossings, g.breaks.n, g.box[0], g.box[1], g.box[2],
                g.box[3], (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
    free_all(&g);
    return 0;
}
