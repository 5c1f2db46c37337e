#!/bin/bash
# Run every test suite of the overlay against the built tree and print one
# summary line ('N passed, N failed').  Suites:
#   qtest      our qtests, through QEMU's meson test runner (TAP)
#   linux      real-Linux boot tests (tests-linux/, TAP)
# Expects a finished build (make build); 'make check' does both.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [SUITE...]

Suites: qtest linux (default: all).
USAGE
}
suites=()
for a in "$@"; do
    case "$a" in
        -h|--help) usage; exit 0 ;;
        qtest|linux) suites+=("$a") ;;
        *) usage >&2; exit 1 ;;
    esac
done
[ ${#suites[@]} -gt 0 ] || suites=(qtest linux)

logdir="$BUILD_DIR/check"
mkdir -p "$logdir"
passed=0
failed=0
skipped=0
bad_suites=()

# Count the results in one suite's log: TAP lines ('ok N', 'not ok N') and
# the per-subtest lines meson's runner prints for TAP tests ('▶ i/n NAME
# OK|SKIP|FAIL|ERROR').  A suite whose runner failed without a failing
# line still counts as one failure.
count() {
    grep -cE "$1" "$2" || true
}
tally() {
    local name=$1 rc=$2 log=$3 p f s
    local tap_skip
    tap_skip=$(count '^[[:space:]]*ok [0-9]+.*# *SKIP' "$log")
    p=$(($(count '^[[:space:]]*ok [0-9]+' "$log") - tap_skip +
         $(count '^▶ .* OK[[:space:]]*$' "$log")))
    s=$((tap_skip + $(count '^▶ .* SKIP[[:space:]]*$' "$log")))
    f=$(($(count '^[[:space:]]*not ok [0-9]+' "$log") +
         $(count '^▶ .* (FAIL|ERROR)[[:space:]]*$' "$log")))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1
    fi
    if [ "$rc" = 0 ] && [ "$p" = 0 ]; then
        echo "check: suite $name ran no test" >&2
        f=$((f + 1))
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
    [ "$f" = 0 ] || bad_suites+=("$name")
    msg "suite $name: $p passed, $f failed, $s skipped (log: $log)"
}

run_qtest() {
    local log="$logdir/qtest.log" rc=0
    msg "suite qtest: QEMU's meson test runner, our qtests"
    (cd "$QEMU_BUILD" &&
     meson test --no-rebuild --print-errorlogs --verbose \
         qtest-x86_64/microvm-test) > "$log" 2>&1 || rc=$?
    grep -E '^▶ |^Ok:|^Fail:' "$log" || true
    tally qtest "$rc" "$log"
}

run_linux() {
    local log="$logdir/linux.log" rc=0
    msg "suite linux: real-Linux microVM boots"
    "$TOP/scripts/guest-assets.sh"
    (set -o pipefail
     QEMU="$BUILD_DIR/qemu-system-x86_64" \
         "$TOP/tests-linux/linux-boot.sh" 2>&1 | tee "$log") || rc=$?
    tally linux "$rc" "$log"
}

for s in "${suites[@]}"; do
    "run_$s"
done

echo
if [ "$skipped" != 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
if [ "$failed" != 0 ]; then
    echo "failing suites: ${bad_suites[*]}; logs in $logdir" >&2
    exit 1
fi
