#!/bin/bash
# Install the Debian packages the overlay needs to fetch, build and test.
#
# Adds `deb-src` and the `bookworm-backports` suite to apt, derived from the
# machine's existing Debian sources (no mirror host is hard-coded), then
# installs whatever of the build and guest-asset packages is missing.
# Idempotent: a second run with everything present does nothing.
set -eu

usage() {
    cat <<USAGE
usage: $0 [--help] [--bench] [--asan]

Installs the build dependencies (meson >= 1.5 and python3-pycotap from
bookworm-backports, ninja, glib, pixman, libfdt, libslirp, ...) and the
guest-asset tools (busybox-static, cpio, e2fsprogs, lz4), SeaBIOS
(bios-tables-test boots its microvm cases with it) and linux-source-6.1,
bc and libelf-dev for the minimal microVM guest kernel (the Linux tests
boot it).  Needs root.
--bench also installs what make bench needs: GNU time and ccache (the
upstream build reuses the objects of ours; Debian's SeaBIOS and QEMU
firmware blobs come with the base set).
--asan also installs what the sanitizer build (make check-asan, make
fuzz-smoke) needs: clang and its runtimes (ASan, UBSan, libFuzzer).
USAGE
}
bench=0
asan=0
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    --bench) bench=1 ;;
    --asan) asan=1 ;;
esac

# Packages from the default suite.
PKGS="build-essential ninja-build libglib2.0-dev libpixman-1-dev libfdt-dev
libslirp-dev python3-venv flex bison pkg-config rsync xz-utils dpkg-dev
busybox-static cpio e2fsprogs lz4 binutils quilt seabios
linux-source-6.1 bc libelf-dev"

missing() {
    local p out=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q "install ok installed" || out="$out $p"
    done
    echo "$out"
}

meson_ok() {
    local v
    v=$(/usr/bin/meson --version 2>/dev/null) || return 1
    dpkg --compare-versions "$v" ge 1.5
}

SRC_FILE=/etc/apt/sources.list.d/microvm-overlay.sources
need=$(missing $PKGS)
# qemu-system-data: linuxboot_dma.bin, for the SeaBIOS case of tests-linux
bpo_need=$(missing python3-pycotap qemu-system-data)
if [ "$bench" = 1 ]; then
    need="$need$(missing time ccache)"
fi
if [ "$asan" = 1 ]; then
    need="$need$(missing clang libclang-rt-dev)"
fi
meson_ok || bpo_need="$bpo_need meson"

# Meson from bookworm-backports (>= 1.5, bookworm has 1.0) and pycotap.
if [ -z "$need" ] && [ -z "$bpo_need" ] && [ -f "$SRC_FILE" ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "setup-deps: missing packages:$need$bpo_need" >&2
    echo "setup-deps: run 'sudo $0' (or install them by hand) and retry" >&2
    exit 1
fi

# Derive a deb-src + bookworm-backports entry from the existing Debian
# sources.  Both the deb822 (*.sources) and one-line formats are read.
add_sources() {
    local uri="" keyring=""
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$SRC_FILE" ] && continue
        uri=$(awk '
            /^URIs:/ { u = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") s = 1 }
            /^$/ { if (s && u != "") { print u; exit } u = ""; s = 0 }
            END { if (s && u != "") print u }' "$f" | head -n1)
        if [ -n "$uri" ]; then
            keyring=$(awk '/^Signed-By:/ { print $2; exit }' "$f")
            break
        fi
    done
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $0 ~ / bookworm / {
                   for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
              /etc/apt/sources.list | head -n1)
    fi
    if [ -z "$uri" ]; then
        echo "setup-deps: no Debian bookworm entry found in apt's sources;" >&2
        echo "setup-deps: add deb-src and bookworm-backports by hand" >&2
        exit 1
    fi
    {
        echo "# Added by microvm-overlay scripts/setup-deps.sh"
        echo "Types: deb deb-src"
        echo "URIs: $uri"
        echo "Suites: bookworm-backports"
        echo "Components: main"
        [ -n "$keyring" ] && echo "Signed-By: $keyring"
        echo
        echo "Types: deb-src"
        echo "URIs: $uri"
        echo "Suites: bookworm"
        echo "Components: main"
        [ -n "$keyring" ] && echo "Signed-By: $keyring"
    } > "$SRC_FILE.tmp"
    mv "$SRC_FILE.tmp" "$SRC_FILE"
    echo "setup-deps: added $SRC_FILE (from $uri)"
}

[ -f "$SRC_FILE" ] || add_sources
echo "setup-deps: apt-get update"
apt-get update -q >/dev/null

export DEBIAN_FRONTEND=noninteractive
if [ -n "$need" ]; then
    echo "setup-deps: installing$need"
    apt-get install -y -q --no-install-recommends $need >/dev/null
fi
if [ -n "$bpo_need" ]; then
    echo "setup-deps: installing from bookworm-backports:$bpo_need"
    apt-get install -y -q --no-install-recommends -t bookworm-backports \
        $bpo_need >/dev/null
fi
