/* borders_countries.c: the countries of the outlines: countries.csv read and checked, each TopoJSON feature matched to
 * a row of it (by name, else by ISO numeric id), features that share an alpha-2 code merged into one country, and each
 * arc given the countries whose boundary it is. */
#include "ref/borders_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bd_csv_free(const bogie_allocator *a, csv_file *f)
{
    util_free(a, f->buf, f->buf_size);
    util_free(a, f->rows, f->rows_cap * sizeof *f->rows);
    memset(f, 0, sizeof *f);
}

/* Reads the whole file at path into a NUL-terminated buffer allocated with a (*size bytes, owned by the caller). */
static bogie_status read_file(const bogie_allocator *a, const char *path, char **out, size_t *size, bogie_diag *diag)
{
    *out = NULL;
    *size = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return util_io_fail(diag, path, "cannot open", errno);
    char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap && util_grow(a, (void **)&buf, &cap, len + 4096 + 1, 1) != 0) {
            fclose(fp);
            util_free(a, buf, cap);
            return util_nomem(diag, "reading countries.csv");
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp)) {
                int err = errno;
                fclose(fp);
                util_free(a, buf, cap);
                return util_io_fail(diag, path, "cannot read", err);
            }
            break;
        }
    }
    fclose(fp);
    buf[len] = '\0';
    *out = buf;
    *size = cap;
    return BOGIE_OK;
}

/* Splits one CSV record starting at *pos into at most 4 fields, unquoting in place. Returns the number of fields, or
 * -1 for an unterminated quote, -2 for text after a closing quote, and leaves *pos at the next line. */
static int csv_split(char *s, size_t *pos, char **fields, int max_fields)
{
    size_t i = *pos;
    int n = 0;
    for (;;) {
        char *start = s + i, *w = start;
        if (s[i] == '"') {
            i++;
            for (;;) {
                if (s[i] == '\0' || s[i] == '\n')
                    return -1;
                if (s[i] == '"') {
                    if (s[i + 1] == '"') {
                        *w++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                *w++ = s[i++];
            }
            if (s[i] == '\r' && (s[i + 1] == '\n' || s[i + 1] == '\0'))
                i++;
            if (s[i] != ',' && s[i] != '\n' && s[i] != '\0')
                return -2;
        } else {
            while (s[i] != ',' && s[i] != '\n' && s[i] != '\0')
                i++;
            w = s + i;
            if (w > start && w[-1] == '\r')
                w--;
        }
        char sep = s[i];
        *w = '\0';
        if (n < max_fields)
            fields[n] = start;
        n++;
        if (sep == ',') {
            i++;
            continue;
        }
        if (sep == '\n')
            i++;
        *pos = i;
        return n;
    }
}

static int all_upper(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return 1;
}

bogie_status bd_csv_load(const bogie_allocator *a, const char *path, csv_file *f, bogie_diag *diag)
{
    memset(f, 0, sizeof *f);
    size_t len;
    bogie_status st = read_file(a, path, &f->buf, &f->buf_size, diag);
    if (st != BOGIE_OK)
        return st;
    char *s = f->buf;
    len = strlen(s);
    size_t pos = 0;
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
        pos = 3;
    size_t line = 0;
    int header = 0;
    while (pos < len) {
        line++;
        if (s[pos] == '\n' || (s[pos] == '\r' && s[pos + 1] == '\n')) {
            pos += s[pos] == '\r' ? 2 : 1;
            continue;
        }
        char *fl[4];
        int nf = csv_split(s, &pos, fl, 4);
        if (nf == -1)
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: unterminated quoted field", path, line);
        if (nf == -2)
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: text after a closing quote", path, line);
        if (!header) {
            if (nf != 4 || strcmp(fl[0], "numeric") || strcmp(fl[1], "alpha2") || strcmp(fl[2], "alpha3") ||
                strcmp(fl[3], "name"))
                return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: expected the header numeric,alpha2,alpha3,name",
                                 path, line);
            header = 1;
            continue;
        }
        if (nf != 4)
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: expected 4 fields (numeric,alpha2,alpha3,name), "
                             "found %d", path, line, nf);
        csv_row r;
        memset(&r, 0, sizeof r);
        r.line = line;
        r.numeric = -1;
        if (*fl[0]) {
            if (strlen(fl[0]) != 3 || fl[0][0] < '0' || fl[0][0] > '9' || fl[0][1] < '0' || fl[0][1] > '9' ||
                fl[0][2] < '0' || fl[0][2] > '9')
                return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: numeric \"%.32s\" is not three digits", path,
                                 line, fl[0]);
            r.numeric = atoi(fl[0]);
        }
        if (*fl[1] && !all_upper(fl[1], 2))
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: alpha2 \"%.32s\" is not two letters A-Z", path,
                             line, fl[1]);
        if (*fl[2] && !all_upper(fl[2], 3))
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: alpha3 \"%.32s\" is not three letters A-Z", path,
                             line, fl[2]);
        if (!*fl[3])
            return util_fail(diag, BOGIE_ERR_INPUT, "%s: line %zu: name is empty", path, line);
        memcpy(r.alpha2, fl[1], strlen(fl[1]) + 1);
        memcpy(r.alpha3, fl[2], strlen(fl[2]) + 1);
        r.name = fl[3];
        if (util_grow(a, (void **)&f->rows, &f->rows_cap, f->n_rows + 1, sizeof *f->rows) != 0)
            return util_nomem(diag, "reading countries.csv");
        f->rows[f->n_rows++] = r;
    }
    if (!header)
        return util_fail(diag, BOGIE_ERR_INPUT, "%s: line 1: expected the header numeric,alpha2,alpha3,name", path);
    return BOGIE_OK;
}

/* Finds each feature's row of countries.csv (L->feat_row): by name, else by ISO numeric id; NULL when none. A row
 * found by name whose numeric code contradicts the feature's id is an error. */
static bogie_status match_rows(loader *L, const char *csv_path)
{
    for (size_t f = 0; f < L->n_feat; f++) {
        const csv_row *row = NULL;
        const char *name = L->feat_name[f];
        for (size_t r = 0; name && *name && r < L->csv.n_rows && !row; r++)
            if (strcmp(L->csv.rows[r].name, name) == 0)
                row = &L->csv.rows[r];
        if (row && L->feat_id[f] >= 0 && row->numeric >= 0 && row->numeric != L->feat_id[f])
            return util_fail(L->diag, BOGIE_ERR_INPUT, "%s: line %zu: numeric %03d for \"%.100s\" differs from the "
                             "id %03d of objects.countries.geometries[%zu] in %s", csv_path, row->line, row->numeric,
                             name, L->feat_id[f], f, L->path);
        for (size_t r = 0; !row && L->feat_id[f] >= 0 && r < L->csv.n_rows; r++)
            if (L->csv.rows[r].numeric == L->feat_id[f])
                row = &L->csv.rows[r];
        L->feat_row[f] = row;
    }
    return BOGIE_OK;
}

/* Names every feature (its own name, else its row's) into b->names and b->features, and allocates b->countries. */
static bogie_status name_features(loader *L)
{
    borders *b = L->b;
    size_t nf = L->n_feat;
    size_t pool = 1;
    for (size_t f = 0; f < nf; f++) {
        const char *name = L->feat_name[f] && *L->feat_name[f] ? L->feat_name[f]
                           : L->feat_row[f]                     ? L->feat_row[f]->name
                                                                : "";
        L->feat_name[f] = name;
        pool += strlen(name) + 1;
    }
    b->names_size = pool;
    b->n_features = nf;
    if (bd_alloc_array(L, &b->names, pool, 1) || bd_alloc_array(L, &b->features, nf, sizeof *b->features) ||
        bd_alloc_array(L, &b->countries, nf, sizeof *b->countries))
        return bd_nomem(L);
    size_t at = 1; /* names[0] is "" */
    for (size_t f = 0; f < nf; f++) {
        size_t len = strlen(L->feat_name[f]);
        memcpy(b->names + at, L->feat_name[f], len + 1);
        b->features[f].name = b->names + at;
        at += len + 1;
    }
    return BOGIE_OK;
}

/* Puts feature f in its country: a new one, or the one with its alpha-2 code, which takes the feature's name when
 * the feature is the larger. */
static void merge_feature(loader *L, size_t f)
{
    borders *b = L->b;
    const csv_row *row = L->feat_row[f];
    const char *a2 = row ? row->alpha2 : "";
    size_t c = b->n_countries;
    if (*a2)
        for (c = 0; c < b->n_countries; c++)
            if (strcmp(b->countries[c].alpha2, a2) == 0)
                break;
    if (c == b->n_countries) {
        b->n_countries++;
        country *k = &b->countries[c];
        memcpy(k->alpha2, a2, strlen(a2) + 1);
        memcpy(k->alpha3, row ? row->alpha3 : "", row ? strlen(row->alpha3) + 1 : 1);
        k->name = b->features[f].name;
        k->weight = L->feat_weight[f];
    } else if (L->feat_weight[f] > b->countries[c].weight) {
        country *k = &b->countries[c];
        k->name = b->features[f].name;
        k->weight = L->feat_weight[f];
        if (row && *row->alpha3)
            memcpy(k->alpha3, row->alpha3, strlen(row->alpha3) + 1);
    }
    L->feat_country[f] = (int32_t)c;
    b->features[f].country = (int32_t)c;
}

/* Matches features to rows of countries.csv, merges features by alpha-2 into countries, and fills b->countries,
 * b->features and b->names. */
bogie_status bd_build_countries(loader *L, const char *csv_path)
{
    bogie_status st = match_rows(L, csv_path);
    if (st == BOGIE_OK)
        st = name_features(L);
    if (st != BOGIE_OK)
        return st;
    /* Countries: one per distinct non-empty alpha-2, and one per feature without. */
    for (size_t f = 0; f < L->n_feat; f++)
        merge_feature(L, f);
    if (L->b->n_countries >= 32767)
        return bd_fail(L, BOGIE_ERR_UNSUPPORTED, "objects.countries: %zu countries is too many", L->b->n_countries);
    return BOGIE_OK;
}

/* Turns the arc uses into the countries of each arc: a country whose rings use an arc an even number of times (two
 * features of one country meeting, or a cut line) does not count. */
bogie_status bd_build_arc_countries(loader *L)
{
    borders *b = L->b;
    for (size_t i = 0; i < L->n_refs; i++) {
        uint64_t arc = L->refs[i] >> 32, f = L->refs[i] & 0xffffffffu;
        L->refs[i] = arc << 32 | (uint64_t)(uint32_t)L->feat_country[f];
    }
    util_sort(L->refs, L->n_refs, sizeof *L->refs, bd_cmp_u64);
    size_t n = 0;
    for (size_t i = 0; i < L->n_refs;) {
        size_t j = i;
        while (j < L->n_refs && L->refs[j] == L->refs[i])
            j++;
        if ((j - i) % 2)
            L->refs[n++] = L->refs[i];
        i = j;
    }
    b->n_arc_cty = n == 0 ? 1 : n;
    if (bd_alloc_array(L, &b->arc_off, b->n_arcs + 1, sizeof *b->arc_off) ||
        bd_alloc_array(L, &b->arc_cty, n, sizeof *b->arc_cty))
        return bd_nomem(L);
    for (size_t i = 0; i < n; i++) {
        b->arc_off[(L->refs[i] >> 32) + 1]++;
        b->arc_cty[i] = (int32_t)(L->refs[i] & 0xffffffffu);
    }
    for (size_t a = 0; a < b->n_arcs; a++)
        b->arc_off[a + 1] += b->arc_off[a];
    return BOGIE_OK;
}

