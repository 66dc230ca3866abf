/* api_files.c: the web page's files for the HTTP API: read into memory when the service opens, each with its content
 * type, and served from there. */
#include "serve/api_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_WEB_BYTES (64u << 20)

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"}, {".js", "application/javascript; charset=utf-8"},
                 {".mjs", "application/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
                 {".json", "application/json"}, {".png", "image/png"}, {".svg", "image/svg+xml"},
                 {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (util_ends_with_ci(path, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Reads every regular file under dir/rel into s->files, adding their sizes to *total, depth levels down so far. */
static bogie_status load_dir(bogie_service *s, const char *dir, const char *rel, size_t *total, int depth,
                             bogie_diag *diag)
{
    char full[4200];
    snprintf(full, sizeof full, "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(full);
    if (!d)
        return util_io_fail(diag, full, "cannot open", errno);
    bogie_status rc = BOGIE_OK;
    struct dirent *e;
    while (rc == BOGIE_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char r2[2048], f2[6300];
        if ((size_t)snprintf(r2, sizeof r2, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= sizeof r2)
            continue;
        snprintf(f2, sizeof f2, "%s/%s", dir, r2);
        struct stat st;
        if (stat(f2, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < 6)
                rc = load_dir(s, dir, r2, total, depth + 1, diag);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        *total += (size_t)st.st_size;
        if (*total > MAX_WEB_BYTES) {
            rc = util_fail(diag, BOGIE_ERR_LIMIT, "%s: the web files exceed %u MiB", dir, MAX_WEB_BYTES >> 20);
            break;
        }
        api_web_file wf = {strdup(r2), malloc((size_t)st.st_size + 1), (size_t)st.st_size, content_type(r2)};
        FILE *fp = fopen(f2, "rb");
        if (!wf.path || !wf.data || !fp || fread(wf.data, 1, wf.len, fp) != wf.len) {
            if (fp)
                fclose(fp);
            free(wf.path);
            free(wf.data);
            rc = util_io_fail(diag, f2, "cannot read", errno);
            break;
        }
        fclose(fp);
        if (VEC_PUSH(NULL, s->files, wf) != 0) {
            free(wf.path);
            free(wf.data);
            rc = util_nomem(diag, "loading the web files");
        }
    }
    closedir(d);
    return rc;
}

bogie_status api_files_load(bogie_service *s, const char *dir, bogie_diag *diag)
{
    size_t total = 0;
    return load_dir(s, dir, "", &total, 0, diag);
}

bool api_static_file(bogie_service *s, const char *path, bogie_response *r)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (size_t i = 0; i < s->files.n; i++) {
        const api_web_file *f = &s->files.v[i];
        if (strcmp(f->path, path + 1) != 0)
            continue;
        r->status = 200;
        r->content_type = f->type;
        r->body = malloc(f->len ? f->len : 1);
        if (!r->body) {
            api_error_answer(r, 503, "Overloaded", "out of memory");
            return true;
        }
        memcpy(r->body, f->data, f->len);
        r->length = f->len;
        return true;
    }
    return false;
}

void api_files_free(bogie_service *s)
{
    for (size_t i = 0; i < s->files.n; i++) {
        free(s->files.v[i].path);
        free(s->files.v[i].data);
    }
    VEC_FREE(NULL, s->files);
}
