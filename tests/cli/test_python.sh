#!/usr/bin/env bash
# test_python.sh: the Python package (python/, docs/python.md) over the build's libbogie.so.0: installed offline with
# pip into a temporary folder and imported from there, then its pytest tests (python/tests) against the command line.
# Debian's python3 (/usr/bin/python3, with python3-numpy and python3-pytest) runs them. Skipped under the sanitizer
# pass: the library would be loaded into a Python without ASan.
. "$(dirname "$0")/lib.sh"
skip_in_sanitizer_pass "the Python binding loads the plain shared library"
B=${BUILD:-build}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

ok "the shared library builds (make $B/libbogie.so.0)" make -s -C "$ROOT" BUILD="$B" "$B/libbogie.so.0"
export BOGIE_LIBRARY=$ROOT/$B/libbogie.so.0 BOGIE_NETWORK=$ROOT/$B/corridor.bogie BOGIE_DATA=$ROOT/data BOGIE

# From a copy: setuptools writes its build folders beside the sources.
cp -R "$ROOT/python" "$T/src"
rm -rf "$T/src/build" "$T/src/bogie.egg-info"
ok "pip installs the package offline" "$PY" -m pip install -q --no-build-isolation --no-index --no-deps \
    --target "$T/site" "$T/src"
ok "the installed package plans the flagship journey from /" sh -c "cd / && PYTHONPATH='$T/site' '$PY' -c \"
import bogie
with bogie.Network('$BOGIE_NETWORK', data='$BOGIE_DATA') as n:
    j = n.plan('Pyongyang', 'Vladivostok', train='armoured')
    assert [s.name for s in j.stops if 'gauge_change' in s.kinds] == ['Tumangang'], j.stops
\""
ok "the pytest tests pass (python/tests)" sh -c "cd '$T' && PYTHONPATH='$T/site' '$PY' -m pytest -q -p no:cacheprovider \
    '$ROOT/python/tests'"
ok "the example of docs/python.md draws its speed profile" sh -c "PYTHONPATH='$T/site' '$PY' \
    '$ROOT/python/examples/speed_profile.py' '$BOGIE_NETWORK' '$BOGIE_DATA' '$T/profile.png' &&
    head -c 8 '$T/profile.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
done_testing
