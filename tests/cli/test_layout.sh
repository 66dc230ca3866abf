#!/usr/bin/env bash
# test_layout.sh: tools/check-layout.py passes on bogie's own src/ and its object files, and fails, naming the file,
# the line and the rule, on a copy broken in each way it checks: an include of a later stage or of a sibling, a
# function over 150 lines, a file that does not open with its name, a stage without a README, a source file outside
# the stages, an object file using a later stage's symbol, and object files using each other in a circle.
. "$(dirname "$0")/lib.sh"

B=${BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
CHECK="python3 $ROOT/tools/check-layout.py"

ok "bogie's src/ passes" $CHECK --src "$ROOT/src"
ok "and so do its object files" $CHECK --src "$ROOT/src" --objects "$B/obj"

# fails DESCRIPTION NEEDLE ARGS...: the check exits 1 and prints NEEDLE.
fails() {
    local desc=$1 needle=$2
    shift 2
    local out rc
    out=$($CHECK "$@" 2>&1)
    rc=$?
    is "$desc: exit status" "$rc" 1
    contains "$desc: the message" "$out" "$needle"
}

fresh() { rm -rf "$T/src" && cp -r "$ROOT/src" "$T/src"; }

fresh
sed -i '0,/^#include/s|^#include.*|#include "journey/physics.h"\n&|' "$T/src/base/heap.c"
fails "base/ including journey/" 'src/base/heap.c:2: base/ may not include "journey/physics.h": journey/ is a later stage' --src "$T/src"

fresh
sed -i '0,/^#include/s|^#include.*|#include "ref/tz.h"\n&|' "$T/src/osm/osm_read.c"
fails "osm/ including its sibling ref/" 'osm/ may not include "ref/tz.h": ref/ is a sibling' --src "$T/src"

fresh
{ echo 'int too_long(void)'; echo '{'; for i in $(seq 1 160); do echo "    (void)$i;"; done; echo '    return 0;'; echo '}'; } >>"$T/src/base/csv.c"
fails "a function of 164 lines" "too_long() is 164 lines, over 150" --src "$T/src"

fresh
sed -i '1s|.*|/* something else */|' "$T/src/route/ch.c"
fails "a file not opening with its name" 'src/route/ch.c:1: the file must open with "/* ch.c: "' --src "$T/src"

fresh
rm "$T/src/output/README.md"
fails "a stage without a README" "src/output/README.md:1: every stage needs a README.md" --src "$T/src"

fresh
echo '/* stray.c: x */' >"$T/src/stray.c"
fails "a file outside the stages" "src/stray.c:1: a source file outside the stage folders" --src "$T/src"

fresh
mkdir -p "$T/src/extras" && cp "$T/src/cli/README.md" "$T/src/extras/"
fails "an unknown stage" "src/extras:1: not a known stage" --src "$T/src"

# Object files: a base/ object that calls into journey/, and two route/ objects that call each other.
O=$T/obj
mkdir -p "$O/base" "$O/journey" "$O/route"
printf 'int jy_thing(void);\nint low(void) { return jy_thing(); }\n' >"$T/low.c"
printf 'int jy_thing(void) { return 1; }\n' >"$T/high.c"
printf 'int b_fn(void);\nint a_fn(int n) { return n ? b_fn() : 0; }\n' >"$T/a.c"
printf 'int a_fn(int);\nint b_fn(void) { return a_fn(0); }\n' >"$T/b.c"
cc -c "$T/low.c" -o "$O/base/low.o" && cc -c "$T/high.c" -o "$O/journey/high.o" &&
    cc -c "$T/a.c" -o "$O/route/a.o" && cc -c "$T/b.c" -o "$O/route/b.o"
fails "an object using a later stage's symbol" "base/low.o:1: uses jy_thing from journey/high.o, a stage it may not use" \
    --src "$ROOT/src" --objects "$O"
fails "object files in a circle" "object files use each other in a circle: route/a.o -> route/b.o" \
    --src "$ROOT/src" --objects "$O"

$CHECK --src "$T/nowhere" >/dev/null 2>&1
is "a missing folder is a usage error" "$?" 2

done_testing
