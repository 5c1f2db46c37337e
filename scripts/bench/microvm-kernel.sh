#!/bin/bash
# Builds the minimal microVM guest kernel (make bench, optional for tests):
# Debian's linux-source-6.1 package, `make tinyconfig` plus the fragment
# scripts/bench/microvm-kernel.fragment (merge_config.sh), no modules.
# Cached in $CACHE_DIR/microvm-kernel-<source version>-<key>/ (key: hash of
# the fragment and of RECIPE below); prints the directory holding vmlinux,
# bzImage and config on stdout.  Tests can use it through MICROVM_KERNEL=
# <dir>/vmlinux (or bzImage).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--print-dir | --prepare]

Builds (when not cached) and prints the directory of the microVM kernel.
--print-dir   print the cache directory it would use and exit (no build;
              exit status 1 when it is not built yet)
--prepare     only the single-threaded first steps (unpack the source,
              make the .config; about 1.5 minutes), which a later run
              without options then skips

Environment: JOBS (default 2), MICROVM_CACHE (cache root).  Needs the
linux-source-6.1, bc, flex, bison, lz4 and libelf-dev packages (make bench
installs them).  The build takes 4 to 11 minutes on 2 idle cores.
USAGE
}

print_only=0
prepare_only=0
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    --print-dir) print_only=1 ;;
    --prepare) prepare_only=1 ;;
    '') ;;
    *) usage >&2; die "unknown argument: $1" ;;
esac

FRAGMENT="$TOP/scripts/bench/microvm-kernel.fragment"
KEPT_CONFIG="$TOP/scripts/bench/microvm-kernel.config"
TARBALL=/usr/src/linux-source-6.1.tar.xz
JOBS=${JOBS:-2}

src_ver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || true)
if [ -z "$src_ver" ] || [ ! -f "$TARBALL" ]; then
    die "linux-source-6.1 is not installed (apt-get install linux-source-6.1)"
fi
# Bump RECIPE when the way the config is made changes.
RECIPE="tinyconfig + merge_config.sh -m + olddefconfig, v1"
key=$( (cat "$FRAGMENT"; echo "$RECIPE") | sha256sum | cut -c1-12)
OUT="$CACHE_DIR/microvm-kernel-$src_ver-$key"

if [ -f "$OUT/done" ]; then
    echo "$OUT"
    exit 0
fi
if [ "$print_only" = 1 ]; then
    echo "$OUT"
    exit 1
fi

for t in bc flex bison gcc make lz4; do
    command -v "$t" >/dev/null || die "$t missing (make bench installs it)"
done
[ -f /usr/include/libelf.h ] || die "libelf-dev missing (make bench installs it)"

# One unpacked source per Debian version, shared by every key.
SRC="$CACHE_DIR/linux-source-$src_ver"
if [ ! -f "$SRC/.unpacked" ]; then
    msg "microvm kernel: unpacking $TARBALL (about a minute)"
    rm -rf "$SRC"
    mkdir -p "$SRC"
    tar -xJf "$TARBALL" -C "$SRC" --strip-components=1
    touch "$SRC/.unpacked"
fi

mk() {
    nice -n 10 make -C "$SRC" O="$OUT/obj" ARCH=x86_64 "$@"
}
# tinyconfig + the fragment, checked: $OUT/obj/.config
configure() {
    rm -rf "$OUT"
    mkdir -p "$OUT/obj"
    msg "microvm kernel: tinyconfig + $(basename "$FRAGMENT") ($OUT)"
    mk tinyconfig > "$OUT/config.log" 2>&1 || die "make tinyconfig failed: $OUT/config.log"
    (cd "$OUT/obj" && ARCH=x86_64 "$SRC/scripts/kconfig/merge_config.sh" -m \
        -O "$OUT/obj" "$OUT/obj/.config" "$FRAGMENT") >> "$OUT/config.log" 2>&1 ||
        die "merge_config.sh failed: $OUT/config.log"
    mk olddefconfig >> "$OUT/config.log" 2>&1 || die "make olddefconfig failed: $OUT/config.log"
    # Every option of the fragment must have survived the dependency checks.
    local bad=0 line opt
    while IFS= read -r line; do
        case "$line" in
            CONFIG_*=*)
                grep -qxF "$line" "$OUT/obj/.config" ||
                    { echo "error: fragment option not in the final config: $line" >&2; bad=1; }
                ;;
            "# CONFIG_"*" is not set")
                opt=${line#\# }; opt=${opt%% *}
                ! grep -q "^$opt=" "$OUT/obj/.config" ||
                    { echo "error: fragment option set in the final config: $opt" >&2; bad=1; }
                ;;
        esac
    done < "$FRAGMENT"
    [ "$bad" = 0 ] || die "the kernel config does not take the fragment; see $OUT/config.log"
    if [ -f "$KEPT_CONFIG" ] && ! diff -q <(grep '^[^#]' "$KEPT_CONFIG") \
            <(grep '^[^#]' "$OUT/obj/.config") >/dev/null; then
        msg "microvm kernel: note: the resulting .config differs from $KEPT_CONFIG (another linux-source version?)"
    fi
    touch "$OUT/configured"
}
if [ -f "$OUT/configured" ]; then
    msg "microvm kernel: configured by an earlier --prepare ($OUT)"
else
    configure
fi
[ "$prepare_only" = 0 ] || exit 0

msg "microvm kernel: building vmlinux and bzImage with -j$JOBS (4 to 11 minutes on 2 idle cores; log: $OUT/build.log)"
start=$(date +%s)
mk -j"$JOBS" vmlinux bzImage > "$OUT/build.log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    n=$(grep -c '^  [A-Z]' "$OUT/build.log" 2>/dev/null || true)
    printf '\r  %4d s, %5s build steps' "$(( $(date +%s) - start ))" "$n" >&2
done
echo >&2
wait "$pid" || die "kernel build failed: $OUT/build.log"
cp "$OUT/obj/vmlinux" "$OUT/vmlinux"
cp "$OUT/obj/arch/x86/boot/bzImage" "$OUT/bzImage"
cp "$OUT/obj/.config" "$OUT/config"
strip --strip-debug "$OUT/vmlinux" 2>/dev/null || true
echo "$(( $(date +%s) - start ))" > "$OUT/build-seconds"
rm -rf "$OUT/obj"
touch "$OUT/done"
msg "microvm kernel: built in $(cat "$OUT/build-seconds") s: $OUT"
echo "$OUT"
