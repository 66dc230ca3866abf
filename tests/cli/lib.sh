# lib.sh: a small TAP harness for bogie's command-line tests. Source it, call ok/check/... and finish with done_testing.
# BOGIE (the binary) and TMPDIR (a scratch directory the runner removes) come from tests/run.
set -u
BOGIE=${BOGIE:-build/bogie}
case $BOGIE in /*) ;; *) BOGIE=$PWD/$BOGIE ;; esac
DATA=${BOGIE_TEST_DATA:-tests/data}
case $DATA in /*) ;; *) DATA=$PWD/$DATA ;; esac
ROOT=$PWD
T=$(mktemp -d "${TMPDIR:-/tmp}/cli.XXXXXX")
_n=0
_failed=0

# ok DESCRIPTION COMMAND...: passes when the command succeeds.
ok() {
    local desc=$1
    shift
    _n=$((_n + 1))
    if "$@" >"$T/.out" 2>&1; then
        echo "ok $_n - $desc"
    else
        echo "not ok $_n - $desc"
        sed 's/^/#   /' "$T/.out" | head -40
        _failed=$((_failed + 1))
    fi
}

# is DESCRIPTION GOT EXPECTED: passes when the two strings are equal.
is() {
    _n=$((_n + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $_n - $1"
    else
        echo "not ok $_n - $1"
        echo "#   got:      $2"
        echo "#   expected: $3"
        _failed=$((_failed + 1))
    fi
}

# contains DESCRIPTION TEXT NEEDLE: passes when TEXT contains NEEDLE.
contains() {
    _n=$((_n + 1))
    if [[ $2 == *"$3"* ]]; then
        echo "ok $_n - $1"
    else
        echo "not ok $_n - $1"
        echo "#   text:    $(head -c 600 <<<"$2")"
        echo "#   missing: $3"
        _failed=$((_failed + 1))
    fi
}

# same_file DESCRIPTION GOT EXPECTED: passes when the files are identical, else shows a diff.
same_file() {
    _n=$((_n + 1))
    if cmp -s "$2" "$3"; then
        echo "ok $_n - $1"
    else
        echo "not ok $_n - $1"
        diff -u "$3" "$2" | head -60 | sed 's/^/#   /'
        _failed=$((_failed + 1))
    fi
}

done_testing() {
    echo "1..$_n"
    [ "$_failed" -eq 0 ]
}
