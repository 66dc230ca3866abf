#!/usr/bin/env bash
# test_help.sh: `bogie help`, `bogie COMMAND --help`, `--version`, the man pages and the bash completion come from
# one description (src/cli/cli_help.c): every option a command's parser accepts (read from its source) is in its
# help and its man page, usage errors name what is missing before the usage line, and the completion completes.
. "$(dirname "$0")/lib.sh"

ok "bogie help exits 0" "$BOGIE" help
contains "and lists every command" "$("$BOGIE" help)" "stations  find stations by name"
contains "bogie --version gives the version and the graph format" "$("$BOGIE" --version)" "bogie 0.1.0 (graph format "

# The options each parser accepts, from its source; info.c's three commands are checked by hand below.
declare -A files=([import]=cli_import.c [route]=cli_route.c [where]=cli_route.c [table]=cli_table.c [serve]=cli_serve.c)
for cmd in import info route where table trains stations serve help version; do
    "$BOGIE" "$cmd" --help >"$T/$cmd.help" 2>&1
    is "bogie $cmd --help exits 0" "$?" 0
    "$BOGIE" help --man "$cmd" >"$T/$cmd.1"
    nroff -man "$T/$cmd.1" 2>"$T/$cmd.nroff-err" | sed 's/.\x08//g' >"$T/$cmd.man"
    is "bogie-$cmd(1) renders without a warning" "$(cat "$T/$cmd.nroff-err")" ""
    [ -n "${files[$cmd]:-}" ] || continue
    missing=""
    for opt in $(grep -o 'strcmp([a-z]*, "-[-a-z0-9]*")' "$ROOT/src/cli/${files[$cmd]}" | grep -o '"-[^"]*"' | tr -d '"' |
                 sort -u); do
        case $cmd:$opt in where:--profile-csv|where:--plot|where:--verbose|where:--alternatives|route:--at|*:--output|*:--quiet) continue ;; esac
        grep -q -- "^  $opt\b" "$T/$cmd.help" || missing="$missing $opt"
        grep -q -- "$opt" "$T/$cmd.man" || missing="$missing $opt(man)"
    done
    is "bogie $cmd --help and its man page list every option its parser accepts" "$missing" ""
done
for opt in --json --edges --data; do grep -q -- "^  $opt" "$T/info.help" || echo "info lacks $opt"; done >"$T/info.missing"
is "bogie info --help lists its options" "$(cat "$T/info.missing")" ""
contains "a help has an example" "$(cat "$T/route.help")" "example:"
contains "bogie help route is bogie route --help" "$("$BOGIE" help route)" "$(head -1 "$T/route.help")"
"$BOGIE" help --man | nroff -man >"$T/bogie.man" 2>&1
contains "bogie(1) names every command's page" "$(sed 's/.\x08//g' "$T/bogie.man")" "bogie-stations(1)"

"$BOGIE" import "$DATA/tiny/gauges.osm" >"$T/err" 2>&1
is "a usage error exits 2" "$?" 2
is "and names what is missing" "$(head -1 "$T/err")" "bogie import: no output: give -o FILE"
is "then the usage line" "$(sed -n 2p "$T/err" | cut -c1-28)" "usage: bogie import [-q] [--"
"$BOGIE" route --from Pyongyang >"$T/err" 2>&1
contains "route names each option missing" "$(cat "$T/err")" "(missing: --to --train)"
"$BOGIE" stations >"$T/err" 2>&1
contains "stations without a query says so" "$(head -1 "$T/err")" "bogie stations: no query"
"$BOGIE" help nosuch >"$T/err" 2>&1
is "help for an unknown command exits 2" "$?" 2

"$BOGIE" help --bash-completion >"$T/completion.bash"
is "the completion completes a command" \
    "$(bash -c ". '$T/completion.bash'; COMP_WORDS=(bogie ro); COMP_CWORD=1; _bogie; echo \${COMPREPLY[*]}")" "route"
is "and a command's options" \
    "$(bash -c ". '$T/completion.bash'; COMP_WORDS=(bogie route --fr); COMP_CWORD=2; _bogie; echo \${COMPREPLY[*]}")" "--from"
done_testing
