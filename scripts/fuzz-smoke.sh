#!/bin/bash
# 'make fuzz-smoke': build QEMU's generic fuzzer (qemu-fuzz-x86_64, in the
# sanitizer build scripts/sanitizer-build.sh makes: clang, libFuzzer,
# ASan, UBSan) and run its microvm configurations (glue patch 0040) for a
# short time over the regression corpus in tests-fuzz/corpus/.  Fails on
# any crash, sanitizer report or hang (300 s on one input); the input is
# kept.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--no-build] [--time SECONDS] [--update-corpus]

Runs generic-fuzz-microvm and generic-fuzz-microvm-pcie-usb, each first
over every input of tests-fuzz/corpus/<target>/ and then for SECONDS
(default 60) of new inputs.  --update-corpus merges what the run found
interesting into tests-fuzz/corpus/ (libFuzzer -merge=1 on edge coverage
only, -use_counters=0, which keeps the corpus small).  Crashing inputs: $BUILD_DIR/fuzz/artifacts/.
USAGE
}
build=1
secs=60
update=0
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --no-build) build=0; shift ;;
        --time) secs=$2; shift 2 ;;
        --update-corpus) update=1; shift ;;
        *) usage >&2; exit 1 ;;
    esac
done

ASAN_BUILD="$BUILD_DIR/asan"
FUZZER="$ASAN_BUILD/qemu-fuzz-x86_64"
[ "$build" = 0 ] ||
    "$TOP/scripts/sanitizer-build.sh" qemu-fuzz-x86_64 microvm-rom
[ -x "$FUZZER" ] || die "no $FUZZER: run scripts/sanitizer-build.sh qemu-fuzz-x86_64"

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=0"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"

workdir="$BUILD_DIR/fuzz"
mkdir -p "$workdir/artifacts"
fail=0
for target in microvm microvm-pcie-usb; do
    corpus="$TOP/tests-fuzz/corpus/$target"
    new="$workdir/new-$target"
    log="$workdir/$target.log"
    rm -rf "$new"
    mkdir -p "$new" "$corpus"
    msg "fuzzing generic-fuzz-$target: corpus $(ls "$corpus" | wc -l)" \
        "inputs, then ${secs}s (log: $log)"
    # New inputs go to the first directory, so the corpus stays as it is
    if (cd "$ASAN_BUILD" &&
        nice "$FUZZER" --fuzz-target="generic-fuzz-$target" \
            -max_total_time="$secs" -timeout=300 -rss_limit_mb=4096 \
            -max_len=4096 -print_final_stats=1 \
            -artifact_prefix="$workdir/artifacts/$target-" \
            "$new" "$corpus") > "$log" 2>&1; then
        grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units' "$log" |
            tail -n 2 || true
    else
        fail=1
        grep -E -m 8 'ERROR:|runtime error|SUMMARY|Test unit written' \
            "$log" >&2 || tail -n 20 "$log" >&2
        echo "fuzz-smoke: generic-fuzz-$target failed; replay with:" >&2
        echo "  (cd $ASAN_BUILD && $FUZZER --fuzz-target=generic-fuzz-$target" \
             "ARTIFACT)" >&2
    fi
    if [ "$update" = 1 ]; then
        (cd "$ASAN_BUILD" &&
         "$FUZZER" --fuzz-target="generic-fuzz-$target" -merge=1 \
             -use_counters=0 -max_len=4096 "$corpus" "$new") >> "$log" 2>&1 ||
            die "corpus merge failed; see $log"
        msg "tests-fuzz/corpus/$target: $(ls "$corpus" | wc -l) inputs"
    fi
done
[ "$fail" = 0 ] || die "fuzz-smoke found a crash; inputs in $workdir/artifacts"
msg "fuzz-smoke: no crash"
