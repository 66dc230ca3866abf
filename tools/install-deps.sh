#!/bin/sh
# install-deps.sh: installs, with apt-get, the Debian packages bogie needs, then the web page's npm packages
# (web/package-lock.json) with npm. It is the first half of both set-up commands in README.md.
#   sh tools/install-deps.sh          what building and running bogie needs (the compiler, the libraries it links,
#                                     the time zones, Node.js and npm for the web page)
#   sh tools/install-deps.sh --test   that, and what the tests and benchmarks use besides: cmocka, pytest, numpy,
#                                     matplotlib and setuptools for the Python package, chromium and
#                                     fonts for the page test, clang for the fuzzers, valgrind, gdb, xmllint,
#                                     osmium, hyperfine, wrk, PostgreSQL with pgRouting, g++ for the GTFS
#                                     consumers' SQLite (better-sqlite3), and those consumers themselves (node-gtfs
#                                     and gtfs-to-html, tests/gtfs/package-lock.json)
#   sh tools/install-deps.sh --test --if-missing
#                                     the test tools only, and only when one of them is not installed yet: what
#                                     `make check` and `make bench` run first, so that the README's test command
#                                     (this script, then make check) adds them and a user who only plans journeys
#                                     never waits for them
# Runs apt-get through sudo unless already root.
set -eu
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
PACKAGES="make gcc libc6-dev pkg-config python3 bzip2 gzip
  libexpat1-dev zlib1g-dev libbz2-dev libjansson-dev libdeflate-dev libxxhash-dev libreadosm-dev libunistring-dev libmicrohttpd-dev libzip-dev tzdata
  nodejs"
TEST_PACKAGES="libcmocka-dev python3-pytest python3-numpy python3-matplotlib python3-setuptools python3-pip groff-base curl chromium fonts-dejavu-core fonts-noto-cjk
  clang libclang-rt-14-dev valgrind gdb libxml2-utils
  osmium-tool hyperfine time wrk postgresql-15 postgresql-15-pgrouting g++"
# better-sqlite3 builds against the headers of the Node.js that runs it: a Node.js without them (Debian's own) has
# them in libnode-dev.
if [ ! -f /usr/include/node/node.h ]; then TEST_PACKAGES="$TEST_PACKAGES libnode-dev"; fi
case "$*" in
    "--test") PACKAGES="$PACKAGES $TEST_PACKAGES" ;;
    "--test --if-missing")
        missing=""
        for p in $TEST_PACKAGES; do
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
        done
        if [ -z "$missing" ]; then PACKAGES=""; else
            echo "install-deps: the tests need:$missing"
            PACKAGES="$TEST_PACKAGES"
        fi ;;
    "") ;;
    *) echo "usage: sh tools/install-deps.sh [--test [--if-missing]]" >&2; exit 2 ;;
esac
# Debian's npm is a package of its own; a Node.js that already brings npm along (as some distributions of it do)
# conflicts with it, so it is added only when there is no npm yet.
if ! command -v npm >/dev/null 2>&1; then PACKAGES="$PACKAGES npm"; fi
if [ -n "$PACKAGES" ]; then
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
    echo "install-deps: installed $(echo $PACKAGES | wc -w) Debian packages"
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The GTFS consumers tests/cli/test_gtfs.sh runs (node-gtfs, gtfs-to-html), at the versions in their lock file, with
# --test, and with --if-missing when they are not there yet. better-sqlite3 is built here from its source against the
# headers of the machine's Node.js (npm_config_build_from_source, npm_config_nodedir: nothing is downloaded for it),
# and puppeteer, which gtfs-to-html needs for PDFs only, downloads no browser.
gtfs_consumers() {
    (cd "$ROOT/tests/gtfs" && PUPPETEER_SKIP_DOWNLOAD=1 npm_config_build_from_source=true npm_config_nodedir=/usr \
        npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "install-deps: installed the GTFS consumers (tests/gtfs)"
}
if [ "$*" = "--test --if-missing" ]; then
    npm ls --prefix "$ROOT/tests/gtfs" >/dev/null 2>&1 || gtfs_consumers
    exit 0
fi
# The web page's libraries (Leaflet, world-atlas, topojson-client) and the browser test's driver (playwright-core),
# at the versions in the lock file. The browser itself is Debian's chromium: playwright downloads nothing.
(cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error)
echo "install-deps: installed the web page's npm packages"
if [ "$*" = "--test" ]; then gtfs_consumers; fi
