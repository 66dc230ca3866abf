/* cli.c: the bogie command-line tool, a thin layer over libbogie: main() hands each command (import, info, route,
 * where, table, trains, stations, serve) to its file in src/cli, which parses its arguments and formats results for people. */
#include "cli/cli_int.h"

#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "import") == 0)
        return cli_import(argc - 2, argv + 2);
    if (strcmp(cmd, "info") == 0)
        return cli_info(argc - 2, argv + 2);
    if (strcmp(cmd, "route") == 0)
        return cli_route(argc - 2, argv + 2);
    if (strcmp(cmd, "where") == 0)
        return cli_where(argc - 2, argv + 2);
    if (strcmp(cmd, "trains") == 0)
        return cli_trains(argc - 2, argv + 2);
    if (strcmp(cmd, "table") == 0)
        return cli_table(argc - 2, argv + 2);
    if (strcmp(cmd, "stations") == 0)
        return cli_stations(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0)
        return cli_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("bogie %s\n", BOGIE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_usage(stdout);
        return 0;
    }
    fprintf(stderr, "bogie: unknown command \"%s\"\n", cmd);
    cli_usage(stderr);
    return 2;
}
