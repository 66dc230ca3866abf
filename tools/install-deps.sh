#!/bin/sh
# install-deps.sh: installs, with apt-get, the Debian packages bogie needs, then the web page's npm packages
# (web/package-lock.json) with npm. It is the first half of both set-up commands in README.md.
#   sh tools/install-deps.sh          what building and running bogie needs (the compiler, the libraries it links,
#                                     the time zones, Node.js and npm for the web page)
#   sh tools/install-deps.sh --test   that, and what the tests and benchmarks use besides: cmocka, pytest, numpy,
#                                     matplotlib and setuptools for the Python package, chromium and
#                                     fonts for the page test, clang for the fuzzers, valgrind, gdb, xmllint,
#                                     osmium, hyperfine, wrk, PostgreSQL with pgRouting
#   sh tools/install-deps.sh --test --if-missing
#                                     the test tools only, and only when one of them is not installed yet: what
#                                     `make check` and `make bench` run first, so that the README's test command
#                                     (this script, then make check) adds them and a user who only plans journeys
#                                     never waits for them
# Runs apt-get through sudo unless already root.
set -eu
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
PACKAGES="make gcc libc6-dev pkg-config python3 bzip2 gzip
  libexpat1-dev zlib1g-dev libbz2-dev libjansson-dev libdeflate-dev libxxhash-dev libreadosm-dev libunistring-dev libmicrohttpd-dev tzdata
  nodejs"
TEST_PACKAGES="libcmocka-dev python3-pytest python3-numpy python3-matplotlib python3-setuptools python3-pip groff-base curl chromium fonts-dejavu-core fonts-noto-cjk
  clang libclang-rt-14-dev valgrind gdb libxml2-utils
  osmium-tool hyperfine time wrk postgresql-15 postgresql-15-pgrouting"
case "$*" in
    "--test") PACKAGES="$PACKAGES $TEST_PACKAGES" ;;
    "--test --if-missing")
        missing=""
        for p in $TEST_PACKAGES; do
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
        done
        if [ -z "$missing" ]; then exit 0; fi
        echo "install-deps: the tests need:$missing"
        PACKAGES="$TEST_PACKAGES" ;;
    "") ;;
    *) echo "usage: sh tools/install-deps.sh [--test [--if-missing]]" >&2; exit 2 ;;
esac
# Debian's npm is a package of its own; a Node.js that already brings npm along (as some distributions of it do)
# conflicts with it, so it is added only when there is no npm yet.
if ! command -v npm >/dev/null 2>&1; then PACKAGES="$PACKAGES npm"; fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
echo "install-deps: installed $(echo $PACKAGES | wc -w) Debian packages"
# The web page's libraries (Leaflet, world-atlas, topojson-client) and the browser test's driver (playwright-core),
# at the versions in the lock file. The browser itself is Debian's chromium: playwright downloads nothing.
[ "$*" = "--test --if-missing" ] && exit 0
cd "$(dirname "$0")/../web"
npm ci --no-audit --no-fund --loglevel=error
echo "install-deps: installed the web page's npm packages"
