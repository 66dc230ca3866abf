/* cli_int.h: what the files of the bogie command (src/cli/cli*.c) share: the commands main() dispatches to, and the
 * helpers they have in common (usage, errors, defaults, trains, planners, writing files). */
#ifndef BOGIE_CLI_INT_H
#define BOGIE_CLI_INT_H

#include "bogie.h"
#include "base/util.h"

#include <stdbool.h>
#include <stdio.h>

/* The commands: each takes the arguments after its name and returns the exit status (0, 1 on failure, 2 on bad
 * usage). */
int cli_import(int argc, char **argv);   /* cli_import.c */
int cli_info(int argc, char **argv);     /* cli_info.c */
int cli_trains(int argc, char **argv);   /* cli_info.c */
int cli_stations(int argc, char **argv); /* cli_info.c */
int cli_route(int argc, char **argv);    /* cli_route.c */
int cli_where(int argc, char **argv);    /* cli_route.c */
int cli_table(int argc, char **argv);    /* cli_table.c */
int cli_serve(int argc, char **argv);    /* cli_serve.c */
int cli_match(int argc, char **argv);    /* cli_match.c */

/* ----- cli_help.c: the one description of every command ----- */

/* Prints every command with its one-line summary, and the defaults, to f. */
void cli_usage(FILE *f);
/* Prints "usage: bogie NAME SYNOPSIS" to f (nothing for an unknown name). */
void cli_usage_line(const char *name, FILE *f);
/* Prints "bogie NAME: " and the message to stderr, then the command's usage line; returns 2. */
int cli_usage_error(const char *name, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* bogie help [COMMAND | --man [COMMAND] | --bash-completion]; returns the exit status. */
int cli_help(int argc, char **argv);
/* Whether a command's arguments ask for its help (--help anywhere, -h first). */
bool cli_asks_help(int argc, char **argv);

/* ----- cli_common.c ----- */

/* Prints "bogie CMD: " and the diagnostic (or the status's text) to stderr; returns 2 for BOGIE_ERR_ARG, else 1. */
int cli_fail(const char *cmd, const bogie_diag *d, bogie_status st);
/* The network and data directory to use when none is given: $BOGIE_NETWORK or build/corridor.bogie, $BOGIE_DATA or
 * data, or the installed places (strings owned by the environment or static). */
const char *cli_default_network(void);
const char *cli_default_data(void);
/* The defaults compiled in, before $BOGIE_NETWORK and $BOGIE_DATA (static strings). */
const char *cli_default_network_builtin(void);
const char *cli_default_data_builtin(void);
/* The web page bogie serve offers when no --web is given (static; build/web in the source tree). */
const char *cli_default_web(void);
/* Whether dir holds bogie's reference data (a trains folder): 0, or 1 after saying on stderr which directory was
 * looked in, where its name came from (--data, $BOGIE_DATA or the built-in default) and how to give another. */
int cli_need_data(const char *cmd, const char *dir);
/* Writes text to path through a temporary file renamed into place, so that a failure leaves no partial file (a
 * device or a pipe is written as it is). Returns 0, or 1 after saying why on stderr. */
int cli_write_file_atomic(const char *cmd, const char *path, const char *text);
/* The same for n bytes (a zip). */
int cli_write_bytes_atomic(const char *cmd, const char *path, const void *bytes, size_t n);
/* Writes s to f with its control characters replaced (U+FFFD), then spaces up to cols display columns (a wide
 * character takes two): for a column of names in a terminal. */
void cli_put_padded(FILE *f, const char *s, size_t cols);
/* Writes s to f as a JSON string (sb_json_string's escaping: quotes, backslashes, control characters, invalid UTF-8
 * as U+FFFD); "" when memory runs out. */
void cli_put_json_string(FILE *f, const char *s);
/* The display columns s takes as cli_put_padded writes it. */
size_t cli_text_width(const char *s);
/* Prints a warning on stderr for every name that the import of the network summarised in sum found holding control
 * characters, with the OSM object and the field (the value spelt out as the report has it). */
void cli_warn_controls(const char *cmd, const bogie_summary *sum);
/* Loads a train by profile name (DATA/trains/NAME.json) or by path into *t; returns 0 or an exit status. */
int cli_load_train(const char *cmd, const char *data, const char *arg, bogie_train *t);
/* A planner with the network and reference data it plans on. */
typedef struct cli_planner {
    bogie_network *net;
    bogie_world *world;
    bogie_planner *planner;
} cli_planner;
/* Opens the network, the reference data and a planner into *p, owned by the caller (cli_close_planner); returns 0
 * or an exit status, with nothing left open. */
int cli_open_planner(const char *cmd, const char *net_path, const char *data, cli_planner *p);
void cli_close_planner(cli_planner *p);

#endif
