#!/bin/bash
# Configure the patched QEMU tree in the microvm build profile: x86_64
# system emulation only, no default devices, the device set of
# configs/devices/x86_64-softmmu/microvm.mak (microvm plus the virtio-mmio
# devices a microVM needs), fdt and slirp, TCG plugins, no docs.
# Works on Debian's '+ds' tarball (no prebuilt blobs, no python wheels).
set -eu

usage() {
    cat <<USAGE
usage: $0 [--help] [--src DIR] [--build DIR] [--full] [-- CONFIGURE-ARGS...]

  --src DIR     the patched QEMU source tree (default: build/src)
  --build DIR   the build directory to configure (default: build/qemu)
  --full        a fuller profile (default devices) for comparisons
  Any other argument is passed through to QEMU's configure.
Nothing outside the build directory is written.
USAGE
}

top=$(cd "$(dirname "$0")" && pwd)
src="$top/build/src"
build="$top/build/qemu"
profile=microvm
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --src) src=$2; shift 2 ;;
        --src=*) src=${1#--src=}; shift ;;
        --build) build=$2; shift 2 ;;
        --build=*) build=${1#--build=}; shift ;;
        --full) profile=full; shift ;;
        --) shift; extra+=("$@"); break ;;
        *) extra+=("$1"); shift ;;
    esac
done

mkdir -p "$build"
src=$(cd "$src" 2>/dev/null && pwd) || src=$src
build=$(cd "$build" && pwd)
[ -x "$src/configure" ] || {
    echo "error: $src has no configure script; run scripts/apply-overlay.sh" >&2
    exit 1
}

args=(
    --target-list=x86_64-softmmu
    # Debian's meson (>= 1.5, bookworm-backports) and its python: a pyenv
    # python cannot import it, and the +ds tarball carries no wheels.
    --python=/usr/bin/python3
    --disable-download
    --disable-install-blobs
    --disable-docs
    --enable-fdt=system
    --enable-slirp
    --enable-plugins
    --disable-werror
    --disable-guest-agent
    --disable-gtk --disable-sdl --disable-vnc --disable-spice
    --disable-opengl --disable-curses --disable-xen
    --disable-gio --disable-dbus-display
)
if [ "$profile" = microvm ]; then
    args+=(--without-default-devices --with-devices-x86_64=microvm)
fi

mkdir -p "$build"
cd "$build"
exec "$src/configure" "${args[@]}" "${extra[@]}"
