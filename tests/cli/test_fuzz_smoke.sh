#!/usr/bin/env bash
# test_fuzz_smoke.sh: the libFuzzer harnesses (fuzz/, built by `make fuzz-build` with clang, ASan and UBSan in
# build-fuzz/) build, replay every input that once crashed them (tests/data/fuzz/<harness>/) without a crash, and
# fuzz for a few seconds each (FUZZ_SMOKE_SECONDS, default 3) from their seed corpora without a crash. The long runs
# are `make fuzz`'s. Under the sanitizer pass of `make check` it is skipped: the harnesses are sanitized already.
. "$(dirname "$0")/lib.sh"

skip_in_sanitizer_pass "the fuzzers carry ASan and UBSan themselves and ran in the plain pass"

B=${BUILD:-build}
FB=${FUZZ_BUILD:-build-fuzz}
case $FB in /*) ;; *) FB=$ROOT/$FB ;; esac
SECONDS_EACH=${FUZZ_SMOKE_SECONDS:-3}
# The sanitizer options of `make check`'s other pass are not meant for libFuzzer.
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
export BOGIE_FUZZ_NETWORK=$ROOT/$B/corridor.bogie BOGIE_FUZZ_DATA=$ROOT/data

ok "the harnesses build (make fuzz-build)" make -s -j2 -C "$ROOT" BUILD="$B" FUZZ_BUILD="$FB" fuzz-build

declare -A dict=([pbf]=pbf [xml]=xml [overpass]=json [train]=json [network]=network [query]=query [service]=query
                 [date]=date [gpx]=xml)
for name in pbf xml overpass train network query service names date gpx; do
    bin=$FB/fuzz_$name
    regress=$ROOT/tests/data/fuzz/$name
    if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
        ok "$name: the $(ls "$regress" | wc -l) inputs that once crashed it run clean" \
            "$bin" -artifact_prefix="$T/" "$regress"/*
    fi
    mkdir -p "$T/$name"
    args=(-max_total_time="$SECONDS_EACH" -seed=1 -timeout=20 -rss_limit_mb=2560 -artifact_prefix="$T/")
    [ "$name" = overpass ] && args+=(-max_len=4096)
    [ "$name" = names ] && args+=(-max_len=256)
    [ -n "${dict[$name]:-}" ] && args+=(-dict="$ROOT/fuzz/dict/${dict[$name]}.dict")
    ok "$name: fuzzing ${SECONDS_EACH} s from the seed corpus finds no crash" "$bin" "${args[@]}" "$T/$name" \
        "$FB/corpus/$name"
done
done_testing
