/* cli_common.c: what the bogie command's commands share: error messages, the default network and data,
 * loading a train, opening a planner, and writing output files whole or not at all. */
#include "cli/cli_int.h"
#include "base/text.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the data, the network and the web page are when no option or variable says: the source tree's, relative to
 * it, unless the build gives the installed places (the Makefile's install target compiles this file with
 * -DBOGIE_DATADIR="$(PREFIX)/share/bogie" and the network and page inside it). */
#ifndef BOGIE_DATADIR
#define BOGIE_DATADIR "data"
#endif
#ifndef BOGIE_NETWORK_DEFAULT
#define BOGIE_NETWORK_DEFAULT "build/corridor.bogie"
#endif
#ifndef BOGIE_WEBDIR
#define BOGIE_WEBDIR "build/web"
#endif

const char *cli_default_network_builtin(void)
{
    return BOGIE_NETWORK_DEFAULT;
}

const char *cli_default_data_builtin(void)
{
    return BOGIE_DATADIR;
}

int cli_fail(const char *cmd, const bogie_diag *d, bogie_status st)
{
    /* A message may quote the data (station names listed as candidates): its control characters are replaced. */
    strbuf sb;
    sb_init(&sb, NULL);
    text_append_clean(&sb, d->message[0] ? d->message : bogie_strerror(st), false);
    fprintf(stderr, "bogie %s: %s\n", cmd, sb.s && !sb.failed ? sb.s : bogie_strerror(st));
    sb_free(&sb);
    return st == BOGIE_ERR_ARG ? 2 : 1;
}

const char *cli_default_network(void)
{
    const char *e = getenv("BOGIE_NETWORK");
    return e && *e ? e : BOGIE_NETWORK_DEFAULT;
}

const char *cli_default_data(void)
{
    const char *e = getenv("BOGIE_DATA");
    return e && *e ? e : BOGIE_DATADIR;
}

const char *cli_default_web(void)
{
    return BOGIE_WEBDIR;
}

/* Which of --data, $BOGIE_DATA and the built-in default gave dir, for a message. */
static const char *data_origin(const char *dir)
{
    const char *e = getenv("BOGIE_DATA");
    if (e && *e && strcmp(e, dir) == 0)
        return "from $BOGIE_DATA";
    return strcmp(dir, BOGIE_DATADIR) == 0 ? "the built-in default" : "from --data";
}

int cli_need_data(const char *cmd, const char *dir)
{
    char trains[4200];
    snprintf(trains, sizeof trains, "%s/trains", dir);
    struct stat sb;
    if (stat(trains, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    fprintf(stderr, "bogie %s: no bogie data in %s (%s): %s is not a directory; give --data DIR or set BOGIE_DATA\n",
            cmd, dir, data_origin(dir), trains);
    return 1;
}

int cli_write_file_atomic(const char *cmd, const char *path, const char *text)
{
    return cli_write_bytes_atomic(cmd, path, text, strlen(text));
}

int cli_write_bytes_atomic(const char *cmd, const char *path, const void *bytes, size_t n)
{
    /* A device or a pipe (/dev/stdout, a FIFO) is written as it is: renaming a file over it would replace it. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        FILE *f = fopen(path, "w");
        if (!f || fwrite(bytes, 1, n, f) != n || fclose(f) != 0) {
            fprintf(stderr, "bogie %s: %s: cannot write: %s\n", cmd, path, strerror(errno));
            return 1;
        }
        return 0;
    }
    /* A symbolic link is kept: the file it leads to is replaced (/dev/stdout redirected to a file leads to that
     * file), never the link itself. */
    char target[PATH_MAX];
    struct stat lsb;
    if (lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode) && realpath(path, target))
        path = target;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    /* Created anew, never through a link: a symbolic link planted at the temporary name must not redirect the
     * write to its target. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "bogie %s: %s: cannot create: %s\n", cmd, tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    int bad = fwrite(bytes, 1, n, f) != n;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "bogie %s: %s: cannot write: %s\n", cmd, path, strerror(errno));
        unlink(tmp);
        return 1;
    }
    return 0;
}

void cli_put_json_string(FILE *f, const char *s)
{
    strbuf sb;
    sb_init(&sb, NULL);
    sb_json_string(&sb, s);
    if (!sb.failed && sb.s)
        fputs(sb.s, f);
    else
        fputs("\"\"", f);
    sb_free(&sb);
}

size_t cli_text_width(const char *s)
{
    strbuf clean;
    sb_init(&clean, NULL);
    text_append_clean(&clean, s, false);
    size_t w = clean.s ? text_width(clean.s) : 0;
    sb_free(&clean);
    return w;
}

void cli_put_padded(FILE *f, const char *s, size_t cols)
{
    strbuf clean, out;
    sb_init(&clean, NULL);
    sb_init(&out, NULL);
    text_append_clean(&clean, s, false);
    text_append_padded(&out, clean.s ? clean.s : "", cols);
    if (!clean.failed && !out.failed && out.s)
        fputs(out.s, f);
    sb_free(&clean);
    sb_free(&out);
}

void cli_warn_controls(const char *cmd, const bogie_summary *sum)
{
    for (size_t i = 0; i < sum->n_suspicious; i++) {
        const bogie_suspicious_row *r = &sum->suspicious[i];
        if (strcmp(r->reason, TEXT_CONTROLS_REASON) != 0)
            continue;
        char t = r->example_type;
        fprintf(stderr, "bogie %s: warning: %s %lld: %s=\"%s\" %s\n", cmd,
                t == 'n' ? "node" : t == 'r' ? "relation" : "way", (long long)r->example_id, r->what, r->value,
                r->reason);
    }
}

int cli_load_train(const char *cmd, const char *data, const char *arg, bogie_train *t)
{
    bool by_name = !strchr(arg, '/') && !(strlen(arg) > 5 && strcmp(arg + strlen(arg) - 5, ".json") == 0);
    if (by_name && cli_need_data(cmd, data) != 0)
        return 1;
    char path[4200];
    if (by_name)
        snprintf(path, sizeof path, "%s/trains/%s.json", data, arg);
    else
        snprintf(path, sizeof path, "%s", arg);
    if (access(path, R_OK) != 0 && !strchr(arg, '/')) {
        fprintf(stderr, "bogie %s: unknown train \"%s\" (no %s); `bogie trains` lists them\n", cmd, arg, path);
        return 1;
    }
    bogie_diag d = {0};
    bogie_status st = bogie_train_load(path, t, &d);
    if (st != BOGIE_OK)
        return cli_fail(cmd, &d, st);
    return 0;
}

int cli_open_planner(const char *cmd, const char *net_path, const char *data, cli_planner *p)
{
    if (cli_need_data(cmd, data) != 0)
        return 1;
    bogie_diag d = {0};
    bogie_status st = bogie_network_open(net_path, 0, NULL, &p->net, &d);
    if (st != BOGIE_OK)
        return cli_fail(cmd, &d, st);
    st = bogie_world_open(data, NULL, &p->world, &d);
    if (st == BOGIE_OK)
        st = bogie_planner_new(p->net, p->world, NULL, &p->planner, &d);
    if (st != BOGIE_OK) {
        bogie_world_close(p->world);
        bogie_network_close(p->net);
        return cli_fail(cmd, &d, st);
    }
    return 0;
}

void cli_close_planner(cli_planner *p)
{
    bogie_planner_free(p->planner);
    bogie_world_close(p->world);
    bogie_network_close(p->net);
}
