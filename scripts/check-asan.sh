#!/bin/bash
# 'make check-asan': build the sanitizer profile (scripts/sanitizer-build.sh,
# build/asan: clang with ASan and UBSan) and run our qtests there, the
# device-window sweep included, with every sanitizer report fatal.  Any
# report fails the run, whether or not the test noticed it.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--short] [--no-build]

Runs qtest-x86_64/microvm-test and qtest-x86_64/microvm-sweep-test in
$BUILD_DIR/asan.  --short runs only the sweep (the form 'make check'
uses).  --no-build skips the build step.  Log: $BUILD_DIR/check/asan.log
USAGE
}
short=0
build=1
for a in "$@"; do
    case "$a" in
        -h|--help) usage; exit 0 ;;
        --short) short=1 ;;
        --no-build) build=0 ;;
        *) usage >&2; exit 1 ;;
    esac
done

ASAN_BUILD="$BUILD_DIR/asan"
[ "$build" = 0 ] || "$TOP/scripts/sanitizer-build.sh"
[ -x "$ASAN_BUILD/qemu-system-x86_64" ] ||
    die "no sanitizer build in $ASAN_BUILD: run scripts/sanitizer-build.sh"

logdir="$BUILD_DIR/check"
log="$logdir/asan.log"
reports="$logdir/asan-reports"
rm -rf "$reports"
mkdir -p "$logdir" "$reports"

# Every report is fatal (abort: the qtest sees QEMU die) and names its
# stack.  Reports go to files under $reports (log_path), not to stderr:
# tests compare QEMU's error output, and ASan warns there about QEMU's
# coroutines (swapcontext).  QEMU's exit path does not free everything it
# allocated, so leak checking is off, as in QEMU's own CI and oss-fuzz.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=0:print_summary=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1:log_path=$reports/ubsan"

tests=(qtest-x86_64/microvm-sweep-test)
[ "$short" = 1 ] || tests=(qtest-x86_64/microvm-test "${tests[@]}")

msg "sanitizer run: ${tests[*]} (log: $log)"
rc=0
(cd "$ASAN_BUILD" &&
 nice meson test --no-rebuild --print-errorlogs --verbose -t 4 "${tests[@]}") \
    > "$log" 2>&1 || rc=$?
grep -E '^▶ .* (FAIL|ERROR)|^Ok:|^Fail:|^Timeout:' "$log" || true
pattern='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer'
found=$(cat "$log" "$reports"/* 2>/dev/null | grep -cE "$pattern" || true)
if [ "$found" != 0 ]; then
    cat "$log" "$reports"/* 2>/dev/null | grep -E -m 5 "$pattern" >&2
    die "sanitizer report(s): see $reports/ and $log"
fi
[ "$rc" = 0 ] || die "sanitizer qtests failed (status $rc); see $log"
msg "sanitizer run: no report, all passed"
