#!/usr/bin/env bash
# test_install.sh: `make install` and `make uninstall` (docs/install.md). bogie is installed under a temporary PREFIX,
# then run from / with only the installed files on its path (no --data, no --network); a C program is built against
# the installed shared library with pkg-config; only bogie_* symbols are exported; a DESTDIR install stages the same
# files; and uninstalling leaves nothing behind. Skipped under the sanitizer pass: the install builds its own plain
# objects, so a second run would test nothing new.
. "$(dirname "$0")/lib.sh"

skip_in_sanitizer_pass "the install builds its own plain objects and ran in the plain pass"
B=${BUILD:-build}
P=$T/usr
unset BOGIE_DATA BOGIE_NETWORK

# Plain `make` (the default goal, all): the program, the page and the shared library; -n, since the plain pass has
# built them (it once failed at once, naming a library "libbogie.so." with its version empty).
ok "make (the default goal) knows how to build everything" make -n -s -C "$ROOT" BUILD="$B"
ok "make install PREFIX=$P" make -s -j2 -C "$ROOT" BUILD="$B" PREFIX="$P" install

# From /, with a bare environment: the installed defaults must find the data, the network and the trains.
(cd / && env -i PATH="$P/bin:/usr/bin:/bin" bogie route --from Pyongyang --to Vladivostok --train armoured \
    --depart "2019-04-24 11:40" --format json) >"$T/installed.json" 2>"$T/installed.err"
"$BOGIE" route --network "$ROOT/$B/corridor.bogie" --data "$ROOT/data" --from Pyongyang --to Vladivostok \
    --train armoured --depart "2019-04-24 11:40" --format json >"$T/tree.json"
ok "the installed bogie plans the flagship journey from / with no --data or --network" test -s "$T/installed.json"
ok "it is the journey the source tree's bogie plans" cmp "$T/installed.json" "$T/tree.json"
ok "the installed bogie lists the installed trains from /" sh -c "cd / && env -i PATH='$P/bin:/usr/bin:/bin' \
    bogie trains | grep -q '^armoured '"

# A data directory that is not there is an error that says where bogie looked.
(cd / && env -i PATH="$P/bin:/usr/bin:/bin" BOGIE_DATA=/nonexistent bogie route --from Pyongyang --to Khasan \
    --train armoured) >"$T/nodata.out" 2>&1
is "a missing data directory exits 1" "$?" 1
contains "and names it and where its name came from" "$(cat "$T/nodata.out")" \
    "no bogie data in /nonexistent (from \$BOGIE_DATA)"

ok "the man pages are installed: bogie(1) and one per command" test -s "$P/share/man/man1/bogie.1" -a \
    -s "$P/share/man/man1/bogie-route.1" -a -s "$P/share/man/man1/bogie-serve.1"
ok "and the bash completion" test -s "$P/share/bash-completion/completions/bogie"

so=$P/lib/libbogie.so.0
ok "libbogie.so.0 carries its soname" sh -c "readelf -d '$so' | grep -q 'Library soname: \[libbogie.so.0\]'"
nm -D --defined-only "$so" | awk '$2 == "T" || $2 == "D" || $2 == "B" || $2 == "R" {print $3}' | sort >"$T/exported"
is "only bogie_* symbols are exported" "$(grep -cv '^bogie_' "$T/exported")" 0
grep -ho 'bogie_[a-z_]*(' "$ROOT/include/bogie.h" "$ROOT/include/bogie_server.h" | tr -d '(' | sort -u >"$T/declared"
is "every function the headers declare is exported" "$(comm -23 "$T/declared" "$T/exported" | tr '\n' ' ')" ""

export PKG_CONFIG_PATH=$P/lib/pkgconfig
ok "a C program builds against the installed library with pkg-config" \
    sh -c "cc -std=c11 -Wall -Werror -o '$T/plan' '$ROOT/tests/cli/install/plan.c' \$(pkg-config --cflags --libs bogie)"
ok "and links libbogie.so.0 from the install" sh -c "LD_LIBRARY_PATH='$P/lib' ldd '$T/plan' | grep -q '$so'"
LD_LIBRARY_PATH=$P/lib "$T/plan" "$P/share/bogie/corridor.bogie" Pyongyang Vladivostok armoured "$P/share/bogie" \
    >"$T/plan.out" 2>&1
want=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('%.1f km %.0f s' % (d['length_km'], d['total_s']))" \
    "$T/tree.json" 2>/dev/null)
is "it plans the journey bogie route plans" "$(cat "$T/plan.out")" "$want"

# DESTDIR stages the same files under it, for the PREFIX given.
ok "make install DESTDIR=... PREFIX=/usr/local" make -s -C "$ROOT" BUILD="$B" DESTDIR="$T/stage" PREFIX=/usr/local install
is "the staged files are the installed ones" "$(cd "$T/stage/usr/local" && find . | sort | tr '\n' ' ')" \
    "$(cd "$P" && find . | sort | tr '\n' ' ')"

ok "make uninstall PREFIX=$P" make -s -C "$ROOT" BUILD="$B" PREFIX="$P" uninstall
is "it leaves no file behind (only the empty directories others share)" \
    "$(cd "$P" && find . -mindepth 1 | sort | tr '\n' ' ')" \
    "./bin ./include ./lib ./lib/pkgconfig ./share ./share/bash-completion ./share/bash-completion/completions ./share/man ./share/man/man1 "
ok "make uninstall DESTDIR=..." make -s -C "$ROOT" BUILD="$B" DESTDIR="$T/stage" PREFIX=/usr/local uninstall
is "nor under DESTDIR" "$(find "$T/stage" ! -type d | tr '\n' ' ')" ""
done_testing
