/* cli.c: the bogie command-line tool, a thin layer over libbogie: main() hands each command (import, info, route,
 * where, match, table, trains, stations, serve) to its file in src/cli, which parses its arguments and formats results for
 * people; help and --help come from cli_help.c. */
#include "cli/cli_int.h"
#include "net/netfmt.h"

#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"import", cli_import}, {"info", cli_info},   {"route", cli_route},       {"where", cli_where},
    {"trains", cli_trains}, {"table", cli_table}, {"stations", cli_stations}, {"serve", cli_serve},
    {"match", cli_match},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0) {
            if (cli_asks_help(argc - 2, argv + 2)) {
                char *topic[] = {argv[1]};
                return cli_help(1, topic);
            }
            return commands[i].run(argc - 2, argv + 2);
        }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("bogie %s (graph format %u.%u)\n", BOGIE_VERSION, (unsigned)NETFMT_MAJOR,
               (unsigned)NETFMT_MINOR);
        return 0;
    }
    if (strcmp(cmd, "help") == 0)
        return cli_help(argc - 2, argv + 2);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cli_help(0, NULL);
    fprintf(stderr, "bogie: unknown command \"%s\"\n", cmd);
    cli_usage(stderr);
    return 2;
}
