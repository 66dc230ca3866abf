# lib.sh: a small TAP harness for bogie's command-line tests. Source it, call ok/check/... and finish with done_testing.
# BOGIE (the binary) and TMPDIR (a scratch directory the runner removes) come from tests/run.
set -u
BOGIE=${BOGIE:-build/bogie}
case $BOGIE in /*) ;; *) BOGIE=$PWD/$BOGIE ;; esac
DATA=${BOGIE_TEST_DATA:-tests/data}
case $DATA in /*) ;; *) DATA=$PWD/$DATA ;; esac
ROOT=$PWD
# The reference data for commands run from a scratch directory (an import there would otherwise stop: the default
# data directory is relative to the working directory).
export BOGIE_DATA=${BOGIE_DATA:-$ROOT/data}
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

# serve_network LOG NETWORK ARGS...: starts bogie serve on NETWORK on a port the kernel picks, logging to LOG; sets
# server and port once the server has said where it listens (the sanitizer build takes a few seconds to start), and
# adds the server to the caller's servers array.
serve_network() {
    local log=$1 net=$2
    shift 2
    "$BOGIE" serve --network "$net" --port 0 "$@" 2>"$log" &
    server=$!
    servers+=("$server")
    port=""
    for _ in $(seq 1 300); do
        port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
        [ -n "$port" ] && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
}

# skip_in_sanitizer_pass REASON: under the sanitizer pass of `make check` ($BUILD is $SAN_BUILD), reports the whole
# test as skipped for REASON and exits; otherwise returns.
skip_in_sanitizer_pass() {
    if [ -n "${SAN_BUILD:-}" ] && [ "${BUILD:-build}" = "$SAN_BUILD" ]; then
        echo "ok 1 # SKIP $1"
        echo "1..1"
        exit 0
    fi
}

# need_browser_tools WHAT: node, npm and $CHROMIUM (default /usr/bin/chromium) are there, else reports WHAT's test as
# failed, naming what is missing, and exits; then installs web/node_modules from the lock file when it is missing.
need_browser_tools() {
    CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
    local missing=""
    command -v node >/dev/null || missing+=" node"
    command -v npm >/dev/null || missing+=" npm"
    [ -x "$CHROMIUM" ] || missing+=" chromium"
    if [ -n "$missing" ]; then
        echo "not ok 1 - $1 needs:$missing (tools/install-deps.sh --test installs them with apt-get)"
        echo "1..1"
        exit 1
    fi
    if [ ! -d web/node_modules ] || ! npm ls --prefix web >/dev/null 2>&1; then
        npm ci --prefix web --no-audit --no-fund >"$T/npm.log" 2>&1 || { sed 's/^/#   /' "$T/npm.log" | tail -20; }
    fi
}

# tap_include FILE STATUS: passes on the TAP lines of FILE (a node test's output, numbered from 1) numbered to follow
# ours, its other lines as comments, and counts its failures; a STATUS other than 0 with no failure listed fails too.
tap_include() {
    local line
    while IFS= read -r line; do
        case $line in
            "ok "* | "not ok "*)
                _n=$((_n + 1))
                [[ $line == "not ok "* ]] && _failed=$((_failed + 1))
                echo "$line" | sed -E "s/^(ok|not ok) [0-9]+/\1 $_n/"
                ;;
            "1.."*) ;;
            *) echo "# $line" | sed 's/^# #/#/' ;;
        esac
    done <"$1"
    if [ "$2" -ne 0 ] && ! grep -q '^not ok' "$1"; then
        _n=$((_n + 1))
        _failed=$((_failed + 1))
        echo "not ok $_n - $(basename "$1") exited with status $2"
    fi
}

# serve_free_port NETWORK LOG ARGS...: starts bogie serve on NETWORK on a port the kernel picks, logging to LOG; sets
# server (its pid), port and URL once the server has said where it listens.
serve_free_port() {
    local net=$1 log=$2
    shift 2
    "$BOGIE" serve --network "$net" --port 0 "$@" 2>"$log" &
    server=$!
    port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
        [ -n "$port" ] && break
        sleep 0.1
    done
    URL="http://127.0.0.1:$port"
}

done_testing() {
    echo "1..$_n"
    [ "$_failed" -eq 0 ]
}
