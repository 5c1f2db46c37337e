#!/bin/bash
# Build the sanitizer profile in build/asan: the same patched tree as
# build/qemu (build/src, from scripts/apply-overlay.sh) configured by
# configure-wrapper.sh with clang, AddressSanitizer, UBSan and libFuzzer
# instrumentation (--enable-asan --enable-ubsan --enable-fuzzing).  One
# build serves both 'make check-asan' (qemu-system-x86_64 and our qtests
# under ASan/UBSan) and 'make fuzz-smoke' (qemu-fuzz-x86_64).
set -eu
. "$(dirname "$0")/lib.sh"

ASAN_BUILD="$BUILD_DIR/asan"

case "${1:-}" in
    -h|--help)
        cat <<USAGE
usage: $0 [--help] [NINJA-TARGET...]

Configures $ASAN_BUILD once, then runs ninja there (default targets:
qemu-system-x86_64 microvm-rom microvm-tests).  Needs clang and
libclang-rt-dev (scripts/setup-deps.sh --asan).  Environment: JOBS=<n>.
USAGE
        exit 0 ;;
esac

command -v clang >/dev/null ||
    die "clang not found: run 'scripts/setup-deps.sh --asan' as root"

mkdir -p "$BUILD_DIR"
# Refresh build/src under the lock scripts/build.sh takes, then build
# under our own lock so that normal builds are not held up by this one.
(
    flock 9
    "$TOP/scripts/apply-overlay.sh"
) 9>"$BUILD_DIR/.build.lock"
exec 8>"$BUILD_DIR/.asan.lock"
flock 8

if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
    msg "configuring the sanitizer build (log: $BUILD_DIR/asan-configure.log)"
    rm -rf "$ASAN_BUILD"
    if ! "$TOP/configure-wrapper.sh" --src "$SRC_DIR" --build "$ASAN_BUILD" \
            -- --cc=clang --cxx=clang++ --host-cc=clang \
            --enable-asan --enable-ubsan --enable-fuzzing \
            > "$BUILD_DIR/asan-configure.log" 2>&1; then
        tail -n 20 "$BUILD_DIR/asan-configure.log" >&2
        rm -f "$ASAN_BUILD/build.ninja"
        die "configure failed: see $BUILD_DIR/asan-configure.log"
    fi
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(qemu-system-x86_64 microvm-rom microvm-tests)
fi
msg "building ${targets[*]} (sanitizer build, ninja in $ASAN_BUILD)"
nice ninja -C "$ASAN_BUILD" -j "${JOBS:-$(nproc)}" "${targets[@]}" |
    sed -u -e '/^\[[0-9]*\/[0-9]*\] /{' -e 's/^\(\[[0-9]*\/[0-9]*\]\) .*/\1/' -e '}' |
    awk '/^\[[0-9]+\/[0-9]+\]$/ { n++; if (n % 100 == 0) print "    " $0; next } { print }'
[ "${PIPESTATUS[0]}" = 0 ] || die "sanitizer build failed; see the messages above"
msg "built $ASAN_BUILD"
