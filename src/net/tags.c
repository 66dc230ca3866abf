/* tags.c: reading OpenStreetMap tag values into a net_class, strictly: what cannot be read is reported, not used. */
#include "net/tags.h"

#include "base/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *tags_get(const osm_tag *tags, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tags[i].key, key) == 0)
            return tags[i].value;
    return NULL;
}

/* Reads an unsigned decimal number ("12", "12.5", ".5" is refused) at *p, advancing *p. Returns false if there is
 * none. Written by hand because strtod() accepts hexadecimal, "inf" and a locale's decimal comma. */
static bool read_decimal(const char **p, double *out)
{
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return false;
    double v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return false;
        double scale = 0.1;
        while (*s >= '0' && *s <= '9') {
            v += (*s++ - '0') * scale;
            scale *= 0.1;
        }
    }
    *p = s;
    *out = v;
    return true;
}

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Splits value at ';' into at most max parts, each trimmed, copied into bufs[i] (of size bufsize). Returns the
 * number of parts, which may exceed max (the extra ones are not copied). */
static size_t split_values(const char *value, char bufs[][64], size_t max)
{
    size_t n = 0;
    const char *s = value;
    for (;;) {
        const char *e = strchr(s, ';');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        const char *a = s, *b = s + len;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (n < max) {
            size_t l = (size_t)(b - a) < 63 ? (size_t)(b - a) : 63;
            memcpy(bufs[n], a, l);
            bufs[n][l] = '\0';
        }
        n++;
        if (!e)
            break;
        s = e + 1;
    }
    return n;
}

static void add_gauge(net_class *cls, unsigned mm, const char *value, tag_report_fn report, void *ud)
{
    for (unsigned i = 0; i < cls->n_gauge; i++)
        if (cls->gauge[i] == mm)
            return;
    if (cls->n_gauge >= ARRAY_LEN(cls->gauge)) {
        report(ud, "gauge", value, "more than four gauges on one track; the largest were left out");
        return;
    }
    unsigned i = cls->n_gauge++;
    while (i > 0 && cls->gauge[i - 1] > mm) {
        cls->gauge[i] = cls->gauge[i - 1];
        i--;
    }
    cls->gauge[i] = (uint16_t)mm;
}

void tags_parse_gauge(const char *value, net_class *cls, tag_report_fn report, void *ud)
{
    char parts[8][64];
    size_t n = split_values(value, parts, 8);
    if (n > 8) {
        report(ud, "gauge", value, "more than eight values");
        n = 8;
    }
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[i];
        double mm;
        if (strcmp(p, "standard") == 0) {
            report(ud, "gauge", value, "deprecated word \"standard\"; read as 1435");
            add_gauge(cls, 1435, value, report, ud);
            continue;
        }
        if (!read_decimal(&p, &mm) || *p != '\0' || mm != floor(mm)) {
            report(ud, "gauge", value, "not a gauge in whole millimetres");
            continue;
        }
        if (mm < TAGS_GAUGE_MIN || mm > TAGS_GAUGE_MAX) {
            report(ud, "gauge", value, "not a plausible gauge (380 to 1700 mm)");
            continue;
        }
        add_gauge(cls, (unsigned)mm, value, report, ud);
    }
}

bool tags_parse_speed(const char *key, const char *value, float *kmh, tag_report_fn report, void *ud)
{
    const char *p = skip_spaces(value);
    double v;
    if (!read_decimal(&p, &v)) {
        report(ud, key, value, "not a speed (a number in km/h, or with \"mph\" or \"knots\")");
        return false;
    }
    p = skip_spaces(p);
    double factor;
    if (*p == '\0' || strcmp(p, "km/h") == 0 || strcmp(p, "kmh") == 0 || strcmp(p, "kph") == 0)
        factor = 1.0;
    else if (strcmp(p, "mph") == 0)
        factor = 1.609344; /* the international mile, exactly */
    else if (strcmp(p, "knots") == 0)
        factor = 1.852;
    else {
        report(ud, key, value, "unknown speed unit (expected km/h, mph or knots)");
        return false;
    }
    v *= factor;
    if (!(v > 0) || v > TAGS_SPEED_MAX_KMH) {
        report(ud, key, value, "speed out of range (above 0, at most 600 km/h)");
        return false;
    }
    *kmh = (float)v;
    return true;
}

bool tags_parse_distance(const char *value, double *metres, tag_report_fn report, void *ud)
{
    const char *p = skip_spaces(value);
    double v;
    if (!read_decimal(&p, &v)) {
        report(ud, "distance", value, "not a length (a number in km, or with \"m\" or \"mi\")");
        return false;
    }
    p = skip_spaces(p);
    double factor;
    if (*p == '\0' || strcmp(p, "km") == 0)
        factor = 1000.0;
    else if (strcmp(p, "m") == 0)
        factor = 1.0;
    else if (strcmp(p, "mi") == 0)
        factor = 1609.344;
    else {
        report(ud, "distance", value, "unknown length unit (expected km, m or mi)");
        return false;
    }
    v *= factor;
    if (!(v > 0) || v > 1e8) {
        report(ud, "distance", value, "length out of range");
        return false;
    }
    *metres = v;
    return true;
}

/* Parses one electrified=* part; returns -1 when it is not a known value. */
static int power_kind(const char *s, bool *is_no)
{
    *is_no = false;
    if (strcmp(s, "contact_line") == 0)
        return NET_POWER_CONTACT_LINE;
    if (strcmp(s, "rail") == 0)
        return NET_POWER_RAIL;
    if (strcmp(s, "4th_rail") == 0)
        return NET_POWER_4TH_RAIL;
    if (strcmp(s, "ground-level_power_supply") == 0)
        return NET_POWER_GROUND;
    if (strcmp(s, "yes") == 0)
        return NET_POWER_UNKNOWN;
    if (strcmp(s, "no") == 0) {
        *is_no = true;
        return NET_POWER_UNKNOWN;
    }
    return -1;
}

void tags_parse_electrification(const char *electrified, const char *voltage, const char *frequency, net_class *cls,
                                tag_report_fn report, void *ud)
{
    char parts[8][64];
    int kinds[BOGIE_MAX_POWER];
    size_t nk = 0;
    bool any_no = false, any_yes = false;

    if (electrified) {
        size_t n = split_values(electrified, parts, 8);
        for (size_t i = 0; i < n && i < 8; i++) {
            bool is_no;
            int k = power_kind(parts[i], &is_no);
            if (k < 0) {
                report(ud, "electrified", electrified,
                       "unknown value (expected contact_line, rail, 4th_rail, yes or no)");
                continue;
            }
            if (is_no) {
                any_no = true;
                continue;
            }
            any_yes = true;
            if (nk < BOGIE_MAX_POWER)
                kinds[nk++] = k;
        }
        if (any_no && any_yes) {
            report(ud, "electrified", electrified, "both \"no\" and a kind of electrification");
            any_no = false;
        }
    }

    uint32_t volts[BOGIE_MAX_POWER] = {0};
    size_t nv = 0;
    if (voltage) {
        size_t n = split_values(voltage, parts, 8);
        for (size_t i = 0; i < n && i < 8; i++) {
            const char *p = parts[i];
            double v;
            if (!read_decimal(&p, &v) || *p != '\0' || v != floor(v)) {
                report(ud, "voltage", voltage, "not a voltage in whole volts");
                continue;
            }
            if (v == 0)
                continue; /* voltage=0 is how some mappers say "not electrified"; electrified=* decides */
            if (v < 100 || v > 50000) {
                report(ud, "voltage", voltage, "not a plausible voltage (100 to 50000 V)");
                continue;
            }
            if (nv < BOGIE_MAX_POWER)
                volts[nv++] = (uint32_t)v;
        }
    }

    uint16_t freqs[BOGIE_MAX_POWER] = {0};
    size_t nf = 0;
    if (frequency) {
        size_t n = split_values(frequency, parts, 8);
        for (size_t i = 0; i < n && i < 8; i++) {
            const char *p = parts[i];
            double f;
            if (!read_decimal(&p, &f) || *p != '\0' || f > 100) {
                report(ud, "frequency", frequency, "not a frequency in hertz (0 for direct current)");
                continue;
            }
            if (nf < BOGIE_MAX_POWER)
                freqs[nf++] = (uint16_t)lround(f * 100);
        }
    }

    if (any_no) {
        cls->electrified = NET_ELEC_NO;
        if (nv)
            report(ud, "voltage", voltage, "voltage on track tagged electrified=no; ignored");
        return;
    }
    if (!any_yes && nv == 0) {
        cls->electrified = NET_ELEC_UNKNOWN;
        return;
    }
    cls->electrified = NET_ELEC_YES;
    size_t n = nk > nv ? nk : nv;
    if (n == 0)
        n = 1;
    if (nf > 1 && nf != n)
        report(ud, "frequency", frequency, "number of frequencies does not match the voltages; frequency unknown");
    for (size_t i = 0; i < n && i < BOGIE_MAX_POWER; i++) {
        net_power *pw = &cls->power[i];
        pw->kind = (uint8_t)(nk ? kinds[i < nk ? i : nk - 1] : NET_POWER_UNKNOWN);
        pw->voltage = nv == 1 ? volts[0] : (i < nv ? volts[i] : 0);
        if (nf == 1)
            pw->freq_chz = freqs[0];
        else if (nf == n)
            pw->freq_chz = freqs[i];
        else
            pw->freq_chz = NET_FREQ_UNKNOWN;
    }
    cls->n_power = (uint8_t)(n < BOGIE_MAX_POWER ? n : BOGIE_MAX_POWER);
}

static int lookup(const char *value, const char *const *names, int count)
{
    for (int i = 1; i < count; i++)
        if (names[i] && strcmp(value, names[i]) == 0)
            return i;
    return -1;
}

static const char *const usage_names[NET_USAGE_COUNT] = {
    "", "main", "branch", "industrial", "military", "tourism", "scientific", "test"};
static const char *const service_names[NET_SERVICE_COUNT] = {"", "siding", "yard", "spur", "crossover"};
static const char *const railway_names[NET_RAILWAY_COUNT] = {"rail", "narrow_gauge", "light_rail", "tram",
                                                             "subway"};

const char *tags_usage_name(int usage)
{
    return usage > 0 && usage < NET_USAGE_COUNT ? usage_names[usage] : "none";
}

const char *tags_service_name(int service)
{
    return service > 0 && service < NET_SERVICE_COUNT ? service_names[service] : "none";
}

const char *tags_railway_name(int railway)
{
    return railway >= 0 && railway < NET_RAILWAY_COUNT ? railway_names[railway] : "?";
}

static bool starts_with_assumed(const char *v)
{
    return v && strncmp(v, "assumed", 7) == 0;
}

/* Reads a yes/no style flag such as tunnel=* or bridge=*: anything but "no" means present. */
static bool flag_tag(const char *v)
{
    return v && strcmp(v, "no") != 0;
}

double tags_read_track(const osm_tag *tags, size_t n, int railway, net_class *cls, tag_report_fn report, void *ud)
{
    memset(cls, 0, sizeof *cls);
    cls->railway = (uint8_t)railway;
    double distance = -1;
    const char *electrified = NULL, *voltage = NULL, *frequency = NULL;
    const char *maxspeed = NULL, *fwd = NULL, *bwd = NULL;

    for (size_t i = 0; i < n; i++) {
        const char *k = tags[i].key, *v = tags[i].value;
        if (strcmp(k, "gauge") == 0)
            tags_parse_gauge(v, cls, report, ud);
        else if (strcmp(k, "maxspeed") == 0)
            maxspeed = v;
        else if (strcmp(k, "maxspeed:forward") == 0)
            fwd = v;
        else if (strcmp(k, "maxspeed:backward") == 0)
            bwd = v;
        else if (strcmp(k, "electrified") == 0)
            electrified = v;
        else if (strcmp(k, "voltage") == 0)
            voltage = v;
        else if (strcmp(k, "frequency") == 0)
            frequency = v;
        else if (strcmp(k, "usage") == 0) {
            int u = lookup(v, usage_names, NET_USAGE_COUNT);
            if (u < 0)
                report(ud, "usage", v, "unknown value");
            else
                cls->usage = (uint8_t)u;
        } else if (strcmp(k, "service") == 0) {
            int s = lookup(v, service_names, NET_SERVICE_COUNT);
            if (s < 0)
                report(ud, "service", v, "unknown value");
            else
                cls->service = (uint8_t)s;
        } else if (strcmp(k, "railway:preferred_direction") == 0) {
            if (strcmp(v, "both") == 0)
                cls->pref_dir = NET_DIR_BOTH;
            else if (strcmp(v, "forward") == 0)
                cls->pref_dir = NET_DIR_FORWARD;
            else if (strcmp(v, "backward") == 0)
                cls->pref_dir = NET_DIR_BACKWARD;
            else
                report(ud, k, v, "unknown value (expected forward, backward or both)");
        } else if (strcmp(k, "tunnel") == 0) {
            if (flag_tag(v))
                cls->flags |= NET_CLASS_TUNNEL;
        } else if (strcmp(k, "bridge") == 0) {
            if (flag_tag(v))
                cls->flags |= NET_CLASS_BRIDGE;
        } else if (strcmp(k, "distance") == 0) {
            double m;
            if (tags_parse_distance(v, &m, report, ud))
                distance = m;
        } else if (strcmp(k, "bogie:schematic") == 0) {
            if (strcmp(v, "yes") == 0)
                cls->flags |= NET_CLASS_SCHEMATIC;
            else if (strcmp(v, "no") != 0)
                report(ud, k, v, "unknown value (expected yes or no)");
        } else if (strcmp(k, "source:maxspeed") == 0) {
            if (starts_with_assumed(v))
                cls->flags |= NET_CLASS_SPEED_ASSUMED;
        } else if (strcmp(k, "source:gauge") == 0) {
            if (starts_with_assumed(v))
                cls->flags |= NET_CLASS_GAUGE_ASSUMED;
        } else if (strcmp(k, "source:electrified") == 0) {
            if (starts_with_assumed(v))
                cls->flags |= NET_CLASS_ELEC_ASSUMED;
        }
    }

    float both = 0;
    if (maxspeed)
        tags_parse_speed("maxspeed", maxspeed, &both, report, ud);
    cls->maxspeed_fwd = cls->maxspeed_bwd = both;
    if (fwd)
        tags_parse_speed("maxspeed:forward", fwd, &cls->maxspeed_fwd, report, ud);
    if (bwd)
        tags_parse_speed("maxspeed:backward", bwd, &cls->maxspeed_bwd, report, ud);
    if (electrified || voltage || frequency)
        tags_parse_electrification(electrified, voltage, frequency, cls, report, ud);
    return distance;
}

void tags_gauge_label(const net_class *cls, char *buf, size_t size)
{
    if (cls->n_gauge == 0) {
        snprintf(buf, size, "unknown");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < cls->n_gauge && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%u", i ? ";" : "", (unsigned)cls->gauge[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static const char *kind_suffix(int kind)
{
    switch (kind) {
    case NET_POWER_RAIL: return " third rail";
    case NET_POWER_4TH_RAIL: return " fourth rail";
    case NET_POWER_GROUND: return " ground-level";
    default: return "";
    }
}

void tags_power_label(const net_class *cls, char *buf, size_t size)
{
    if (cls->electrified == NET_ELEC_NO) {
        snprintf(buf, size, "not electrified");
        return;
    }
    if (cls->electrified == NET_ELEC_UNKNOWN) {
        snprintf(buf, size, "unknown");
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < cls->n_power && used < size; i++) {
        const net_power *p = &cls->power[i];
        char volt[32], freq[32];
        if (p->voltage)
            snprintf(volt, sizeof volt, "%u V", (unsigned)p->voltage);
        else
            snprintf(volt, sizeof volt, "unknown voltage");
        if (p->freq_chz == 0)
            snprintf(freq, sizeof freq, " DC");
        else if (p->freq_chz == NET_FREQ_UNKNOWN)
            freq[0] = '\0';
        else if (p->freq_chz % 100 == 0)
            snprintf(freq, sizeof freq, " %u Hz", (unsigned)(p->freq_chz / 100));
        else
            snprintf(freq, sizeof freq, " %.4g Hz", p->freq_chz / 100.0);
        int w = snprintf(buf + used, size - used, "%s%s%s%s", i ? " + " : "", volt, freq, kind_suffix(p->kind));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}
