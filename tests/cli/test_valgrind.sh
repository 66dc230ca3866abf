#!/usr/bin/env bash
# test_valgrind.sh: valgrind's memcheck finds no invalid access, no use of uninitialised memory and no leak (definite
# or indirect) in the normal build (-O2 -g) on the flagship journey (`make demo`'s route command), on the import of the
# corridor with its country borders, on `bogie info`, and on a PBF import; and the programs print under valgrind
# exactly what they print without it. valgrind must be installed (tools/install-deps.sh --test installs it): without it the
# test fails. Under an AddressSanitizer build it skips itself, since the two cannot run together.
# tests/valgrind.supp, when it exists, holds suppressions for reports in system libraries (not ours).
. "$(dirname "$0")/lib.sh"

B=${BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac

if ! command -v valgrind >/dev/null; then
    is "valgrind is installed (run tools/install-deps.sh --test, which installs it)" "not found" "found"
    done_testing
    exit
fi
if ldd "$BOGIE" 2>/dev/null | grep -q libasan || nm "$BOGIE" 2>/dev/null | grep -q ' __asan_init'; then
    _n=$((_n + 1))
    echo "ok $_n # skip $BOGIE is built with AddressSanitizer, which valgrind cannot run"
    done_testing
    exit
fi

VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --num-callers=30)
[ -f "$ROOT/tests/valgrind.supp" ] && VG+=(--suppressions="$ROOT/tests/valgrind.supp")

# memcheck NAME [VALGRIND-OPTION...] -- COMMAND...: runs the command under memcheck, its output in $T/NAME.out and
# $T/NAME.err, and passes when it exits 0 with "ERROR SUMMARY: 0 errors". Without --track-origins in the options
# (it makes the border import twice as slow) a failing run is repeated with it, to say where the uninitialised
# values came from.
memcheck() {
    local name=$1 opts=() rc t0 t1
    shift
    while [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    shift
    t0=$(date +%s.%N)
    "${VG[@]}" "${opts[@]}" --log-file="$T/$name.vg" "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    t1=$(date +%s.%N)
    _n=$((_n + 1))
    local secs
    secs=$(python3 -c "print('%.1f' % ($t1 - $t0))")
    if [ "$rc" -eq 0 ] && grep -q "ERROR SUMMARY: 0 errors" "$T/$name.vg"; then
        echo "ok $_n - memcheck: $name: no errors, no leaks (${secs} s)"
        return
    fi
    echo "not ok $_n - memcheck: $name: exit $rc (${secs} s)"
    if [[ " ${opts[*]} " != *" --track-origins=yes "* ]]; then
        "${VG[@]}" "${opts[@]}" --track-origins=yes --log-file="$T/$name.vg" "$@" >/dev/null 2>&1
    fi
    grep -v '^==[0-9]*== *$' "$T/$name.vg" | head -80 | sed 's/^/#   /'
    sed 's/^/#   stderr: /' "$T/$name.err" | head -10
    _failed=$((_failed + 1))
}

cd "$T"
# The import: the corridor with its country borders, as `make corridor` builds it; the same file without valgrind.
memcheck "import the corridor" -- "$BOGIE" import -q --data "$ROOT/data" "$ROOT/data/corridor/corridor.osm" -o vg.bogie
"$BOGIE" import -q --data "$ROOT/data" "$ROOT/data/corridor/corridor.osm" -o corridor.bogie
same_file "the import under valgrind writes the same file" vg.bogie corridor.bogie

# The flagship journey, `make demo`'s command, and its JSON through -o (a temporary file renamed into place).
route=(route --network corridor.bogie --data "$ROOT/data" --from Pyongyang --to Vladivostok --train armoured
       --depart "2023-09-10 15:00")
memcheck "the flagship route" --track-origins=yes -- "$BOGIE" "${route[@]}"
"$BOGIE" "${route[@]}" >route.txt 2>&1
same_file "the route under valgrind prints the same timetable" "the flagship route.out" route.txt
contains "it is the journey with the bogie exchange at Tumangang" "$(cat route.txt)" "Tumangang"
memcheck "the flagship route as JSON" --track-origins=yes -- "$BOGIE" "${route[@]}" --format json -o vg.json
"$BOGIE" "${route[@]}" --format json -o route.json
same_file "the JSON under valgrind is the same" vg.json route.json

# info, with every edge, on the file imported under valgrind.
memcheck "info --edges" --track-origins=yes -- "$BOGIE" info --edges vg.bogie
"$BOGIE" info --edges vg.bogie >info.txt 2>&1
same_file "info under valgrind prints the same" "info --edges.out" info.txt

# The PBF reader (blobs inflated by libdeflate, dense nodes, string tables) on a real extract.
memcheck "import a PBF extract" --track-origins=yes -- \
    "$BOGIE" import -q --no-borders "$DATA/osm/Helsinki.osm.pbf" -o helsinki.bogie
ok "and the network it wrote opens" "$BOGIE" info helsinki.bogie

cd "$ROOT"
done_testing
