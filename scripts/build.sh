#!/bin/bash
# Build our qemu-system-x86_64: fetch the pinned upstream (cached), apply
# the overlay, configure once (configure-wrapper.sh), then ninja.  Leaves
# build/qemu-system-x86_64, which finds our firmware ROM without -L.
# Builds are serialised with a lock, so concurrent callers take turns.
set -eu
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
    -h|--help)
        cat <<USAGE
usage: $0 [--help] [NINJA-TARGET...]

Without targets, builds qemu-system-x86_64, our firmware ROM, our
qtests, upstream's bios-tables-test and qemu-img (the savevm tests).  Environment: QEMU_SRC=<dir> (see scripts/fetch-upstream.sh),
JOBS=<n> (ninja's -j, default: the number of CPUs).
USAGE
        exit 0 ;;
esac

mkdir -p "$BUILD_DIR"
exec 9>"$BUILD_DIR/.build.lock"
flock 9

"$TOP/scripts/apply-overlay.sh"

if [ ! -f "$QEMU_BUILD/build.ninja" ]; then
    msg "configuring (log: $BUILD_DIR/configure.log)"
    rm -rf "$QEMU_BUILD"
    if ! "$TOP/configure-wrapper.sh" --src "$SRC_DIR" --build "$QEMU_BUILD" \
            > "$BUILD_DIR/configure.log" 2>&1; then
        tail -n 20 "$BUILD_DIR/configure.log" >&2
        rm -f "$QEMU_BUILD/build.ninja"
        die "configure failed: see $BUILD_DIR/configure.log; is scripts/setup-deps.sh done?"
    fi
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(qemu-system-x86_64 microvm-rom microvm-tests
             tests/qtest/bios-tables-test qemu-img)
fi
msg "building ${targets[*]} (ninja in $QEMU_BUILD)"
ninja -C "$QEMU_BUILD" -j "${JOBS:-$(nproc)}" "${targets[@]}" |
    sed -u -e '/^\[[0-9]*\/[0-9]*\] /{' -e 's/^\(\[[0-9]*\/[0-9]*\]\) .*/\1/' -e '}' |
    awk '/^\[[0-9]+\/[0-9]+\]$/ { n++; if (n % 100 == 0) print "    " $0; next } { print }'
[ "${PIPESTATUS[0]}" = 0 ] || die "build failed; the compiler's messages are above"
ln -sfn qemu/qemu-system-x86_64 "$BUILD_DIR/qemu-system-x86_64"
msg "built $BUILD_DIR/qemu-system-x86_64"
