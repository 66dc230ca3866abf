/* cli_help.c: the one description of every command and its options, from which `bogie help`, `bogie COMMAND
 * --help`, the usage lines of usage errors, the man pages (`bogie help --man COMMAND`) and the bash completion
 * (`bogie help --bash-completion`) are all written, so that they never disagree. */
#include "cli/cli_int.h"

#include <stdarg.h>
#include <string.h>

typedef struct help_option {
    const char *flag; /* "--from PLACE" */
    const char *text;
} help_option;

typedef struct help_command {
    const char *name;
    const char *synopsis; /* after "bogie NAME " */
    const char *summary;  /* one line */
    const char *description;
    help_option options[32];
    const char *example;
} help_command;

#define NETWORK_OPTS                                                                                              \
    {"--network FILE", "the graph file (default $BOGIE_NETWORK, else the bundled corridor network)"},             \
    {"--data DIR", "the reference data and train profiles (default $BOGIE_DATA, else the built-in data directory)"}

#define JOURNEY_OPTS                                                                                              \
    NETWORK_OPTS,                                                                                                 \
    {"--from PLACE", "where the journey starts: a station name in any language of the data, or lat,lon"},        \
    {"--to PLACE", "where it ends"},                                                                             \
    {"--via PLACE", "a stop on the way (repeat for several, in order); PLACE+DURATION stops that long there "    \
                    "(\"Ussuriysk+12h\", \"+1h30\", \"+45\" minutes), PLACE@TIME leaves it at TIME, local there "     \
                    "or with an offset (\"Khabarovsk@2023-09-13 09:00\": an overnight stay; needs --depart)"},       \
    {"--train NAME|FILE", "a profile of DATA/trains (bogie trains lists them) or a profile file"},               \
    {"--depart TIME", "\"YYYY-MM-DD HH:MM\" in the origin's local time, or with an offset (+HH:MM); without it "  \
                      "times are counted from the departure"},                                                   \
    {"--avoid STATION|COUNTRY", "keep out of a station or a country (ISO code or name); repeatable"},            \
    {"--dwell MINUTES", "the stop at each via that gives none of its own (default the train's own)"},           \
    {"--gauge MM", "the wheels the train has at the start (changed there, before the departure, when they do "   \
                   "not fit)"},                                                                                  \
    {"--seen PLACE@TIME", "the train was seen at PLACE at TIME (local there, or with an offset): the journey is " \
                          "re-timed to every sighting, with a band on the arrival; repeatable"},                 \
    {"-o FILE", "write there (through a temporary file renamed into place) instead of to stdout"}

static const help_command commands[] = {
    {"import", "[-q] [--include light_rail,tram,subway] [--light-rail] [--station-radius METRES] "
               "[--reader native|readosm] [--passes 1|2] [--data DIR | --no-borders] INPUT... -o NETWORK.bogie",
     "read OpenStreetMap data into a graph file",
     "Reads OpenStreetMap data (.osm.pbf, .osm, .osm.gz, .osm.bz2, Overpass .json) into one graph file, placing "
     "every node in its country with the outlines in DIR/world (unless --no-borders).",
     {{"-o FILE", "the graph file to write (required); written whole or not at all"},
      {"-q", "no progress bar and no report of the stations found"},
      {"--include LIST", "track besides rail and narrow gauge: light_rail, tram, subway (comma-separated)"},
      {"--light-rail", "short for --include light_rail"},
      {"--station-radius METRES", "a station farther than this from any track is dropped (default 500)"},
      {"--reader native|readosm", "bogie's own reader (default) or Debian's readosm for PBF and XML"},
      {"--passes 1|2", "read the inputs once (all coordinates in memory) or twice (default: 2 above 256 MB)"},
      {"--data DIR", "where the country outlines are (DIR/world); an error when they are not there"},
      {"--no-borders", "import without countries"}},
     "bogie import -q extract.osm.pbf -o extract.bogie"},
    {"info", "[--json] [--edges] [--data DIR] NETWORK.bogie", "describe a graph file",
     "Sizes, km of track per gauge, electrification, use and speed limit, breaks of gauge, suspicious values, and "
     "the gauge-change facilities of DIR that apply to no station of the network.",
     {{"--json", "the same as JSON"},
      {"--edges", "also list every edge"},
      {"--data DIR", "the reference data whose facilities are checked (skipped when the default is missing)"}},
     "bogie info --json build/corridor.bogie"},
    {"route", "[options] --from PLACE --to PLACE [--via PLACE]... --train NAME|FILE", "plan a journey",
     "The fastest route this train can run, with its gauge changes, border stops and timetable in each stop's local "
     "time, integrated from the train's physics.",
     {JOURNEY_OPTS,
      {"--format FORMAT", "text (default, or what -o's extension names), json, geojson, gpx, or gtfs: a one-trip "
                          "GTFS feed, zipped (needs --depart and -o FEED.zip)"},
      {"--alternatives N", "up to N routes (1 to 8): the fastest, then those that share at most 80 % of their "
                           "length with a faster one and take at most 1.5 times as long, each with its own "
                           "timetable (text or json only; between two places, stations or points on two different "
                           "tracks, with nothing avoided)"},
      {"--profile-csv FILE", "also write the speed profile as CSV"},
      {"--plot FILE.svg", "also draw the speed-distance plot as SVG"},
      {"--verbose", "also say on stderr which rows of the reference data apply to nothing in this network"}},
     "bogie route --from Pyongyang --to Vladivostok --train armoured --depart \"2023-09-10 15:00\""},
    {"where", "--at TIME|now [the options of bogie route]", "say where a train is at a time",
     "Where the train of that journey (re-timed by its sightings) is at TIME: km, position, the last and next "
     "stations, and whether it is stopped and why.",
     {{"--at TIME|now", "the time asked about, as --depart takes it, or now (required)"},
      JOURNEY_OPTS,
      {"--format text|json", "text (default), or the journey's JSON with a \"position\" object"}},
     "bogie where --from Pyongyang --to Vladivostok --train armoured --depart \"2023-09-10 15:00\" "
     "--at \"2023-09-11 06:00\""},
    {"match", "TRACE.gpx --train NAME|FILE [--network FILE] [--data DIR] [--format text|json|geojson] [--radius M] "
              "[--sigma M] [--beta M] [--gaps split|ignore] [-o FILE]",
     "match a recorded trace to the track a train can run",
     "Puts the track points of a GPX file, in the train's order, onto the track this train can run (its gauges, "
     "turns and reversals), with a hidden Markov model as Newson and Krumm's, and plans the matched journey: its "
     "timetable, and the running time the trace took against the time bogie predicts, section by section between "
     "stations. The trace is split where no route joins two points (and, with --gaps split, after 10 minutes without "
     "a point while the train moved).",
     {NETWORK_OPTS,
      {"--train NAME|FILE", "the train (required)"},
      {"--radius M", "how far from each point track is looked for, in metres (default 50)"},
      {"--sigma M", "the standard deviation of the trace's positions, in metres (default 20)"},
      {"--beta M", "the scale of the transition probability, in metres (default 50)"},
      {"--gaps split|ignore", "start a new matching after 10 minutes without a point while the train moved "
                              "(split), or not (ignore, the default)"},
      {"--format text|json|geojson", "the output (default text, or what -o's extension names)"},
      {"-o FILE", "write there (through a temporary file renamed into place) instead of to stdout"}},
     "bogie match run.gpx --train armoured"},
    {"table", "[--network FILE] [--data DIR] --train NAME|FILE (--from PLACE... --to PLACE... | --places FILE) "
              "[--measure estimate|timetable] [--format text|json|csv] [-o FILE]",
     "times and distances between many places",
     "The time and distance from every source to every destination (with --places: every place to every other, one "
     "place per line): the search's estimate, or with --measure timetable each journey's total as bogie route plans "
     "it.",
     {NETWORK_OPTS,
      {"--train NAME|FILE", "the train (required)"},
      {"--from PLACE", "a source (repeat for several)"},
      {"--to PLACE", "a destination (repeat for several)"},
      {"--places FILE", "every place of FILE (one per line) to every other"},
      {"--measure estimate|timetable", "the search's estimate (default) or each journey's timetable total"},
      {"--format text|json|csv", "the output (default text)"},
      {"-o FILE", "write there instead of to stdout"}},
     "bogie table --train armoured --from Pyongyang --to Khasan --to Vladivostok"},
    {"trains", "[--data DIR] [--json]", "list the train profiles",
     "The train profiles in DIR/trains: gauges, gauge change, traction and top speed.",
     {{"--data DIR", "the data directory"}, {"--json", "as JSON"}},
     "bogie trains"},
    {"stations", "[--network FILE] [--data DIR] QUERY", "find stations by name",
     "Stations whose names match QUERY in any language, ignoring case, accents and punctuation, best first.",
     {NETWORK_OPTS},
     "bogie stations Туманган"},
    {"serve", "[options]", "serve the HTTP API and the web page",
     "The HTTP API (docs/api.md: bogie's own endpoints and OSRM's route, table, nearest and match) and the web page. "
     "SIGTERM or Ctrl-C finishes the requests in flight and exits 0.",
     {NETWORK_OPTS,
      {"--web DIR", "the web page's files (default the built-in page)"},
      {"--host ADDRESS", "the IPv4 address to listen on (default 127.0.0.1)"},
      {"--port N", "the port (default 8080; 0 picks a free one)"},
      {"--threads N", "threads answering requests (default one per core)"},
      {"--workers N", "threads working out expensive requests (default 2)"},
      {"--max-connections N", "open connections beyond which requests get 503 (default 512)"},
      {"--max-per-client N", "open connections per address (default 64)"},
      {"--max-heavy-per-client N", "expensive requests in flight per address (default 4)"},
      {"--header-timeout SECONDS", "a request's line and headers must arrive within this (default 5)"},
      {"--allow-host NAME,...", "Host headers served besides the loopback names (* for any)"},
      {"--cors ORIGIN|none", "the Access-Control-Allow-Origin of every answer: * (default), one origin such as "
                             "http://localhost:3000, or none for no CORS headers"},
      {"--time-limit SECONDS", "the longest search of one request (default 10)"},
      {"--answer-memory MIB", "memory for large answers being sent (default 256)"},
      {"--no-cache", "work out every answer (the cache is 64 MiB otherwise)"},
      {"--no-prepare", "do not build the trains' hierarchies at start (searches use A*)"}},
     "bogie serve --port 8080"},
    {"help", "[COMMAND | --man [COMMAND] | --bash-completion]", "this help",
     "Without arguments, every command in a line; with a command, its options and an example (as bogie COMMAND "
     "--help); --man writes the manual page bogie(1), or bogie-COMMAND(1), in troff; --bash-completion writes a "
     "bash completion script.",
     {{"--man [COMMAND]", "the manual page in troff"}, {"--bash-completion", "the completion script"}},
     "bogie help route"},
    {"version", "", "print the version", "Prints bogie's version and the graph format it writes.", {{0, 0}},
     "bogie --version"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const help_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Writes text wrapped at 100 columns, each line indented by indent spaces (the first by first spaces). */
static void put_wrapped(FILE *f, const char *text, int first, int indent)
{
    int col = fprintf(f, "%*s", first, "");
    const char *p = text;
    while (*p) {
        size_t w = strcspn(p, " ");
        if (col > indent && col + 1 + (int)w > 100)
            col = fprintf(f, "\n%*s", indent, "") - 1;
        else if (col > first)
            col += fprintf(f, " ");
        col += fprintf(f, "%.*s", (int)w, p);
        p += w;
        while (*p == ' ')
            p++;
    }
    fputc('\n', f);
}

void cli_usage(FILE *f)
{
    fputs("usage: bogie COMMAND [options]   (bogie help COMMAND, or bogie COMMAND --help, lists its options)\n", f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "Defaults: --network $BOGIE_NETWORK or %s; --data $BOGIE_DATA or %s; --web %s.\n",
            cli_default_network_builtin(), cli_default_data_builtin(), cli_default_web());
}

void cli_usage_line(const char *name, FILE *f)
{
    const help_command *c = find_command(name);
    if (!c)
        return;
    char line[1024];
    snprintf(line, sizeof line, "usage: bogie %s %s", c->name, c->synopsis);
    put_wrapped(f, line, 0, 8);
}

int cli_usage_error(const char *name, const char *fmt, ...)
{
    fprintf(stderr, "bogie %s: ", name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cli_usage_line(name, stderr);
    fprintf(stderr, "`bogie help %s` lists every option.\n", name);
    return 2;
}

/* bogie help COMMAND: the usage line, the description, the options and an example. */
static void put_command_help(const help_command *c, FILE *f)
{
    cli_usage_line(c->name, f);
    fputc('\n', f);
    put_wrapped(f, c->description, 2, 2);
    if (c->options[0].flag) {
        fputs("\noptions:\n", f);
        for (size_t i = 0; i < 32 && c->options[i].flag; i++) {
            fprintf(f, "  %s\n", c->options[i].flag);
            put_wrapped(f, c->options[i].text, 6, 6);
        }
    }
    fprintf(f, "\nexample:\n  %s\n", c->example);
}

/* Writes s with troff's special characters escaped (backslashes, and a leading dot or quote). */
static void put_troff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

/* The manual page of c in troff (man(7)); the man page's date is the version's, so that builds are reproducible. */
static void put_man_page(const help_command *c, FILE *f)
{
    fputs(".TH BOGIE", f);
    if (c) {
        fputs("\\-", f);
        for (const char *p = c->name; *p; p++)
            fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, f);
    }
    fprintf(f, " 1 \"\" \"bogie %s\" \"bogie manual\"\n.SH NAME\n", BOGIE_VERSION);
    if (!c) {
        fputs("bogie \\- railway journey planner that knows gauges, borders and train physics\n.SH SYNOPSIS\n"
              ".B bogie\n.I COMMAND\n[options]\n.SH COMMANDS\n", f);
        for (size_t i = 0; i < N_COMMANDS; i++) {
            fprintf(f, ".TP\n.BR bogie\\-%s (1)\n", commands[i].name);
            put_troff(f, commands[i].summary);
            fputc('\n', f);
        }
        fputs(".SH ENVIRONMENT\n.TP\n.B BOGIE_NETWORK\nthe graph file when no \\-\\-network is given\n.TP\n"
              ".B BOGIE_DATA\nthe data directory when no \\-\\-data is given\n", f);
        return;
    }
    fprintf(f, "bogie\\-%s \\- ", c->name);
    put_troff(f, c->summary);
    fprintf(f, "\n.SH SYNOPSIS\n.B bogie %s\n", c->name);
    put_troff(f, c->synopsis);
    fputs("\n.SH DESCRIPTION\n", f);
    put_troff(f, c->description);
    fputc('\n', f);
    if (c->options[0].flag) {
        fputs(".SH OPTIONS\n", f);
        for (size_t i = 0; i < 32 && c->options[i].flag; i++) {
            fputs(".TP\n.B ", f);
            put_troff(f, c->options[i].flag);
            fputc('\n', f);
            put_troff(f, c->options[i].text);
            fputc('\n', f);
        }
    }
    fputs(".SH EXAMPLE\n.EX\n", f);
    put_troff(f, c->example);
    fputs("\n.EE\n.SH SEE ALSO\n.BR bogie (1)\n", f);
}

/* A bash completion script: commands first, then each command's options. */
static void put_completion(FILE *f)
{
    fputs("# bash completion for bogie, written by `bogie help --bash-completion`\n_bogie() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]}\n    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "%s%s", i ? " " : "", commands[i].name);
    fputs(" --help --version\" -- \"$cur\"))\n        return\n    fi\n    local opts\n"
          "    case ${COMP_WORDS[1]} in\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(f, "        %s) opts=\"--help", commands[i].name);
        for (size_t k = 0; k < 32 && commands[i].options[k].flag; k++)
            fprintf(f, " %.*s", (int)strcspn(commands[i].options[k].flag, " "), commands[i].options[k].flag);
        fputs("\" ;;\n", f);
    }
    fputs("    esac\n    if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"));\n"
          "    else COMPREPLY=($(compgen -f -- \"$cur\")); fi\n}\ncomplete -o filenames -F _bogie bogie\n",
          f);
}

int cli_help(int argc, char **argv)
{
    if (argc == 0) {
        cli_usage(stdout);
        return 0;
    }
    if (cli_asks_help(argc, argv)) {
        put_command_help(find_command("help"), stdout);
        return 0;
    }
    if (strcmp(argv[0], "--bash-completion") == 0 && argc == 1) {
        put_completion(stdout);
        return 0;
    }
    if (strcmp(argv[0], "--man") == 0 && argc <= 2) {
        const help_command *c = argc == 2 ? find_command(argv[1]) : NULL;
        if (argc == 2 && !c)
            return cli_usage_error("help", "no command \"%s\"", argv[1]);
        put_man_page(c, stdout);
        return 0;
    }
    const help_command *c = argc == 1 ? find_command(argv[0]) : NULL;
    if (!c)
        return cli_usage_error("help", argc == 1 ? "no command \"%s\"" : "one command at a time", argv[0]);
    put_command_help(c, stdout);
    return 0;
}

bool cli_asks_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || (i == 0 && strcmp(argv[i], "-h") == 0))
            return true;
    return false;
}
