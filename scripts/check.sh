#!/bin/bash
# Run every test suite of the overlay against the built tree and print one
# summary line ('N passed, N failed').  Suites:
#   qtest      our qtests and upstream's bios-tables-test (its microvm
#              cases), through QEMU's meson test runner (TAP)
#   linux      real-Linux boot tests (tests-linux/, TAP)
#   patches    the exported patch series: no drift, git am, quilt,
#              checkpatch (scripts/check-patches.sh, TAP)
#   hostile    malformed kernels, initrds and command lines in every boot
#              mode (tests-hostile/run.sh, TAP)
#   faults     1000 guest resets, 20 migrations and 20 savevm/loadvm
#              rounds in each boot mode (tests-hostile/faults.py; alone:
#              make check-faults)
#   reliability  50 Linux boots of each default configuration, two at a
#              time (tests-hostile/reliability.sh; alone: make
#              check-reliability)
#   asan       the sanitizer build (clang, ASan + UBSan; build/asan) and
#              the device-window sweep there, every report fatal: the
#              short form of make check-asan (scripts/check-asan.sh --short)
# Expects a finished build (make build); 'make check' does both.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [SUITE...]

Suites: qtest linux patches hostile faults reliability asan (default:
all).  asan needs clang: scripts/setup-deps.sh --asan.
USAGE
}
suites=()
for a in "$@"; do
    case "$a" in
        -h|--help) usage; exit 0 ;;
        qtest|linux|patches|hostile|faults|reliability|asan)
            suites+=("$a") ;;
        *) usage >&2; exit 1 ;;
    esac
done
[ ${#suites[@]} -gt 0 ] ||
    suites=(qtest linux patches hostile faults reliability asan)

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
    # bios-tables-test: upstream's ACPI table test; only its microvm cases
    # exist in this build profile
    (cd "$QEMU_BUILD" &&
     meson test --no-rebuild --print-errorlogs --verbose \
         qtest-x86_64/microvm-test qtest-x86_64/microvm-sweep-test \
         qtest-x86_64/bios-tables-test) \
         > "$log" 2>&1 || rc=$?
    grep -E '^▶ |^Ok:|^Fail:' "$log" || true
    tally qtest "$rc" "$log"
}

# tap_suite NAME WHAT COMMAND...: run a command that prints TAP, to the
# terminal and to the suite's log, and count its results
tap_suite() {
    local name=$1 what=$2 log="$logdir/$1.log" rc=0
    shift 2
    msg "suite $name: $what"
    (set -o pipefail; "$@" 2>&1 | tee "$log") || rc=$?
    tally "$name" "$rc" "$log"
}

# The suites run our build
export QEMU="$BUILD_DIR/qemu-system-x86_64"

run_linux() {
    "$TOP/scripts/guest-assets.sh"
    tap_suite linux "real-Linux microVM boots" "$TOP/tests-linux/linux-boot.sh"
}

run_patches() {
    tap_suite patches "the exported series (patches/)" \
        "$TOP/scripts/check-patches.sh"
}

run_hostile() {
    tap_suite hostile "malformed kernels, initrds, command lines" \
        "$TOP/tests-hostile/run.sh"
}

run_faults() {
    tap_suite faults "resets, migration, savevm" \
        python3 "$TOP/tests-hostile/faults.py" "$QEMU" \
        "$BUILD_DIR/hostile/faults"
}

run_reliability() {
    BOOT_JOBS=2 tap_suite reliability \
        "Linux boots of each default configuration" \
        "$TOP/tests-hostile/reliability.sh"
}

# The sweep needs only QEMU, the ROM and its own qtest from the sanitizer
# build; check-asan.sh writes the meson log this suite counts
run_asan() {
    local log="$logdir/asan.log" rc=0
    msg "suite asan: sanitizer build (ASan + UBSan), device-window sweep"
    : > "$log"
    "$TOP/scripts/sanitizer-build.sh" qemu-system-x86_64 microvm-rom \
        tests/qtest/microvm-sweep-test || rc=$?
    [ "$rc" != 0 ] || "$TOP/scripts/check-asan.sh" --short --no-build || rc=$?
    tally asan "$rc" "$log"
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
